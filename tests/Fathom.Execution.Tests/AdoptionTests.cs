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
