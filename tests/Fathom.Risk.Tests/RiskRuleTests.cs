using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Xunit;
using static Fathom.Risk.Tests.RiskHarness;

namespace Fathom.Risk.Tests;

/// <summary>Each rule triggering and releasing, on virtual time.</summary>
public class RiskRuleTests
{
    [Fact]
    public void OrderLimits_QtyNotionalBand()
    {
        var h = new RiskHarness();
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Buy, Mid - 100, 1_600));
        Assert.Equal(RiskDecision.MaxOrderQty, h.Check(OrderSide.Buy, Mid - 100, 2_001));
        Assert.Equal(RiskDecision.MaxOrderNotional, h.Check(OrderSide.Buy, Mid - 100, 1_700)); // 101 998 USDT
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Buy, Mid - 59_999, 100));
        Assert.Equal(RiskDecision.PriceBand, h.Check(OrderSide.Buy, Mid - 60_001, 100));       // > 100 bps from mid
        Assert.Equal(RiskDecision.PriceBand, h.Check(OrderSide.Sell, Mid + 60_001, 100));
        Assert.Equal(4, h.Risk.Counters.Refusals);
        Assert.Equal(2, h.Risk.Counters.RefusedBy(RiskDecision.PriceBand));
    }

    [Fact]
    public void PositionLimit_CountsRestingOrdersAsFilled_ReducingOrdersAlwaysPass()
    {
        var h = new RiskHarness(Limits with { MaxTotalNotional = 1_000_000 * Usdt });
        h.Position(4_000, Mid);
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Buy, Mid - 100, 500, open: 500));
        Assert.Equal(RiskDecision.MaxPosition, h.Check(OrderSide.Buy, Mid - 100, 600, open: 500));
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Sell, Mid + 100, 1_500));
    }

    [Fact]
    public void TotalNotional_AcrossThePosition()
    {
        var h = new RiskHarness();
        h.Position(3_900, Mid);                                                     // 234 000 USDT
        Assert.Equal(RiskDecision.MaxTotalNotional, h.Check(OrderSide.Buy, Mid - 100, 200));
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Buy, Mid - 100, 50));
    }

    [Fact]
    public void PositionBeyondLimitAfterFills_GoesReducing_AndReleasesWhenBack()
    {
        var h = new RiskHarness();
        h.Position(5_200, Mid);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Reducing, h.Risk.State);
        Assert.Equal(RiskReason.PositionLimit | RiskReason.NotionalLimit, h.Risk.Reasons);
        h.Position(3_000, Mid);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Reducing, h.Risk.State); // cool-down first
        h.Advance(10_000);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Active, h.Risk.State);
    }

    [Fact]
    public void SelfTrade_NeverCrossOurOwnRestingOrder()
    {
        var h = new RiskHarness();
        Assert.Equal(RiskDecision.SelfTrade, h.Check(OrderSide.Buy, Mid + 10, 100, ownOpposite: Mid + 10));
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Buy, Mid + 9, 100, ownOpposite: Mid + 10));
        Assert.Equal(RiskDecision.SelfTrade, h.Check(OrderSide.Sell, Mid - 10, 100, ownOpposite: Mid - 5));
    }

    [Fact]
    public void OrderRate_PerSecond_TripsAndReleases()
    {
        var h = new RiskHarness();
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(RiskDecision.Allowed, h.Buy());
            h.Send();
        }
        Assert.Equal(RiskDecision.OrderRate, h.Buy());
        h.Advance(1_100);
        Assert.Equal(RiskDecision.Allowed, h.Buy());
    }

    [Fact]
    public void RateBudget_KeepsHeadroomForCancels()
    {
        var h = new RiskHarness();
        for (int s = 0; s < 3; s++)
        {
            for (int i = 0; i < 5; i++)
                h.Send();
            h.Advance(1_001);
        }
        // 15 of 20 used: the last 5 are for cancels only.
        Assert.Equal(RiskDecision.RateBudget, h.Buy());
        for (int i = 0; i < 5; i++)
            h.Risk.OnCancelSent(100 + i, h.Now);
        Assert.Equal(5, h.Risk.Counters.CancelsPassed);
        h.Advance(10_000);
        Assert.Equal(RiskDecision.Allowed, h.Buy());
    }

    [Fact]
    public void RateBudget_RefusesTheOrderThatWouldUseTheHeadroom_CancelsUseItAndMore()
    {
        var h = new RiskHarness(RiskHarness.Limits with { MaxNewOrdersPerSecond = 100 });
        // Budget 20, headroom 5: new orders may take the budget to 15 and no further.
        for (int i = 0; i < 14; i++)
            h.Send();
        Assert.Equal(RiskDecision.Allowed, h.Buy()); // the 15th leaves exactly the headroom
        h.Send();
        Assert.Equal(RiskDecision.RateBudget, h.Buy());
        // Cancels are never asked (there is no cancel check), and they go on past the whole budget.
        for (int i = 0; i < 10; i++)
            h.Risk.OnCancelSent(1_000 + i, h.Now);
        Assert.Equal(10, h.Risk.Counters.CancelsPassed);
        Assert.Equal(RiskDecision.RateBudget, h.Buy());
        // Cancels count against the same budget: the window has to slide past them before new orders go.
        h.Advance(9_000);
        Assert.Equal(RiskDecision.RateBudget, h.Buy());
        h.Advance(1_100);
        Assert.Equal(RiskDecision.Allowed, h.Buy());
    }

    [Fact]
    public void StaleBook_RefusesAtOnce_CancelsAfterGrace_ReleasesWhenLive()
    {
        var h = new RiskHarness();
        h.Market(live: false);
        Assert.Equal(RiskDecision.StaleBook, h.Buy());
        Assert.False(h.Risk.WantsCancelAll(0, h.Now));
        h.Advance(999);
        Assert.False(h.Risk.WantsCancelAll(0, h.Now));
        h.Advance(2);
        Assert.True(h.Risk.WantsCancelAll(0, h.Now));
        h.Market(live: true);
        Assert.False(h.Risk.WantsCancelAll(0, h.Now));
        Assert.Equal(RiskDecision.Allowed, h.Buy());
    }

    [Fact]
    public void SymbolHalt_RefusesAndCancels_TradingReleases()
    {
        var h = new RiskHarness();
        h.Risk.OnInstrumentStatus(0, InstrumentStatus.Halt, h.Now);
        Assert.Equal(RiskDecision.MarketClosed, h.Buy());
        Assert.True(h.Risk.WantsCancelAll(0, h.Now));
        h.Risk.OnInstrumentStatus(0, InstrumentStatus.Trading, h.Now);
        Assert.Equal(RiskDecision.Allowed, h.Buy());
    }

    [Fact]
    public void Markout_AdverseMoveFromFillPrice_ReduceOnlyForCoolDown()
    {
        var h = new RiskHarness();
        h.Risk.OnFill(0, OrderSide.Buy, new Price(Mid), new Qty(OneBtc), h.Now);
        h.Position(OneBtc, Mid);
        h.Advance(1_000);
        h.Market(Mid - 10_000 - 50, Mid - 10_000 + 50);  // -100 USDT on 1 BTC: at the limit, not past it
        Assert.Equal(RiskDecision.Allowed, h.Buy());
        h.Market(Mid - 10_200 - 50, Mid - 10_200 + 50);  // -102 USDT
        Assert.Equal(RiskDecision.ReduceOnly, h.Buy());
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Sell, Mid - 10_000, 500));
        Assert.Equal(1, h.Risk.Counters.MarkoutBreaches);
        Assert.Contains(h.Log, t => t.InstrumentId == 0 && t.Reasons == RiskReason.MarkoutLoss);
        h.Advance(30_000);
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Buy, Mid - 10_300, 100));
    }

    [Fact]
    public void Markout_OutsideTheHorizon_DoesNotCount()
    {
        var h = new RiskHarness();
        h.Risk.OnFill(0, OrderSide.Sell, new Price(Mid), new Qty(OneBtc), h.Now);
        h.Advance(5_001);
        h.Market(Mid + 20_000 - 50, Mid + 20_000 + 50);
        Assert.Equal(0, h.Risk.Counters.MarkoutBreaches);
    }

    [Fact]
    public void VwapStop_ReduceOnlyUntilFlat()
    {
        var h = new RiskHarness();
        h.Position(OneBtc, Mid);
        h.Market(Mid - 30_000 - 50, Mid - 30_000 + 50);  // 50 bps: at the stop, not past it
        Assert.Equal(0, h.Risk.Counters.VwapStops);
        h.Market(Mid - 31_000 - 50, Mid - 31_000 + 50);
        Assert.Equal(1, h.Risk.Counters.VwapStops);
        Assert.Equal(RiskDecision.ReduceOnly, h.Check(OrderSide.Buy, Mid - 31_000, 100));
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Sell, Mid - 31_000, OneBtc));
        h.Position(0, 0);
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Buy, Mid - 31_000, 100));
    }

    [Fact]
    public void DailyDrawdown_HaltsAndIsSticky_UntilANewDay()
    {
        var h = new RiskHarness();
        h.Risk.Evaluate(h.Now);
        h.Position(0, 0, realized: -100_100); // -1 001.00 USDT at price decimals
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Halted, h.Risk.State);
        Assert.True(h.Risk.Reasons.HasFlag(RiskReason.DailyDrawdown));
        h.Position(0, 0, realized: 0);          // the loss is made back...
        h.Advance(60_000);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Halted, h.Risk.State); // ...but the halt stays
        h.Risk.StartNewDay(h.Now);
        Assert.Equal(RiskState.Halted, h.Risk.State); // released, but the cool-down runs from the last breach
        h.Advance(10_000);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Reducing, h.Risk.State);
        h.Advance(10_000);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Active, h.Risk.State);
    }

    [Fact]
    public void Volatility_WidensThenPauses_WithHysteresis()
    {
        var h = new RiskHarness();
        Assert.Equal(QuoteAdjustment.None, h.Risk.QuoteAdjustment(0));
        h.Risk.OnVolatility(0, 0.0025, h.Now);
        Assert.Equal(new QuoteAdjustment(2, 50, false), h.Risk.QuoteAdjustment(0));
        h.Risk.OnVolatility(0, 0.006, h.Now);
        Assert.True(h.Risk.QuoteAdjustment(0).Paused);
        Assert.True(h.Risk.WantsCancelAll(0, h.Now));
        Assert.Equal(RiskDecision.ReduceOnly, h.Buy());
        h.Risk.OnVolatility(0, 0.0045, h.Now);   // below pause but above pause × 0.8
        Assert.True(h.Risk.QuoteAdjustment(0).Paused);
        h.Risk.OnVolatility(0, double.NaN, h.Now);
        Assert.True(h.Risk.QuoteAdjustment(0).Paused);
        h.Risk.OnVolatility(0, 0.0039, h.Now);
        Assert.Equal(new QuoteAdjustment(2, 50, false), h.Risk.QuoteAdjustment(0));
        h.Risk.OnVolatility(0, 0.0017, h.Now);   // above widen × 0.8
        Assert.Equal(2, h.Risk.QuoteAdjustment(0).ExtraTicks);
        h.Risk.OnVolatility(0, 0.0015, h.Now);
        Assert.Equal(QuoteAdjustment.None, h.Risk.QuoteAdjustment(0));
    }

    [Fact]
    public void KillSwitch_FiresWhenAcksStop_AndStepsBackDown()
    {
        var h = new RiskHarness();
        long seq = h.Send();
        h.Advance(1_900);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Active, h.Risk.State);
        h.Advance(200); // no ack, no report, nothing: only the timer notices
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Halted, h.Risk.State);
        Assert.True(h.Risk.Reasons.HasFlag(RiskReason.InFlightAge));
        Assert.Equal(RiskDecision.Halted, h.Buy());
        Assert.True(h.Risk.WantsCancelAll(0, h.Now));

        h.Risk.OnCommandAnswered(seq, h.Now, latencySample: false);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Halted, h.Risk.State);
        h.Advance(10_000);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Reducing, h.Risk.State);
        h.Advance(10_000);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Active, h.Risk.State);
        Assert.Equal(new[] { RiskState.Halted, RiskState.Reducing, RiskState.Active }, h.Log.Where(t => t.InstrumentId < 0).Select(t => t.To));
    }

    private static void Sample(RiskHarness h, long latencyMs, int count)
    {
        for (int i = 0; i < count; i++)
        {
            long seq = h.Send(CommandKind.Cancel);
            h.Advance(latencyMs);
            h.Risk.OnCommandAnswered(seq, h.Now, latencySample: true);
        }
    }

    [Fact]
    public void AckLatency_NeedsMinimumSamples_TripsAndReleasesWithHysteresis()
    {
        var h = new RiskHarness();
        Sample(h, 300, 19);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Active, h.Risk.State); // 19 < 20 samples: no verdict
        Sample(h, 300, 1);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Reducing, h.Risk.State);
        Assert.True(h.Risk.Reasons.HasFlag(RiskReason.AckLatency));

        h.Advance(61_000);                            // old samples age out
        Sample(h, 150, 20);                           // between release (100) and trip (250)
        h.Risk.Evaluate(h.Now);
        Assert.True(h.Risk.Reasons.HasFlag(RiskReason.AckLatency));
        h.Advance(61_000);
        Sample(h, 50, 20);
        h.Risk.Evaluate(h.Now);
        Assert.False(h.Risk.Reasons.HasFlag(RiskReason.AckLatency));
        h.Advance(10_000);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Active, h.Risk.State);
    }

    [Fact]
    public void AckLatency_ACommandAnsweredAcrossAnOrderEntryOutage_IsNoSample()
    {
        var h = new RiskHarness();
        Sample(h, 20, 30);
        long acrossOutage = h.Send(CommandKind.Place);
        h.Advance(100);
        h.Risk.OnOrderEntryConnection(up: false, h.Now);
        h.Advance(3_500);                            // the re-login takes seconds
        h.Risk.OnOrderEntryConnection(up: true, h.Now);
        h.Risk.OnCommandAnswered(acrossOutage, h.Now, latencySample: true); // its fill read by the reconciliation
        Assert.Equal(30, h.Risk.AnswerSamples);
        Assert.Equal(0, h.Risk.OldestInFlightAgeNs(h.Now)); // answered all the same: no longer in flight
        Sample(h, 20, 5);                            // sent after the outage: samples again
        Assert.Equal(35, h.Risk.AnswerSamples);
        h.Risk.Evaluate(h.Now);
        Assert.False(h.Risk.Reasons.HasFlag(RiskReason.AckLatency), h.Risk.Reasons.ToString());
    }

    [Fact]
    public void FeedLag_IsMeasuredOverAMinFilteredBaseline_WithHysteresis()
    {
        var h = new RiskHarness();
        const long skew = 1_500_000_000; // local clock 1.5 s ahead of the venue's: not lag
        long exch = 1_000_000_000_000;
        void Feed(long lagNs)
        {
            h.Advance(100);
            exch += 100_000_000;
            h.Risk.OnFeedLag(skew + lagNs, h.Now);
        }
        for (int i = 0; i < 50; i++)
            Feed(i % 5 * 10_000_000);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Active, h.Risk.State);
        Feed(600_000_000);
        Assert.Equal(600_000_000, h.Risk.LastFeedLagExcessNs);
        h.Risk.Evaluate(h.Now);
        Assert.True(h.Risk.Reasons.HasFlag(RiskReason.FeedLag));
        Feed(300_000_000);
        h.Risk.Evaluate(h.Now);
        Assert.True(h.Risk.Reasons.HasFlag(RiskReason.FeedLag));
        Feed(100_000_000);
        h.Risk.Evaluate(h.Now);
        Assert.False(h.Risk.Reasons.HasFlag(RiskReason.FeedLag));
    }

    [Fact]
    public void VenueErrors_TimeoutRateHalts_ReleasesAfterTheWindow()
    {
        var h = new RiskHarness();
        for (int i = 0; i < 10; i++)
            h.Risk.OnVenueResponse(h.Now);
        for (int i = 0; i < 4; i++)
            h.Risk.OnVenueError(UnknownCause.Timeout, h.Now);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Active, h.Risk.State); // 4 < minimum count
        h.Risk.OnVenueError(UnknownCause.ServerError, h.Now);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Halted, h.Risk.State);
        Assert.True(h.Risk.Reasons.HasFlag(RiskReason.VenueErrors));
        h.Advance(11_000);
        h.Risk.Evaluate(h.Now);
        Assert.False(h.Risk.Reasons.HasFlag(RiskReason.VenueErrors));
        Assert.Equal(RiskState.Reducing, h.Risk.State);
    }

    [Fact]
    public void OrderEntryDown_Halts()
    {
        var h = new RiskHarness();
        h.Risk.OnOrderEntryConnection(false, h.Now);
        Assert.Equal(RiskState.Halted, h.Risk.State);
        h.Risk.OnOrderEntryConnection(true, h.Now);
        Assert.Equal(RiskState.Halted, h.Risk.State);
        h.Advance(10_000);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Reducing, h.Risk.State);
    }

    [Fact]
    public void Reducing_OnlyOrdersTowardFlatPass()
    {
        var h = new RiskHarness();
        h.Position(1_000, Mid);
        h.Risk.Transition(RiskTrigger.Reduce, h.Now);
        Assert.Equal(RiskDecision.ReduceOnly, h.Buy());
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Sell, Mid + 100, 500));
        Assert.Equal(RiskDecision.ReduceOnly, h.Check(OrderSide.Sell, Mid + 100, 600, open: 500)); // would flip
    }

    [Fact]
    public void Operator_HaltIsSticky_ResumeClearsEverything()
    {
        var h = new RiskHarness();
        h.Risk.OperatorHalt(h.Now);
        h.Advance(60_000);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Halted, h.Risk.State);
        h.Risk.OperatorResume(h.Now);
        Assert.Equal(RiskState.Active, h.Risk.State);
        h.Risk.Evaluate(h.Now);
        Assert.Equal(RiskState.Active, h.Risk.State);
        Assert.Equal(RiskDecision.Allowed, h.Buy());
    }
}
