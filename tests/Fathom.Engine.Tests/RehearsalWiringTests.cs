using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.MarketData;
using Fathom.Venues.Binance;
using Fathom.Testing;
using Xunit;

namespace Fathom.Engine.Tests;

/// <summary>
/// The rehearsal of the decision and send path (<see cref="TradingEngine.RehearsesDecisions"/>) as the composition wires
/// it: a live core rehearses on every market-data input that sent nothing, through execution and the gateway, and sends
/// nothing more for it; an input that sends does not rehearse; a backtest's core does not rehearse at all.
/// </summary>
public class RehearsalWiringTests
{
    private static CoreRig NewRig() => new(CoreRig.Setup([Specs.Btc], CoreRig.Maker(0)));

    [Fact]
    public void LiveCore_QuietInputs_RehearseTheStandingQuotesRequote_ThroughTheGateway_AndSendNothing()
    {
        var rig = NewRig();
        Assert.True(rig.Engine.RehearsesDecisions);
        rig.Market(10_000, 10_010, 1);
        OrderCommand[] placed = [.. rig.Gateway.Sent];
        Assert.Equal(2, placed.Length);
        // The input that sent did not rehearse.
        Assert.Equal((0L, 0L), (rig.Engine.Rehearsals, rig.Gateway.Rehearsals));
        foreach (var c in placed)
            rig.Engine.OnAck(new AckReport(0, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, rig.Now));

        long checks = rig.Engine.Execution.Risk.Counters.Checks;
        for (int i = 0; i < 4; i++)
            rig.Market(10_000, 10_010, 2 + i);

        Assert.Equal(2, rig.Gateway.Sends);
        Assert.Equal(4, rig.Engine.Rehearsals);
        Assert.Equal(4, rig.Gateway.Rehearsals);
        // What the gateway rehearsed is the requote of a resting quote, at its own price.
        OrderCommand last = rig.Gateway.LastRehearsed;
        Assert.Equal(CommandKind.CancelReplace, last.Kind);
        OrderCommand resting = placed.Single(c => c.Side == last.Side);
        Assert.Equal((resting.ClientOrderId, resting.Price, resting.Qty), (last.OrigClientOrderId, last.Price, last.Qty));
        // Nothing the engine exports moved: no command, no risk check, no id.
        Assert.Equal(checks, rig.Engine.Execution.Risk.Counters.Checks);
        Assert.Equal(2, rig.Engine.CommandsSent);
        Assert.Contains("fathom_decision_rehearsals_total 4\n", PrometheusMetrics.Build(rig.Engine, rig.Books), StringComparison.Ordinal);
    }

    [Fact]
    public void RehearsalOff_QuietInputs_ReachNoGateway()
    {
        var rig = NewRig();
        rig.Engine.RehearsesDecisions = false;
        rig.Market(10_000, 10_010, 1);
        rig.Market(10_000, 10_010, 2);
        Assert.Equal((0L, 0L), (rig.Engine.Rehearsals, rig.Gateway.Rehearsals));
    }

    [Fact]
    public void BacktestCore_DoesNotRehearse()
    {
        var core = new BinanceFeedCore([Specs.Btc]);
        CoreParts parts = CoreComposition.Build(core, CoreRig.Setup([Specs.Btc], CoreRig.Maker(0)), new MonotonicClock(new ManualTimeProvider()),
            new Fathom.Execution.InMemorySequenceReservation(), measureLatency: false);
        Assert.False(parts.Engine.RehearsesDecisions);
    }
}
