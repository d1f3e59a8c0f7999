using Fathom.Book;
using Fathom.MarketData;

namespace Fathom.Signals.Tests;

/// <summary>
/// The signals of docs/signals.md recomputed the obvious way, from a reference book (two sorted
/// dictionaries fed the same level changes) and the full history of diffs and trades: no ladders,
/// no anchors, no running sums, no windows kept in step. Slow on purpose; it is what the
/// incremental <see cref="SignalEngine"/> must agree with after every event.
/// </summary>
internal sealed class NaiveSignals
{
    private sealed record DiffRecord(long PreviousMs, long TimeMs, List<(Side Side, long Tick, long Size)> Decreases);

    private readonly record struct TradeRecord(long TimeMs, Side Side, long Tick, long Qty);

    private readonly SignalOptions _o;
    private readonly SortedDictionary<long, long> _bids = new(Comparer<long>.Create((a, b) => b.CompareTo(a)));
    private readonly SortedDictionary<long, long> _asks = new();
    private readonly List<DiffRecord> _diffs = [];
    private readonly List<TradeRecord> _trades = [];
    private readonly List<double> _tradeLogSizes = [];
    private readonly List<double> _levelLogSizes = [];
    private readonly List<(long TimeMs, double Squared)> _returns = [];
    // Per side, every wall evaluation since the reset: its time and the ticks that were walls.
    private readonly List<(long TimeMs, HashSet<long> Ticks)>[] _wallHistory = [[], []];
    private long _lastMidTimesTwo;
    private long _resetMs;
    private long _firstReturnMs = long.MinValue;

    public NaiveSignals(SignalOptions options) => _o = options;

    public long Now { get; private set; } = long.MinValue;
    public bool Ready { get; private set; }

    // Trade-time values, fixed when each trade arrives.
    public double LastTradeZ { get; private set; } = double.NaN;
    public long LastTradeQty { get; private set; }
    public Side LastTradeSide { get; private set; }

    // Book values, recomputed after each diff and reset.
    public Expected Book { get; private set; } = new();

    public sealed class Expected
    {
        public bool TwoSided;
        public double Top = double.NaN, MicroTicks = double.NaN, Micro = double.NaN, MicroOffset = double.NaN, Mid = double.NaN;
        public long BidDepth, AskDepth;
        public double DepthImbalance = double.NaN, WBid = double.NaN, WAsk = double.NaN, WImbalance = double.NaN;
        public Wall[] Walls = [default, default];
        public double[] LevelZ = [double.NaN, double.NaN];
        public long[] LargestTick = new long[2], LargestQty = new long[2];
        public long[] BestTick = new long[2], BestQty = new long[2];
    }

    private SortedDictionary<long, long> SideOf(Side side) => side == Side.Bid ? _bids : _asks;

    public void Reset(OrderBook book)
    {
        _bids.Clear();
        _asks.Clear();
        foreach (Level l in book.Levels(Side.Bid))
            _bids[l.Tick] = l.Qty;
        foreach (Level l in book.Levels(Side.Ask))
            _asks[l.Tick] = l.Qty;
        _diffs.Clear();
        _trades.Clear();
        _wallHistory[0].Clear();
        _wallHistory[1].Clear();
        _lastMidTimesTwo = _bids.Count > 0 && _asks.Count > 0 ? _bids.First().Key + _asks.First().Key : 0;
        _resetMs = Now;
        Ready = true;
        Recompute(book.TicksToPrice(1.0), Now, []);
    }

    public void Delta(long timeMs, ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks, double tickToPrice)
    {
        if (!Ready)
            return;
        Advance(timeMs);
        long bestBidBefore = _bids.Count > 0 ? _bids.First().Key : 0;
        long bestAskBefore = _asks.Count > 0 ? _asks.First().Key : 0;
        var decreases = new List<(Side, long, long)>();
        var changed = new List<(Side Side, long Tick, long Qty)>();
        void Apply(Side side, Level l, long bestBefore)
        {
            var d = SideOf(side);
            long old = d.GetValueOrDefault(l.Tick);
            if (l.Qty == 0) d.Remove(l.Tick); else d[l.Tick] = l.Qty;
            if (old == l.Qty)
                return;
            if (l.Qty > 0)
                changed.Add((side, l.Tick, l.Qty));
            long distance = side == Side.Bid ? bestBefore - l.Tick : l.Tick - bestBefore;
            if (l.Qty < old && bestBefore != 0 && distance >= 0 && distance < _o.WithdrawalBandTicks)
                decreases.Add((side, l.Tick, old - l.Qty));
        }
        foreach (Level l in bids)
            Apply(Side.Bid, l, bestBidBefore);
        foreach (Level l in asks)
            Apply(Side.Ask, l, bestAskBefore);
        long previous = _diffs.Count > 0 ? _diffs[^1].TimeMs : long.MinValue;
        _diffs.Add(new DiffRecord(previous, timeMs, decreases));

        // Level sizes: changed levels that now rank among the best K of their side, in diff order. They join the window
        // after this diff's z (an outlier must not dilute its own test).
        var posted = new List<double>();
        foreach (var c in changed)
        {
            var d = SideOf(c.Side);
            bool nearTouch = d.Keys.Take(_o.WallLevels).Contains(c.Tick);
            if (nearTouch && d[c.Tick] == c.Qty)
                posted.Add(Math.Log(c.Qty));
        }

        if (_bids.Count > 0 && _asks.Count > 0)
        {
            long midTimesTwo = _bids.First().Key + _asks.First().Key;
            if (_lastMidTimesTwo > 0)
            {
                double r = Math.Log((double)midTimesTwo / _lastMidTimesTwo);
                _returns.Add((timeMs, r * r));
                if (_firstReturnMs == long.MinValue)
                    _firstReturnMs = timeMs;
            }
            _lastMidTimesTwo = midTimesTwo;
        }
        Recompute(tickToPrice, timeMs, changed);
        _levelLogSizes.AddRange(posted);
    }

    // A reset before any venue time counts its warm-up from the first time seen after it.
    private void Advance(long timeMs)
    {
        Now = Math.Max(Now, timeMs);
        if (Ready && _resetMs == long.MinValue)
            _resetMs = Now;
    }

    public void Trade(in Trade t)
    {
        Advance(t.TradeTimeMs);
        Side side = t.BuyerIsMaker ? Side.Bid : Side.Ask;
        double x = Math.Log(t.Qty);
        LastTradeZ = RobustZ(_tradeLogSizes, _o.TradeSizeWindow, x);
        LastTradeQty = t.Qty;
        LastTradeSide = side;
        _tradeLogSizes.Add(x);
        if (Ready)
        {
            if (_trades.Count > 0 && t.TradeTimeMs < _trades[^1].TimeMs)
                throw new InvalidOperationException("the naive model (like the engine) expects trades in trade-time order");
            _trades.Add(new TradeRecord(t.TradeTimeMs, side, t.PriceTick, t.Qty));
        }
    }

    private void Recompute(double tickToPrice, long timeMs, List<(Side Side, long Tick, long Qty)> changed)
    {
        var e = new Expected();
        var bidLevels = _bids.ToList();
        var askLevels = _asks.ToList();
        e.BidDepth = bidLevels.Take(_o.DepthLevels).Sum(kv => kv.Value);
        e.AskDepth = askLevels.Take(_o.DepthLevels).Sum(kv => kv.Value);
        e.BestTick[0] = bidLevels.Count > 0 ? bidLevels[0].Key : 0;
        e.BestQty[0] = bidLevels.Count > 0 ? bidLevels[0].Value : 0;
        e.BestTick[1] = askLevels.Count > 0 ? askLevels[0].Key : 0;
        e.BestQty[1] = askLevels.Count > 0 ? askLevels[0].Value : 0;
        if (bidLevels.Count > 0 && askLevels.Count > 0)
        {
            e.TwoSided = true;
            long b = bidLevels[0].Key, a = askLevels[0].Key;
            double bq = bidLevels[0].Value, aq = askLevels[0].Value;
            e.Top = (bq - aq) / (bq + aq);
            e.MicroTicks = (b * aq + a * bq) / (bq + aq);
            e.Micro = e.MicroTicks * tickToPrice;
            e.Mid = (b + a) * 0.5;
            e.MicroOffset = e.MicroTicks - e.Mid;
            long total = e.BidDepth + e.AskDepth;
            e.DepthImbalance = total == 0 ? double.NaN : (double)(e.BidDepth - e.AskDepth) / total;
            double mid = e.Mid;
            e.WBid = bidLevels.Sum(kv => kv.Value * Math.Exp(-(mid - kv.Key) / _o.DecayTicks));
            e.WAsk = askLevels.Sum(kv => kv.Value * Math.Exp(-(kv.Key - mid) / _o.DecayTicks));
            e.WImbalance = (e.WBid - e.WAsk) / (e.WBid + e.WAsk);
        }
        for (int s = 0; s < 2; s++)
        {
            var levels = s == 0 ? bidLevels : askLevels;
            e.Walls[s] = EvaluateWalls((Side)s, levels, e.Mid, timeMs);
            var top = levels.Take(_o.WallLevels).ToList();
            if (top.Count > 0)
            {
                var largest = top[0];
                foreach (var kv in top)
                    if (kv.Value > largest.Value)
                        largest = kv;
                e.LargestTick[s] = largest.Key;
                e.LargestQty[s] = largest.Value;
                e.LevelZ[s] = RobustZ(_levelLogSizes, _o.LevelSizeWindow, Math.Log(largest.Value));
            }
        }
        Book = e;
    }

    private Wall EvaluateWalls(Side side, List<KeyValuePair<long, long>> levels, double mid, long timeMs)
    {
        var history = _wallHistory[(int)side];
        var top = levels.Take(_o.WallLevels).ToList();
        var walls = new HashSet<long>();
        if (top.Count < _o.WallMinLevels)
        {
            history.Add((timeMs, walls));
            return default;
        }
        var sorted = top.Select(kv => kv.Value).OrderBy(q => q).ToList();
        int n = sorted.Count;
        double median = n % 2 == 1 ? sorted[n / 2] : ((double)sorted[n / 2 - 1] + (double)sorted[n / 2]) * 0.5;
        KeyValuePair<long, long>? strongest = null;
        foreach (var kv in top)
        {
            if (median > 0 && (double)kv.Value >= _o.WallRatio * median && kv.Value >= _o.WallMinQty)
            {
                walls.Add(kv.Key);
                if (strongest is null || kv.Value > strongest.Value.Value)
                    strongest = kv;
            }
        }
        history.Add((timeMs, walls));
        if (strongest is null)
            return default;
        long tick = strongest.Value.Key, qty = strongest.Value.Value;
        // The run: walk back over the evaluations that all had this tick as a wall.
        long since = timeMs;
        for (int i = history.Count - 1; i >= 0 && history[i].Ticks.Contains(tick); i--)
            if (history[i].TimeMs != long.MinValue) // an evaluation before any venue time has no time
                since = history[i].TimeMs;
        double distance = double.IsNaN(mid) ? double.NaN : side == Side.Bid ? mid - tick : tick - mid;
        return new Wall(true, tick, qty, qty / median, distance, median, walls.Count, since);
    }

    /// <summary>Robust z of x against the last <paramref name="window"/> values: sort, median, sort deviations, median.</summary>
    private double RobustZ(List<double> values, int window, double x)
    {
        int n = Math.Min(window, values.Count);
        if (n < _o.SizeMinSamples || n == 0)
            return double.NaN;
        var w = values.Skip(values.Count - n).OrderBy(v => v).ToArray();
        double median = Median(w);
        var deviations = w.Select(v => Math.Abs(v - median)).OrderBy(v => v).ToArray();
        double mad = Median(deviations);
        return (x - median) / Math.Max(1.4826 * mad, _o.SizeMadFloor);
    }

    private static double Median(double[] sorted)
    {
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) * 0.5;
    }

    // ---- window values, recomputed on every read from the full history ----

    public (long Withdrawn, long Traded) Withdrawal(Side side)
    {
        if (!Ready)
            return (0, 0);
        long withdrawn = 0, traded = 0;
        // Diff times never decrease, so the window is a suffix of the history.
        for (int i = _diffs.Count - 1; i >= 0 && _diffs[i].TimeMs > Now - _o.WithdrawalWindowMs; i--)
        {
            var d = _diffs[i];
            foreach (var dec in d.Decreases)
            {
                if (dec.Side != side)
                    continue;
                long volume = 0;
                foreach (var t in TradesBetween(d.PreviousMs, d.TimeMs))
                    if (t.Side == side && t.Tick == dec.Tick)
                        volume += t.Qty;
                long tr = Math.Min(dec.Size, volume);
                traded += tr;
                withdrawn += dec.Size - tr;
            }
        }
        return (withdrawn, traded);
    }

    public double WithdrawalFraction(Side side)
    {
        long w = Withdrawal(side).Withdrawn;
        long total = w + (side == Side.Bid ? Book.BidDepth : Book.AskDepth);
        return total == 0 ? 0 : (double)w / total;
    }

    public bool WithdrawalWarm => Ready && _resetMs != long.MinValue && Now - _resetMs >= _o.WithdrawalWindowMs;

    // Trades with trade time in (from, to], by binary search over the time-ordered trade list.
    private IEnumerable<TradeRecord> TradesBetween(long from, long to)
    {
        int lo = 0, hi = _trades.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (_trades[mid].TimeMs <= from) lo = mid + 1; else hi = mid;
        }
        for (int i = lo; i < _trades.Count && _trades[i].TimeMs <= to; i++)
            yield return _trades[i];
    }

    public long Absorbed(Side side)
    {
        if (!Ready)
            return 0;
        long best = Book.BestTick[(int)side];
        if (best == 0)
            return 0;
        long volume = 0;
        foreach (var t in TradesBetween(Now - _o.AbsorptionWindowMs, long.MaxValue))
            if (t.Side == side && t.Tick == best)
                volume += t.Qty;
        return volume;
    }

    public double AbsorptionRatio(Side side)
    {
        long q = Book.BestQty[(int)side];
        return q == 0 ? double.NaN : (double)Absorbed(side) / q;
    }

    public bool IsAbsorbing(Side side)
    {
        long a = Absorbed(side);
        return a > 0 && a >= _o.AbsorptionMinQty && AbsorptionRatio(side) >= _o.AbsorptionMinRatio;
    }

    public bool AbsorptionWarm => Ready && _resetMs != long.MinValue && Now - _resetMs >= _o.AbsorptionWindowMs;

    public (double Sum, int Count) Volatility()
    {
        int first = _returns.Count;
        while (first > 0 && _returns[first - 1].TimeMs > Now - _o.VolatilityWindowMs)
            first--;
        double sum = 0;
        for (int i = first; i < _returns.Count; i++)
            sum += _returns[i].Squared;
        return (sum, _returns.Count - first);
    }

    public bool VolatilityWarm => _firstReturnMs != long.MinValue && Now - _firstReturnMs >= _o.VolatilityWindowMs;

    public long WallPersistence(Side side)
    {
        Wall w = Book.Walls[(int)side];
        return w.Exists && w.SinceMs != long.MinValue ? Now - w.SinceMs : 0;
    }
}
