using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Strategy.Abstractions;
using Xunit;

namespace Fathom.Execution.Tests;

/// <summary>The FIX 4.4 Appendix D races and the unknown-fate rules, played through the engine.</summary>
public class OrderRaceTests
{
    private const long Bid = Harness.Mid - 100, Ask = Harness.Mid + 100;

    /// <summary>Quotes one bid of 1 BTC and acks it.</summary>
    private static (Harness h, ClientOrderId id) RestingBid()
    {
        var h = new Harness();
        h.Quote(Bid, Harness.OneBtc, Ask, 0);
        var place = h.Single(CommandKind.Place);
        Assert.Equal(OrderType.LimitMaker, place.Type);
        h.Ack(place.ClientOrderId);
        Assert.Empty(h.Drain());
        return (h, place.ClientOrderId);
    }

    private static ClientOrderId CancelIt(Harness h)
    {
        h.Engine.Submit(Intent.CancelAll(0), h.Now);
        var cancel = h.Single(CommandKind.Cancel);
        Assert.NotEqual(cancel.OrigClientOrderId, cancel.ClientOrderId); // a cancel carries its own id
        return cancel.OrigClientOrderId;
    }

    [Fact]
    public void FillAfterCancelRequest_PartialStaysPendingCancel_ThenCanceled()
    {
        var (h, id) = RestingBid();
        CancelIt(h);
        h.Apply(h.Fill(id, OrderSide.Buy, Bid, 300, 300));
        Assert.Equal(OrderState.PendingCancel, h.StateOf(id));
        h.Canceled(id);
        Assert.Equal(OrderState.Canceled, h.StateOf(id));
        Assert.Equal(300, h.Engine.Position(0).Position.Raw);
        Assert.Equal(0, h.Engine.Counters.IllegalTransitions);
        Assert.Equal(0, h.Engine.InFlight(0));
    }

    [Fact]
    public void CancelRejectedBecauseFilled_FillFirst_RejectIsABenignDuplicate()
    {
        var (h, id) = RestingBid();
        CancelIt(h);
        h.Apply(h.Fill(id, OrderSide.Buy, Bid, Harness.OneBtc, Harness.OneBtc));
        Assert.Equal(OrderState.Filled, h.StateOf(id));
        h.Reject(id, CommandKind.Cancel, RejectReason.UnknownOrder);
        Assert.Equal(OrderState.Filled, h.StateOf(id));
        Assert.Equal(0, h.Engine.Counters.IllegalTransitions);
        Assert.Equal(1, h.Engine.Counters.DuplicateReports);
    }

    [Fact]
    public void CancelRejectedUnknownOrder_BeforeTheFill_GoesUnknownThenTheFillResolvesIt()
    {
        var (h, id) = RestingBid();
        CancelIt(h);
        h.Reject(id, CommandKind.Cancel, RejectReason.UnknownOrder);
        Assert.Equal(OrderState.Unknown, h.StateOf(id)); // not "working": it may be filled already
        h.Apply(h.Fill(id, OrderSide.Buy, Bid, Harness.OneBtc, Harness.OneBtc));
        Assert.Equal(OrderState.Filled, h.StateOf(id));
        Assert.Equal(0, h.Engine.Counters.IllegalTransitions);
    }

    [Fact]
    public void CancelRejectedForAnotherReason_ReturnsToWorking()
    {
        var (h, id) = RestingBid();
        CancelIt(h);
        h.Reject(id, CommandKind.Cancel, RejectReason.RateLimited);
        Assert.Equal(OrderState.Accepted, h.StateOf(id));
    }

    [Fact]
    public void FillBeforeAck_LateAckIsADuplicate()
    {
        var h = new Harness();
        h.Quote(Bid, Harness.OneBtc, Ask, 0);
        var id = h.Single(CommandKind.Place).ClientOrderId;
        h.Apply(h.Fill(id, OrderSide.Buy, Bid, 400, 400));
        Assert.Equal(OrderState.PartiallyFilled, h.StateOf(id));
        h.Ack(id);
        Assert.Equal(OrderState.PartiallyFilled, h.StateOf(id));
        Assert.Equal(0, h.Engine.Counters.IllegalTransitions);
        Assert.Equal(0, h.Risk.InFlightCount); // the fill answered the place
    }

    [Fact]
    public void ReplaceCrossingAFill_OldFillsFully_ReplaceRejected_NewLegRejected()
    {
        var (h, id) = RestingBid();
        h.Quote(Bid - 50, Harness.OneBtc, Ask, 0); // beyond tolerance: cancel-replace
        var cr = h.Single(CommandKind.CancelReplace);
        Assert.Equal(id, cr.OrigClientOrderId);
        var newId = cr.NewClientOrderId;
        Assert.Equal(OrderState.PendingReplace, h.StateOf(id));
        Assert.Equal(OrderState.PendingNew, h.StateOf(newId));

        h.Apply(h.Fill(id, OrderSide.Buy, Bid, Harness.OneBtc, Harness.OneBtc));
        Assert.Equal(OrderState.Filled, h.StateOf(id));
        h.Reject(id, CommandKind.CancelReplace, RejectReason.UnknownOrder);
        Assert.Equal(OrderState.Filled, h.StateOf(id));
        Assert.Equal(OrderState.Rejected, h.StateOf(newId));
        Assert.Equal(0, h.Engine.Counters.IllegalTransitions);
        // The quote target still stands and nothing rests: a fresh order goes out at the new price.
        var next = h.Single(CommandKind.Place);
        Assert.Equal(Bid - 50, next.Price.Raw);
        Assert.Equal(1, h.Engine.InFlight(0));
    }

    [Fact]
    public void ReplaceCrossingAPartialFill_BothLegsSucceed()
    {
        var (h, id) = RestingBid();
        h.Quote(Bid - 50, Harness.OneBtc, Ask, 0);
        var cr = h.Single(CommandKind.CancelReplace);
        h.Apply(h.Fill(id, OrderSide.Buy, Bid, 200, 200));
        Assert.Equal(OrderState.PendingReplace, h.StateOf(id));
        h.Canceled(id);
        h.Ack(cr.NewClientOrderId);
        Assert.Equal(OrderState.Canceled, h.StateOf(id));
        Assert.Equal(OrderState.Accepted, h.StateOf(cr.NewClientOrderId));
        Assert.Equal(cr.NewClientOrderId.Sequence, h.Engine.QuoteOrder(0, OrderSide.Buy));
        Assert.Equal(200, h.Engine.Position(0).Position.Raw);
    }

    [Fact]
    public void DuplicateReports_AreCountedNotIllegal_AndDuplicateFillsApplyOnce()
    {
        var (h, id) = RestingBid();
        h.Ack(id);
        var fill = h.Fill(id, OrderSide.Buy, Bid, 300, 300);
        h.Apply(fill);
        h.Apply(fill); // same (symbol, trade id, order id) from the response and the stream
        Assert.Equal(300, h.Engine.Position(0).Position.Raw);
        Assert.Equal(1, h.Engine.Counters.DuplicateFills);
        CancelIt(h);
        h.Canceled(id);
        h.Canceled(id);
        Assert.Equal(2, h.Engine.Counters.DuplicateReports);
        Assert.Equal(0, h.Engine.Counters.IllegalTransitions);
    }

    [Fact]
    public void SelfTrade_TwoFillsWithOneTradeId_BothApplied()
    {
        var h = new Harness();
        h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
        var cmds = h.Drain();
        var bid = cmds.Single(c => c.Side == OrderSide.Buy).ClientOrderId;
        var ask = cmds.Single(c => c.Side == OrderSide.Sell).ClientOrderId;
        h.Ack(bid);
        h.Ack(ask);
        long trade = h.NextTradeId();
        h.Apply(h.Fill(bid, OrderSide.Buy, Bid, 100, 100, trade));
        h.Apply(h.Fill(ask, OrderSide.Sell, Bid, 100, 100, trade));
        Assert.Equal(2, h.Engine.Counters.Fills);
        Assert.Equal(0, h.Engine.Position(0).Position.Raw);
        Assert.Equal(100, h.Engine.Position(0).BuyQty.Raw);
    }

    [Fact]
    public void ReportsForUnknownAndForeignOrders_AreCountedAndTouchNothing()
    {
        var (h, _) = RestingBid();
        h.Ack(new ClientOrderId(7, 3, 999_999));      // ours, never issued
        h.Canceled(ClientOrderId.None);               // foreign (no prefix of ours)
        h.Ack(new ClientOrderId(8, 3, 1));            // another node
        Assert.Equal(1, h.Engine.Counters.UnknownOrderReports);
        Assert.Equal(1, h.Engine.Counters.ForeignReports);
        Assert.Equal(1, h.Engine.Counters.OtherInstanceReports);
        Assert.Empty(h.Drain());
        Assert.Equal(1, h.Engine.LiveOrderCount(0));
    }

    [Fact]
    public void AckForAnEarlierRunsOrder_IsOursAndCancelledOnce()
    {
        // Node 7, epoch 2: the previous run of this instance (the harness runs epoch 3). Its place was in
        // flight when it died, so startup reconciliation did not see it; the venue took it afterwards.
        var (h, live) = RestingBid();
        var orphan = new ClientOrderId(7, 2, 5);
        h.Ack(orphan);
        var cancel = h.Single(CommandKind.Cancel);
        Assert.Equal(orphan, cancel.OrigClientOrderId);
        Assert.Equal(h.VenueId(orphan), cancel.VenueOrderId);
        Assert.Equal((ushort)7, cancel.ClientOrderId.Node);
        Assert.Equal(3u, cancel.ClientOrderId.Epoch); // the cancel is this run's
        Assert.Equal(0, h.Engine.Counters.OtherInstanceReports);
        Assert.Equal(1, h.Engine.Counters.EarlierRunReports);
        Assert.Equal(1, h.Engine.Counters.OrphanCancels);

        h.Ack(orphan); // the stream and the response both report it: one cancel
        Assert.Empty(h.Drain());
        h.Canceled(orphan);
        Assert.Equal(OrderState.Accepted, h.StateOf(live)); // this run's order is untouched
        Assert.Equal(1, h.Engine.LiveOrderCount(0));
    }

    [Fact]
    public void ReconnectListsAnEarlierRunsOpenOrder_CancelledButAnotherInstancesIsNot()
    {
        var (h, _) = RestingBid();
        var orphan = new ClientOrderId(7, 1, 9);
        h.Status(orphan, VenueOrderStatus.PartiallyFilled);
        Assert.Equal(orphan, h.Single(CommandKind.Cancel).OrigClientOrderId);
        h.Status(new ClientOrderId(8, 3, 9), VenueOrderStatus.New);     // another instance: never touched
        h.Status(new ClientOrderId(7, 1, 10), VenueOrderStatus.Canceled); // an earlier run's, already closed
        Assert.Empty(h.Drain());
        Assert.Equal(1, h.Engine.Counters.OtherInstanceReports);
        Assert.Equal(2, h.Engine.Counters.EarlierRunReports);
    }

    [Fact]
    public void EarlierRunsReport_WithTheSequenceOfALiveOrder_DoesNotTouchIt()
    {
        // A restarted reservation can reuse sequence numbers across epochs: the epoch keeps them apart.
        var (h, live) = RestingBid();
        var sameSeq = new ClientOrderId(live.Node, live.Epoch - 1, live.Sequence);
        h.Canceled(sameSeq);
        h.Expired(sameSeq);
        Assert.Equal(OrderState.Accepted, h.StateOf(live));
        Assert.Equal(1, h.Engine.LiveOrderCount(0));
    }

    [Fact]
    public void FillForARetiredOrderOfOurs_StillMovesThePosition()
    {
        var h = new Harness();
        h.Apply(h.Fill(new ClientOrderId(7, 2, 42), OrderSide.Sell, Bid, 250, 250)); // previous epoch
        Assert.Equal(-250, h.Engine.Position(0).Position.Raw);
        Assert.Equal(1, h.Engine.Counters.FillsForUnknownOrders);
    }

    [Fact]
    public void IllegalTransition_IsCountedAndLoggedWithTheEdge()
    {
        var (h, id) = RestingBid();
        h.Expired(id);
        h.Apply(h.Fill(id, OrderSide.Buy, Bid, Harness.OneBtc, Harness.OneBtc)); // completes an expired order: impossible
        Assert.Equal(1, h.Engine.Counters.IllegalTransitions);
        var t = h.Engine.LastIllegal;
        Assert.True(t.Illegal);
        Assert.Equal((OrderState.Expired, OrderEvent.Fill), (t.From, t.Event));
        Assert.Contains(h.Transitions, x => x.Illegal && x.OrderSeq == id.Sequence);
        Assert.Equal(Harness.OneBtc, h.Engine.Position(0).Position.Raw); // the money is still counted
    }

    [Fact]
    public void TimeoutOnPlace_IsNeverResent_ResolvedByQuery_NotFoundIsNotProofUntilTheWindowPasses()
    {
        var h = new Harness();
        h.Quote(Bid, Harness.OneBtc, Ask, 0);
        var id = h.Single(CommandKind.Place).ClientOrderId;
        h.Unknown(id, CommandKind.Place);
        Assert.Equal(OrderState.Unknown, h.StateOf(id));

        // Re-quoting while Unknown sends nothing: never a second order for the same intent.
        h.Quote(Bid, Harness.OneBtc, Ask, 0);
        Assert.Empty(h.Drain());

        h.Advance(600);
        h.Engine.OnTimer(h.Now);
        var q = h.Single(CommandKind.Query);
        Assert.Equal(id, q.OrigClientOrderId);
        h.Status(id, VenueOrderStatus.NotFound);
        Assert.Equal(OrderState.Unknown, h.StateOf(id)); // just after a timeout "does not exist" proves nothing

        for (int i = 0; i < 40 && h.StateOf(id) == OrderState.Unknown; i++)
        {
            h.Advance(1_000);
            h.Engine.OnTimer(h.Now);
            foreach (var c in h.Drain())
            {
                Assert.Equal(CommandKind.Query, c.Kind);
                h.Status(id, VenueOrderStatus.NotFound);
            }
        }
        Assert.Equal(OrderState.Rejected, h.StateOf(id));
        Assert.Equal(1, h.Engine.Counters.NeverReachedVenue);
        Assert.True(h.Engine.Counters.NotFoundUnproven >= 1);
        // Only now, with the old order proven dead, does the quote go out again (a fresh id).
        var again = h.Single(CommandKind.Place);
        Assert.NotEqual(id, again.ClientOrderId);
    }

    [Fact]
    public void TimeoutOnPlace_LongRecvWindow_NotFoundBeforeItHasPassedProvesNothing()
    {
        // recvWindow 60 s: the venue may still take the order 20 s after it was sent, so "not found" then
        // must leave it Unknown (the fixed 15 s window called it never placed and re-quoted beside it).
        var h = new Harness(new ExecutionOptions().WithReceiveWindow(TimeSpan.FromSeconds(60)));
        h.Quote(Bid, Harness.OneBtc, Ask, 0);
        var id = h.Single(CommandKind.Place).ClientOrderId;
        h.Unknown(id, CommandKind.Place);
        h.Advance(20_000);
        h.Engine.OnTimer(h.Now);
        h.Single(CommandKind.Query);
        h.Status(id, VenueOrderStatus.NotFound);
        Assert.Equal(OrderState.Unknown, h.StateOf(id));
        Assert.Equal(0, h.Engine.Counters.NeverReachedVenue);
        Assert.DoesNotContain(h.Drain(), c => c.Kind == CommandKind.Place);

        h.Advance(51_000); // 71 s after it was sent: past recvWindow + margin
        h.Engine.OnTimer(h.Now);
        Assert.Contains(h.Drain(), c => c.Kind == CommandKind.Query);
        h.Status(id, VenueOrderStatus.NotFound);
        Assert.Equal(OrderState.Rejected, h.StateOf(id));
        Assert.Equal(1, h.Engine.Counters.NeverReachedVenue);
    }

    [Fact]
    public void WithReceiveWindow_ShortWindow_KeepsTheDefault()
    {
        Assert.Equal(15_000_000_000, new ExecutionOptions().WithReceiveWindow(TimeSpan.FromSeconds(5)).UnknownProofWindowNs);
        Assert.Equal(40_000_000_000, new ExecutionOptions().WithReceiveWindow(TimeSpan.FromSeconds(30)).UnknownProofWindowNs);
    }

    [Fact]
    public void PlaceAnswerLost_ReconnectListingShowsItOpen_AckedByTheListing_ThenCancellable()
    {
        var h = new Harness();
        h.Quote(Bid, Harness.OneBtc, Ask, 0);
        var id = h.Single(CommandKind.Place).ClientOrderId;
        Assert.Equal(OrderState.PendingNew, h.StateOf(id));
        // No answer ever comes (lost with the connection); the reconnect's listing of open orders names it.
        h.Status(id, VenueOrderStatus.New);
        Assert.Equal(OrderState.Accepted, h.StateOf(id));
        Assert.Equal(1, h.Engine.Counters.AckedByListing);
        Assert.Equal(0, h.Engine.Counters.StaleQueryResults);
        h.Ack(id); // the answer after all: a duplicate
        Assert.Equal(OrderState.Accepted, h.StateOf(id));
        // Held PendingNew it could not be cancelled (the cancel waits for the answer); acked, it can.
        h.Engine.Submit(Fathom.Strategy.Abstractions.Intent.CancelAll(0), h.Now);
        Assert.Equal(id, h.Single(CommandKind.Cancel).OrigClientOrderId);
        // A listing for an order whose cancel is in flight changes nothing: the stream is fresher.
        h.Status(id, VenueOrderStatus.New);
        Assert.Equal(OrderState.PendingCancel, h.StateOf(id));
        Assert.Equal(1, h.Engine.Counters.StaleQueryResults);
        Assert.Equal(1, h.Engine.Counters.AckedByListing);
    }

    [Fact]
    public void QuerySaysFilled_BeforeItsFills_PositionFollowsTheFillsOnceEach()
    {
        var h = new Harness();
        h.Quote(Bid, Harness.OneBtc, Ask, 0);
        var id = h.Single(CommandKind.Place).ClientOrderId;
        h.Unknown(id, CommandKind.Place);
        h.Advance(600);
        h.Engine.OnTimer(h.Now);
        h.Single(CommandKind.Query);
        // "FILLED, executed 1 BTC" with no fill seen: no price, so no position from it; the order waits.
        h.Engine.OnOrderStatus(new OrderStatusReport(0, id, VenueOrderStatus.Filled, h.VenueId(id), new Qty(Harness.OneBtc), h.Now), h.Now);
        Assert.Equal(OrderState.Unknown, h.StateOf(id));
        Assert.Equal(1, h.Engine.Counters.QueryFillsMissing);
        Assert.Equal(0, h.Engine.Position(0).Position.Raw);
        h.Advance(2_000);
        h.Engine.OnTimer(h.Now);
        Assert.Contains(h.Drain(), c => c.Kind == CommandKind.Query); // asked again until the fills are in

        // The order's trades (the gateway reads them with the answer) and later the stream's copies.
        var first = h.Fill(id, OrderSide.Buy, Bid, Harness.OneBtc / 4, 0);
        var second = h.Fill(id, OrderSide.Buy, Bid, Harness.OneBtc - Harness.OneBtc / 4, 0);
        h.Apply(first);
        h.Apply(second);
        Assert.Equal(OrderState.Filled, h.StateOf(id));
        Assert.Equal(Harness.OneBtc, h.Engine.Position(0).Position.Raw);
        h.Apply(first);
        h.Apply(second);
        h.Engine.OnOrderStatus(new OrderStatusReport(0, id, VenueOrderStatus.Filled, h.VenueId(id), new Qty(Harness.OneBtc), h.Now), h.Now);
        Assert.Equal(Harness.OneBtc, h.Engine.Position(0).Position.Raw); // never counted twice
        Assert.Equal(2, h.Engine.Counters.DuplicateFills);
        Assert.Equal(OrderState.Filled, h.StateOf(id));
    }

    [Fact]
    public void TimeoutOnPlace_QueryFindsIt_OrderIsAdopted()
    {
        var h = new Harness();
        h.Quote(Bid, Harness.OneBtc, Ask, 0);
        var id = h.Single(CommandKind.Place).ClientOrderId;
        h.Unknown(id, CommandKind.Place);
        h.Advance(600);
        h.Engine.OnTimer(h.Now);
        h.Single(CommandKind.Query);
        h.Status(id, VenueOrderStatus.New);
        Assert.Equal(OrderState.Accepted, h.StateOf(id));
        Assert.Empty(h.Drain()); // the quote target is already met by the adopted order
    }

    [Fact]
    public void CancelAll_WhileOrderBusy_IsRememberedAndSentWhenTheAckArrives()
    {
        var h = new Harness();
        h.Quote(Bid, Harness.OneBtc, Ask, 0);
        var id = h.Single(CommandKind.Place).ClientOrderId;
        h.Engine.Submit(Intent.CancelAll(0), h.Now);
        Assert.Empty(h.Drain()); // nothing on top of a command in flight
        h.Ack(id);
        var cancel = h.Single(CommandKind.Cancel);
        Assert.Equal(id, cancel.OrigClientOrderId);
    }

    [Fact]
    public void Amend_RenamesTheOrder_ReportsByTheNewIdFindIt()
    {
        var (h, id) = RestingBid();
        h.Quote(Bid, 600, Ask, 0);
        var amend = h.Single(CommandKind.AmendQty);
        Assert.Equal(600, amend.Qty.Raw);
        Assert.Equal(OrderState.PendingReplace, h.StateOf(id));
        h.Engine.OnAmended(new AmendedReport(0, id, amend.ClientOrderId, new Qty(600), h.Now), h.Now);
        h.Engine.OnAmended(new AmendedReport(0, id, amend.ClientOrderId, new Qty(600), h.Now), h.Now); // response + stream
        Assert.Equal(OrderState.Accepted, h.StateOf(id));
        h.Apply(h.Fill(amend.ClientOrderId, OrderSide.Buy, Bid, 600, 600));
        Assert.Equal(OrderState.Filled, h.StateOf(id));
        Assert.Equal(0, h.Engine.Counters.IllegalTransitions);
    }
}
