using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Strategy.Abstractions;
using Fathom.Testing;
using Xunit;

namespace Fathom.Engine.Tests;

/// <summary>The engine's ring of recent fills (<see cref="TradingEngine.CopyRecentFills"/>): exact, newest first, bounded.</summary>
public partial class TradingEngineTests
{
    private static FillReport FillOf(CoreRig rig, ClientOrderId id, long tradeId, OrderSide side, long priceRaw, long qtyRaw, long fee, bool maker) =>
        new(0, id, 1000 + id.Sequence, tradeId, side, new Price(priceRaw), new Qty(qtyRaw), new Qty(qtyRaw), fee, Qty.Zero, maker, rig.Now);

    private static FillView[] RecentFills(CoreRig rig, int room = TradingEngine.RecentFillCapacity)
    {
        var buffer = new FillView[room];
        int n;
        lock (rig.CoreLock)
            n = rig.Engine.CopyRecentFills(buffer);
        return buffer[..n];
    }

    /// <summary>The rig with a gateway of the caller's (the allocation tests pass one that records nothing on the heap).</summary>
    internal static RigForAllocation NewRigForAllocation(CoreJournal journal, IOrderEntry gateway) => new(NewRig(journal: journal, gateway: gateway));

    [Fact]
    public void CopyRecentFills_SeveralFills_AllNewestFirstWithTheirOwnPricesAndSizes()
    {
        var rig = NewRig();
        rig.Market(10_000, 10_010, 1);
        AckAll(rig);
        OrderCommand buy = rig.Gateway.Sent.First(c => c.Side == OrderSide.Buy);
        OrderCommand sell = rig.Gateway.Sent.First(c => c.Side == OrderSide.Sell);
        Assert.Empty(RecentFills(rig));

        // Two partial fills of the buy at different prices (the second better than its limit), then the sell.
        var reports = new[]
        {
            FillOf(rig, buy.ClientOrderId, 501, OrderSide.Buy, buy.Price.Raw, 3_000, 7, true),
            FillOf(rig, buy.ClientOrderId, 502, OrderSide.Buy, buy.Price.Raw - 2_000_000, 4_000, -3, false),
            FillOf(rig, sell.ClientOrderId, 503, OrderSide.Sell, sell.Price.Raw, 10_000, 11, true),
        };
        var times = new long[reports.Length];
        for (int i = 0; i < reports.Length; i++)
        {
            rig.Time.Advance(TimeSpan.FromMilliseconds(10));
            times[i] = rig.Now;
            rig.Engine.OnFill(reports[i] with { TimeNs = times[i] });
        }

        FillView[] fills = RecentFills(rig);
        Assert.Equal(
        [
            new FillView(sell.ClientOrderId.Sequence, 0, OrderSide.Sell, sell.Price, new Qty(10_000), 11, true, 503, times[2]),
            new FillView(buy.ClientOrderId.Sequence, 0, OrderSide.Buy, new Price(buy.Price.Raw - 2_000_000), new Qty(4_000), -3, false, 502, times[1]),
            new FillView(buy.ClientOrderId.Sequence, 0, OrderSide.Buy, buy.Price, new Qty(3_000), 7, true, 501, times[0]),
        ], fills);
        Assert.Equal(3, rig.Engine.Fills);

        // A shorter destination gets the newest ones.
        FillView newest = Assert.Single(RecentFills(rig, room: 1));
        Assert.Equal(503, newest.TradeId);
    }

    [Fact]
    public void CopyRecentFills_RepeatsAndOtherInstancesFills_AreNotListed_UnknownOrdersOfOursAre()
    {
        var rig = NewRig();
        rig.Market(10_000, 10_010, 1);
        AckAll(rig);
        OrderCommand buy = rig.Gateway.Sent.First(c => c.Side == OrderSide.Buy);
        FillReport first = FillOf(rig, buy.ClientOrderId, 601, OrderSide.Buy, buy.Price.Raw, 2_000, 1, true);
        rig.Engine.OnFill(first);
        rig.Engine.OnFill(first); // the stream repeats what the response reported
        rig.Engine.OnFill(FillOf(rig, new ClientOrderId((ushort)(buy.ClientOrderId.Node + 1), buy.ClientOrderId.Epoch, 5), 602, OrderSide.Sell, 10_005_000_000, 1_000, 1, true)); // another node's
        // One of ours the order table no longer knows: it moved the position, so it is a fill to list.
        rig.Engine.OnFill(FillOf(rig, new ClientOrderId(buy.ClientOrderId.Node, buy.ClientOrderId.Epoch, 999_999), 603, OrderSide.Sell, 10_011_000_000, 5_000, 2, false));

        FillView[] fills = RecentFills(rig);
        Assert.Equal([603L, 601L], fills.Select(f => f.TradeId));
        Assert.Equal((999_999L, OrderSide.Sell, 10_011_000_000L, 5_000L), (fills[0].OrderId, fills[0].Side, fills[0].Price.Raw, fills[0].Quantity.Raw));
        // What the ring lists adds up to what the position moved.
        Assert.Equal(rig.Engine.Execution.Position(0).Position.Raw, fills.Sum(f => f.Side == OrderSide.Buy ? f.Quantity.Raw : -f.Quantity.Raw));
        Assert.Equal(4, rig.Engine.Fills); // the report count is unchanged: every report is still counted
    }

    [Fact]
    public void CopyRecentFills_MoreThanTheCapacity_KeepsOnlyTheNewest()
    {
        var rig = NewRig();
        rig.Market(10_000, 10_010, 1);
        AckAll(rig);
        OrderCommand buy = rig.Gateway.Sent.First(c => c.Side == OrderSide.Buy);
        int total = TradingEngine.RecentFillCapacity + 9;
        for (int i = 1; i <= total; i++)
        {
            // Alternate sides so the position stays small; the order id is unknown to the table, which is fine.
            var id = new ClientOrderId(buy.ClientOrderId.Node, buy.ClientOrderId.Epoch, 100_000 + i);
            rig.Engine.OnFill(FillOf(rig, id, i, i % 2 == 0 ? OrderSide.Sell : OrderSide.Buy, 10_000_000_000 + i * 1_000_000, 1_000 * i, 0, true));
        }

        FillView[] fills = RecentFills(rig, room: TradingEngine.RecentFillCapacity + 5);
        Assert.Equal(TradingEngine.RecentFillCapacity, fills.Length);
        Assert.Equal(Enumerable.Range(0, TradingEngine.RecentFillCapacity).Select(k => (long)(total - k)), fills.Select(f => f.TradeId));
        Assert.All(fills, f => Assert.Equal((10_000_000_000 + f.TradeId * 1_000_000, 1_000 * f.TradeId), (f.Price.Raw, f.Quantity.Raw)));
        Assert.All(fills, f => Assert.Equal(100_000 + f.TradeId, f.OrderId));
    }

    [Fact]
    public void CopyRecentFills_WithoutTheCoreLock_Throws()
    {
        var rig = NewRig();
        Assert.Throws<InvalidOperationException>(() => rig.Engine.CopyRecentFills(new FillView[4]));
    }
}
