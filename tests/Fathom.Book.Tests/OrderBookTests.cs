using Fathom.Core;
using Xunit;

namespace Fathom.Book.Tests;

public class OrderBookTests
{
    // Tick 0.01 at 8 decimals, as BTCUSDT on Binance spot.
    internal static readonly InstrumentSpec Btc = new InstrumentSpec
    {
        Symbol = "BTCUSDT",
        Venue = Venue.BinanceSpot,
        PriceDecimals = 8,
        QtyDecimals = 8,
        TickSize = new Price(1_000_000),
        StepSize = new Qty(1_000),
    }.Validate();

    private static OrderBook NewBook(int window = BookOptions.MinWindowTicks) =>
        new(Btc, new BookOptions { WindowTicks = window });

    [Fact]
    public void Set_TracksBestBidAndAsk()
    {
        var book = NewBook();
        book.SetBid(100, 5);
        book.SetBid(102, 7);
        book.SetBid(101, 1);
        book.SetAsk(105, 3);
        book.SetAsk(104, 2);
        Assert.Equal(102, book.BestBidTick);
        Assert.Equal(7, book.BestBidQty);
        Assert.Equal(104, book.BestAskTick);
        Assert.Equal(2, book.BestAskQty);
        Assert.Equal(2, book.SpreadTicks);
        Assert.Equal(3, book.BidCount);
    }

    [Fact]
    public void Set_ZeroRemovesAndBestMovesToNextLevel()
    {
        var book = NewBook();
        book.SetBid(100, 5);
        book.SetBid(90, 1);
        book.SetBid(102, 7);
        book.SetBid(102, 0);
        Assert.Equal(100, book.BestBidTick);
        book.SetBid(100, 0);
        Assert.Equal(90, book.BestBidTick);
        book.SetBid(90, 0);
        Assert.False(book.HasBid);
        Assert.Equal(0, book.BidCount);
    }

    [Fact]
    public void Set_RemovingAbsentLevel_IsANoOp()
    {
        var book = NewBook();
        book.SetAsk(200, 1);
        book.SetAsk(150, 0);         // inside the window, absent
        book.SetAsk(100, 0);         // better than the best, absent
        book.SetAsk(1_000_000, 0);   // far beyond the window, absent
        Assert.Equal(200, book.BestAskTick);
        Assert.Equal(1, book.AskCount);
        book.AssertInvariants();
    }

    [Fact]
    public void Set_QtyChangeAtBest_KeepsBest()
    {
        var book = NewBook();
        book.SetAsk(200, 1);
        book.SetAsk(200, 9);
        Assert.Equal(200, book.BestAskTick);
        Assert.Equal(9, book.BestAskQty);
        Assert.Equal(1, book.AskCount);
    }

    [Theory]
    [InlineData(0L, 1L)]
    [InlineData(-5L, 1L)]
    [InlineData(10L, -1L)]
    [InlineData(OrderBook.MaxTick + 1, 1L)]
    public void Set_InvalidLevel_ThrowsAndLeavesBookUnchanged(long tick, long qty)
    {
        var book = NewBook();
        book.SetBid(10, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Set(Side.Bid, tick, qty));
        Assert.Equal(10, book.BestBidTick);
        Assert.Equal(1, book.BidCount);
    }

    [Fact]
    public void FarLevels_AreKeptExactlyInTheSpillStore()
    {
        // BTCUSDT in the shared data: levels at 15,432 and 200,000 around a touch near 61,800.
        var book = NewBook(1 << 16);
        book.SetBid(6_183_763, 10);
        book.SetBid(1_543_200, 3);     // 46 k USDT below the touch: far outside a 2^16 window
        book.SetAsk(6_183_764, 10);
        book.SetAsk(20_000_000, 4);    // 200,000.00
        Assert.Equal(3, book.QtyAt(Side.Bid, 1_543_200));
        Assert.Equal(4, book.QtyAt(Side.Ask, 20_000_000));
        Assert.True(book.SideOf(Side.Bid).SpillCount == 1 && book.SideOf(Side.Ask).SpillCount == 1);
        // Remove the touch levels: the far levels become best, pulled in from the spill store.
        book.SetBid(6_183_763, 0);
        book.SetAsk(6_183_764, 0);
        Assert.Equal(1_543_200, book.BestBidTick);
        Assert.Equal(20_000_000, book.BestAskTick);
        Assert.Equal(3, book.BestBidQty);
        book.AssertInvariants();
    }

    [Fact]
    public void Set_ReturnsTheQuantityTheLevelHad_InTheWindowInTheSpillAndBeyond()
    {
        // Each update's return value is what QtyAt gave just before it: in the window, in the spill store, a new best
        // beyond the window, an empty side, removals of present and absent levels.
        var book = NewBook(1 << 12);
        var random = new Random(18);
        long[] ticks = [1, 2, 500, 1000, 1001, 2000, 4095, 4096, 9000, 50_000, 1_000_000];
        for (int i = 0; i < 5_000; i++)
        {
            Side side = random.Next(2) == 0 ? Side.Bid : Side.Ask;
            long tick = ticks[random.Next(ticks.Length)] + (side == Side.Ask ? 2_000_000 : 0);
            long qty = random.Next(3) == 0 ? 0 : random.Next(1, 100);
            long before = book.QtyAt(side, tick);
            long returned = side == Side.Bid ? (random.Next(2) == 0 ? book.SetBid(tick, qty) : book.Set(side, tick, qty))
                : (random.Next(2) == 0 ? book.SetAsk(tick, qty) : book.Set(side, tick, qty));
            Assert.Equal(before, returned);
            Assert.Equal(qty, book.QtyAt(side, tick));
        }
        book.AssertInvariants();
    }

    [Fact]
    public void NewBestBeyondTheWindow_RecentresWithoutLosingLevels()
    {
        var book = NewBook(1 << 12);
        for (long t = 1000; t < 1100; t++)
            book.SetBid(t, t);
        book.SetBid(1_000_000, 1); // a bid far above: the window jumps, the old levels spill
        Assert.Equal(1_000_000, book.BestBidTick);
        Assert.Equal(101, book.BidCount);
        for (long t = 1000; t < 1100; t++)
            Assert.Equal(t, book.QtyAt(Side.Bid, t));
        book.AssertInvariants();
        book.SetBid(1_000_000, 0);
        Assert.Equal(1099, book.BestBidTick);
        book.AssertInvariants();
    }

    [Fact]
    public void CrossedAndLocked_AreDetected()
    {
        var book = NewBook();
        book.SetBid(100, 1);
        book.SetAsk(101, 1);
        Assert.False(book.IsCrossed || book.IsLocked);
        book.SetAsk(100, 1);
        Assert.True(book.IsLocked);
        Assert.False(book.IsCrossed);
        book.SetAsk(99, 1);
        Assert.True(book.IsCrossed);
    }

    [Fact]
    public void MidAndMicroprice_AreInPriceUnits()
    {
        var book = NewBook();
        book.SetBid(6_183_763, 300);  // 61837.63
        book.SetAsk(6_183_764, 100);  // 61837.64
        Assert.Equal(61837.635, book.Mid, 6);
        // Less size on the ask: the microprice leans toward the ask.
        Assert.Equal((61837.63 * 100 + 61837.64 * 300) / 400, book.Microprice, 6);
        Assert.Equal(12_367_527, book.MidTicksTimesTwo);
    }

    [Fact]
    public void OneSidedBook_HasNoMidOrSpread()
    {
        var book = NewBook();
        book.SetBid(100, 1);
        Assert.True(double.IsNaN(book.Mid));
        Assert.Equal(0, book.SpreadTicks);
        Assert.False(book.IsCrossed);
    }

    [Fact]
    public void Snapshot_ReplacesEverythingAndSetsKnownRange()
    {
        var book = NewBook();
        book.SetBid(5, 5);
        book.ApplySnapshot(
            [new Level(100, 1), new Level(99, 2), new Level(95, 3)],
            [new Level(101, 4), new Level(110, 5)],
            updateId: 42);
        Assert.Equal(42, book.UpdateId);
        Assert.Equal(0, book.QtyAt(Side.Bid, 5));
        Assert.Equal(100, book.BestBidTick);
        Assert.Equal(101, book.BestAskTick);
        Assert.True(book.IsKnown(Side.Bid, 95));
        Assert.False(book.IsKnown(Side.Bid, 94));
        Assert.True(book.IsKnown(Side.Ask, 110));
        Assert.False(book.IsKnown(Side.Ask, 111));
        Assert.Equal(95, book.KnownUntilTick(Side.Bid));
    }

    [Fact]
    public void Snapshot_CompleteSide_IsKnownEverywhere()
    {
        var book = NewBook();
        book.ApplySnapshot([new Level(100, 1)], [new Level(101, 1)], 1, bidsComplete: true);
        Assert.True(book.IsKnown(Side.Bid, 1));
        Assert.False(book.IsKnown(Side.Ask, 102));
    }

    [Fact]
    public void Clear_ForgetsLevelsAndKnownRange()
    {
        var book = NewBook();
        book.ApplySnapshot([new Level(100, 1)], [new Level(101, 1), new Level(1_000_000, 1)], 7);
        book.Clear();
        Assert.False(book.HasBid || book.HasAsk);
        Assert.Equal(0, book.AskCount);
        Assert.Null(book.KnownUntilTick(Side.Ask));
        book.AssertInvariants();
    }

    [Fact]
    public void Levels_EnumerateBestFirstAcrossWindowAndSpill()
    {
        var book = NewBook(1 << 12);
        long[] asks = [500, 501, 700, 5_000, 90_000, 3_000_000];
        foreach (long t in asks.Reverse())
            book.SetAsk(t, t);
        var seen = new List<long>();
        foreach (Level l in book.Levels(Side.Ask))
            seen.Add(l.Tick);
        Assert.Equal(asks, seen);

        Span<Level> top = stackalloc Level[3];
        Assert.Equal(3, book.TopLevels(Side.Ask, top));
        Assert.Equal(700, top[2].Tick);
    }

    [Fact]
    public void DepthWithinBps_SumsLevelsInsideTheBand()
    {
        var book = NewBook();
        // mid = 10000.5 ticks; 10 bps = 10.0005 ticks → bids ≥ 9990.5 (ceil 9991), asks ≤ 10010.
        book.ApplySnapshot(
            [new Level(10_000, 1), new Level(9_995, 2), new Level(9_991, 3), new Level(9_990, 100), new Level(9_000, 1)],
            [new Level(10_001, 4), new Level(10_010, 5), new Level(10_011, 100), new Level(11_000, 1)],
            1);
        var bids = book.DepthWithinBps(Side.Bid, 10);
        Assert.Equal(6, bids.Qty);
        Assert.Equal(3, bids.Levels);
        Assert.True(bids.Complete);
        Assert.Equal(book.NotionalOf(10_000, 1) + book.NotionalOf(9_995, 2) + book.NotionalOf(9_991, 3), bids.Notional);
        var asks = book.DepthWithinBps(Side.Ask, 10);
        Assert.Equal(9, asks.Qty);
        Assert.True(asks.Complete);
        // 2000 bps reaches past the snapshot's worst ask (11,000): the figure is a lower bound.
        Assert.False(book.DepthWithinBps(Side.Ask, 2000).Complete);
    }

    [Fact]
    public void DepthForNotional_TakesLastLevelPartly()
    {
        var book = NewBook();
        book.ApplySnapshot([new Level(99, 1)], [new Level(100, 10), new Level(101, 10), new Level(200, 1)], 1);
        // Tick 100 = price 1.00 (raw 100_000_000 at 8 decimals); notional scale is 16 decimals.
        Int128 perQtyAt100 = 100L * 1_000_000;
        Int128 perQtyAt101 = 101L * 1_000_000;
        var r = book.DepthForNotional(Side.Ask, perQtyAt100 * 10 + perQtyAt101 * 4);
        Assert.Equal(14, r.Qty);
        Assert.Equal(2, r.Levels);
        Assert.True(r.Complete);
        // More than the known book holds: incomplete, and everything known was taken.
        var all = book.DepthForNotional(Side.Ask, Int128.MaxValue / 2);
        Assert.False(all.Complete);
        Assert.Equal(21, all.Qty);
    }

    [Fact]
    public void Regrid_KeepsEveryLevelAtTheSamePriceOnAFinerGrid()
    {
        var book = NewBook(1 << 12);
        book.ApplySnapshot([new Level(100, 1), new Level(99, 2), new Level(5, 3)], [new Level(101, 4), new Level(900_000, 5)], 77);
        var before = book.Copy();
        book.Regrid(book.TickRaw / 10);
        Assert.Equal(100_000, book.TickRaw);
        Assert.Equal(77, book.UpdateId);
        Assert.Equal(before.Bids.ToArray().Select(l => l with { Tick = l.Tick * 10 }), book.Copy().Bids.ToArray());
        Assert.Equal(before.Asks.ToArray().Select(l => l with { Tick = l.Tick * 10 }), book.Copy().Asks.ToArray());
        Assert.Equal(1000, book.BestBidTick);
        Assert.Equal(new Price(100 * 1_000_000), book.PriceOf(1000));
        // The known range scales with the grid: 0.05 stays the last known bid price.
        Assert.True(book.IsKnown(Side.Bid, 50));
        Assert.False(book.IsKnown(Side.Bid, 49));
        // A level between the old grid points now fits.
        book.SetBid(995, 9);
        Assert.Equal(9, book.QtyAt(Side.Bid, 995));
        book.AssertInvariants();
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Regrid(30_000)); // does not divide 100_000
    }

    [Fact]
    public void View_ReadsTheLiveBookWithoutCopying()
    {
        var book = NewBook();
        BookView view = book.View;
        book.SetBid(100, 1);
        Assert.Equal(100, view.BestBidTick);
        book.SetBid(101, 1);
        Assert.Equal(101, view.BestBidTick);
    }

    [Fact]
    public void Copy_IsIndependentOfLaterUpdates()
    {
        var book = NewBook();
        book.ApplySnapshot([new Level(100, 1), new Level(90, 2)], [new Level(101, 3)], 5);
        BookCopy copy = book.Copy();
        book.SetBid(100, 0);
        book.SetAsk(101, 9);
        Assert.Equal([new Level(100, 1), new Level(90, 2)], copy.Bids.ToArray());
        Assert.Equal([new Level(101, 3)], copy.Asks.ToArray());
        Assert.Equal(5, copy.UpdateId);
        book.CopyTo(copy);
        Assert.Equal([new Level(90, 2)], copy.Bids.ToArray());
    }
}
