using Fathom.Book;

namespace Fathom.Signals;

/// <summary>
/// Liquidity clustering: finds walls among each side's best K levels and how long each has stood
/// (docs/signals.md §2). Evaluated at the end of each diff and at a reset, O(K log K) per side.
/// </summary>
/// <remarks>
/// Persistence needs to know, for each current wall, when its run began. The runs of the previous
/// evaluation are kept in ladder order (best first), the same order the new walls are found in, so
/// one merge pass carries each surviving wall's start over: O(K), no lookup structure. A side whose
/// best K levels did not change since its last evaluation (same ladder version) would give the same
/// median, walls and run starts, so only its distance from the (possibly moved) mid is refreshed.
/// </remarks>
public sealed class WallDetector
{
    private readonly SignalClock _clock;
    private readonly int _levels;
    private readonly int _minLevels;
    private readonly double _ratio;
    private readonly long _minQty;
    private readonly long[] _sortScratch;
    // Per side: the ticks that were walls at the last evaluation, best first, with their run start.
    private readonly long[][] _runTicks = new long[2][];
    private readonly long[][] _runSince = new long[2][];
    private readonly long[][] _nextTicks = new long[2][];
    private readonly long[][] _nextSince = new long[2][];
    private readonly int[] _runCount = new int[2];
    private readonly Wall[] _walls = new Wall[2];
    private readonly long[] _evaluatedVersion = [-1, -1];
    private readonly long[] _evaluatedAtMs = [SignalClock.Unknown, SignalClock.Unknown];

    internal WallDetector(SignalOptions options, SignalClock clock)
    {
        _clock = clock;
        _levels = options.WallLevels;
        _minLevels = options.WallMinLevels;
        _ratio = options.WallRatio;
        _minQty = options.WallMinQty;
        _sortScratch = new long[_levels];
        for (int s = 0; s < 2; s++)
        {
            _runTicks[s] = new long[_levels];
            _runSince[s] = new long[_levels];
            _nextTicks[s] = new long[_levels];
            _nextSince[s] = new long[_levels];
        }
    }

    public Wall Bid => _walls[(int)Side.Bid];
    public Wall Ask => _walls[(int)Side.Ask];
    public Wall Of(Side side) => _walls[(int)side];

    /// <summary>How long the side's strongest wall has stood, ms of venue time; 0 when there is none.</summary>
    public long PersistenceMs(Side side)
    {
        Wall w = _walls[(int)side];
        return w.Exists && w.SinceMs != SignalClock.Unknown ? _clock.NowMs - w.SinceMs : 0;
    }

    internal void Reset()
    {
        _runCount[0] = _runCount[1] = 0;
        _walls[0] = _walls[1] = default;
        _evaluatedVersion[0] = _evaluatedVersion[1] = -1;
    }

    internal void Evaluate(LevelLadder ladder, double midTicks, long timeMs)
    {
        int s = (int)ladder.Side;
        // Reuse needs a known evaluation time: runs begun at a time-less reset take the next time seen.
        if (ladder.Version == _evaluatedVersion[s] && _evaluatedAtMs[s] != SignalClock.Unknown)
        {
            Wall w = _walls[s];
            if (w.Exists)
                _walls[s] = w with { DistanceTicks = DistanceFrom(midTicks, ladder.Side, w.Tick) };
            return;
        }
        _evaluatedVersion[s] = ladder.Version;
        _evaluatedAtMs[s] = timeMs;
        int n = Math.Min(_levels, ladder.Count);
        if (n < _minLevels)
        {
            _runCount[s] = 0;
            _walls[s] = default;
            return;
        }
        for (int i = 0; i < n; i++)
            _sortScratch[i] = ladder.QtyAt(i);
        Span<long> sizes = _sortScratch.AsSpan(0, n);
        double median = Median(sizes);
        double threshold = _ratio * median;
        bool isBid = ladder.Side == Side.Bid;

        long[] oldTicks = _runTicks[s], oldSince = _runSince[s];
        long[] newTicks = _nextTicks[s], newSince = _nextSince[s];
        int oldCount = _runCount[s], j = 0, count = 0, strongest = -1;
        for (int i = 0; i < n; i++)
        {
            long q = ladder.QtyAt(i);
            if (q < threshold || q < _minQty || median <= 0)
                continue;
            long tick = ladder.TickAt(i);
            // Skip old runs at ticks better than this one: they are not walls any more.
            while (j < oldCount && (isBid ? oldTicks[j] > tick : oldTicks[j] < tick))
                j++;
            long since = j < oldCount && oldTicks[j] == tick ? oldSince[j] : timeMs;
            if (since == SignalClock.Unknown)
                since = timeMs; // the run began at a reset before any venue time: count from the first time known
            newTicks[count] = tick;
            newSince[count] = since;
            if (strongest < 0 || q > ladder.QtyAt(strongest))
                strongest = i;
            count++;
        }
        // Double-buffered: the new runs become the old ones for the next evaluation.
        _runTicks[s] = newTicks;
        _runSince[s] = newSince;
        _nextTicks[s] = oldTicks;
        _nextSince[s] = oldSince;
        _runCount[s] = count;

        if (strongest < 0)
        {
            _walls[s] = default;
            return;
        }
        long wallTick = ladder.TickAt(strongest), wallQty = ladder.QtyAt(strongest);
        long wallSince = 0;
        for (int k = 0; k < count; k++)
            if (newTicks[k] == wallTick)
                wallSince = newSince[k];
        _walls[s] = new Wall(true, wallTick, wallQty, wallQty / median, DistanceFrom(midTicks, ladder.Side, wallTick), median, count, wallSince);
    }

    /// <summary>
    /// The median of <paramref name="values"/> (mean of the middle two for an even count), sorting them
    /// in place. K is a few dozen at most: measured on the BTCUSDT replay, an insertion sort beats both
    /// <c>Span.Sort</c> and a Hoare selection here, whose branches mispredict.
    /// </summary>
    internal static double Median(Span<long> values)
    {
        for (int i = 1; i < values.Length; i++)
        {
            long v = values[i];
            int j = i - 1;
            while (j >= 0 && values[j] > v)
            {
                values[j + 1] = values[j];
                j--;
            }
            values[j + 1] = v;
        }
        int n = values.Length;
        return (n & 1) == 1 ? values[n / 2] : (values[n / 2 - 1] + (double)values[n / 2]) * 0.5;
    }

    private static double DistanceFrom(double midTicks, Side side, long tick) =>
        double.IsNaN(midTicks) ? double.NaN : side == Side.Bid ? midTicks - tick : tick - midTicks;
}
