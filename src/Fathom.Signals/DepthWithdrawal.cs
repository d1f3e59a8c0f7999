using Fathom.Book;

namespace Fathom.Signals;

/// <summary>
/// Depth withdrawal: resting size near the touch that disappears without trading
/// (docs/signals.md §3). Per side, over the diffs of the last H ms: the size removed by cancels
/// (<see cref="Withdrawn"/>) and the size removed by trades (<see cref="Traded"/>).
/// </summary>
/// <remarks>
/// A diff with time E explains its size decreases by the trades whose trade time lies in
/// (previous E, E] at the same price and passive side. Trades arrive in real time and diffs in
/// 100 ms batches, in either order: a trade newer than the last diff waits in a FIFO for the diff
/// that covers it; a trade older than the last diff (13 % of them on the shared recording) revises
/// the diff it belongs to, turning cancelled size into traded size. Each near-touch decrease is a
/// record held while its diff is in the window; the window sums are adjusted on every change, so a
/// read is O(1). A diff's records are contiguous in <see cref="_records"/>, after those of the diffs
/// before it.
/// </remarks>
public sealed class DepthWithdrawal
{
    private struct PendingTrade
    {
        public long TimeMs;
        public long Key;
        public long Qty;
    }

    private struct DiffWindow
    {
        public long PreviousMs;
        public long TimeMs;
        public int Records;
    }

    private struct Decrease
    {
        public long Key;
        public long Size;
        public long TradedVolume;
    }

    private readonly SignalClock _clock;
    private readonly int _bandTicks;
    private readonly long _windowMs;
    // Sized so that a busy instrument does not grow them after start (on the shared BTCUSDT recording
    // the 256-entry rings grew once to 512 and one diff's trades hit more than 128 prices); a busier
    // one doubles them once, which allocates. _diffVolume is cleared every diff, at a cost proportional
    // to its size, so it is not made larger than that.
    private readonly Ring<PendingTrade> _pending = new(1024);
    private readonly LongMap _diffVolume = new(256);
    private readonly Ring<DiffWindow> _diffs = new(32);
    private readonly Ring<Decrease> _records = new(1024);
    private readonly long[] _withdrawn = new long[2];
    private readonly long[] _traded = new long[2];
    private readonly long[] _bestBefore = new long[2];
    private readonly long[] _depth = new long[2];

    private bool _active;
    private bool _hasDiff;
    private long _lastDiffMs;
    private long _currentPreviousMs;
    private long _currentMs;
    private int _currentRecords;

    internal DepthWithdrawal(SignalOptions options, SignalClock clock)
    {
        _clock = clock;
        _bandTicks = options.WithdrawalBandTicks;
        _windowMs = options.WithdrawalWindowMs;
    }

    /// <summary>Size cancelled near the touch of <paramref name="side"/> over the window, raw qty.</summary>
    public long Withdrawn(Side side) => _withdrawn[(int)side];

    /// <summary>Size removed near the touch of <paramref name="side"/> by trades over the window, raw qty.</summary>
    public long Traded(Side side) => _traded[(int)side];

    /// <summary>Withdrawn / (Withdrawn + best-N depth now): 0 when both are 0.</summary>
    public double Fraction(Side side)
    {
        long w = _withdrawn[(int)side];
        long total = w + _depth[(int)side];
        return total == 0 ? 0 : (double)w / total;
    }

    /// <summary>The window has been filling for at least H since the reset.</summary>
    public bool IsWarm => _active && _clock.ResetMs != SignalClock.Unknown && _clock.NowMs - _clock.ResetMs >= _windowMs;

    /// <summary>Near-touch decreases currently held (tests).</summary>
    internal int RecordCount => _records.Count;

    /// <summary>Late trades that revised a diff already applied (tests check the path runs).</summary>
    internal long LateTrades { get; private set; }

    internal static long KeyOf(Side side, long tick) => (tick << 1) | (long)side;

    internal void Reset(long bestBid, long bestAsk)
    {
        Suspend();
        _active = true;
        SetBest(bestBid, bestAsk);
    }

    /// <summary>Stops and empties: nothing is attributed until the next reset.</summary>
    internal void Suspend()
    {
        _pending.Clear();
        _diffVolume.Clear();
        _diffs.Clear();
        _records.Clear();
        Array.Clear(_withdrawn);
        Array.Clear(_traded);
        _hasDiff = false;
        _active = false;
        Array.Clear(_depth);
        SetBest(0, 0);
    }

    internal void SetBest(long bestBid, long bestAsk)
    {
        _bestBefore[(int)Side.Bid] = bestBid;
        _bestBefore[(int)Side.Ask] = bestAsk;
    }

    internal void SetDepth(long bidDepth, long askDepth)
    {
        _depth[(int)Side.Bid] = bidDepth;
        _depth[(int)Side.Ask] = askDepth;
    }

    internal void BeginDiff(long timeMs)
    {
        if (!_active)
            return;
        _currentPreviousMs = _hasDiff ? _lastDiffMs : long.MinValue;
        _currentMs = timeMs;
        _currentRecords = 0;
        _diffVolume.Clear();
        // Pending trades are all newer than the last diff; those up to E belong to this one.
        while (_pending.Count > 0 && _pending.Front.TimeMs <= timeMs)
        {
            ref PendingTrade t = ref _pending.Front;
            _diffVolume.Add(t.Key, t.Qty);
            _pending.PopFront();
        }
    }

    internal void OnLevelChange(Side side, long tick, long oldQty, long newQty)
    {
        if (!_active || newQty >= oldQty)
            return;
        long best = _bestBefore[(int)side];
        if (best == 0)
            return;
        long distance = side == Side.Bid ? best - tick : tick - best;
        if ((ulong)distance >= (ulong)_bandTicks)
            return; // beyond the band (or, impossibly for a decrease, better than the best)
        long key = KeyOf(side, tick);
        _records.PushBack(new Decrease { Key = key, Size = oldQty - newQty, TradedVolume = _diffVolume.Get(key) });
        _currentRecords++;
    }

    internal void EndDiff()
    {
        if (!_active)
            return;
        _diffs.PushBack(new DiffWindow { PreviousMs = _currentPreviousMs, TimeMs = _currentMs, Records = _currentRecords });
        for (int i = _records.Count - _currentRecords; i < _records.Count; i++)
        {
            ref Decrease d = ref _records[i];
            Accumulate(d, +1);
        }
        _hasDiff = true;
        _lastDiffMs = _currentMs;
        Expire(); // a diff can be older than the clock (a trade ran ahead of it) by more than H
    }

    internal void OnTrade(long timeMs, Side side, long tick, long qty)
    {
        if (!_active)
            return;
        long key = KeyOf(side, tick);
        if (!_hasDiff || timeMs > _lastDiffMs)
        {
            _pending.PushBack(new PendingTrade { TimeMs = timeMs, Key = key, Qty = qty });
            return;
        }
        Revise(timeMs, key, qty);
    }

    internal void Expire()
    {
        long cutoff = _clock.NowMs - _windowMs;
        while (_diffs.Count > 0 && _diffs.Front.TimeMs <= cutoff)
        {
            int records = _diffs.Front.Records;
            for (int i = 0; i < records; i++)
            {
                Accumulate(_records.Front, -1);
                _records.PopFront();
            }
            _diffs.PopFront();
        }
    }

    // A trade older than the last diff: find the diff whose (previous E, E] holds its time (newest
    // first: late trades are at most a few diffs late) and move its volume onto the matching decrease.
    private void Revise(long timeMs, long key, long qty)
    {
        int end = _records.Count;
        for (int h = _diffs.Count - 1; h >= 0; h--)
        {
            ref DiffWindow w = ref _diffs[h];
            int start = end - w.Records;
            if (timeMs > w.PreviousMs)
            {
                if (timeMs > w.TimeMs)
                    return; // between held diffs cannot happen (windows are contiguous); be safe
                LateTrades++;
                for (int i = start; i < end; i++)
                {
                    ref Decrease d = ref _records[i];
                    if (d.Key != key)
                        continue;
                    Accumulate(d, -1);
                    d.TradedVolume += qty;
                    Accumulate(d, +1);
                    return;
                }
                return;
            }
            end = start;
        }
    }

    private void Accumulate(in Decrease d, long sign)
    {
        long traded = Math.Min(d.Size, d.TradedVolume);
        int s = (int)(d.Key & 1);
        _traded[s] += sign * traded;
        _withdrawn[s] += sign * (d.Size - traded);
    }
}
