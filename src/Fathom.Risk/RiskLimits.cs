using Fathom.Core;

namespace Fathom.Risk;

/// <summary>
/// Every risk limit, validated before use (<see cref="Validate"/>). Money is raw fixed-point at
/// <see cref="MoneyDecimals"/> in the common quote currency; times are nanoseconds. Ratios and
/// volatility thresholds are doubles: they are statistics, never money.
/// </summary>
public sealed record RiskLimits
{
    public int MoneyDecimals { get; init; } = 8;
    /// <summary>One entry per instrument id, in instrument order.</summary>
    public required IReadOnlyList<InstrumentRiskLimits> Instruments { get; init; }
    public required long MaxTotalNotional { get; init; }

    /// <summary>A new order's price must lie within this many basis points of mid.</summary>
    public int PriceBandBps { get; init; } = 100;

    /// <summary>Per-trade loss: adverse move from the fill price × qty, checked for fills younger than the horizon.</summary>
    public required long MarkoutLossLimit { get; init; }
    public long MarkoutHorizonNs { get; init; } = 5_000_000_000;
    /// <summary>How long an instrument stays reduce-only after a markout breach.</summary>
    public long MarkoutCooldownNs { get; init; } = 30_000_000_000;
    /// <summary>Stop: mid this many bps against the position's entry VWAP makes the instrument reduce-only until flat.</summary>
    public int VwapStopBps { get; init; } = 50;

    /// <summary>Loss since the day's start (realized + unrealized) that halts trading.</summary>
    public required long MaxDailyLoss { get; init; }

    public double VolatilityWidenAbove { get; init; } = 0.002;
    public double VolatilityPauseAbove { get; init; } = 0.005;
    /// <summary>Hysteresis: a volatility level releases only below threshold × this ratio.</summary>
    public double VolatilityReleaseRatio { get; init; } = 0.8;
    public int VolatilityWidenTicks { get; init; } = 2;
    public int VolatilityQtyPercent { get; init; } = 50;

    /// <summary>Kill switch: the oldest in-flight command older than this halts (fires even when acks stop).</summary>
    public long MaxInFlightAgeNs { get; init; } = 2_000_000_000;
    public double AckLatencyPercentile { get; init; } = 0.99;
    public int AckLatencyMinSamples { get; init; } = 20;
    public int AckLatencyWindow { get; init; } = 256;
    /// <summary>Samples older than this leave the window, so an old burst does not hold a breach forever.</summary>
    public long AckLatencyMaxAgeNs { get; init; } = 60_000_000_000;
    public long AckLatencyTripNs { get; init; } = 250_000_000;
    public long AckLatencyReleaseNs { get; init; } = 100_000_000;
    /// <summary>
    /// Orders count as flowing while the last answered one is younger than this; otherwise the latency
    /// probes (WebSocket API ping round trips) are the evidence, so a latency switch releases on its own
    /// once the venue is fast again even though, switched off, no order is sent to measure it.
    /// </summary>
    public long OrderFlowQuietNs { get; init; } = 5_000_000_000;
    /// <summary>Probe round trips older than this leave the probe window.</summary>
    public long LatencyProbeMaxAgeNs { get; init; } = 10_000_000_000;
    /// <summary>Probe round trips needed in the window before they trip or release the latency switch.</summary>
    public int LatencyProbeMinSamples { get; init; } = 3;
    /// <summary>
    /// The percentile of the probe window compared with the trip and release levels: the median by
    /// default, so one slow ping (a GC pause, a busy machine) does not trip the switch; a venue that is
    /// slow for half the window does.
    /// </summary>
    public double LatencyProbePercentile { get; init; } = 0.5;

    /// <summary>Feed lag baseline: the minimum of (receive − exchange time) over this window.</summary>
    public long FeedLagBaselineWindowNs { get; init; } = 300_000_000_000;
    public long FeedLagTripNs { get; init; } = 500_000_000;
    public long FeedLagReleaseNs { get; init; } = 200_000_000;

    /// <summary>A non-live book blocks new quotes at once and cancels resting ones after this grace.</summary>
    public long StaleBookGraceNs { get; init; } = 1_000_000_000;

    public long VenueErrorWindowNs { get; init; } = 10_000_000_000;
    public int VenueErrorMinCount { get; init; } = 5;
    public int VenueErrorRatePercent { get; init; } = 20;

    /// <summary>Behaviour guard: more new orders than this in one second are refused.</summary>
    public int MaxNewOrdersPerSecond { get; init; } = 20;
    /// <summary>Venue budget (e.g. Binance ORDERS 50 / 10 s) and the part of it only cancels may use.</summary>
    public long OrderBudgetWindowNs { get; init; } = 10_000_000_000;
    public int OrderBudget { get; init; } = 50;
    public int CancelHeadroom { get; init; } = 10;

    /// <summary>A state steps down (Halted → Reducing → Active) only after this long without a new breach.</summary>
    public long ReleaseCooldownNs { get; init; } = 10_000_000_000;
    public int MaxTrackedInFlight { get; init; } = 64;

    /// <summary>
    /// The trading day (the drawdown limit's period) starts this long after 00:00 UTC; at each start
    /// the host sends the core a new-day input and the drawdown is measured from there.
    /// </summary>
    public long TradingDayStartOffsetNs { get; init; }

    public RiskLimits Validate()
    {
        if ((uint)MoneyDecimals > 18)
            Fail(nameof(MoneyDecimals), "must be 0..18");
        if (Instruments is null || Instruments.Count == 0)
            Fail(nameof(Instruments), "needs one entry per instrument");
        for (int i = 0; i < Instruments!.Count; i++)
        {
            var l = Instruments[i];
            if (l is null || l.MaxPosition.Raw <= 0 || l.MaxOrderQty.Raw <= 0 || l.MaxOrderNotional <= 0)
                Fail(nameof(Instruments), $"instrument {i}: limits must be positive");
        }
        Positive(MaxTotalNotional, nameof(MaxTotalNotional));
        Positive(PriceBandBps, nameof(PriceBandBps));
        Positive(MarkoutLossLimit, nameof(MarkoutLossLimit));
        Positive(MarkoutHorizonNs, nameof(MarkoutHorizonNs));
        Positive(MarkoutCooldownNs, nameof(MarkoutCooldownNs));
        Positive(VwapStopBps, nameof(VwapStopBps));
        Positive(MaxDailyLoss, nameof(MaxDailyLoss));
        if (!(VolatilityWidenAbove > 0) || !(VolatilityPauseAbove > VolatilityWidenAbove))
            Fail(nameof(VolatilityPauseAbove), "needs 0 < widen < pause");
        if (!(VolatilityReleaseRatio is > 0 and < 1))
            Fail(nameof(VolatilityReleaseRatio), "must be in (0, 1) for hysteresis");
        if (VolatilityWidenTicks < 0 || VolatilityQtyPercent is <= 0 or > 100)
            Fail(nameof(VolatilityQtyPercent), "widen ticks ≥ 0, qty percent 1..100");
        Positive(MaxInFlightAgeNs, nameof(MaxInFlightAgeNs));
        if (!(AckLatencyPercentile is > 0 and <= 1))
            Fail(nameof(AckLatencyPercentile), "must be in (0, 1]");
        if (AckLatencyMinSamples <= 0 || AckLatencyWindow < AckLatencyMinSamples)
            Fail(nameof(AckLatencyWindow), "window must hold at least the minimum sample count");
        Positive(AckLatencyMaxAgeNs, nameof(AckLatencyMaxAgeNs));
        if (AckLatencyReleaseNs <= 0 || AckLatencyReleaseNs >= AckLatencyTripNs)
            Fail(nameof(AckLatencyReleaseNs), "needs 0 < release < trip (hysteresis)");
        Positive(OrderFlowQuietNs, nameof(OrderFlowQuietNs));
        Positive(LatencyProbeMaxAgeNs, nameof(LatencyProbeMaxAgeNs));
        Positive(LatencyProbeMinSamples, nameof(LatencyProbeMinSamples));
        if (!(LatencyProbePercentile is > 0 and <= 1))
            Fail(nameof(LatencyProbePercentile), "must be in (0, 1]");
        if (TradingDayStartOffsetNs is < 0 or >= 86_400_000_000_000)
            Fail(nameof(TradingDayStartOffsetNs), "must be within one day (0 ≤ offset < 24 h)");
        Positive(FeedLagBaselineWindowNs, nameof(FeedLagBaselineWindowNs));
        if (FeedLagReleaseNs <= 0 || FeedLagReleaseNs >= FeedLagTripNs)
            Fail(nameof(FeedLagReleaseNs), "needs 0 < release < trip (hysteresis)");
        Positive(StaleBookGraceNs, nameof(StaleBookGraceNs));
        Positive(VenueErrorWindowNs, nameof(VenueErrorWindowNs));
        Positive(VenueErrorMinCount, nameof(VenueErrorMinCount));
        if (VenueErrorRatePercent is <= 0 or > 100)
            Fail(nameof(VenueErrorRatePercent), "must be 1..100");
        Positive(MaxNewOrdersPerSecond, nameof(MaxNewOrdersPerSecond));
        Positive(OrderBudgetWindowNs, nameof(OrderBudgetWindowNs));
        if (CancelHeadroom < 0 || CancelHeadroom >= OrderBudget)
            Fail(nameof(CancelHeadroom), "must leave part of the budget to new orders (0 ≤ headroom < budget)");
        Positive(ReleaseCooldownNs, nameof(ReleaseCooldownNs));
        Positive(MaxTrackedInFlight, nameof(MaxTrackedInFlight));
        return this;
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0)
            Fail(name, "must be positive");
    }

    private static void Fail(string name, string message) =>
        ThrowHelper.ThrowArgumentOutOfRange(name, $"Risk limit {name} {message}.");
}
