using System.Text.Json;
using Fathom.Core;

namespace Fathom.Simulator;

/// <summary>
/// Market statistics derived from the simulator's own trades (<see cref="MarketHistory"/>): tickers,
/// average price, aggregate trades, klines, system status.
/// </summary>
public sealed partial class SimulatorApi
{
    private const long DayMs = 24 * 60 * 60 * 1000, MinuteMs = 60 * 1000, HourMs = 60 * MinuteMs;

    private static readonly BinanceError s_badInterval = new(400, -1120, "Invalid interval.");
    private static readonly BinanceError s_aggWindowTooLarge = new(400, -1127, "More than 1 hours between startTime and endTime.");
    private static readonly BinanceError s_symbolAndSymbols = new(400, -1128, "Combination of optional parameters invalid.");

    private static int TickerWeight(RequestParameters p, int one, int many, int all)
    {
        if (p.Has("symbol"))
            return one;
        if (p["symbols"] is { } list)
        {
            int n = list.Count(c => c == ',') + 1;
            return n <= 20 ? one : n <= 100 ? many : all;
        }
        return all;
    }

    /// <summary>The books a ticker request names: <c>symbol</c>, <c>symbols</c> (JSON array) or every symbol (null = a single-object answer is not wanted).</summary>
    private List<SymbolBook> RequestedBooks(RequestParameters p, out bool single)
    {
        single = false;
        if (p.Has("symbol") && p.Has("symbols"))
            throw new BinanceException(s_symbolAndSymbols);
        if (p.Has("symbol"))
        {
            single = true;
            return [Symbol(p)];
        }
        if (p["symbols"] is { } list)
        {
            string[] names;
            try { names = JsonSerializer.Deserialize<string[]>(list) ?? []; }
            catch (JsonException) { throw new BinanceException(new BinanceError(400, -1135, "JSON sent for parameter 'symbols' is not valid")); }
            if (names.Distinct().Count() != names.Length)
                throw new BinanceException(new BinanceError(400, -1151, "Symbol is present multiple times in the list."));
            return names.Select(n => _engine.TryGetBook(n, out var b) ? b : throw new BinanceException(BinanceErrors.BadSymbol)).ToList();
        }
        return [.. _engine.Books];
    }

    private void TickerPrice(RequestParameters p)
    {
        var books = RequestedBooks(p, out bool single);
        var w = _json;
        if (!single)
            w.WriteStartArray();
        foreach (var book in books)
        {
            w.WriteStartObject();
            w.WriteString("symbol", book.Name);
            WireFormat.Decimal8(w, "price", book.History.LastTrade.Price, book.Symbol.Spec.PriceDecimals);
            w.WriteEndObject();
        }
        if (!single)
            w.WriteEndArray();
    }

    private void Ticker24h(RequestParameters p)
    {
        bool mini = p["type"] switch
        {
            null or "FULL" => false,
            "MINI" => true,
            _ => throw new BinanceException(BinanceErrors.InvalidParameter("type")),
        };
        var books = RequestedBooks(p, out bool single);
        var w = _json;
        if (!single)
            w.WriteStartArray();
        foreach (var book in books)
            WriteTicker24h(w, book, mini);
        if (!single)
            w.WriteEndArray();
    }

    /// <summary>
    /// The rolling 24 h window from the <c>1m</c> klines: it opens at the minute boundary at or before
    /// now − 24 h, so it may hold up to one minute more than 24 h (Binance documents the same slack).
    /// </summary>
    internal static (Kline Total, long OpenTime, long PrevClose) Window24h(SymbolBook book, long nowMs) =>
        Window(book, nowMs, DayMs);

    /// <summary>
    /// A rolling window of <paramref name="windowMs"/> from the <c>1m</c> klines (kept for
    /// <see cref="MarketHistory.MinuteKlineHistory"/> minutes, enough for the longest, 7 days): it opens at the
    /// minute boundary at or before now − window and closes now.
    /// </summary>
    internal static (Kline Total, long OpenTime, long PrevClose) Window(SymbolBook book, long nowMs, long windowMs)
    {
        var h = book.History;
        long start = KlineInterval.OpenTime(KlineInterval.OneMinute, nowMs - windowMs);
        Kline total = default;
        long prevClose = 0;
        bool any = false;
        int n = h.KlineCount(KlineInterval.OneMinute);
        for (int i = 0; i < n; i++)
        {
            var k = h.KlineAt(KlineInterval.OneMinute, i);
            if (k.OpenTime < start)
            {
                prevClose = k.Close;
                continue;
            }
            total = !any ? k : total with
            {
                High = Math.Max(total.High, k.High),
                Low = Math.Min(total.Low, k.Low),
                Close = k.Close,
                Volume = total.Volume + k.Volume,
                QuoteVolume = total.QuoteVolume + k.QuoteVolume,
                Trades = total.Trades + k.Trades,
                TakerBuyVolume = total.TakerBuyVolume + k.TakerBuyVolume,
                TakerBuyQuoteVolume = total.TakerBuyQuoteVolume + k.TakerBuyQuoteVolume,
                LastTradeId = k.LastTradeId,
            };
            any = true;
        }
        if (!any)
            total = new Kline(start, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1);
        return (total, start, prevClose);
    }

    /// <summary>One symbol's rolling 24 h statistics (REST ticker/24hr and the <c>@ticker</c> streams share it).</summary>
    internal readonly record struct TickerStats(Kline Window, long OpenTime, long PrevClose, long LastPrice, long LastQty, long Change, string ChangePercent, long WeightedAvg8);

    internal static TickerStats TickerOf(SymbolBook book, long nowMs, long windowMs = DayMs)
    {
        var (k, openTime, prevClose) = Window(book, nowMs, windowMs);
        var last = book.History.LastTrade;
        long change = k.Trades == 0 ? 0 : last.Price - k.Open;
        string percent = k.Open == 0 ? "0.000" : FixedPoint.ToString(RoundDiv((Int128)change * 100_000, k.Open), 3);
        return new TickerStats(k, openTime, prevClose, last.Price, last.Qty, change, percent, Vwap(k.QuoteVolume, k.Volume, book.Symbol.Spec.QtyDecimals));
    }

    private void WriteTicker24h(Utf8JsonWriter w, SymbolBook book, bool mini)
    {
        var spec = book.Symbol.Spec;
        int pd = spec.PriceDecimals, qd = spec.QtyDecimals;
        long now = _clock.UtcNowUnixMs;
        var t = TickerOf(book, now);
        var k = t.Window;
        w.WriteStartObject();
        w.WriteString("symbol", book.Name);
        if (!mini)
        {
            WireFormat.Decimal8(w, "priceChange", t.Change, pd);
            w.WriteString("priceChangePercent", t.ChangePercent);
            WireFormat.Decimal8(w, "weightedAvgPrice", t.WeightedAvg8, Assets.Decimals);
            WireFormat.Decimal8(w, "prevClosePrice", t.PrevClose, pd);
            WireFormat.Decimal8(w, "lastPrice", t.LastPrice, pd);
            WireFormat.Decimal8(w, "lastQty", t.LastQty, qd);
            book.TryBest(OrderSide.Buy, out long bid, out long bidQty);
            book.TryBest(OrderSide.Sell, out long ask, out long askQty);
            WireFormat.Decimal8(w, "bidPrice", bid, pd);
            WireFormat.Decimal8(w, "bidQty", bidQty, qd);
            WireFormat.Decimal8(w, "askPrice", ask, pd);
            WireFormat.Decimal8(w, "askQty", askQty, qd);
        }
        WireFormat.Decimal8(w, "openPrice", k.Open, pd);
        WireFormat.Decimal8(w, "highPrice", k.High, pd);
        WireFormat.Decimal8(w, "lowPrice", k.Low, pd);
        if (mini)
            WireFormat.Decimal8(w, "lastPrice", t.LastPrice, pd);
        WireFormat.Decimal8(w, "volume", k.Volume, qd);
        WireFormat.Decimal8(w, "quoteVolume", k.QuoteVolume, Assets.Decimals);
        w.WriteNumber("openTime", t.OpenTime);
        w.WriteNumber("closeTime", now);
        w.WriteNumber("firstId", k.FirstTradeId);
        w.WriteNumber("lastId", k.LastTradeId);
        w.WriteNumber("count", k.Trades);
        w.WriteEndObject();
    }

    /// <summary>
    /// <c>GET /api/v3/ticker</c> (and the WebSocket API's <c>ticker</c>): rolling-window statistics of
    /// <c>windowSize</c> (<c>1m</c>–<c>59m</c>, <c>1h</c>–<c>23h</c>, <c>1d</c>–<c>7d</c>; default <c>1d</c>) for
    /// <c>symbol</c> or <c>symbols</c> (one is required, at most 100), FULL (default) or MINI.
    /// </summary>
    private void TickerRolling(RequestParameters p)
    {
        bool mini = p["type"] switch
        {
            null or "FULL" => false,
            "MINI" => true,
            _ => throw new BinanceException(BinanceErrors.InvalidParameter("type")),
        };
        if (!p.Has("symbol") && !p.Has("symbols"))
            throw new BinanceException(BinanceErrors.EitherMandatory("symbol", "symbols"));
        if (p["symbols"] is { } names && names.Count(c => c == ',') + 1 > MaxRollingSymbols)
            throw new BinanceException(s_tooManySymbols);
        long windowMs = WindowSizeMs(p["windowSize"]);
        var books = RequestedBooks(p, out bool single);
        long now = _clock.UtcNowUnixMs;
        var w = _json;
        if (!single)
            w.WriteStartArray();
        foreach (var book in books)
        {
            var spec = book.Symbol.Spec;
            int pd = spec.PriceDecimals, qd = spec.QtyDecimals;
            var t = TickerOf(book, now, windowMs);
            var k = t.Window;
            w.WriteStartObject();
            w.WriteString("symbol", book.Name);
            if (!mini)
            {
                WireFormat.Decimal8(w, "priceChange", t.Change, pd);
                w.WriteString("priceChangePercent", t.ChangePercent);
                WireFormat.Decimal8(w, "weightedAvgPrice", t.WeightedAvg8, Assets.Decimals);
            }
            WireFormat.Decimal8(w, "openPrice", k.Open, pd);
            WireFormat.Decimal8(w, "highPrice", k.High, pd);
            WireFormat.Decimal8(w, "lowPrice", k.Low, pd);
            WireFormat.Decimal8(w, "lastPrice", t.LastPrice, pd);
            WireFormat.Decimal8(w, "volume", k.Volume, qd);
            WireFormat.Decimal8(w, "quoteVolume", k.QuoteVolume, Assets.Decimals);
            w.WriteNumber("openTime", t.OpenTime);
            w.WriteNumber("closeTime", now);
            w.WriteNumber("firstId", k.FirstTradeId);
            w.WriteNumber("lastId", k.LastTradeId);
            w.WriteNumber("count", k.Trades);
            w.WriteEndObject();
        }
        if (!single)
            w.WriteEndArray();
    }

    /// <summary>The most symbols one rolling-window ticker request may name.</summary>
    private const int MaxRollingSymbols = 100;

    private static readonly BinanceError s_tooManySymbols =
        new(400, -1101, $"Too many values sent for parameter 'symbols', maximum allowed up to {MaxRollingSymbols}.");

    /// <summary><c>windowSize</c> in milliseconds: <c>&lt;n&gt;m</c> (1–59), <c>&lt;n&gt;h</c> (1–23), <c>&lt;n&gt;d</c> (1–7); absent = 1 day.</summary>
    internal static long WindowSizeMs(string? windowSize)
    {
        if (windowSize is null)
            return DayMs;
        if (windowSize.Length is >= 2 and <= 3 && int.TryParse(windowSize.AsSpan(0, windowSize.Length - 1),
                System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n))
        {
            switch (windowSize[^1])
            {
                case 'm' when n is >= 1 and <= 59: return n * MinuteMs;
                case 'h' when n is >= 1 and <= 23: return n * HourMs;
                case 'd' when n is >= 1 and <= 7: return n * DayMs;
            }
        }
        throw new BinanceException(BinanceErrors.InvalidParameter("windowSize"));
    }

    /// <summary>Weight of <c>GET /api/v3/ticker</c>: 4 per symbol, at most 200 (over 50 symbols).</summary>
    private static int RollingTickerWeight(RequestParameters p)
    {
        if (p["symbols"] is { } list)
            return Math.Min(4 * (list.Count(c => c == ',') + 1), 200);
        return 4;
    }

    /// <summary>Volume-weighted price at 8 decimals from a quote sum (8 decimals) and a base sum (<paramref name="qd"/> decimals); 0 for no volume.</summary>
    private static long Vwap(long quote8, long qty, int qd) =>
        qty == 0 ? 0 : (long)RoundDiv((Int128)quote8 * FixedPoint.Pow10(qd), qty);

    private static long RoundDiv(Int128 n, long d)
    {
        Int128 q = Int128.DivRem(n, d).Quotient, r = n - q * d;
        if (Int128.Abs(r) * 2 >= Math.Abs(d))
            q += (n < 0) != (d < 0) ? -1 : 1;
        return (long)q;
    }

    /// <summary>
    /// <c>avgPrice</c>: volume-weighted over the last 5 <c>1m</c> klines (the open one and four before it);
    /// with no trade in them, the last trade price; <c>closeTime</c> is the last trade's time.
    /// </summary>
    private void AvgPrice(RequestParameters p)
    {
        var book = Symbol(p);
        var w = _json;
        w.WriteStartObject();
        w.WriteNumber("mins", 5);
        WireFormat.Decimal8(w, "price", AvgPrice8(book, _clock.UtcNowUnixMs), Assets.Decimals);
        w.WriteNumber("closeTime", book.History.LastTrade.Time);
        w.WriteEndObject();
    }

    /// <summary>The 5-minute average price at 8 decimals (see <see cref="AvgPrice(RequestParameters)"/>).</summary>
    internal static long AvgPrice8(SymbolBook book, long nowMs)
    {
        var h = book.History;
        long since = KlineInterval.OpenTime(KlineInterval.OneMinute, nowMs) - 4 * MinuteMs;
        long quote = 0, qty = 0;
        for (int i = h.KlineCount(KlineInterval.OneMinute) - 1; i >= 0; i--)
        {
            var k = h.KlineAt(KlineInterval.OneMinute, i);
            if (k.OpenTime < since)
                break;
            quote += k.QuoteVolume;
            qty += k.Volume;
        }
        var spec = book.Symbol.Spec;
        return qty > 0 ? Vwap(quote, qty, spec.QtyDecimals) : Assets.To8(h.LastTrade.Price, spec.PriceDecimals);
    }

    private static int Limit(RequestParameters p, int fallback, int max)
    {
        long limit = ParseLong(p, "limit", fallback);
        if (limit <= 0)
            throw new BinanceException(BinanceErrors.InvalidParameter("limit"));
        return (int)Math.Min(limit, max);
    }

    /// <summary>
    /// <c>aggTrades</c>: by <c>fromId</c> (ascending from it), by <c>startTime</c>/<c>endTime</c> (inclusive,
    /// both together at most 1 hour apart, else -1127), or the most recent; only the last
    /// <see cref="MarketHistory.AggTradeHistory"/> aggregates are kept.
    /// </summary>
    private void AggTrades(RequestParameters p)
    {
        var book = Symbol(p);
        int limit = Limit(p, 500, 1000);
        long? fromId = p.Has("fromId") ? ParseLong(p, "fromId", 0) : null;
        long? start = p.Has("startTime") ? ParseLong(p, "startTime", 0) : null;
        long? end = p.Has("endTime") ? ParseLong(p, "endTime", 0) : null;
        if (start is { } s0 && end is { } e0 && e0 - s0 > HourMs)
            throw new BinanceException(s_aggWindowTooLarge);
        var h = book.History;
        long oldest = h.OldestAggTradeId, newest = h.AggTradeCount;
        var spec = book.Symbol.Spec;
        var w = _json;
        w.WriteStartArray();
        long first;
        if (fromId is { } f)
            first = Math.Max(f, oldest);
        else if (start is null && end is null)
            first = Math.Max(oldest, newest - limit + 1);
        else
            first = oldest;
        int written = 0;
        // With only endTime, Binance answers the last `limit` trades up to it: find where they begin.
        if (fromId is null && start is null && end is { } endOnly)
        {
            long last = newest;
            while (last >= oldest && h.TryGetAggTrade(last, out var a) && a.Time > endOnly)
                last--;
            first = Math.Max(oldest, last - limit + 1);
        }
        for (long id = first; id <= newest && written < limit; id++)
        {
            h.TryGetAggTrade(id, out var a);
            if (start is { } s && a.Time < s)
                continue;
            if (end is { } e && a.Time > e)
                break;
            w.WriteStartObject();
            w.WriteNumber("a", a.Id);
            WireFormat.Decimal8(w, "p", a.Price, spec.PriceDecimals);
            WireFormat.Decimal8(w, "q", a.Qty, spec.QtyDecimals);
            w.WriteNumber("f", a.FirstTradeId);
            w.WriteNumber("l", a.LastTradeId);
            w.WriteNumber("T", a.Time);
            w.WriteBoolean("m", a.IsBuyerMaker);
            w.WriteBoolean("M", true);
            w.WriteEndObject();
            written++;
        }
        w.WriteEndArray();
    }

    /// <summary>
    /// <c>klines</c> and <c>uiKlines</c> (the same data here): klines whose open time is in
    /// [<c>startTime</c>, <c>endTime</c>], the first <c>limit</c> from <c>startTime</c>, else the last
    /// <c>limit</c>; the open kline is included and grows with each trade. Only klines with trades exist.
    /// </summary>
    private void Klines(RequestParameters p)
    {
        var book = Symbol(p);
        int interval = KlineInterval.IndexOf(p.Required("interval"));
        if (interval < 0)
            throw new BinanceException(s_badInterval);
        if (p["timeZone"] is { } tz && tz is not ("0" or "+0" or "00:00" or "+00:00" or "-00:00"))
            throw new BinanceException(BinanceErrors.InvalidParameter("timeZone"));
        int limit = Limit(p, 500, 1000);
        long start = ParseLong(p, "startTime", long.MinValue);
        long end = ParseLong(p, "endTime", long.MaxValue);
        var h = book.History;
        int n = h.KlineCount(interval);
        int lo = 0, hi = n - 1;
        while (lo < n && h.KlineAt(interval, lo).OpenTime < start)
            lo++;
        while (hi >= lo && h.KlineAt(interval, hi).OpenTime > end)
            hi--;
        if (hi - lo + 1 > limit)
        {
            if (p.Has("startTime"))
                hi = lo + limit - 1;
            else
                lo = hi - limit + 1;
        }
        var spec = book.Symbol.Spec;
        int pd = spec.PriceDecimals, qd = spec.QtyDecimals;
        var w = _json;
        w.WriteStartArray();
        for (int i = lo; i <= hi; i++)
        {
            var k = h.KlineAt(interval, i);
            w.WriteStartArray();
            w.WriteNumberValue(k.OpenTime);
            WireFormat.Decimal8Value(w, k.Open, pd);
            WireFormat.Decimal8Value(w, k.High, pd);
            WireFormat.Decimal8Value(w, k.Low, pd);
            WireFormat.Decimal8Value(w, k.Close, pd);
            WireFormat.Decimal8Value(w, k.Volume, qd);
            w.WriteNumberValue(KlineInterval.NextOpenTime(interval, k.OpenTime) - 1);
            WireFormat.Decimal8Value(w, k.QuoteVolume, Assets.Decimals);
            w.WriteNumberValue(k.Trades);
            WireFormat.Decimal8Value(w, k.TakerBuyVolume, qd);
            WireFormat.Decimal8Value(w, k.TakerBuyQuoteVolume, Assets.Decimals);
            w.WriteStringValue("0");
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    /// <summary><c>sapi/v1/system/status</c>: always normal (0); the simulator has no maintenance mode.</summary>
    private void SystemStatus()
    {
        _json.WriteStartObject();
        _json.WriteNumber("status", 0);
        _json.WriteString("msg", "normal");
        _json.WriteEndObject();
    }
}
