using Fathom.Core;

namespace Fathom.Signals;

/// <summary>
/// Parameters of one instrument's signals; docs/signals.md defines each. Ticks are book ticks,
/// quantities raw fixed point at the instrument's qty decimals, times venue milliseconds. The
/// defaults were chosen on the shared BTCUSDT recording (tick 0.01 at ~61,000 USDT: 1 bp ≈ 610 ticks);
/// tick-denominated values must be set per instrument.
/// </summary>
public sealed record SignalOptions
{
    public static SignalOptions Default { get; } = new();

    /// <summary>N: levels per side summed by the depth imbalance.</summary>
    public int DepthLevels { get; init; } = 10;

    /// <summary>λ: e-folding distance of the distance-weighted depth, in ticks.</summary>
    public double DecayTicks { get; init; } = 200;

    /// <summary>K: levels per side forming the local depth profile of the wall detector (and the level-size sample).</summary>
    public int WallLevels { get; init; } = 20;

    /// <summary>Fewest levels a side needs before its profile is trusted.</summary>
    public int WallMinLevels { get; init; } = 5;

    /// <summary>κ: a wall holds at least this multiple of the profile's median size.</summary>
    public double WallRatio { get; init; } = 5.0;

    /// <summary>A wall also holds at least this raw quantity.</summary>
    public long WallMinQty { get; init; }

    /// <summary>B: a size decrease counts as near the touch when it is fewer than B ticks from the side's best before the diff.</summary>
    public int WithdrawalBandTicks { get; init; } = 50;

    /// <summary>H of the depth-withdrawal sums, ms.</summary>
    public int WithdrawalWindowMs { get; init; } = 1_000;

    /// <summary>H of the absorption volume, ms.</summary>
    public int AbsorptionWindowMs { get; init; } = 2_000;

    /// <summary>Absorbed volume below this raw quantity is not absorption.</summary>
    public long AbsorptionMinQty { get; init; }

    /// <summary>Absorbed volume must reach this multiple of the visible best size.</summary>
    public double AbsorptionMinRatio { get; init; } = 1.0;

    /// <summary>Wt: trades in the trade-size distribution.</summary>
    public int TradeSizeWindow { get; init; } = 1_000;

    /// <summary>Wl: level sizes in the level-size distribution.</summary>
    public int LevelSizeWindow { get; init; } = 1_000;

    /// <summary>Fewest samples before a size z-score is reported.</summary>
    public int SizeMinSamples { get; init; } = 100;

    /// <summary>F: floor of the robust scale (1.4826 · MAD), in ln-size units.</summary>
    public double SizeMadFloor { get; init; } = 0.05;

    /// <summary>Z: a trade whose size z-score reaches this is an outlier.</summary>
    public double OutlierZ { get; init; } = 3.5;

    /// <summary>H of the realized volatility, ms.</summary>
    public int VolatilityWindowMs { get; init; } = 10_000;

    /// <summary>Ladder depth per side: enough for every top-N statistic.</summary>
    internal int LadderLevels => Math.Max(DepthLevels, WallLevels);

    /// <summary>Checks every parameter; throws with the first one out of range.</summary>
    public SignalOptions Validate()
    {
        if (DepthLevels < 1 || DepthLevels > 1_000)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(DepthLevels), "DepthLevels must be 1..1000.");
        if (!(DecayTicks > 0) || double.IsInfinity(DecayTicks))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(DecayTicks), "DecayTicks must be positive and finite.");
        if (WallLevels < 1 || WallLevels > 1_000)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(WallLevels), "WallLevels must be 1..1000.");
        if (WallMinLevels < 1 || WallMinLevels > WallLevels)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(WallMinLevels), "WallMinLevels must be 1..WallLevels.");
        if (!(WallRatio > 0) || double.IsInfinity(WallRatio))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(WallRatio), "WallRatio must be positive and finite.");
        if (WallMinQty < 0 || AbsorptionMinQty < 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(WallMinQty), "Minimum quantities must not be negative.");
        if (WithdrawalBandTicks < 1)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(WithdrawalBandTicks), "WithdrawalBandTicks must be positive.");
        if (WithdrawalWindowMs < 1 || AbsorptionWindowMs < 1 || VolatilityWindowMs < 1)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(WithdrawalWindowMs), "Windows must be at least 1 ms.");
        if (!(AbsorptionMinRatio >= 0) || double.IsInfinity(AbsorptionMinRatio))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(AbsorptionMinRatio), "AbsorptionMinRatio must be ≥ 0 and finite.");
        if (TradeSizeWindow < 1 || LevelSizeWindow < 1)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(TradeSizeWindow), "Size windows must hold at least one value.");
        if (SizeMinSamples < 1 || SizeMinSamples > Math.Min(TradeSizeWindow, LevelSizeWindow))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(SizeMinSamples), "SizeMinSamples must be 1..the smaller size window.");
        if (!(SizeMadFloor > 0) || double.IsInfinity(SizeMadFloor))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(SizeMadFloor), "SizeMadFloor must be positive and finite (it keeps z finite).");
        if (double.IsNaN(OutlierZ))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(OutlierZ), "OutlierZ must be a number.");
        return this;
    }
}
