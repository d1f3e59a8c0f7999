using Fathom.Book;
using Fathom.MarketData;
using Xunit;

namespace Fathom.Signals.Tests;

/// <summary>The feed behind a real <see cref="BookSync"/>: only applied diffs reach the engine, with the right old sizes.</summary>
public class SignalFeedTests
{
    private static (SignalFeed Feed, BookSync Sync) Live()
    {
        var sync = new BookSync(0, new OrderBook(TestInstruments.Toy), SyncRule.BinanceSpot);
        var feed = new SignalFeed(sync, new SignalEngine(new SignalOptions { WithdrawalBandTicks = 5 }));
        feed.OnBookSnapshot(new BookSnapshot(0, 10, 0, 0, [new Level(100, 10), new Level(99, 10)], [new Level(101, 10)], 1000));
        return (feed, sync);
    }

    private static BookDelta Delta(long first, long final, long timeMs, Level[] bids, Level[] asks, int instrument = 0) =>
        new(instrument, first, final, -1, timeMs, 0, bids, asks);

    [Fact]
    public void Snapshot_ResetsTheEngine_AndAppliedDiffsArriveWithTheirOldSizes()
    {
        var (feed, sync) = Live();
        Assert.Equal(SyncState.Live, sync.State);
        Assert.True(feed.Engine.IsReady);
        Assert.Equal(1, feed.Engine.Resets);

        feed.OnBookDelta(Delta(11, 12, 1_000, [new Level(100, 4)], []));
        Assert.Equal(1, feed.Engine.DeltasApplied);
        Assert.Equal(6, feed.Engine.Withdrawal.Withdrawn(Side.Bid)); // 10 → 4: the old size was read first
        Assert.Equal(14, feed.Engine.Imbalance.BidDepth);
    }

    [Fact]
    public void DuplicateGapAndForeignDiffs_NeverReachTheEngine()
    {
        var (feed, sync) = Live();
        feed.OnBookDelta(Delta(11, 12, 1_000, [new Level(100, 4)], []));
        feed.OnBookDelta(Delta(11, 12, 1_000, [new Level(100, 4)], []));      // repeat
        feed.OnBookDelta(Delta(13, 13, 1_100, [new Level(100, 1)], [], instrument: 7));
        Assert.Equal(1, feed.Engine.DeltasApplied);
        Assert.Equal(1, sync.Counters.Duplicates);

        feed.OnBookDelta(Delta(20, 21, 1_200, [new Level(100, 0)], []));      // gap: goes Stale, not applied
        Assert.Equal(SyncState.Stale, sync.State);
        Assert.Equal(1, feed.Engine.DeltasApplied);
        Assert.Equal(4, sync.Book.QtyAt(Side.Bid, 100));

        // The resync snapshot resets the engine from the new book.
        feed.OnBookSnapshot(new BookSnapshot(0, 30, 0, 0, [new Level(98, 3)], [new Level(101, 10)], 1000));
        Assert.Equal(SyncState.Live, sync.State);
        Assert.Equal(2, feed.Engine.Resets);
        Assert.Equal(3, feed.Engine.Imbalance.BidDepth);
        Assert.Equal(0, feed.Engine.Withdrawal.Withdrawn(Side.Bid));
    }

    [Fact]
    public void GridRefinement_ResetsOnTheNewGridWhenLive_SuspendsOtherwise()
    {
        var (feed, sync) = Live();
        feed.OnBookGridChanged(0, newTickRaw: 1); // same grid: nothing to rescale, but still a reset
        Assert.Equal(2, feed.Engine.Resets);

        var spec = TestInstruments.Toy with { TickSize = new Fathom.Core.Price(10) };
        var coarse = new BookSync(0, new OrderBook(spec), SyncRule.BinanceSpot);
        var engine = new SignalEngine();
        var f = new SignalFeed(coarse, engine);
        f.OnBookSnapshot(new BookSnapshot(0, 10, 0, 0, [new Level(100, 10)], [new Level(101, 10)], 1000));
        f.OnBookGridChanged(0, newTickRaw: 1);     // tick 10 → 1: every tick × 10
        Assert.Equal(1_005.0, engine.Imbalance.MidTicks);
        Assert.True(engine.IsReady);

        coarse.MarkStale(StaleReason.Disconnected, 0);
        f.OnBookGridChanged(0, newTickRaw: 1);     // not live: the book is not followed until the resync
        Assert.False(engine.IsReady);
        f.OnTrade(new Trade(0, 1, 1_000, 5, true, 10, 10, 0, 1, 1));
        Assert.Equal(0, engine.Absorption.Absorbed(Side.Bid));
    }

    [Fact]
    public void Clear_ForgetsEverything()
    {
        var (feed, _) = Live();
        feed.OnBookDelta(Delta(11, 12, 1_000, [new Level(100, 4)], []));
        feed.OnTrade(new Trade(0, 1, 100, 5, true, 990, 990, 0, 1, 1));
        SignalEngine e = feed.Engine;
        e.Clear();
        Assert.False(e.IsReady);
        Assert.Equal(long.MinValue, e.NowMs);
        Assert.Equal(0, e.Withdrawal.Withdrawn(Side.Bid) + e.Absorption.Absorbed(Side.Bid) + e.Sizes.TradeSamples + e.Volatility.Samples);
        Assert.True(double.IsNaN(e.Imbalance.TopImbalance));
        Assert.False(e.Walls.Bid.Exists);
    }
}
