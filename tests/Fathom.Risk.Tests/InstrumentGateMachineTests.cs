using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Testing;
using Xunit;
using static Fathom.Risk.Tests.RiskHarness;

namespace Fathom.Risk.Tests;

public class InstrumentGateMachineTests
{
    // Columns: Calm, Widen, Pause, MarkoutBreach, MarkoutElapsed, VwapStop, Flat, OperatorResume ("-" = illegal).
    // Written out by hand, not derived from the encoding, so a wrong cell in the table fails here.
    [Theory]
    [InlineData(InstrumentGate.Open, "Open Widened Paused Cooling - Stopped Open Open")]
    [InlineData(InstrumentGate.Widened, "Open Widened Paused CoolingWidened - StoppedWidened Widened Widened")]
    [InlineData(InstrumentGate.Paused, "Open Widened Paused CoolingPaused - StoppedPaused Paused Paused")]
    [InlineData(InstrumentGate.Cooling, "Cooling CoolingWidened CoolingPaused Cooling Open StoppedCooling Cooling Open")]
    [InlineData(InstrumentGate.CoolingWidened, "Cooling CoolingWidened CoolingPaused CoolingWidened Widened StoppedCoolingWidened CoolingWidened Widened")]
    [InlineData(InstrumentGate.CoolingPaused, "Cooling CoolingWidened CoolingPaused CoolingPaused Paused StoppedCoolingPaused CoolingPaused Paused")]
    [InlineData(InstrumentGate.Stopped, "Stopped StoppedWidened StoppedPaused StoppedCooling - - Open Open")]
    [InlineData(InstrumentGate.StoppedWidened, "Stopped StoppedWidened StoppedPaused StoppedCoolingWidened - - Widened Widened")]
    [InlineData(InstrumentGate.StoppedPaused, "Stopped StoppedWidened StoppedPaused StoppedCoolingPaused - - Paused Paused")]
    [InlineData(InstrumentGate.StoppedCooling, "StoppedCooling StoppedCoolingWidened StoppedCoolingPaused StoppedCooling Stopped - Cooling Open")]
    [InlineData(InstrumentGate.StoppedCoolingWidened, "StoppedCooling StoppedCoolingWidened StoppedCoolingPaused StoppedCoolingWidened StoppedWidened - CoolingWidened Widened")]
    [InlineData(InstrumentGate.StoppedCoolingPaused, "StoppedCooling StoppedCoolingWidened StoppedCoolingPaused StoppedCoolingPaused StoppedPaused - CoolingPaused Paused")]
    public void EveryCell_MatchesExpectedRow(InstrumentGate gate, string row)
    {
        string[] cells = row.Split(' ');
        var triggers = Enum.GetValues<InstrumentGateTrigger>();
        Assert.Equal(triggers.Length, cells.Length);
        for (int i = 0; i < triggers.Length; i++)
        {
            bool ok = InstrumentGateMachine.TryNext(gate, triggers[i], out var next);
            if (cells[i] == "-")
            {
                Assert.False(ok, $"{gate} + {triggers[i]}");
                Assert.Equal(gate, next);
                Assert.Equal(InstrumentGateMachine.Illegal, InstrumentGateMachine.Cell(gate, triggers[i]));
            }
            else
            {
                Assert.True(ok, $"{gate} + {triggers[i]}");
                Assert.Equal(Enum.Parse<InstrumentGate>(cells[i]), next);
            }
        }
    }

    [Fact]
    public void AllGatesAndTriggersCovered()
    {
        Assert.Equal(12, InstrumentGateMachine.GateCount);
        Assert.Equal(8, InstrumentGateMachine.TriggerCount);
    }

    [Theory]
    [InlineData(InstrumentGate.Open, 0, false, false, true)]
    [InlineData(InstrumentGate.Widened, 1, false, false, true)]
    [InlineData(InstrumentGate.Paused, 2, false, false, false)]
    [InlineData(InstrumentGate.Cooling, 0, true, false, false)]
    [InlineData(InstrumentGate.CoolingWidened, 1, true, false, false)]
    [InlineData(InstrumentGate.CoolingPaused, 2, true, false, false)]
    [InlineData(InstrumentGate.Stopped, 0, false, true, false)]
    [InlineData(InstrumentGate.StoppedWidened, 1, false, true, false)]
    [InlineData(InstrumentGate.StoppedPaused, 2, false, true, false)]
    [InlineData(InstrumentGate.StoppedCooling, 0, true, true, false)]
    [InlineData(InstrumentGate.StoppedCoolingWidened, 1, true, true, false)]
    [InlineData(InstrumentGate.StoppedCoolingPaused, 2, true, true, false)]
    public void Views_ReadTheGate(InstrumentGate gate, int volatility, bool cooling, bool stopped, bool allowsIncrease)
    {
        Assert.Equal(volatility, InstrumentGateMachine.VolatilityLevel(gate));
        Assert.Equal(cooling, InstrumentGateMachine.IsCooling(gate));
        Assert.Equal(stopped, InstrumentGateMachine.IsStopped(gate));
        Assert.Equal(allowsIncrease, InstrumentGateMachine.AllowsIncrease(gate));
        Assert.Equal(volatility == 2, InstrumentGateMachine.IsPaused(gate));
    }

    [Fact]
    public void IllegalEdge_ThroughTheManager_IsCountedReportedAndLeavesTheGate()
    {
        var h = new RiskHarness();
        Assert.False(h.Risk.TransitionGate(0, InstrumentGateTrigger.MarkoutElapsed, h.Now)); // no cool-down running
        Assert.Equal(1, h.Risk.Counters.IllegalTransitions);
        var t = h.Log[^1];
        Assert.True(t.Illegal);
        Assert.Equal((0, RiskState.Active, RiskState.Active), (t.InstrumentId, t.From, t.To));
        Assert.Contains("illegal", t.ToString(), StringComparison.Ordinal);
        Assert.Equal(InstrumentGate.Open, h.Risk.GateOf(0));

        Assert.True(h.Risk.TransitionGate(0, InstrumentGateTrigger.VwapStop, h.Now));
        Assert.False(h.Risk.TransitionGate(0, InstrumentGateTrigger.VwapStop, h.Now)); // a second stop: lost track
        Assert.Equal(2, h.Risk.Counters.IllegalTransitions);
        Assert.Equal(InstrumentGate.Stopped, h.Risk.GateOf(0));
        Assert.Equal(RiskState.Active, h.Risk.State); // an instrument gate never moves the account state
    }

    [Fact]
    public void NormalLife_TakesNoIllegalEdge()
    {
        var h = new RiskHarness();
        h.Risk.OnVolatility(0, 0.006, h.Now);                                      // Paused
        h.Risk.OnFill(0, OrderSide.Buy, new Price(Mid), new Qty(OneBtc), h.Now);
        h.Position(OneBtc, Mid);
        h.Market(Mid - 31_000 - 50, Mid - 31_000 + 50);                            // markout and VWAP stop
        Assert.Equal(InstrumentGate.StoppedCoolingPaused, h.Risk.GateOf(0));
        h.Risk.OnVolatility(0, 0.0015, h.Now);                                     // straight down to normal
        Assert.Equal(InstrumentGate.StoppedCooling, h.Risk.GateOf(0));
        h.Position(0, 0);                                                          // flat lifts the stop only
        Assert.Equal(InstrumentGate.Cooling, h.Risk.GateOf(0));
        h.Advance(30_000);
        h.Risk.Evaluate(h.Now);                                                    // the timer lifts the cool-down
        Assert.Equal(InstrumentGate.Open, h.Risk.GateOf(0));
        Assert.Equal(0, h.Risk.Counters.IllegalTransitions);
        Assert.DoesNotContain(h.Log, t => t.Illegal);
    }

    [Fact]
    public void Markout_CoolDownEnd_IsReportedAsARelease_ExactlyAtItsTime()
    {
        var h = new RiskHarness();
        h.Risk.OnFill(0, OrderSide.Buy, new Price(Mid), new Qty(OneBtc), h.Now);
        h.Market(Mid - 10_200 - 50, Mid - 10_200 + 50);
        long tripped = h.Now;
        Assert.Equal(InstrumentGate.Cooling, h.Risk.GateOf(0));
        Assert.Equal((RiskState.Active, RiskState.Reducing, RiskTrigger.Reduce, RiskReason.MarkoutLoss),
            (h.Log[^1].From, h.Log[^1].To, h.Log[^1].Trigger, h.Log[^1].Reasons));

        long end = tripped + h.Risk.Limits.MarkoutCooldownNs;
        Assert.False(h.Risk.AllowsIncrease(0, end - 1));
        Assert.Equal(InstrumentGate.Cooling, h.Risk.GateOf(0));
        Assert.True(h.Risk.AllowsIncrease(0, end));
        Assert.Equal(InstrumentGate.Open, h.Risk.GateOf(0));
        var release = h.Log[^1];
        Assert.Equal((0, RiskState.Reducing, RiskState.Active, RiskTrigger.Release, RiskReason.MarkoutLoss, end),
            (release.InstrumentId, release.From, release.To, release.Trigger, release.Reasons, release.TimeNs));
        Assert.Equal(1, h.Risk.Counters.MarkoutBreaches);
    }

    [Fact]
    public void Markout_BreachWhileCooling_RenewsWithoutCountingAgain()
    {
        var h = new RiskHarness();
        h.Risk.OnFill(0, OrderSide.Buy, new Price(Mid), new Qty(OneBtc), h.Now);
        h.Market(Mid - 10_200 - 50, Mid - 10_200 + 50);
        int reports = h.Log.Count;
        h.Advance(4_000);
        h.Market(Mid - 10_300 - 50, Mid - 10_300 + 50); // still inside the 5 s horizon: renewed
        Assert.Equal(1, h.Risk.Counters.MarkoutBreaches);
        Assert.Equal(reports, h.Log.Count);
        h.Advance(h.Risk.Limits.MarkoutCooldownNs / 1_000_000 - 1_000);
        Assert.False(h.Risk.AllowsIncrease(0, h.Now), "the renewal moved the end");
    }

    [Fact]
    public void OperatorResume_LiftsBothHolds_KeepsTheVolatilityLevel_AndReportsBeforeTheAccountEdge()
    {
        var h = new RiskHarness();
        h.Risk.OnVolatility(0, 0.0025, h.Now);
        h.Risk.TransitionGate(0, InstrumentGateTrigger.MarkoutBreach, h.Now);
        h.Risk.TransitionGate(0, InstrumentGateTrigger.VwapStop, h.Now);
        Assert.Equal(InstrumentGate.StoppedCoolingWidened, h.Risk.GateOf(0));
        int before = h.Log.Count;
        h.Risk.OperatorResume(h.Now);
        Assert.Equal(InstrumentGate.Widened, h.Risk.GateOf(0));
        Assert.Equal(1, h.Risk.VolatilityLevelOf(0));
        var lifted = h.Log[before];
        Assert.Equal((0, RiskState.Active, RiskTrigger.OperatorResume, RiskReason.MarkoutLoss | RiskReason.VwapStop),
            (lifted.InstrumentId, lifted.To, lifted.Trigger, lifted.Reasons));
        Assert.Equal(-1, h.Log[^1].InstrumentId); // the account's own edge is last, as before
        Assert.True(h.Risk.AllowsIncrease(0, h.Now));
    }

    [Fact]
    public void VolatilityPause_OverAVwapStop_FlatLiftsOnlyTheStop()
    {
        var h = new RiskHarness();
        h.Position(OneBtc, Mid);
        h.Market(Mid - 31_000 - 50, Mid - 31_000 + 50);
        h.Risk.OnVolatility(0, 0.006, h.Now);
        Assert.Equal(InstrumentGate.StoppedPaused, h.Risk.GateOf(0));
        h.Position(0, 0);
        Assert.Equal(InstrumentGate.Paused, h.Risk.GateOf(0));
        Assert.True(h.Risk.WantsCancelAll(0, h.Now));
        Assert.Equal(RiskDecision.ReduceOnly, h.Buy());
        h.Risk.OnVolatility(0, 0.0015, h.Now);
        Assert.Equal(RiskDecision.Allowed, h.Buy());
    }
}

[Collection(AllocationCollection.Name)]
public class InstrumentGateAllocationTests
{
    [Fact]
    public void GateEdges_AllocateNothing()
    {
        // No observer: the edges themselves (volatility steps, markout breach and end, stop and flat) must not allocate.
        var limits = RiskHarness.Limits with { MarkoutCooldownNs = 1_000 };
        var risk = new RiskManager(limits, [RiskHarness.Btc]);
        AllocationAssert.Zero(risk, static r =>
        {
            long now = 1_000_000_000;
            for (int i = 0; i < 200; i++, now += 1_000_000)
            {
                r.OnMarket(0, new Price(Mid - 50), new Price(Mid + 50), true, now);
                r.OnVolatility(0, i % 3 == 0 ? 0.006 : i % 3 == 1 ? 0.0025 : 0.001, now);
                r.OnFill(0, OrderSide.Buy, new Price(Mid + 20_000), new Qty(OneBtc), now);  // a markout breach
                r.OnPosition(0, new Qty(OneBtc), new Price(Mid + 40_000), 0, now);         // past the VWAP stop
                r.OnMarket(0, new Price(Mid - 60), new Price(Mid + 40), true, now);
                r.OnPosition(0, Qty.Zero, Price.Zero, 0, now);                             // flat
                Sink.Consume(r.AllowsIncrease(0, now + 2_000) ? 1 : 0);                  // the cool-down ends
                r.Evaluate(now + 3_000);
            }
        }, warmups: 30);
    }
}
