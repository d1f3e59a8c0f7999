using System.Text.Json;

namespace Fathom.Simulator;

/// <summary>
/// Streams derived from the trades (<see cref="MarketHistory"/>): <c>&lt;s&gt;@kline_&lt;interval&gt;</c> after
/// every command that traded and once more, with <c>x</c> true, when the kline has closed;
/// <c>&lt;s&gt;@ticker</c>, <c>&lt;s&gt;@miniTicker</c>, <c>!ticker@arr</c>, <c>!miniTicker@arr</c> and
/// <c>&lt;s&gt;@avgPrice</c> once a second for the symbols that traded since the last second.
/// </summary>
public sealed partial class StreamHub
{
    private long[]? _statsTradesSeen;
    private long[][]? _klineClosed;

    private void InitStatistics()
    {
        int n = _engine.Books.Count;
        _statsTradesSeen = new long[n];
        _klineClosed = new long[n][];
        for (int i = 0; i < n; i++)
        {
            _statsTradesSeen[i] = _engine.Books[i].TradeCount;
            _klineClosed[i] = new long[KlineInterval.Names.Count];
            Array.Fill(_klineClosed[i], long.MinValue);
        }
    }

    private bool HasSubscriber(string stream)
    {
        if (_faults.SilentStreams)
            return false;
        foreach (var c in Volatile.Read(ref _market))
            if (c.IsSubscribed(stream))
                return true;
        return false;
    }

    /// <summary>After a command that traded: final events for klines that closed since, then each interval's open kline.</summary>
    private void PublishKlines(int i, SymbolBook book, long now)
    {
        PublishClosedKlines(i, book, now);
        var h = book.History;
        for (int iv = 0; iv < KlineInterval.Names.Count; iv++)
        {
            string stream = _lower[i] + "@kline_" + KlineInterval.Names[iv];
            int n = h.KlineCount(iv);
            if (n == 0 || !HasSubscriber(stream))
                continue;
            PublishMarket(stream, KlineEvent(book, iv, h.KlineAt(iv, n - 1), now, closed: false));
        }
    }

    /// <summary>A kline whose close time has passed is announced once with <c>x</c> true (the last two kept can be closed and unannounced).</summary>
    private void PublishClosedKlines(int i, SymbolBook book, long now)
    {
        var h = book.History;
        for (int iv = 0; iv < KlineInterval.Names.Count; iv++)
        {
            int n = h.KlineCount(iv);
            for (int j = Math.Max(0, n - 2); j < n; j++)
            {
                var k = h.KlineAt(iv, j);
                if (k.OpenTime <= _klineClosed![i][iv] || KlineInterval.NextOpenTime(iv, k.OpenTime) > now)
                    continue;
                _klineClosed[i][iv] = k.OpenTime;
                string stream = _lower[i] + "@kline_" + KlineInterval.Names[iv];
                if (HasSubscriber(stream))
                    PublishMarket(stream, KlineEvent(book, iv, k, now, closed: true));
            }
        }
    }

    private byte[] KlineEvent(SymbolBook book, int iv, in Kline k, long now, bool closed)
    {
        var spec = book.Symbol.Spec;
        int pd = spec.PriceDecimals, qd = spec.QtyDecimals;
        var w = Begin();
        w.WriteStartObject();
        w.WriteString("e", "kline");
        w.WriteNumber("E", now);
        w.WriteString("s", book.Name);
        w.WriteStartObject("k");
        w.WriteNumber("t", k.OpenTime);
        w.WriteNumber("T", KlineInterval.NextOpenTime(iv, k.OpenTime) - 1);
        w.WriteString("s", book.Name);
        w.WriteString("i", KlineInterval.Names[iv]);
        w.WriteNumber("f", k.FirstTradeId);
        w.WriteNumber("L", k.LastTradeId);
        WireFormat.Decimal8(w, "o", k.Open, pd);
        WireFormat.Decimal8(w, "c", k.Close, pd);
        WireFormat.Decimal8(w, "h", k.High, pd);
        WireFormat.Decimal8(w, "l", k.Low, pd);
        WireFormat.Decimal8(w, "v", k.Volume, qd);
        w.WriteNumber("n", k.Trades);
        w.WriteBoolean("x", closed);
        WireFormat.Decimal8(w, "q", k.QuoteVolume, Assets.Decimals);
        WireFormat.Decimal8(w, "V", k.TakerBuyVolume, qd);
        WireFormat.Decimal8(w, "Q", k.TakerBuyQuoteVolume, Assets.Decimals);
        w.WriteString("B", "0");
        w.WriteEndObject();
        w.WriteEndObject();
        return End();
    }

    /// <summary>Once a second (every tenth depth tick): closed klines, then tickers and avgPrice of the symbols that traded.</summary>
    private void PublishStatistics()
    {
        var books = _engine.Books;
        long now = _engine.Clock.UtcNowUnixMs;
        List<byte[]>? full = null, mini = null;
        bool wantFull = HasSubscriber("!ticker@arr"), wantMini = HasSubscriber("!miniTicker@arr");
        for (int i = 0; i < books.Count; i++)
        {
            var book = books[i];
            PublishClosedKlines(i, book, now);
            if (book.TradeCount == _statsTradesSeen![i])
                continue;
            _statsTradesSeen[i] = book.TradeCount;
            var t = SimulatorApi.TickerOf(book, now);
            byte[]? tickerEvent = null, miniEvent = null;
            if (wantFull || HasSubscriber(_lower[i] + "@ticker"))
            {
                tickerEvent = TickerEvent(book, t, now, mini: false);
                PublishMarket(_lower[i] + "@ticker", tickerEvent);
                (full ??= []).Add(tickerEvent);
            }
            if (wantMini || HasSubscriber(_lower[i] + "@miniTicker"))
            {
                miniEvent = TickerEvent(book, t, now, mini: true);
                PublishMarket(_lower[i] + "@miniTicker", miniEvent);
                (mini ??= []).Add(miniEvent);
            }
            if (HasSubscriber(_lower[i] + "@avgPrice"))
            {
                var w = Begin();
                w.WriteStartObject();
                w.WriteString("e", "avgPrice");
                w.WriteNumber("E", now);
                w.WriteString("s", book.Name);
                w.WriteString("i", "5m");
                WireFormat.Decimal8(w, "w", SimulatorApi.AvgPrice8(book, now), Assets.Decimals);
                w.WriteNumber("T", book.History.LastTrade.Time);
                w.WriteEndObject();
                PublishMarket(_lower[i] + "@avgPrice", End());
            }
        }
        if (wantFull && full is not null)
            PublishMarket("!ticker@arr", JoinArray(full));
        if (wantMini && mini is not null)
            PublishMarket("!miniTicker@arr", JoinArray(mini));
    }

    private static byte[] JoinArray(List<byte[]> events)
    {
        int length = 2 + events.Sum(e => e.Length) + events.Count - 1;
        var array = new byte[length];
        int at = 0;
        array[at++] = (byte)'[';
        for (int j = 0; j < events.Count; j++)
        {
            if (j > 0)
                array[at++] = (byte)',';
            events[j].CopyTo(array, at);
            at += events[j].Length;
        }
        array[at] = (byte)']';
        return array;
    }

    private byte[] TickerEvent(SymbolBook book, in SimulatorApi.TickerStats t, long now, bool mini)
    {
        var spec = book.Symbol.Spec;
        int pd = spec.PriceDecimals, qd = spec.QtyDecimals;
        var k = t.Window;
        var w = Begin();
        w.WriteStartObject();
        w.WriteString("e", mini ? "24hrMiniTicker" : "24hrTicker");
        w.WriteNumber("E", now);
        w.WriteString("s", book.Name);
        if (!mini)
        {
            WireFormat.Decimal8(w, "p", t.Change, pd);
            w.WriteString("P", t.ChangePercent);
            WireFormat.Decimal8(w, "w", t.WeightedAvg8, Assets.Decimals);
            WireFormat.Decimal8(w, "x", t.PrevClose, pd);
        }
        WireFormat.Decimal8(w, "c", t.LastPrice, pd);
        if (!mini)
        {
            WireFormat.Decimal8(w, "Q", t.LastQty, qd);
            book.TryBest(OrderSide.Buy, out long bid, out long bidQty);
            book.TryBest(OrderSide.Sell, out long ask, out long askQty);
            WireFormat.Decimal8(w, "b", bid, pd);
            WireFormat.Decimal8(w, "B", bidQty, qd);
            WireFormat.Decimal8(w, "a", ask, pd);
            WireFormat.Decimal8(w, "A", askQty, qd);
        }
        WireFormat.Decimal8(w, "o", k.Open, pd);
        WireFormat.Decimal8(w, "h", k.High, pd);
        WireFormat.Decimal8(w, "l", k.Low, pd);
        WireFormat.Decimal8(w, "v", k.Volume, qd);
        WireFormat.Decimal8(w, "q", k.QuoteVolume, Assets.Decimals);
        if (!mini)
        {
            w.WriteNumber("O", t.OpenTime);
            w.WriteNumber("C", now);
            w.WriteNumber("F", k.FirstTradeId);
            w.WriteNumber("L", k.LastTradeId);
            w.WriteNumber("n", k.Trades);
        }
        w.WriteEndObject();
        return End();
    }
}
