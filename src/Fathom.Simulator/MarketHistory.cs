namespace Fathom.Simulator;

/// <summary>
/// What a symbol's public trades add up to, kept as they happen so every answer agrees with the
/// trades a client saw (live matching and recorded replay alike, both go through
/// <see cref="SymbolBook"/>'s trade record): aggregate trades and klines of every Binance interval.
/// </summary>
/// <remarks>
/// Memory is bounded for runs of hours or days: the last <see cref="AggTradeHistory"/> aggregate
/// trades and, per interval, the last <see cref="KlineHistory"/> klines that had trades
/// (<see cref="MinuteKlineHistory"/> for <c>1m</c>, enough for the rolling tickers' 7-day window). About
/// about 3 MB per symbol, allocated up front. Only klines with trades are kept: an interval without
/// trades has no kline (Binance's own klines are also built from trades).
/// Invariant: an aggregate trade grows only while the same taker order fills at the same price,
/// which happens within one engine command, so an aggregate published after a command is final.
/// </remarks>
public sealed class MarketHistory
{
    /// <summary>Aggregate trades kept for <c>aggTrades</c>.</summary>
    public const int AggTradeHistory = 10_000;
    /// <summary>Klines kept per interval (Binance's maximum <c>limit</c>).</summary>
    public const int KlineHistory = 1000;
    /// <summary><c>1m</c> klines kept: 7 days and an hour, so the 24 h ticker and the longest rolling window (7 d) always have their whole window.</summary>
    public const int MinuteKlineHistory = 7 * 24 * 60 + 60;

    private readonly AggTradeRecord[] _aggs = new AggTradeRecord[AggTradeHistory];
    private long _aggCount;
    private readonly Kline[][] _klines;
    private readonly long[] _klineCount;

    internal MarketHistory()
    {
        int n = KlineInterval.Names.Count;
        _klines = new Kline[n][];
        _klineCount = new long[n];
        for (int i = 0; i < n; i++)
            _klines[i] = new Kline[i == KlineInterval.OneMinute ? MinuteKlineHistory : KlineHistory];
    }

    /// <summary>Aggregate trades so far; ids run from 1, so this is also the last id.</summary>
    public long AggTradeCount => _aggCount;

    /// <summary>Last trade (raw price, raw quantity), or zeros before the first.</summary>
    public (long Price, long Qty, long Time) LastTrade { get; private set; }

    internal void Add(in TradeRecord t)
    {
        LastTrade = (t.Price, t.Qty, t.Time);
        long taker = t.IsBuyerMaker ? t.SellerOrderId : t.BuyerOrderId;
        if (_aggCount > 0)
        {
            ref var last = ref _aggs[(_aggCount - 1) % AggTradeHistory];
            if (last.TakerOrderId == taker && last.Price == t.Price && last.IsBuyerMaker == t.IsBuyerMaker && last.LastTradeId == t.Id - 1)
                last = last with { Qty = last.Qty + t.Qty, LastTradeId = t.Id, Time = t.Time };
            else
                AppendAgg(t, taker);
        }
        else
        {
            AppendAgg(t, taker);
        }

        for (int i = 0; i < _klines.Length; i++)
        {
            var ring = _klines[i];
            long open = KlineInterval.OpenTime(i, t.Time);
            long count = _klineCount[i];
            if (count > 0)
            {
                ref var k = ref ring[(count - 1) % ring.Length];
                // A trade stamped before the open kline (a clock that stepped back) joins the open kline:
                // klines never reopen.
                if (k.OpenTime >= open)
                {
                    k = k.With(t);
                    continue;
                }
            }
            ring[count % ring.Length] = Kline.First(open, t);
            _klineCount[i] = count + 1;
        }
    }

    private void AppendAgg(in TradeRecord t, long taker)
    {
        _aggs[_aggCount % AggTradeHistory] = new AggTradeRecord(_aggCount + 1, t.Price, t.Qty, t.Id, t.Id, t.Time, t.IsBuyerMaker, taker);
        _aggCount++;
    }

    /// <summary>The aggregate trade with id <paramref name="id"/> (from 1), if still kept.</summary>
    public bool TryGetAggTrade(long id, out AggTradeRecord agg)
    {
        agg = default;
        if (id < 1 || id > _aggCount || id <= _aggCount - AggTradeHistory)
            return false;
        agg = _aggs[(id - 1) % AggTradeHistory];
        return true;
    }

    /// <summary>Id of the oldest aggregate trade still kept (1 when none were dropped).</summary>
    public long OldestAggTradeId => Math.Max(1, _aggCount - AggTradeHistory + 1);

    /// <summary>Klines of interval <paramref name="interval"/> still kept, oldest first (the last one may still be open).</summary>
    public int KlineCount(int interval) => (int)Math.Min(_klineCount[interval], _klines[interval].Length);

    /// <summary>The <paramref name="i"/>-th kept kline of the interval, 0 = oldest.</summary>
    public Kline KlineAt(int interval, int i)
    {
        var ring = _klines[interval];
        long first = _klineCount[interval] - KlineCount(interval);
        return ring[(first + i) % ring.Length];
    }
}
