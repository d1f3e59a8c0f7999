namespace Fathom.Strategy.Abstractions;

/// <summary>
/// The analyzer's current reading for one instrument, as plain numbers (see docs/signals.md for
/// each definition). A snapshot value: the engine refreshes it before each strategy callback.
/// NaN means "not warmed up yet".
/// </summary>
public readonly record struct SignalView
{
    /// <summary>Top-of-book imbalance in [-1, 1]: (bidQty - askQty) / (bidQty + askQty).</summary>
    public double TopImbalance { get; init; }
    /// <summary>Imbalance over the top N levels per side, in [-1, 1].</summary>
    public double DepthImbalance { get; init; }
    /// <summary>Distance-weighted imbalance, in [-1, 1].</summary>
    public double WeightedImbalance { get; init; }
    /// <summary>Size-weighted mid in price units.</summary>
    public double Microprice { get; init; }
    /// <summary>Short-horizon realized volatility of mid returns (per √second).</summary>
    public double Volatility { get; init; }
    /// <summary>Fraction of near-touch bid size withdrawn (cancelled, not traded) over the recent window, in [0, 1].</summary>
    public double BidWithdrawal { get; init; }
    /// <summary>Fraction of near-touch ask size withdrawn over the recent window, in [0, 1].</summary>
    public double AskWithdrawal { get; init; }
    /// <summary>Absorption score on the bid: aggressive selling absorbed by a bid that holds or refills (≥ 0).</summary>
    public double BidAbsorption { get; init; }
    /// <summary>Absorption score on the ask (≥ 0).</summary>
    public double AskAbsorption { get; init; }
    /// <summary>Robust z-score of the latest trade size against its rolling distribution.</summary>
    public double TradeSizeZ { get; init; }
    /// <summary>Abnormal size concentration on the bid: robust z-score of the largest near-touch bid level against the rolling level-size distribution.</summary>
    public double BidLevelSizeZ { get; init; }
    /// <summary>The same on the ask.</summary>
    public double AskLevelSizeZ { get; init; }
    /// <summary>Price (ticks) of that largest near-touch bid level, 0 when none.</summary>
    public long BidLargestLevelTick { get; init; }
    /// <summary>Price (ticks) of that largest near-touch ask level, 0 when none.</summary>
    public long AskLargestLevelTick { get; init; }
    /// <summary>Price (ticks) of the strongest bid wall near the touch, 0 when none.</summary>
    public long BidWallTick { get; init; }
    /// <summary>Price (ticks) of the strongest ask wall near the touch, 0 when none.</summary>
    public long AskWallTick { get; init; }

    public static SignalView Empty { get; } = new()
    {
        TopImbalance = double.NaN, DepthImbalance = double.NaN, WeightedImbalance = double.NaN, Microprice = double.NaN,
        Volatility = double.NaN, BidWithdrawal = double.NaN, AskWithdrawal = double.NaN, BidAbsorption = double.NaN,
        AskAbsorption = double.NaN, TradeSizeZ = double.NaN, BidLevelSizeZ = double.NaN, AskLevelSizeZ = double.NaN,
    };
}
