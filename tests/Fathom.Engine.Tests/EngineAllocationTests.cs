using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Testing;
using Fathom.Hosting;
using Xunit;

namespace Fathom.Engine.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "allocation";
}

/// <summary>Venue reports and timer ticks through the engine, journaled, allocate nothing in steady state.</summary>
[Collection(AllocationCollection.Name)]
public class EngineAllocationTests
{
    [Fact]
    public void ReportsAndTimers_WithAJournalAttached_AllocateNothing()
    {
        using var stream = new MemoryStream(64 << 20);
        var journal = new CoreJournal(new RecordingWriter(stream, ownsStream: false));
        TradingEngineTests.RigForAllocation rig = TradingEngineTests.NewRigForAllocation(journal);
        rig.Market(10_000, 10_010, 1);
        OrderCommand[] sent = rig.Sent();
        Assert.NotEmpty(sent);
        var state = (rig, sent, now: rig.Now); // the rig's Now builds a clock: read it once
        AllocationAssert.Zero(state, static s =>
        {
            for (int i = 0; i < 50; i++)
            {
                // Acks (repeated: duplicates after the first) and expiries for orders the engine knows, and timer ticks.
                foreach (OrderCommand c in s.sent)
                    s.rig.Engine.OnAck(new AckReport(0, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, s.now));
                s.rig.Engine.OnExpired(new ExpiredReport(0, new ClientOrderId(9, 9, 9), s.now));
                s.rig.Engine.OnTimer();
            }
        });
        journal.Dispose();
    }

    [Fact]
    public void FillsOfKnownOrders_WithAJournalAttached_AllocateNothing()
    {
        using var stream = new MemoryStream(64 << 20);
        var journal = new CoreJournal(new RecordingWriter(stream, ownsStream: false));
        // Keeps the first commands in a list allocated up front and counts the rest: sending allocates nothing.
        var gateway = new RecordingGateway(keep: 16);
        TradingEngineTests.RigForAllocation rig = TradingEngineTests.NewRigForAllocation(journal, gateway);
        rig.Market(10_000, 10_010, 1);
        Assert.Equal(2, gateway.Sends);
        OrderCommand buy = gateway.Sent.Single(c => c.Side == OrderSide.Buy);
        OrderCommand sell = gateway.Sent.Single(c => c.Side == OrderSide.Sell);
        rig.Engine.OnAck(new AckReport(0, buy.ClientOrderId, 1000 + buy.ClientOrderId.Sequence, rig.Now));
        rig.Engine.OnAck(new AckReport(0, sell.ClientOrderId, 1000 + sell.ClientOrderId.Sequence, rig.Now));
        // Each round fills both quotes by one raw unit (new trade ids: applied, not repeats), so the
        // position stays flat and the orders stay partially filled through every measured run; the
        // strategy requotes on each fill and the recent-fills ring is written each time.
        var state = (rig, buy, sell, now: rig.Now, tradeId: new long[1]);
        AllocationAssert.Zero(state, static s =>
        {
            for (int i = 0; i < 50; i++)
            {
                s.rig.Engine.OnFill(new FillReport(0, s.buy.ClientOrderId, 1000 + s.buy.ClientOrderId.Sequence, ++s.tradeId[0],
                    OrderSide.Buy, s.buy.Price, new Qty(1), new Qty(1), 0, Qty.Zero, true, s.now));
                s.rig.Engine.OnFill(new FillReport(0, s.sell.ClientOrderId, 1000 + s.sell.ClientOrderId.Sequence, ++s.tradeId[0],
                    OrderSide.Sell, s.sell.Price, new Qty(1), new Qty(1), 0, Qty.Zero, true, s.now));
            }
        });
        Assert.True(state.tradeId[0] > 2 * TradingEngine.RecentFillCapacity, "the ring wrapped while measured");
        Assert.Equal(state.tradeId[0], rig.Engine.Fills);
        journal.Dispose();
    }
}
