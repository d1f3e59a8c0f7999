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
