using Fathom.Testing;
using Xunit;

namespace Fathom.Book.Tests;

[Collection(AllocationCollection.Name)]
public class OrderBookAllocationTests
{
    private sealed class Workload(OrderBook book, Level[] bids, Level[] asks)
    {
        public readonly OrderBook Book = book;
        public readonly Level[] Bids = bids;
        public readonly Level[] Asks = asks;
    }

    [Fact]
    public void UpdatesAndQueries_AfterWarmUp_AllocateNothing()
    {
        var rng = new Random(7);
        var book = new OrderBook(OrderBookTests.Btc, new BookOptions { WindowTicks = 1 << 14 });
        // Touch-area churn, far levels (spill store), best removal and window re-centring.
        var bids = Enumerable.Range(0, 5_000).Select(i => new Level(
            i % 50 == 0 ? rng.NextInt64(1, 4_000_000) : 6_000_000 - (long)(rng.NextDouble() * rng.NextDouble() * 20_000),
            rng.Next(4) == 0 ? 0 : rng.Next(1, 1000))).ToArray();
        var asks = Enumerable.Range(0, 5_000).Select(i => new Level(
            i % 50 == 0 ? rng.NextInt64(6_000_001, 20_000_000) : 6_000_001 + (long)(rng.NextDouble() * rng.NextDouble() * 20_000),
            rng.Next(4) == 0 ? 0 : rng.Next(1, 1000))).ToArray();
        var work = new Workload(book, bids, asks);

        AllocationAssert.Zero(work, static w =>
        {
            long acc = 0;
            Span<Level> top = stackalloc Level[10];
            for (int i = 0; i < w.Bids.Length; i++)
            {
                w.Book.SetBid(w.Bids[i].Tick, w.Bids[i].Qty);
                w.Book.SetAsk(w.Asks[i].Tick, w.Asks[i].Qty);
                acc += w.Book.BestBidTick + w.Book.BestAskTick;
                if (i % 100 == 0)
                {
                    acc += w.Book.TopLevels(Side.Bid, top);
                    acc += w.Book.DepthWithinBps(Side.Ask, 25).Qty;
                    acc += w.Book.DepthForNotional(Side.Ask, 1_000_000_000_000_000).Qty;
                    acc += (long)w.Book.Microprice;
                }
            }
            // Jump the market far away and back: re-centres both windows.
            w.Book.SetBid(15_000_000, 1);
            w.Book.SetBid(15_000_000, 0);
            w.Book.SetAsk(100, 1);
            w.Book.SetAsk(100, 0);
            Sink.Consume(acc);
        });
    }
}
