using Fathom.Book;

namespace Fathom.Signals;

/// <summary>
/// Abnormal size concentration (docs/signals.md §5): robust z-scores of ln(size) for each trade
/// against the previous trades, and for each side's largest near-touch level against the level sizes
/// earlier diffs posted (a diff's own samples join the window after its z: an outlier must not dilute its
/// own test). NaN until a window holds the minimum number of samples.
/// </summary>
public sealed class SizeConcentration
{
    private readonly RobustWindow _tradeSizes;
    private readonly RobustWindow _levelSizes;
    private readonly int _minSamples;
    private readonly double _floor;
    private readonly double _outlierZ;
    private readonly int _levels;
    private readonly double[] _levelZ = [double.NaN, double.NaN];
    private readonly long[] _largestTick = new long[2];
    private readonly long[] _largestQty = new long[2];
    // What each side's level z was computed from: unchanged best K and no new sample give the same z.
    private readonly long[] _publishedVersion = [-1, -1];
    private readonly long[] _publishedSamples = [-1, -1];
    // ln sizes of the last diff's level samples, added to the window in one pass by Settle: after the diff's z (which
    // they must not dilute), before the next one reads the window. Grows (once, rarely) for a diff that repeats prices.
    private double[] _pendingLevels;
    private int _pendingCount;
    // Samples added to the window: with the ladder's version, what the published level z was computed from.
    private long _levelSamplesAdded;

    internal SizeConcentration(SignalOptions options)
    {
        _tradeSizes = new RobustWindow(options.TradeSizeWindow);
        // A diff samples at most the best K of each side (more only if it repeats a price): one pass per diff.
        int batch = 2 * options.WallLevels;
        _levelSizes = new RobustWindow(options.LevelSizeWindow, batch);
        _pendingLevels = new double[batch];
        _minSamples = options.SizeMinSamples;
        _floor = options.SizeMadFloor;
        _outlierZ = options.OutlierZ;
        _levels = options.WallLevels;
    }

    /// <summary>z of the last trade's ln(size) against the trades before it.</summary>
    public double LastTradeZ { get; private set; } = double.NaN;

    public bool LastTradeIsOutlier => LastTradeZ >= _outlierZ;
    public long LastTradeQty { get; private set; }

    /// <summary>The passive side of the last trade (the side it filled).</summary>
    public Side LastTradeSide { get; private set; }

    /// <summary>Trade sizes in the window.</summary>
    public int TradeSamples => _tradeSizes.Count;

    /// <summary>Level sizes in the window, the last diff's included (some may still wait for <see cref="Settle"/>).</summary>
    public int LevelSamples => Math.Min(_levelSizes.Capacity, _levelSizes.Count + _pendingCount);

    /// <summary>The last diff's level sizes not yet in the window (<see cref="Settle"/> adds them).</summary>
    internal int PendingLevelSamples => _pendingCount;

    /// <summary>z of ln(size) of the largest level among the side's best K, against the level sizes earlier diffs posted.</summary>
    public double LevelZ(Side side) => _levelZ[(int)side];

    public long LargestLevelTick(Side side) => _largestTick[(int)side];
    public long LargestLevelQty(Side side) => _largestQty[(int)side];

    internal void Clear()
    {
        _tradeSizes.Clear();
        _levelSizes.Clear();
        _pendingCount = 0;
        LastTradeZ = double.NaN;
        LastTradeQty = 0;
        LastTradeSide = default;
        _levelSamplesAdded = 0;
        for (int s = 0; s < 2; s++)
        {
            _levelZ[s] = double.NaN;
            _largestTick[s] = _largestQty[s] = 0;
            _publishedVersion[s] = _publishedSamples[s] = -1;
        }
    }

    internal void OnTrade(long qty, Side side)
    {
        if (qty <= 0)
            return;
        double x = Math.Log(qty);
        LastTradeZ = _tradeSizes.ZScore(x, _minSamples, _floor);
        LastTradeQty = qty;
        LastTradeSide = side;
        _tradeSizes.Add(x);
    }

    /// <summary>
    /// Queues one level size of the diff being published; it joins the window at <see cref="Settle"/>, after this
    /// diff's <see cref="Publish"/>.
    /// </summary>
    internal void AddLevelSample(long qty)
    {
        if (_pendingCount == _pendingLevels.Length)
            Array.Resize(ref _pendingLevels, _pendingLevels.Length * 2);
        _pendingLevels[_pendingCount++] = Math.Log(qty);
    }

    /// <summary>
    /// Adds the queued level sizes to the window, in order, in one pass (a sorted copy of the window: the costly part
    /// of the level z). The next diff does it first if nothing did before; the engine does it after a frame's orders
    /// went out, so it is not between a diff and the decision. Nothing published changes.
    /// </summary>
    internal void Settle()
    {
        if (_pendingCount == 0)
            return;
        _levelSizes.AddRange(_pendingLevels.AsSpan(0, _pendingCount));
        _levelSamplesAdded += _pendingCount;
        _pendingCount = 0;
    }

    internal void Publish(LevelLadder ladder)
    {
        int s = (int)ladder.Side;
        if (ladder.Version == _publishedVersion[s] && _levelSamplesAdded == _publishedSamples[s])
            return;
        _publishedVersion[s] = ladder.Version;
        _publishedSamples[s] = _levelSamplesAdded;
        int n = Math.Min(_levels, ladder.Count);
        int largest = -1;
        for (int i = 0; i < n; i++)
            if (largest < 0 || ladder.QtyAt(i) > ladder.QtyAt(largest))
                largest = i;
        if (largest < 0)
        {
            _largestTick[s] = 0;
            _largestQty[s] = 0;
            _levelZ[s] = double.NaN;
            return;
        }
        _largestTick[s] = ladder.TickAt(largest);
        _largestQty[s] = ladder.QtyAt(largest);
        _levelZ[s] = _levelSizes.ZScore(Math.Log(_largestQty[s]), _minSamples, _floor);
    }
}
