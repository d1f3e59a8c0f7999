using Xunit;

namespace Fathom.Risk.Tests;

public class RiskLimitsTests
{
    public static TheoryData<string> BadLimits => new()
    {
        nameof(RiskLimits.MaxTotalNotional), nameof(RiskLimits.PriceBandBps), nameof(RiskLimits.AckLatencyReleaseNs),
        nameof(RiskLimits.FeedLagReleaseNs), nameof(RiskLimits.CancelHeadroom), nameof(RiskLimits.VolatilityPauseAbove),
        nameof(RiskLimits.VolatilityReleaseRatio), nameof(RiskLimits.AckLatencyWindow), nameof(RiskLimits.Instruments),
    };

    private static RiskLimits Break(RiskLimits l, string name) => name switch
    {
        nameof(RiskLimits.MaxTotalNotional) => l with { MaxTotalNotional = 0 },
        nameof(RiskLimits.PriceBandBps) => l with { PriceBandBps = -1 },
        nameof(RiskLimits.AckLatencyReleaseNs) => l with { AckLatencyReleaseNs = l.AckLatencyTripNs }, // no hysteresis
        nameof(RiskLimits.FeedLagReleaseNs) => l with { FeedLagReleaseNs = l.FeedLagTripNs + 1 },
        nameof(RiskLimits.CancelHeadroom) => l with { CancelHeadroom = l.OrderBudget },
        nameof(RiskLimits.VolatilityPauseAbove) => l with { VolatilityPauseAbove = l.VolatilityWidenAbove },
        nameof(RiskLimits.VolatilityReleaseRatio) => l with { VolatilityReleaseRatio = 1.0 },
        nameof(RiskLimits.AckLatencyWindow) => l with { AckLatencyWindow = l.AckLatencyMinSamples - 1 },
        nameof(RiskLimits.Instruments) => l with { Instruments = [] },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(BadLimits))]
    public void Validate_RefusesInconsistentLimits(string name)
    {
        var ok = RiskHarness.Limits;
        Assert.Same(ok, ok.Validate());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Break(ok, name).Validate());
        Assert.Contains(name, ex.Message);
    }

    [Fact]
    public void Manager_RefusesLimitsForADifferentInstrumentCount() =>
        Assert.Throws<ArgumentException>(() => new RiskManager(RiskHarness.Limits, [RiskHarness.Btc, RiskHarness.Btc with { Symbol = "ETHUSDT" }]));
}
