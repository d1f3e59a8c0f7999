using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Xunit;

namespace Fathom.Execution.Tests;

/// <summary>
/// Lease scope nodes (issue 17): after a takeover, the nodes that held this instance's scope before
/// (<see cref="ClientOrderIdGenerator.AddScopeNode"/>) are ours for the position (their fills count) and
/// their open orders are zombies: cancelled by id, never adopted into the table. Other nodes stay foreign.
/// </summary>
public class ScopeNodeTests
{
    // The harness runs node 7, epoch 3; node 5 held the scope before it, node 9 is another scope's.
    private const ushort Predecessor = 5, Foreign = 9;

    private static ClientOrderId Of(ushort node, long seq, uint epoch = 2) => new(node, epoch, seq);

    private static FillReport FillOf(Harness h, ClientOrderId id, long qty, long tradeId) =>
        new(0, id, 8_000 + id.Sequence, tradeId, OrderSide.Buy, new Price(Harness.Mid - 50), new Qty(qty), new Qty(qty), 0, Qty.Zero, true, h.Now);

    private static VenueOpenOrder Listed(ClientOrderId id, long venueId = 9_000) =>
        new(new OrderStatusReport(0, id, VenueOrderStatus.New, venueId, Qty.Zero, 1_000),
            OrderSide.Buy, OrderType.LimitMaker, new Price(Harness.Mid - 50), new Qty(Harness.OneBtc));

    [Fact]
    public void FillOfAScopeNode_MovesThePosition_WithoutTheScopeNodeItDoesNot()
    {
        var h = new Harness();
        h.Ids.AddScopeNode(Predecessor);
        Assert.True(h.Engine.IsOwnOrder(Of(Predecessor, 40)));
        Assert.False(h.Engine.IsSelfOrder(Of(Predecessor, 40)));
        h.Apply(FillOf(h, Of(Predecessor, 40), 400, 1));
        Assert.Equal(400, h.Engine.Position(0).Position.Raw);
        Assert.Equal(1, h.Engine.Counters.Fills);
        Assert.Equal(0, h.Engine.LiveOrderCount(0)); // position only: the order is not ours to track

        var without = new Harness();
        Assert.False(without.Engine.IsOwnOrder(Of(Predecessor, 40)));
        without.Apply(FillOf(without, Of(Predecessor, 40), 400, 1));
        Assert.Equal(0, without.Engine.Position(0).Position.Raw);
        Assert.Equal(1, without.Engine.Counters.OtherInstanceReports);

        // A node outside the scope stays foreign even when another scope node was added.
        h.Apply(FillOf(h, Of(Foreign, 41), 300, 2));
        Assert.Equal(400, h.Engine.Position(0).Position.Raw);
    }

    [Fact]
    public void RestoredFillOfAScopeNode_MovesThePosition_WithoutTheScopeNodeItDoesNot()
    {
        var fill = new PersistedFill(Harness.Btc.Symbol, 77, 8_077, Of(Predecessor, 40), OrderSide.Sell, new Price(Harness.Mid), new Qty(250),
            0, Qty.Zero, true, 1_000);
        var h = new Harness();
        h.Ids.AddScopeNode(Predecessor);
        Assert.True(h.Engine.RestoreFill(0, fill));
        Assert.Equal(-250, h.Engine.Position(0).Position.Raw);

        var without = new Harness();
        Assert.False(without.Engine.RestoreFill(0, fill));
        Assert.Equal(0, without.Engine.Position(0).Position.Raw);
    }

    [Fact]
    public void AckOrStatusOfAScopeNodesOpenOrder_IsCancelledOnceAsAZombie()
    {
        var h = new Harness();
        h.Ids.AddScopeNode(Predecessor);
        var acked = Of(Predecessor, 50);
        h.Engine.OnAck(new AckReport(0, acked, 9_050, h.Now), h.Now);
        var cancel = h.Single(CommandKind.Cancel);
        Assert.Equal((acked, 9_050L), (cancel.OrigClientOrderId, cancel.VenueOrderId));
        Assert.True(h.Ids.IsSelf(cancel.ClientOrderId)); // the cancel itself is this node's
        Assert.Equal(1, h.Engine.Counters.ZombieCancels);
        Assert.Equal(0, h.Engine.Counters.OrphanCancels);

        // The same order reported again (the stream and a reconnect listing) is not cancelled twice at once.
        h.Engine.OnOrderStatus(new OrderStatusReport(0, acked, VenueOrderStatus.New, 9_050, Qty.Zero, h.Now), h.Now);
        Assert.Empty(h.Drain());

        var listed = Of(Predecessor, 51);
        h.Engine.OnOrderStatus(new OrderStatusReport(0, listed, VenueOrderStatus.PartiallyFilled, 9_051, new Qty(10), h.Now), h.Now);
        Assert.Equal(listed, h.Single(CommandKind.Cancel).OrigClientOrderId);
        Assert.Equal(2, h.Engine.Counters.ZombieCancels);
        Assert.Equal(0, h.Engine.Counters.OrphanCancels);
        Assert.Equal(0, h.Engine.LiveOrderCount(0));

        // Without the scope node the same reports are another scope's: left alone.
        var without = new Harness();
        without.Engine.OnAck(new AckReport(0, Of(Predecessor, 50), 9_050, without.Now), without.Now);
        Assert.Empty(without.Drain());
        Assert.Equal(0, without.Engine.Counters.ZombieCancels);
    }

    [Fact]
    public void AnEarlierRunOfThisNode_IsStillAnOrphan_NotAZombie()
    {
        var h = new Harness();
        h.Ids.AddScopeNode(Predecessor);
        h.Engine.OnAck(new AckReport(0, Of(7, 60), 9_060, h.Now), h.Now);
        Assert.Equal(Of(7, 60), h.Single(CommandKind.Cancel).OrigClientOrderId);
        Assert.Equal(1, h.Engine.Counters.OrphanCancels);
        Assert.Equal(0, h.Engine.Counters.ZombieCancels);
    }

    [Fact]
    public void Adopt_OfAScopeNodesOrder_DoesNotTakeItIntoTheTable_CancelsItAsAZombie()
    {
        var h = new Harness();
        h.Ids.AddScopeNode(Predecessor);
        var id = Of(Predecessor, 70);
        Assert.False(h.Engine.Adopt(Listed(id, 9_070), null, keep: true, h.Now));
        Assert.False(h.Engine.TryGetOrder(id.Sequence, out _));
        Assert.Equal(0, h.Engine.LiveOrderCount(0));
        Assert.Equal(0, h.Engine.QuoteOrder(0, OrderSide.Buy));
        Assert.Equal(0, h.Engine.Counters.AdoptedOrders);
        Assert.Equal(id, h.Single(CommandKind.Cancel).OrigClientOrderId);
        Assert.Equal(1, h.Engine.Counters.ZombieCancels);
    }

    [Fact]
    public void CancelZombie_CancelsAScopeNodesOrder_RefusesOwnNodeAndForeignOrders()
    {
        var h = new Harness();
        h.Ids.AddScopeNode(Predecessor);

        Assert.False(h.Engine.CancelZombie(Listed(Of(7, 80)), h.Now));       // this node, an earlier epoch: not a zombie
        Assert.False(h.Engine.CancelZombie(Listed(Of(7, 81, epoch: 3)), h.Now));
        Assert.False(h.Engine.CancelZombie(Listed(Of(Foreign, 82)), h.Now)); // another scope's
        Assert.False(h.Engine.CancelZombie(Listed(ClientOrderId.None), h.Now));
        Assert.Empty(h.Drain());
        Assert.Equal(0, h.Engine.Counters.ZombieCancels);

        var zombie = Of(Predecessor, 83);
        Assert.True(h.Engine.CancelZombie(Listed(zombie, 9_083), h.Now));
        var cancel = h.Single(CommandKind.Cancel);
        Assert.Equal((zombie, 9_083L), (cancel.OrigClientOrderId, cancel.VenueOrderId));
        Assert.Equal(1, h.Engine.Counters.ZombieCancels);
        Assert.Equal(0, h.Engine.Counters.OrphanCancels);
    }
}
