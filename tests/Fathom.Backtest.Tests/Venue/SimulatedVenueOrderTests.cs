using Fathom.Backtest.Venue;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Testing;
using Xunit;
using static Fathom.Backtest.Tests.Venue.VenueRig;

namespace Fathom.Backtest.Tests.Venue;

/// <summary>Order entry at the simulated venue: taking, post-only, amend and cancel-replace priority, filters, rate limits, queries.</summary>
public sealed class SimulatedVenueOrderTests
{
    [Fact]
    public void Place_CrossingIoc_WalksTwoLevelsWithTakerFees_AndTheTakenQuantityStaysGoneUntilTheLevelUpdates()
    {
        var rig = new VenueRig(fees: new FeeRates(Maker: 0.0002m, Taker: 0.001m));
        rig.Ask(100.01m, 1);
        rig.Ask(100.02m, 2);
        rig.Ask(100.03m, 5);
        var id = rig.Buy(100.02m, 4, OrderType.LimitIoc);
        rig.Elapse(0);

        var fills = rig.Sink.Fills;
        Assert.Equal(2, fills.Count);
        Assert.Equal((P(100.01m), Q(1), Q(1), false), (fills[0].Price, fills[0].Qty, fills[0].CumulativeQty, fills[0].IsMaker));
        Assert.Equal((P(100.02m), Q(2), Q(3), false), (fills[1].Price, fills[1].Qty, fills[1].CumulativeQty, fills[1].IsMaker));
        Assert.Equal(10_001_000L, fills[0].Fee); // 100.01 × 1 × 0.001 = 0.10001 USDT
        Assert.Equal(20_004_000L, fills[1].Fee); // 100.02 × 2 × 0.001 = 0.20004 USDT
        Assert.Equal(Qty.Zero, fills[0].FeeQty);
        Assert.NotEqual(fills[0].TradeId, fills[1].TradeId);
        Assert.IsType<AckReport>(rig.Sink.All[0].Report);
        Assert.Equal(new ExpiredReport(0, id, T0), rig.Sink.Of<ExpiredReport>().Single());

        // What we took is gone from the matching engine's view: a second taker finds nothing at 100.02.
        Assert.Equal(Qty.Zero, rig.Venue.RecordedQty(0, OrderSide.Sell, P(100.02m)));
        rig.Buy(100.02m, 1, OrderType.LimitIoc);
        rig.Elapse(0);
        Assert.Equal(2, rig.Sink.Fills.Count);
        // ... until the recording updates that level.
        rig.Ask(100.02m, 1.5m);
        Assert.Equal(Q(1.5m), rig.Venue.RecordedQty(0, OrderSide.Sell, P(100.02m)));
    }

    [Fact]
    public void Place_CrossingGtcLimit_RestsTheRemainderAtItsPrice()
    {
        var rig = new VenueRig();
        rig.Ask(100.01m, 1);
        var id = rig.Buy(100.01m, 3);
        rig.Elapse(0);
        Assert.Equal(Q(1), Assert.Single(rig.Sink.Fills).Qty);
        Assert.Equal(0m, rig.Ahead(id)); // nothing recorded on the bid at 100.01
        rig.SellTrade(100.01m, 0.5m);
        rig.Elapse(0);
        Assert.Equal((Q(0.5m), Q(1.5m), true), (rig.Sink.Fills[1].Qty, rig.Sink.Fills[1].CumulativeQty, rig.Sink.Fills[1].IsMaker));
    }

    [Fact]
    public void Place_PostOnlyThatWouldTake_IsRejectedAndNothingTrades()
    {
        var rig = new VenueRig();
        rig.Ask(100.01m, 1);
        var id = rig.Buy(100.01m, 1, OrderType.LimitMaker);
        rig.Elapse(0);
        var reject = Assert.Single(rig.Sink.Rejects);
        Assert.Equal((id, CommandKind.Place, RejectReason.WouldTake, -2010), (reject.ClientOrderId, reject.Command, reject.Reason, reject.VenueCode));
        Assert.Empty(rig.Sink.Fills);
        Assert.Equal(Q(1), rig.Venue.RecordedQty(0, OrderSide.Sell, P(100.01m)));
    }

    [Fact]
    public void AmendQty_Reduction_KeepsQueuePriority()
    {
        var rig = new VenueRig();
        rig.Bid(100.00m, 5);
        var id = rig.Buy(100.00m, 3);
        rig.Elapse(0);
        rig.Bid(100.00m, 8); // 3 behind us
        var amended = rig.Amend(id, 2);
        rig.Elapse(0);
        Assert.Equal(new AmendedReport(0, id, amended, Q(2), T0), rig.Sink.Of<AmendedReport>().Single());
        Assert.Equal(5m, rig.Ahead(amended));
        rig.SellTrade(100.00m, 6); // 5 ahead, 1 for us
        rig.Elapse(0);
        var fill = Assert.Single(rig.Sink.Fills);
        Assert.Equal((amended, Q(1)), (fill.ClientOrderId, fill.Qty));
    }

    [Fact]
    public void CancelReplace_ToANewPrice_LosesPriority_AndTheOldOrderIsCancelled()
    {
        var rig = new VenueRig();
        rig.Bid(100.00m, 5);
        rig.Bid(99.99m, 4);
        var id = rig.Buy(100.00m, 3);
        rig.Elapse(0);
        var replacement = rig.CancelReplace(id, OrderSide.Buy, 99.99m, 2);
        rig.Elapse(0);
        Assert.Equal(new CanceledReport(0, id, T0), rig.Sink.Of<CanceledReport>().Single());
        Assert.Contains(rig.Sink.Acks, a => a.ClientOrderId == replacement);
        Assert.Equal(4m, rig.Ahead(replacement)); // behind everything recorded at its price
        rig.SellTrade(99.99m, 4);
        rig.Elapse(0);
        Assert.Empty(rig.Sink.Fills);
    }

    [Fact]
    public void CancelReplace_OfAFilledOrder_IsRejectedAndNoNewOrderIsPlaced()
    {
        var rig = new VenueRig();
        var id = rig.Buy(100.00m, 1);
        rig.Elapse(0);
        rig.SellTrade(99.99m, 1); // through us: filled
        var replacement = rig.CancelReplace(id, OrderSide.Buy, 99.98m, 1);
        rig.Elapse(0);
        var reject = Assert.Single(rig.Sink.Rejects);
        Assert.Equal((id, CommandKind.CancelReplace, RejectReason.UnknownOrder, -2011), (reject.ClientOrderId, reject.Command, reject.Reason, reject.VenueCode));
        Assert.DoesNotContain(rig.Sink.Acks, a => a.ClientOrderId == replacement);
        Assert.Equal(0, rig.Venue.OpenOrders);
    }

    [Fact]
    public void Place_PostOnlyThatDoesNotCross_Rests_AndQueryReportsItCancelledAfterACancel()
    {
        var rig = new VenueRig();
        rig.Ask(100.01m, 1);
        rig.Bid(100.00m, 2);
        var id = rig.Buy(100.00m, 1, OrderType.LimitMaker);
        rig.Elapse(0);
        Assert.Equal(2m, rig.Ahead(id));
        rig.Cancel(id);
        rig.Query(id);
        rig.Elapse(0);
        var status = rig.Sink.Of<OrderStatusReport>().Single();
        Assert.Equal((VenueOrderStatus.Canceled, Qty.Zero), (status.Status, status.CumulativeQty));
    }

    [Fact]
    public void AmendQty_Increase_IsRejectedAndTheOrderIsUnchanged()
    {
        var rig = new VenueRig();
        rig.Bid(100.00m, 5);
        var id = rig.Buy(100.00m, 1);
        rig.Elapse(0);
        rig.Amend(id, 2);
        rig.Elapse(0);
        var reject = Assert.Single(rig.Sink.Rejects);
        Assert.Equal((id, CommandKind.AmendQty, RejectReason.AmendNotAllowed), (reject.ClientOrderId, reject.Command, reject.Reason));
        Assert.Equal(5m, rig.Ahead(id));
    }

    [Fact]
    public void Place_OffTickPrice_IsRejectedAsAPriceFilterFailure()
    {
        var rig = new VenueRig(spec: Specs.BtcUsdt);
        var id = rig.Buy(100.005m, 1);
        rig.Elapse(0);
        var reject = Assert.Single(rig.Sink.Rejects);
        Assert.Equal((id, RejectReason.FilterFailure, -1013), (reject.ClientOrderId, reject.Reason, reject.VenueCode));
        Assert.Contains("PRICE_FILTER", reject.VenueMessage);
        Assert.Equal(0, rig.Venue.OpenOrders);
        Assert.Empty(rig.Sink.Acks);
    }

    [Fact]
    public void Place_BelowMinNotional_IsRejectedAsANotionalFilterFailure()
    {
        var rig = new VenueRig(spec: Specs.BtcUsdt); // min notional 5 USDT
        rig.Buy(100.00m, 0.04m); // 4 USDT
        var ok = rig.Buy(100.00m, 0.05m); // 5 USDT
        rig.Elapse(0);
        var reject = Assert.Single(rig.Sink.Rejects);
        Assert.Equal(RejectReason.FilterFailure, reject.Reason);
        Assert.Contains("NOTIONAL", reject.VenueMessage);
        Assert.Equal(ok, Assert.Single(rig.Sink.Acks).ClientOrderId);
    }

    [Fact]
    public void Place_FiftyFirstOrderInTenSeconds_IsRateLimited_AndTheWindowResetsAfterTenSeconds()
    {
        var rig = new VenueRig();
        for (int i = 0; i < 50; i++)
        {
            rig.Buy(90.00m, 1);
            rig.Elapse(100 * Ms); // 50 orders within 5 s
        }
        var fiftyFirst = rig.Buy(90.00m, 1);
        rig.Elapse(0);
        Assert.Equal(50, rig.Sink.Acks.Count);
        var reject = Assert.Single(rig.Sink.Rejects);
        Assert.Equal((fiftyFirst, RejectReason.RateLimited, -1015), (reject.ClientOrderId, reject.Reason, reject.VenueCode));
        Assert.Equal(T0 + 10_000 * Ms - reject.TimeNs, reject.RetryAfterNs);

        rig.At(T0 + 10_000 * Ms);
        var next = rig.Buy(90.00m, 1);
        rig.Elapse(0);
        Assert.Equal(next, rig.Sink.Acks[^1].ClientOrderId);
        Assert.Single(rig.Sink.Rejects);
    }

    [Fact]
    public void Query_AnswersOpenFilledAndUnknownOrders()
    {
        var rig = new VenueRig();
        rig.Bid(100.00m, 1);
        var open = rig.Buy(100.00m, 2);
        var filled = rig.Buy(99.00m, 1);
        rig.Elapse(0);
        rig.SellTrade(98.99m, 1); // through both: open fills too
        rig.Elapse(0);
        var resting = rig.Buy(90.00m, 1);
        rig.Elapse(0);
        rig.Query(filled);
        rig.Query(resting);
        rig.Query(Id(999));
        rig.Elapse(0);
        var answers = rig.Sink.Of<OrderStatusReport>().ToList();
        Assert.Equal([VenueOrderStatus.Filled, VenueOrderStatus.New, VenueOrderStatus.NotFound], answers.Select(a => a.Status));
        Assert.Equal(Q(1), answers[0].CumulativeQty);
        Assert.Equal(open, rig.Sink.Fills[0].ClientOrderId);
    }

    [Fact]
    public void CancelAll_CancelsEachOpenOrder_AndWithNoneOpenRejectsAsUnknown()
    {
        var rig = new VenueRig();
        var a = rig.Buy(90.00m, 1);
        var b = rig.Sell(110.00m, 1);
        rig.Elapse(0);
        rig.Venue.CancelAll(0, Id(500));
        rig.Elapse(0);
        Assert.Equal([a, b], rig.Sink.Of<CanceledReport>().Select(c => c.ClientOrderId));
        Assert.Equal(0, rig.Venue.OpenOrders);
        rig.Venue.CancelAll(0, Id(501));
        rig.Elapse(0);
        var reject = Assert.Single(rig.Sink.Rejects);
        Assert.Equal((Id(501), CommandKind.Cancel, RejectReason.UnknownOrder), (reject.ClientOrderId, reject.Command, reject.Reason));
    }
}
