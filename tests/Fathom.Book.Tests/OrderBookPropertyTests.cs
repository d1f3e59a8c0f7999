using CsCheck;
using Fathom.Testing;
using Xunit;

namespace Fathom.Book.Tests;

/// <summary>
/// The book against <see cref="ReferenceBook"/> over random update sequences built to stress the
/// window: a drifting touch, jumps of many window widths (re-centring), levels far beyond the
/// window (spill store), deletes of the best level and of absent levels, snapshots and clears.
/// </summary>
public class OrderBookPropertyTests
{
    /// <summary>Seeds that once failed; each is checked on every run before the generated cases.</summary>
    private static readonly ulong[] RegressionSeeds = [];

    public readonly record struct Scenario(int WindowLog2, ulong Seed, int Steps, int JumpPermille, int FarPermille)
    {
        public override string ToString() =>
            $"window=2^{WindowLog2} seed={Seed} steps={Steps} jump‰={JumpPermille} far‰={FarPermille}";
    }

    private static readonly Gen<Scenario> Scenarios =
        Gen.Select(Gen.Int[12, 14], Gen.ULong, Gen.Int[200, 2_000], Gen.Int[0, 20], Gen.Int[0, 150])
           .Select((w, s, n, j, f) => new Scenario(w, s, n, j, f));

    private sealed class Coverage
    {
        public int Recentres, SpillHits, BestFromSpill, Snapshots;
    }

    [Fact]
    public void RandomUpdates_MatchReferenceModel()
    {
        var coverage = new Coverage();
        Property.ForAll(Scenarios, 300, s => Run(s, coverage), RegressionSeeds);
        // The property is only as good as what it reached: make sure the hard paths ran.
        Assert.True(coverage.Recentres > 100, $"only {coverage.Recentres} window re-centrings exercised");
        Assert.True(coverage.SpillHits > 1_000, $"only {coverage.SpillHits} spill-store updates exercised");
        Assert.True(coverage.BestFromSpill > 10, $"only {coverage.BestFromSpill} best levels pulled from the spill store");
        Assert.True(coverage.Snapshots > 10);
    }

    private static void Run(Scenario s, Coverage coverage)
    {
        var rng = new Random((int)(s.Seed ^ (s.Seed >> 32)));
        int window = 1 << s.WindowLog2;
        var book = new OrderBook(OrderBookTests.Btc, new BookOptions { WindowTicks = window });
        var model = new ReferenceBook();
        long center = 5_000_000 + rng.Next(0, 1_000_000);

        for (int step = 0; step < s.Steps; step++)
        {
            long bidEdge = book.SideOf(Side.Bid).WindowNearEdgeTick;
            long askEdge = book.SideOf(Side.Ask).WindowNearEdgeTick;
            int roll = rng.Next(1000);
            if (roll < s.JumpPermille)
            {
                // The market moves by up to several windows at once.
                center = Math.Max(window * 4L, center + rng.NextInt64(-window * 3L, window * 3L));
            }
            else if (roll < s.JumpPermille + 3)
            {
                var (bids, asks) = RandomSnapshot(rng, center, window);
                book.ApplySnapshot(bids, asks, step);
                model.Clear();
                foreach (var l in bids) if (l.Qty != 0) model.Set(Side.Bid, l.Tick, l.Qty);
                foreach (var l in asks) if (l.Qty != 0) model.Set(Side.Ask, l.Tick, l.Qty);
                coverage.Snapshots++;
            }
            else if (roll == 999)
            {
                book.Clear();
                model.Clear();
            }
            else
            {
                center = Math.Max(window * 4L, center + rng.Next(-3, 4));
                Side side = rng.Next(2) == 0 ? Side.Bid : Side.Ask;
                var levels = side == Side.Bid ? model.Bids : model.Asks;
                long tick;
                long qty = rng.Next(4) == 0 ? 0 : rng.NextInt64(1, 1_000_000);
                int kind = rng.Next(1000);
                if (kind < 150 && levels.Count > 0)
                {
                    // Remove (or resize) the best level: the O(1) next-best path.
                    tick = levels.First().Key;
                    if (rng.Next(3) != 0) qty = 0;
                }
                else if (kind < 150 + s.FarPermille)
                {
                    tick = rng.NextInt64(1, 20_000_000); // anywhere: mostly far outside the window
                }
                else
                {
                    long offset = (long)Math.Abs(rng.NextDouble() * rng.NextDouble() * window * 1.5);
                    tick = side == Side.Bid ? center - offset : center + 1 + offset;
                }
                tick = Math.Max(1, tick);
                bool wasBestFromSpillCandidate = qty == 0 && levels.Count > 0 && levels.First().Key == tick
                    && book.SideOf(side).WindowCount == 1 && book.SideOf(side).SpillCount > 0;
                if (book.SideOf(side).SpillCount > 0 && book.SideOf(side).QtyAt(tick) == 0 && qty != 0)
                    coverage.SpillHits += IsBeyondWindow(book, side, tick) ? 1 : 0;
                book.Set(side, tick, qty);
                model.Set(side, tick, qty);
                if (wasBestFromSpillCandidate)
                    coverage.BestFromSpill++;
            }

            if (book.SideOf(Side.Bid).WindowNearEdgeTick != bidEdge || book.SideOf(Side.Ask).WindowNearEdgeTick != askEdge)
                coverage.Recentres++;
            CheckTop(book, model, step);
            if (step % 97 == 0)
                CheckAll(book, model, step);
        }
        CheckAll(book, model, s.Steps);
    }

    private static bool IsBeyondWindow(OrderBook book, Side side, long tick)
    {
        var bs = book.SideOf(side);
        long key = bs.KeyOf(tick), nearKey = bs.KeyOf(bs.WindowNearEdgeTick);
        return key - nearKey >= bs.WindowSize;
    }

    private static (Level[] Bids, Level[] Asks) RandomSnapshot(Random rng, long center, int window)
    {
        var bids = new Dictionary<long, long>();
        var asks = new Dictionary<long, long>();
        int n = rng.Next(0, 300);
        for (int i = 0; i < n; i++)
        {
            long off = (long)(rng.NextDouble() * rng.NextDouble() * window * 3);
            bids[Math.Max(1, center - off)] = rng.NextInt64(1, 1000);
            asks[center + 1 + off] = rng.NextInt64(1, 1000);
        }
        return (bids.Select(kv => new Level(kv.Key, kv.Value)).ToArray(), asks.Select(kv => new Level(kv.Key, kv.Value)).ToArray());
    }

    private static void CheckTop(OrderBook book, ReferenceBook model, int step)
    {
        Assert.True(book.HasBid == (model.Bids.Count > 0), $"step {step}: HasBid");
        Assert.True(book.HasAsk == (model.Asks.Count > 0), $"step {step}: HasAsk");
        if (model.Bids.Count > 0)
        {
            var best = model.Bids.First();
            Assert.True(best.Key == book.BestBidTick && best.Value == book.BestBidQty,
                $"step {step}: best bid {book.BestBidTick}x{book.BestBidQty}, expected {best.Key}x{best.Value}");
        }
        if (model.Asks.Count > 0)
        {
            var best = model.Asks.First();
            Assert.True(best.Key == book.BestAskTick && best.Value == book.BestAskQty,
                $"step {step}: best ask {book.BestAskTick}x{book.BestAskQty}, expected {best.Key}x{best.Value}");
        }
        Assert.Equal(model.Bids.Count, book.BidCount);
        Assert.Equal(model.Asks.Count, book.AskCount);
    }

    private static void CheckAll(OrderBook book, ReferenceBook model, int step)
    {
        book.AssertInvariants();
        var bids = new List<Level>();
        foreach (Level l in book.Levels(Side.Bid)) bids.Add(l);
        var asks = new List<Level>();
        foreach (Level l in book.Levels(Side.Ask)) asks.Add(l);
        Assert.True(model.Bids.Select(kv => new Level(kv.Key, kv.Value)).SequenceEqual(bids), $"step {step}: bid levels differ");
        Assert.True(model.Asks.Select(kv => new Level(kv.Key, kv.Value)).SequenceEqual(asks), $"step {step}: ask levels differ");
    }
}
