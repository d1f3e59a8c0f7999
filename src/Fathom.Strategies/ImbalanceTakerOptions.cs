namespace Fathom.Strategies;

/// <summary>Settings of <see cref="ImbalanceTaker"/>. Sizes raw at the instrument's qty decimals.</summary>
public sealed record ImbalanceTakerOptions
{
    public int InstrumentId { get; init; }
    /// <summary>Depth imbalance (in [-1, 1]) beyond which the book is considered one-sided.</summary>
    public double ImbalanceThreshold { get; init; } = 0.6;
    /// <summary>Absorption score on the side we would lean on that confirms it is holding.</summary>
    public double AbsorptionThreshold { get; init; } = 1.0;
    public long TakeQty { get; init; } = 100_000;
    public long MaxPosition { get; init; } = 500_000;
    /// <summary>How far through the touch a take may go, in ticks.</summary>
    public long SlippageTicks { get; init; } = 1;
    /// <summary>Pause after a take before another (timer), in nanoseconds.</summary>
    public long CooldownNanos { get; init; } = 1_000_000_000;

    public ImbalanceTakerOptions Validate()
    {
        if (!(ImbalanceThreshold is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(ImbalanceThreshold), "must be in (0, 1)");
        if (TakeQty <= 0 || MaxPosition < TakeQty) throw new ArgumentOutOfRangeException(nameof(TakeQty), "need 0 < TakeQty ≤ MaxPosition");
        if (SlippageTicks < 0) throw new ArgumentOutOfRangeException(nameof(SlippageTicks), "must not be negative");
        if (CooldownNanos < 0) throw new ArgumentOutOfRangeException(nameof(CooldownNanos), "must not be negative");
        return this;
    }
}
