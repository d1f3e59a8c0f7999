using Fathom.Book;
using Fathom.Signals;
using Fathom.Strategy.Abstractions;

namespace Fathom.Engine;

/// <summary>
/// Maps the analyzer's state to the plain <see cref="SignalView"/> strategies see (definitions in
/// docs/signals.md). Values that are not warmed up yet are NaN, so a strategy can tell "no reading"
/// from "zero".
/// </summary>
public static class SignalViews
{
    public static SignalView From(SignalEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (!engine.IsReady)
            return SignalView.Empty;
        BookImbalance im = engine.Imbalance;
        DepthWithdrawal wd = engine.Withdrawal;
        AggressiveAbsorption ab = engine.Absorption;
        RealizedVolatility vol = engine.Volatility;
        return new SignalView
        {
            TopImbalance = im.IsTwoSided ? im.TopImbalance : double.NaN,
            DepthImbalance = im.IsTwoSided ? im.DepthImbalance : double.NaN,
            WeightedImbalance = im.IsTwoSided ? im.WeightedImbalance : double.NaN,
            Microprice = im.IsTwoSided ? im.Microprice : double.NaN,
            // The analyzer reports bp per √second; strategies take a fraction per √second.
            Volatility = vol.IsWarm ? vol.BpsPerSqrtSecond / 1e4 : double.NaN,
            BidWithdrawal = wd.IsWarm ? wd.Fraction(Side.Bid) : double.NaN,
            AskWithdrawal = wd.IsWarm ? wd.Fraction(Side.Ask) : double.NaN,
            BidAbsorption = ab.IsWarm ? ab.Ratio(Side.Bid) : double.NaN,
            AskAbsorption = ab.IsWarm ? ab.Ratio(Side.Ask) : double.NaN,
            TradeSizeZ = engine.Sizes.LastTradeZ,
            BidLevelSizeZ = engine.Sizes.LevelZ(Side.Bid),
            AskLevelSizeZ = engine.Sizes.LevelZ(Side.Ask),
            BidLargestLevelTick = engine.Sizes.LargestLevelTick(Side.Bid),
            AskLargestLevelTick = engine.Sizes.LargestLevelTick(Side.Ask),
            BidWallTick = engine.Walls.Bid.Exists ? engine.Walls.Bid.Tick : 0,
            AskWallTick = engine.Walls.Ask.Exists ? engine.Walls.Ask.Tick : 0,
        };
    }
}

/// <summary>
/// Each instrument's <see cref="SignalView"/>, rebuilt only when its analyzer changed since the view was built
/// (<see cref="SignalEngine.Version"/>): a ticker frame moves the top without feeding the analyzer, and the view it
/// would build is the one already held (no reads across the analyzer's parts on the frames that most often produce a
/// quote). The same values as <see cref="SignalViews.From"/> at every reading. Core thread only, like the analyzers.
/// </summary>
public sealed class SignalViewCache
{
    private readonly SignalEngine[] _engines;
    private readonly SignalView[] _views;
    private readonly long[] _versions;

    public SignalViewCache(IReadOnlyList<SignalEngine> engines)
    {
        ArgumentNullException.ThrowIfNull(engines);
        _engines = [.. engines];
        _views = new SignalView[_engines.Length];
        _versions = new long[_engines.Length];
        Array.Fill(_versions, -1); // versions start at 0: the first reading builds
    }

    /// <summary>
    /// Each analyzer's leftover work from its last diff (<see cref="SignalEngine.Settle"/>); the composition runs it
    /// after a frame's orders went out (<see cref="TradingEngine.AfterFrame"/>). No view changes.
    /// </summary>
    public void Settle()
    {
        foreach (SignalEngine engine in _engines)
            engine.Settle();
    }

    /// <summary>Views built (the rest of the readings were served the held one), for tests.</summary>
    internal long Builds { get; private set; }

    /// <summary>The view of instrument <paramref name="instrumentId"/>'s analyzer as it is now.</summary>
    public SignalView Get(int instrumentId)
    {
        SignalEngine engine = _engines[instrumentId];
        long version = engine.Version;
        if (_versions[instrumentId] != version)
        {
            Builds++;
            _views[instrumentId] = SignalViews.From(engine);
            _versions[instrumentId] = version;
        }
        return _views[instrumentId];
    }
}
