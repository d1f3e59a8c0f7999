using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Xunit;

namespace Fathom.Execution.Tests;

/// <summary>
/// Restart: an earlier run's open orders are adopted into the table (kept as quotes or cancelled, tracked
/// either way), and the store's open orders the venue no longer lists are recovered as Unknown and queried.
/// </summary>
public class AdoptionTests
{
    // The harness runs node 7, epoch 3; an earlier run of the same instance used epoch 2 and lower sequences.
    private static ClientOrderId Earlier(long seq, uint epoch = 2) => new(7, epoch, seq);

    // Post-only (LIMIT_MAKER), as the market maker quotes.
    private static VenueOpenOrder Listed(ClientOrderId id, OrderSide side, long price, long qty, long filled = 0, long venueId = 9_000, long updatedNs = 1_000) =>
        new(new OrderStatusReport(0, id, filled > 0 ? VenueOrderStatus.PartiallyFilled : VenueOrderStatus.New, venueId, new Qty(filled), updatedNs),
            side, OrderType.LimitMaker, new Price(price), new Qty(qty));

    private static PersistedOrder Stored(ClientOrderId id, ClientOrderId current, OrderSide side, long price, long qty, long venueId, long filled = 0) =>
        new(id.Sequence, id, current, venueId, Harness.Btc.Symbol, side, OrderType.Limit, new Price(price), new Qty(qty), new Qty(filled), OrderState.Accepted, 0);

    private static FillReport FillOf(ClientOrderId id, long venueId, long tradeId, OrderSide side, long qty, long timeNs, long cumulative = 0) =>
        new(0, id, venueId, tradeId, side, new Price(Harness.Mid - 50), new Qty(qty), new Qty(cumulative), 0, Qty.Zero, true, timeNs);

    [Fact]
    public void Adopt_KeptQuote_IsKeptByTheStrategysQuoteAtThatPrice()
    {
        var h = new Harness();
        var id = Earlier(10_000);
        Assert.True(h.Engine.Adopt(Listed(id, OrderSide.Buy, Harness.Mid - 50, Harness.OneBtc), null, keep: true, h.Now));
        Assert.Empty(h.Drain());
        Assert.Equal(1, h.Engine.LiveOrderCount(0));
        Assert.Equal(OrderState.Accepted, h.StateOf(id));
        Assert.Equal(id.Sequence, h.Engine.QuoteOrder(0, OrderSide.Buy));

        // The strategy's first quote at the adopted price keeps it (queue priority): only the ask is placed.
        h.Quote(Harness.Mid - 50, Harness.OneBtc, Harness.Mid + 50, Harness.OneBtc);
        var place = h.Single(CommandKind.Place);
        Assert.Equal(OrderSide.Sell, place.Side);
        Assert.Equal(1, h.Engine.Counters.QuotesKept);

        // Its reports resolve to it: a fill moves the position and the order, the cancel ends it.
        h.Apply(FillOf(id, 9_000, 77, OrderSide.Buy, 400, h.Now + 1_000_000_000_000));
        Assert.Equal(400, h.Engine.Position(0).Position.Raw);
        Assert.Equal(OrderState.PartiallyFilled, h.StateOf(id));
        h.Canceled(id);
        Assert.Equal(OrderState.Canceled, h.StateOf(id));
        Assert.Equal(0, h.Engine.Counters.EarlierRunReports);
    }

    [Fact]
    public void Adopt_NotKept_IsCancelledThroughTheTableAndTracked()
    {
        var h = new Harness();
        var id = Earlier(10_001);
        Assert.False(h.Engine.Adopt(Listed(id, OrderSide.Sell, Harness.Mid + 80, 500, venueId: 9_001), null, keep: false, h.Now));
        var cancel = h.Single(CommandKind.Cancel);
        Assert.Equal(id, cancel.OrigClientOrderId);
        Assert.Equal(9_001, cancel.VenueOrderId);
        Assert.Equal(OrderState.PendingCancel, h.StateOf(id));
        h.Canceled(id);
        Assert.Equal(OrderState.Canceled, h.StateOf(id));
        Assert.Equal(0, h.Engine.LiveOrderCount(0));
        Assert.Equal(1, h.Engine.Counters.AdoptedCancels);
    }

    [Fact]
    public void Adopt_SecondOrderOnASide_IsCancelled()
    {
        var h = new Harness();
        Assert.True(h.Engine.Adopt(Listed(Earlier(10_002), OrderSide.Buy, Harness.Mid - 50, 500, venueId: 1), null, keep: true, h.Now));
        Assert.False(h.Engine.Adopt(Listed(Earlier(10_003), OrderSide.Buy, Harness.Mid - 60, 500, venueId: 2), null, keep: true, h.Now));
        var cancel = h.Single(CommandKind.Cancel);
        Assert.Equal(Earlier(10_003), cancel.OrigClientOrderId);
        Assert.Equal(10_002, h.Engine.QuoteOrder(0, OrderSide.Buy));
    }

    [Fact]
    public void Adopt_AmendedOrder_KeepsItsStoredIdentityAndResolvesTheVenuesCurrentId()
    {
        var h = new Harness();
        var original = Earlier(10_010);
        var current = Earlier(10_011); // a keep-priority amend renamed it
        var stored = Stored(original, current, OrderSide.Buy, Harness.Mid - 50, 800, 9_010);
        Assert.True(h.Engine.Adopt(Listed(current, OrderSide.Buy, Harness.Mid - 50, 800, venueId: 9_010), stored, keep: true, h.Now));
        // The table row is the stored order (its sequence), so the store goes on updating the same row.
        Assert.Equal(OrderState.Accepted, h.StateOf(original));
        Assert.Contains(h.Transitions, t => t.OrderSeq == original.Sequence && t.Event == OrderEvent.Adopt);
        // A report naming the current id lands on it.
        h.Canceled(current);
        Assert.Equal(OrderState.Canceled, h.StateOf(original));
        Assert.Equal(0, h.Engine.Counters.EarlierRunReports);
    }

    [Fact]
    public void Adopt_FillsBeforeTheListing_MovePositionOnlyAndAreNotCountedTwiceInTheOrder()
    {
        var h = new Harness();
        var id = Earlier(10_020);
        const long listedAt = 5_000_000_000;
        Assert.True(h.Engine.Adopt(Listed(id, OrderSide.Buy, Harness.Mid - 50, 1_000, filled: 300, venueId: 9_020, updatedNs: listedAt), null, keep: true, h.Now));
        Assert.Equal(OrderState.PartiallyFilled, h.StateOf(id));
        // The missed-fill fetch reports the fill the listing already counted: position yes, order no.
        h.Apply(FillOf(id, 9_020, 500, OrderSide.Buy, 300, listedAt));
        Assert.Equal(300, h.Engine.Position(0).Position.Raw);
        Assert.True(h.Engine.TryGetOrder(id.Sequence, out var view));
        Assert.Equal(300, view.Filled.Raw);
        // A later fill adds to both; the rest completes it.
        h.Apply(FillOf(id, 9_020, 501, OrderSide.Buy, 200, listedAt + 1));
        Assert.True(h.Engine.TryGetOrder(id.Sequence, out view));
        Assert.Equal(500, view.Filled.Raw);
        h.Apply(FillOf(id, 9_020, 502, OrderSide.Buy, 500, listedAt + 2));
        Assert.Equal(OrderState.Filled, h.StateOf(id));
        Assert.Equal(1_000, h.Engine.Position(0).Position.Raw);
        Assert.Equal(0, h.Engine.Counters.Overfills);
    }

    [Fact]
    public void Recover_AcknowledgedOrderTheVenueNoLongerLists_IsQueriedAndSettledByTheAnswer()
    {
        var h = new Harness();
        var id = Earlier(10_030);
        Assert.True(h.Engine.Recover(Stored(id, id, OrderSide.Sell, Harness.Mid + 50, 700, h.VenueId(id)), h.Now));
        Assert.Equal(OrderState.Unknown, h.StateOf(id));
        Assert.Equal(1, h.Engine.InFlight(0)); // busy: nothing is sent for it until it is settled
        h.Engine.OnTimer(h.Now);
        var query = h.Single(CommandKind.Query);
        Assert.Equal(id, query.OrigClientOrderId);
        h.Status(id, VenueOrderStatus.Canceled);
        Assert.Equal(OrderState.Canceled, h.StateOf(id));
        Assert.Equal(0, h.Engine.LiveOrderCount(0));
    }

    [Fact]
    public void Recover_OrderNeverAcknowledged_IsProvenNeverPlacedOnlyAfterTheReceiveWindowFromNow()
    {
        var h = new Harness();
        var id = Earlier(10_031);
        Assert.True(h.Engine.Recover(Stored(id, id, OrderSide.Buy, Harness.Mid - 50, 700, venueId: 0), h.Now));
        h.Engine.OnTimer(h.Now);
        h.Single(CommandKind.Query);
        h.Status(id, VenueOrderStatus.NotFound);
        Assert.Equal(OrderState.Unknown, h.StateOf(id)); // too soon: the request may still be in the venue's queue
        h.Advance(new ExecutionOptions().UnknownProofWindowNs / 1_000_000 + 1);
        h.Status(id, VenueOrderStatus.NotFound);
        Assert.Equal(OrderState.Rejected, h.StateOf(id));
    }

    /// <summary>This run's bid of 1 000, acknowledged, with an amend down to 400 sent and not yet answered.</summary>
    private static (Harness H, ClientOrderId Id, OrderCommand Amend) AmendInFlight()
    {
        var h = new Harness();
        h.Quote(Harness.Mid - 50, Harness.OneBtc, Harness.Mid + 50, 0);
        var id = h.Single(CommandKind.Place).ClientOrderId;
        h.Ack(id);
        h.Quote(Harness.Mid - 50, 400, Harness.Mid + 50, 0);
        return (h, id, h.Single(CommandKind.AmendQty));
    }

    private static OrderStatusReport Answer(ClientOrderId asked, VenueOrderStatus status, long venueId, long cumulative, long timeNs, ClientOrderId venueName) =>
        new(0, asked, status, venueId, new Qty(cumulative), timeNs, venueName);

    [Fact]
    public void Recover_OrderAnAmendRenamedBeforeTheCrash_TakesTheVenuesIdEvenWhenItsFillsSettledItFirst()
    {
        // The run died with an amend the store never recorded: the venue renamed the order, then it filled. The
        // restart recovers it under its stored id; the answer's trades arrive first under that id (the gateway maps
        // the venue order id back to the id it asked about) and fill it; the answer itself then names the venue's id.
        var h = new Harness();
        var id = Earlier(10_060);
        var renamed = Earlier(10_061);
        Assert.True(h.Engine.Recover(Stored(id, id, OrderSide.Buy, Harness.Mid - 50, 800, 9_060), h.Now));
        h.Engine.OnTimer(h.Now);
        Assert.Equal(id, h.Single(CommandKind.Query).OrigClientOrderId);
        h.Apply(FillOf(id, 9_060, 600, OrderSide.Buy, 800, h.Now));
        Assert.Equal(OrderState.Filled, h.StateOf(id));

        h.Engine.OnOrderStatus(Answer(id, VenueOrderStatus.Filled, 9_060, 800, h.Now, renamed), h.Now);
        var last = h.Transitions[^1];
        Assert.Equal((OrderEvent.Renamed, OrderState.Filled, OrderState.Filled), (last.Event, last.From, last.To));
        Assert.Equal(renamed, last.CurrentClientId); // the store's row binds the venue's order to the id it carries
        Assert.Equal(id, last.ClientId);
        Assert.False(last.Illegal);
        Assert.Equal(1, h.Engine.Counters.RenamedByVenue);
        Assert.Equal(0, h.Engine.Counters.DuplicateReports);
        Assert.Equal(800, h.Engine.Position(0).Position.Raw);
    }

    [Fact]
    public void Recover_OrderAnAmendReducedAndTheVenueFilled_FillUnderTheVenuesIdFindsIt_AndTheAnswerEndsIt()
    {
        // The amend the store missed renamed the order and cut it from 800 to 600; the venue filled the 600 while we
        // were down. The missed fill names the venue's id, which the table does not know: it finds the order by the
        // venue's order id and renames it. A fill of a recovered order is history: it stays Unknown (a partial fill of
        // the 800 we hold would put it back to working and stop its query), and the query's FILLED ends it at 600.
        var h = new Harness();
        var id = Earlier(10_067);
        var renamed = Earlier(10_068);
        Assert.True(h.Engine.Recover(Stored(id, id, OrderSide.Buy, Harness.Mid - 50, 800, 9_067), h.Now));
        h.Apply(FillOf(renamed, 9_067, 610, OrderSide.Buy, 600, h.Now));
        Assert.Equal(OrderState.Unknown, h.StateOf(id));
        Assert.Equal((OrderEvent.Renamed, renamed), (h.Transitions[^1].Event, h.Transitions[^1].CurrentClientId));
        Assert.Equal(0, h.Engine.Counters.FillsForUnknownOrders);
        h.Engine.OnTimer(h.Now);
        Assert.Equal(renamed, h.Single(CommandKind.Query).OrigClientOrderId);
        h.Engine.OnOrderStatus(Answer(renamed, VenueOrderStatus.Filled, 9_067, 600, h.Now, renamed), h.Now);
        Assert.Equal(OrderState.Filled, h.StateOf(id));
        Assert.True(h.Engine.TryGetOrder(id.Sequence, out var view));
        Assert.Equal((600, 600), (view.Quantity.Raw, view.Filled.Raw));
        Assert.Equal((OrderEvent.Fill, renamed), (h.Transitions[^1].Event, h.Transitions[^1].CurrentClientId));
        Assert.Equal(0, h.Engine.LiveOrderCount(0));
        Assert.Equal(600, h.Engine.Position(0).Position.Raw);
        Assert.Equal(1, h.Engine.Counters.RenamedByVenue);
    }

    [Fact]
    public void Recover_FillOfAnotherOrderOfOursByVenueId_IsNotTaken()
    {
        var h = new Harness();
        var id = Earlier(10_070);
        Assert.True(h.Engine.Recover(Stored(id, id, OrderSide.Buy, Harness.Mid - 50, 800, 9_070), h.Now));
        h.Apply(FillOf(Earlier(10_071), 9_071, 630, OrderSide.Buy, 100, h.Now)); // another venue order
        Assert.Equal(1, h.Engine.Counters.FillsForUnknownOrders);
        Assert.True(h.Engine.TryGetOrder(id.Sequence, out var view));
        Assert.Equal(0, view.Filled.Raw);
        Assert.Equal(0, h.Engine.Counters.RenamedByVenue);
    }

    [Fact]
    public void PlaceTimedOut_AnswerSayingFilled_WithFillsNotYetSeen_IsLeftToTheFills_WithAllSeen_EndsIt()
    {
        var h = new Harness();
        h.Quote(Harness.Mid - 50, 800, Harness.Mid + 50, 0);
        var id = h.Single(CommandKind.Place).ClientOrderId;
        h.Unknown(id, CommandKind.Place);
        h.Advance(new ExecutionOptions().QueryDelayNs / 1_000_000 + 1);
        h.Engine.OnTimer(h.Now);
        h.Drain().Single(c => c.Kind == CommandKind.Query);
        h.Apply(h.Fill(id, OrderSide.Buy, Harness.Mid - 50, 300, 300)); // the stream: it rests, partly filled
        Assert.Equal(OrderState.PartiallyFilled, h.StateOf(id));
        h.Engine.OnOrderStatus(Answer(id, VenueOrderStatus.Filled, h.VenueId(id), 800, h.Now, id), h.Now);
        Assert.Equal(OrderState.PartiallyFilled, h.StateOf(id)); // 500 more to come as fills: they end it, with their prices
        Assert.Equal(0, h.Engine.Counters.FilledByAnswer);
        h.Engine.OnOrderStatus(Answer(id, VenueOrderStatus.Filled, h.VenueId(id), 300, h.Now, id), h.Now);
        Assert.Equal(OrderState.Filled, h.StateOf(id)); // the venue decremented it (STP) and filled the rest: FILLED is final
        Assert.Equal(1, h.Engine.Counters.FilledByAnswer);
        Assert.True(h.Engine.TryGetOrder(id.Sequence, out var view));
        Assert.Equal(300, view.Quantity.Raw);
    }

    [Fact]
    public void AmendWhoseAnswerWasLost_AFillUnderTheAmendsId_TakesItsIdAndSize_AndCompletesIt()
    {
        var (h, id, amend) = AmendInFlight();
        h.Unknown(amend.ClientOrderId, CommandKind.AmendQty);
        Assert.Equal(OrderState.Unknown, h.StateOf(id));
        h.Apply(h.Fill(amend.ClientOrderId, OrderSide.Buy, Harness.Mid - 50, 400, 400));
        Assert.Equal(OrderState.Filled, h.StateOf(id)); // 400 of the 400 it became, not of the 1 000 it was
        var last = h.Transitions.Last(t => t.OrderSeq == id.Sequence);
        Assert.Equal((OrderEvent.Fill, amend.ClientOrderId, 400L), (last.Event, last.CurrentClientId, last.Qty.Raw));
        Assert.Equal(1, h.Engine.Counters.RenamedByVenue);
    }

    [Fact]
    public void AmendAnsweredAfterItsWholeNewSizeFilled_TheOrderEndsFilledUnderTheAmendsId()
    {
        // The venue took the amend (1 000 → 400), then filled the 400. The stream's REPLACED was lost (a reconnect), so
        // the fill (fetched, named by the id we knew) came first and read as partial against the 1 000 we held.
        var (h, id, amend) = AmendInFlight();
        h.Apply(h.Fill(id, OrderSide.Buy, Harness.Mid - 50, 400, 400));
        Assert.Equal(OrderState.PendingReplace, h.StateOf(id));
        h.Engine.OnAmended(new AmendedReport(0, id, amend.ClientOrderId, new Qty(400), h.Now), h.Now);
        Assert.Equal(OrderState.Filled, h.StateOf(id)); // not working with nothing left
        var last = h.Transitions.Last(t => t.OrderSeq == id.Sequence);
        Assert.Equal((OrderEvent.Fill, amend.ClientOrderId, 400L), (last.Event, last.CurrentClientId, last.Qty.Raw));
        Assert.NotEqual(id.Sequence, h.Engine.QuoteOrder(0, OrderSide.Buy)); // the quote slot is free for a new bid
    }

    [Fact]
    public void AmendAnsweredAfterTheVenueCancelledTheOrder_TheCanceledOrderTakesTheAmendsId()
    {
        var (h, id, amend) = AmendInFlight();
        h.Canceled(amend.ClientOrderId); // the venue cancelled it (after the amend took effect: the report names the new id)
        Assert.Equal(OrderState.Canceled, h.StateOf(id));
        h.Engine.OnAmended(new AmendedReport(0, id, amend.ClientOrderId, new Qty(400), h.Now), h.Now);
        var last = h.Transitions.Last(t => t.OrderSeq == id.Sequence);
        Assert.Equal((OrderEvent.Replaced, OrderState.Canceled, false, amend.ClientOrderId), (last.Event, last.To, last.Illegal, last.CurrentClientId));
        Assert.Equal(0, h.Engine.Counters.IllegalTransitions);
    }

    [Fact]
    public void AmendInFlight_AFillUnderTheAmendsIdFirst_LeavesTheAmendsAnswerToRenameIt()
    {
        var (h, id, amend) = AmendInFlight();
        h.Apply(h.Fill(amend.ClientOrderId, OrderSide.Buy, Harness.Mid - 50, 100, 100)); // the stream beats the answer
        Assert.Equal(OrderState.PendingReplace, h.StateOf(id));
        h.Engine.OnAmended(new AmendedReport(0, id, amend.ClientOrderId, new Qty(400), h.Now), h.Now);
        Assert.Equal(OrderState.PartiallyFilled, h.StateOf(id));
        Assert.True(h.Engine.TryGetOrder(id.Sequence, out var view));
        Assert.Equal(400, view.Quantity.Raw);
        Assert.Equal(0, h.Engine.Counters.RenamedByVenue);
        Assert.Equal(0, h.Engine.Counters.DuplicateReports);
    }

    [Fact]
    public void Recover_AnswerNamingTheVenuesId_MapsTheStreamsReportsUnderThatIdToTheOrder()
    {
        var h = new Harness();
        var id = Earlier(10_062);
        var renamed = Earlier(10_063);
        Assert.True(h.Engine.Recover(Stored(id, id, OrderSide.Sell, Harness.Mid + 50, 800, 9_062), h.Now));
        h.Engine.OnTimer(h.Now);
        h.Single(CommandKind.Query);
        h.Engine.OnOrderStatus(Answer(id, VenueOrderStatus.New, 9_062, 0, h.Now, renamed), h.Now);
        Assert.Equal(OrderState.Accepted, h.StateOf(id));
        Assert.Equal(renamed, h.Transitions[^1].CurrentClientId);
        // The venue's stream names it by the id it carries now: that reaches the order, not the orphan path.
        h.Canceled(renamed);
        Assert.Equal(OrderState.Canceled, h.StateOf(id));
        Assert.Equal(0, h.Engine.Counters.EarlierRunReports);
        Assert.Empty(h.Drain());
    }

    [Fact]
    public void Recover_AnswerNamingAnEarlierIdOrSomeoneElses_ChangesNothing()
    {
        var h = new Harness();
        var id = Earlier(10_065);
        var current = Earlier(10_066);
        Assert.True(h.Engine.Recover(Stored(id, current, OrderSide.Buy, Harness.Mid - 50, 800, 9_065), h.Now));
        h.Engine.OnTimer(h.Now);
        h.Single(CommandKind.Query);
        h.Engine.OnOrderStatus(Answer(current, VenueOrderStatus.New, 9_065, 0, h.Now, Earlier(10_064)), h.Now);
        Assert.Equal(current, h.Transitions[^1].CurrentClientId);
        h.Engine.OnOrderStatus(Answer(current, VenueOrderStatus.New, 9_065, 0, h.Now, new ClientOrderId(8, 2, 10_090)), h.Now);
        Assert.Equal(current, h.Transitions[^1].CurrentClientId);
        Assert.Equal(0, h.Engine.Counters.RenamedByVenue);
    }

    [Fact]
    public void AmendWhoseAnswerWasLost_TheQuerysAnswerNamingTheAmendsId_TakesTheAmendsIdAndSize()
    {
        var (h, id, amend) = AmendInFlight();
        h.Unknown(amend.ClientOrderId, CommandKind.AmendQty);
        Assert.Equal(OrderState.Unknown, h.StateOf(id));
        h.Advance(new ExecutionOptions().QueryDelayNs / 1_000_000 + 1);
        h.Engine.OnTimer(h.Now);
        var query = h.Drain().Single(c => c.Kind == CommandKind.Query);
        h.Engine.OnOrderStatus(Answer(query.OrigClientOrderId, VenueOrderStatus.New, h.VenueId(id), 0, h.Now, amend.ClientOrderId), h.Now);
        Assert.Equal(OrderState.Accepted, h.StateOf(id));
        Assert.True(h.Engine.TryGetOrder(id.Sequence, out var view));
        Assert.Equal(400, view.Quantity.Raw); // the amend took effect: the order is its size now
        Assert.Equal(amend.ClientOrderId, h.Transitions[^1].CurrentClientId);
        Assert.Equal(1, h.Engine.Counters.RenamedByVenue);
        // The quote wants 400: nothing more is sent for it, and a cancel names the id the venue knows.
        h.Quote(Harness.Mid - 50, 400, Harness.Mid + 50, 0);
        Assert.Empty(h.Drain());
        h.Engine.Submit(Fathom.Strategy.Abstractions.Intent.CancelAll(0), h.Now);
        Assert.Equal(amend.ClientOrderId, h.Single(CommandKind.Cancel).OrigClientOrderId);
    }

    [Fact]
    public void Adopt_KeptQuoteWithNoQuoteTargetWithinTheGrace_IsCancelled()
    {
        var h = new Harness();
        var id = Earlier(10_040);
        Assert.True(h.Engine.Adopt(Listed(id, OrderSide.Buy, Harness.Mid - 50, 500), null, keep: true, h.Now));
        h.Engine.OnTimer(h.Now);
        Assert.Empty(h.Drain());
        h.Advance(new ExecutionOptions().AdoptGraceNs / 1_000_000 + 1);
        h.Engine.OnTimer(h.Now);
        Assert.Equal(id, h.Single(CommandKind.Cancel).OrigClientOrderId);
    }

    [Fact]
    public void Adopt_AnotherInstancesOrder_IsNeverTaken()
    {
        var h = new Harness();
        var other = new ClientOrderId(8, 2, 10_050);
        Assert.False(h.Engine.Adopt(Listed(other, OrderSide.Buy, Harness.Mid - 50, 500), null, keep: true, h.Now));
        Assert.Equal(0, h.Engine.LiveOrderCount(0));
        Assert.Empty(h.Drain());
    }

    [Fact]
    public void EarlierRunOfTheSameEpoch_IsToldApartBySequence_AndAnUnadoptedOrphanIsCancelled()
    {
        var h = new Harness(new ExecutionOptions(), null);
        h.Reservation.Reserve(10_000); // an earlier run in this same minute used sequences below this run's
        h.Quote(Harness.Mid - 50, 500, Harness.Mid + 50, 500); // this run's first ids
        h.Drain();
        var orphan = Earlier(9_999, epoch: 3);
        h.Engine.OnAck(new AckReport(0, orphan, 4_242, h.Now), h.Now);
        var cancel = h.Single(CommandKind.Cancel);
        Assert.Equal(orphan, cancel.OrigClientOrderId);
        Assert.Equal(1, h.Engine.Counters.OrphanCancels);
    }

    [Fact]
    public void RiskHaltLifted_TheStandingQuoteTargetIsQuotedAgain_WithoutANewIntent()
    {
        var h = new Harness();
        h.Quote(Harness.Mid - 50, 500, Harness.Mid + 50, 500);
        var places = h.Drain();
        Assert.Equal(2, places.Length);
        foreach (var p in places)
            h.Ack(p.ClientOrderId);
        h.Risk.OperatorHalt(h.Now);
        h.Engine.OnTimer(h.Now);
        var cancels = h.Drain();
        Assert.Equal(2, cancels.Count(c => c.Kind == CommandKind.Cancel));
        foreach (var c in cancels)
            h.Canceled(c.OrigClientOrderId);
        h.Engine.OnTimer(h.Now);
        Assert.Empty(h.Drain()); // halted: nothing goes out
        h.Risk.OperatorResume(h.Now);
        h.Engine.OnTimer(h.Now);
        var again = h.Drain();
        Assert.Equal(2, again.Count(c => c.Kind == CommandKind.Place));
    }
}
