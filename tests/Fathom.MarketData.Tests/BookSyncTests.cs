using Fathom.Book;
using Xunit;

namespace Fathom.MarketData.Tests;

public class BookSyncTests
{
    [Fact]
    public void Spot_BuffersUntilSnapshot_DropsOldDiffs_AppliesStraddlingDiff()
    {
        var h = new SyncHarness();
        h.Delta(1, 5, bids: [new Level(99, 1)]);     // entirely before the snapshot
        h.Delta(6, 10, bids: [new Level(98, 2)]);    // u == L: also inside the snapshot
        h.Delta(11, 15, bids: [new Level(97, 3)]);   // straddles L+1
        Assert.Equal(SyncState.Syncing, h.Sync.State);
        Assert.True(h.Sync.SnapshotRequested);
        Assert.False(h.Book.HasBid);

        h.Snapshot(10);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.False(h.Sync.SnapshotRequested);
        Assert.Equal(15, h.Book.UpdateId);
        Assert.Equal(0, h.Book.QtyAt(Side.Bid, 99));
        Assert.Equal(0, h.Book.QtyAt(Side.Bid, 98));
        Assert.Equal(3, h.Book.QtyAt(Side.Bid, 97));
        Assert.Equal(2, h.Sync.Counters.DiffsDroppedBeforeSync);
        Assert.Equal(1, h.Sync.Counters.DiffsApplied);

        h.Delta(16, 20, asks: [new Level(101, 0), new Level(102, 4)]);
        Assert.Equal(102, h.Book.BestAskTick);
        Assert.Equal(20, h.Book.UpdateId);
    }

    [Fact]
    public void Spot_DeltaWithOldQuantities_WritesEachLevelsSizeBefore_OnlyWhenApplied()
    {
        var h = new SyncHarness();
        h.Delta(11, 15, bids: [new Level(97, 3)]); // buffered
        h.Snapshot(10, bids: [new Level(100, 10), new Level(99, 4)], asks: [new Level(101, 10)]);
        Assert.Equal(SyncState.Live, h.Sync.State);

        long[] oldBids = [-1, -1, -1], oldAsks = [-1, -1];
        h.Sync.OnDelta(new BookDelta(0, 16, 20, -1, 0, 2_000_000_000, [new Level(100, 0), new Level(99, 6), new Level(98, 2)],
            [new Level(101, 7), new Level(103, 0)]), oldBids, oldAsks);
        Assert.Equal(20, h.Book.UpdateId);
        Assert.Equal([10L, 4, 0], oldBids);
        Assert.Equal([10L, 0], oldAsks);
        Assert.Equal(6, h.Book.QtyAt(Side.Bid, 99));

        // A duplicate is dropped: nothing is written.
        oldBids = [-1, -1, -1];
        oldAsks = [-1, -1];
        h.Sync.OnDelta(new BookDelta(0, 16, 20, -1, 0, 2_100_000_000, [new Level(99, 1)], [new Level(101, 1)]), oldBids, oldAsks);
        Assert.Equal(20, h.Book.UpdateId);
        Assert.Equal([-1L, -1, -1], oldBids);
        Assert.Equal(6, h.Book.QtyAt(Side.Bid, 99));

        // Spans shorter than the diff's sides are refused.
        Assert.Throws<ArgumentException>(() => h.Sync.OnDelta(
            new BookDelta(0, 21, 25, -1, 0, 2_200_000_000, [new Level(99, 1), new Level(98, 1)], []), new long[1], new long[1]));
    }

    [Fact]
    public void Spot_FirstDiffStartingExactlyAtSnapshotPlusOne_IsAccepted()
    {
        // EXCHANGES.md §1.5: step 5's wording excludes U == L+1, the update procedure accepts it.
        var h = new SyncHarness();
        h.Delta(11, 15);
        h.Snapshot(10);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(15, h.Book.UpdateId);
    }

    [Fact]
    public void Spot_SnapshotOlderThanBufferedDiffs_IsRejectedAndRequestedAgain()
    {
        var h = new SyncHarness();
        h.Delta(20, 25);
        h.Snapshot(10); // 11..19 are missing between the snapshot and the first diff
        Assert.Equal(SyncState.Syncing, h.Sync.State);
        Assert.True(h.Sync.SnapshotRequested);
        Assert.Equal(1, h.Sync.Counters.SnapshotsTooOld);
        Assert.Equal(StaleReason.SnapshotTooOld, h.Last.Reason);
        Assert.False(h.Book.HasBid);

        h.Delta(26, 30);
        h.Snapshot(27);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(30, h.Book.UpdateId);
    }

    [Fact]
    public void Spot_GapWhileLive_GoesStaleAtOnceWithTheSequenceNumbers_ThenResyncs()
    {
        var h = new SyncHarness();
        h.Snapshot(10);
        h.Delta(11, 15);
        h.Delta(17, 20); // 16 is missing
        Assert.Equal(SyncState.Stale, h.Sync.State);
        Assert.True(h.Sync.SnapshotRequested);
        Assert.False(h.Sync.IsLive);
        var t = h.Last;
        Assert.Equal((SyncState.Live, SyncState.Stale, StaleReason.Gap), (t.From, t.To, t.Reason));
        Assert.Equal((15L, 17L, 20L), (t.BookUpdateId, t.FirstUpdateId, t.FinalUpdateId));
        Assert.Equal(1, h.Sync.Counters.Gaps);
        Assert.Equal(1, h.Sync.Counters.StaleCount);

        h.Delta(21, 25);
        Assert.Equal(SyncState.Resyncing, h.Sync.State);
        h.Snapshot(22, bids: [new Level(90, 1)], asks: [new Level(91, 1)]);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(25, h.Book.UpdateId);
        Assert.Equal(90, h.Book.BestBidTick);
    }

    [Fact]
    public void Spot_RepeatedDiff_IsDroppedAndCounted()
    {
        var h = new SyncHarness();
        h.Snapshot(10);
        h.Delta(11, 15, bids: [new Level(100, 5)]);
        h.Delta(16, 20, bids: [new Level(100, 6)]);
        h.Delta(11, 15, bids: [new Level(100, 5)]); // the same message again (e.g. two connections)
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(6, h.Book.BestBidQty);
        Assert.Equal(1, h.Sync.Counters.Duplicates);
    }

    [Fact]
    public void Spot_RepeatOfADiffTheSnapshotContained_IsADuplicateNotDisorder()
    {
        var h = new SyncHarness();
        h.Delta(6, 10);   // contained in the snapshot below
        h.Delta(11, 15);
        h.Snapshot(10);
        h.Delta(6, 10);   // the same message again (a second connection during a planned reconnect)
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(1, h.Sync.Counters.Duplicates);
        Assert.Equal(0, h.Sync.Counters.OutOfOrder);
    }

    [Fact]
    public void Spot_APlannedReconnectsLongOverlap_AllItsRepeatsAreDuplicates()
    {
        // Five seconds of USD-M-like @0ms diffs (200 a second) carried by both connections, replayed after the old one's.
        var h = new SyncHarness();
        h.Snapshot(10);
        for (long id = 11; id < 1_011; id++)
            h.Delta(id, id, bids: [new Level(100, id)]);
        for (long id = 11; id < 1_011; id++)
            h.Delta(id, id, bids: [new Level(100, id)]);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(1_000, h.Sync.Counters.Duplicates);
        Assert.Equal(0, h.Sync.Counters.OutOfOrder);
        Assert.Equal(1_010, h.Book.BestBidQty); // the newest size stands: no repeat was applied
    }

    [Fact]
    public void Spot_OldDiffNeverApplied_IsOutOfOrder()
    {
        var h = new SyncHarness();
        h.Snapshot(10);
        h.Delta(11, 20);
        h.Delta(12, 14);
        Assert.Equal(SyncState.Stale, h.Sync.State);
        Assert.Equal(StaleReason.OutOfOrder, h.Last.Reason);
    }

    [Fact]
    public void Spot_OverlappingDiff_IsApplied()
    {
        var h = new SyncHarness();
        h.Snapshot(10);
        h.Delta(11, 20);
        h.Delta(18, 25, asks: [new Level(105, 1)]);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(25, h.Book.UpdateId);
    }

    [Fact]
    public void CrossedBookAfterDiff_GoesStale()
    {
        var h = new SyncHarness();
        h.Snapshot(10);
        h.Delta(11, 12, bids: [new Level(105, 1)]); // bid above the 101 ask
        Assert.Equal(SyncState.Stale, h.Sync.State);
        Assert.Equal(StaleReason.Crossed, h.Last.Reason);
        Assert.Equal(1, h.Sync.Counters.Crossed);
    }

    [Fact]
    public void CrossedSnapshot_IsRejectedAndAnotherRequested()
    {
        var h = new SyncHarness();
        h.Delta(11, 15);
        h.Snapshot(12, bids: [new Level(110, 1)], asks: [new Level(101, 1)]);
        Assert.NotEqual(SyncState.Live, h.Sync.State);
        Assert.Equal(StaleReason.Crossed, h.Sync.LastFailure);
        Assert.True(h.Sync.SnapshotRequested);
        h.Delta(16, 20);
        h.Snapshot(17);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(20, h.Book.UpdateId);
    }

    [Fact]
    public void Silence_PastTimeout_GoesStale_AndZeroDisablesIt()
    {
        var h = new SyncHarness(options: new SyncOptions { SilenceTimeoutNs = 5_000_000_000 });
        h.Snapshot(10);
        h.Delta(11, 12);
        h.Sync.OnTimer(h.Now + 4_000_000_000);
        Assert.Equal(SyncState.Live, h.Sync.State);
        h.Sync.OnTimer(h.Now + 6_000_000_000);
        Assert.Equal(SyncState.Stale, h.Sync.State);
        Assert.Equal(StaleReason.Silence, h.Last.Reason);

        var quiet = new SyncHarness(options: new SyncOptions { SilenceTimeoutNs = 0 });
        quiet.Snapshot(10);
        quiet.Sync.OnTimer(long.MaxValue / 2);
        Assert.Equal(SyncState.Live, quiet.Sync.State);
    }

    [Fact]
    public void SnapshotBackBeforeAnyDiff_GoesLive_ThenFirstDiffMustChain()
    {
        var h = new SyncHarness();
        h.Snapshot(10);
        h.Delta(11, 12);
        h.Sync.MarkStale(StaleReason.Disconnected, h.Now);
        Assert.Equal(SyncState.Stale, h.Sync.State);
        h.Snapshot(30);
        Assert.Equal(SyncState.Live, h.Sync.State);
        h.Delta(25, 30); // inside the snapshot: dropped
        Assert.Equal(SyncState.Live, h.Sync.State);
        h.Delta(40, 45); // 31..39 missing
        Assert.Equal(SyncState.Stale, h.Sync.State);
        Assert.Equal(StaleReason.Gap, h.Last.Reason);
    }

    [Fact]
    public void UnsolicitedSnapshotWhileLive_IsCountedAsIllegalAndIgnored()
    {
        var h = new SyncHarness();
        h.Snapshot(10);
        h.Delta(11, 12, bids: [new Level(100, 7)]);
        h.Snapshot(5, bids: [new Level(50, 1)]);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(1, h.Sync.Counters.IllegalTransitions);
        Assert.Equal(100, h.Book.BestBidTick);
        Assert.Equal(12, h.Book.UpdateId);
    }

    [Fact]
    public void UnsolicitedSnapshotWhileLive_IsReportedAsIllegal_NotAsALiveSelfEdge()
    {
        var h = new SyncHarness();
        h.Snapshot(10);
        h.Delta(11, 12);
        long transitions = h.Sync.Counters.Transitions;
        SyncTransition live = h.Sync.LastTransition;
        h.Snapshot(5);

        SyncTransition refused = h.Last;
        Assert.True(refused.Illegal);
        Assert.Equal((SyncState.Live, SyncState.Live, 5L), (refused.From, refused.To, refused.FinalUpdateId));
        Assert.Equal(refused, h.Sync.LastIllegal);
        Assert.Contains("ILLEGAL", refused.ToString(), StringComparison.Ordinal);
        // A refused edge is not a transition: the legal count and the last legal edge stay.
        Assert.Equal(transitions, h.Sync.Counters.Transitions);
        Assert.Equal(live, h.Sync.LastTransition);
    }

    [Fact]
    public void LegalSelfEdge_SnapshotTooOldWhileSyncing_IsNotIllegal()
    {
        var h = new SyncHarness();
        h.Delta(20, 25);
        h.Snapshot(10);
        Assert.Equal((SyncState.Syncing, SyncState.Syncing, StaleReason.SnapshotTooOld), (h.Last.From, h.Last.To, h.Last.Reason));
        Assert.False(h.Last.Illegal);
        Assert.Equal(0, h.Sync.Counters.IllegalTransitions);
        Assert.False(h.Sync.LastIllegal.Illegal); // none yet
    }

    [Fact]
    public void NormalLife_ReportsNoIllegalEdge()
    {
        var h = new SyncHarness();
        h.Snapshot(10);
        h.Delta(11, 12);
        h.Delta(14, 15); // gap: Live -> Stale
        h.Delta(16, 17); // Stale -> Resyncing
        h.Snapshot(16);  // Resyncing -> Live
        h.Sync.MarkStale(StaleReason.Disconnected, h.Now);
        Assert.DoesNotContain(h.Transitions, t => t.Illegal);
        Assert.Equal(0, h.Sync.Counters.IllegalTransitions);
    }

    [Fact]
    public void BufferOverflow_RestartsTheSync()
    {
        var h = new SyncHarness(options: new SyncOptions { MaxBufferedDeltas = 4, MaxBufferedLevels = 100 });
        for (int i = 0; i < 5; i++)
            h.Delta(i * 10 + 1, i * 10 + 10);
        Assert.Equal(1, h.Sync.Counters.BufferOverflows);
        Assert.Equal(StaleReason.BufferOverflow, h.Sync.LastFailure);
        Assert.True(h.Sync.SnapshotRequested);
        // The newest diff starts the next attempt, so a fresh snapshot still syncs.
        h.Snapshot(45);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(50, h.Book.UpdateId);
    }

    [Fact]
    public void LongWaitForTheSnapshot_EveryBufferedDiffIsApplied_PastTheBuffersFirstSize()
    {
        // The buffer starts small (64 diffs, 4,096 levels) and grows to its bounds: 300 diffs of 40 levels
        // (12,000 levels) must all come back, in order, when the snapshot arrives.
        var h = new SyncHarness();
        for (int d = 0; d < 300; d++)
        {
            var bids = new Level[20];
            var asks = new Level[20];
            for (int k = 0; k < 20; k++)
            {
                // Each diff rewrites 20 bid and 20 ask levels; the last diff to touch a level sets its size.
                bids[k] = new Level(1_000 - (d % 50) - k, d + 1);
                asks[k] = new Level(2_000 + (d % 50) + k, d + 1);
            }
            h.Delta(d * 10 + 1, d * 10 + 10, bids, asks);
        }
        Assert.Equal(300, h.Sync.BufferedDiffs);
        Assert.Equal(0, h.Sync.Counters.BufferOverflows);
        h.Snapshot(5, bids: [new Level(500, 1)], asks: [new Level(3_000, 1)]);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(3_000, h.Book.UpdateId);
        // Level 1_000 - j is touched by diffs d with (d % 50) + k == j, k < 20; the last such diff sets it.
        for (int j = 0; j < 69; j++)
        {
            int last = Enumerable.Range(0, 300).Last(d => j - d % 50 is >= 0 and < 20);
            Assert.Equal(last + 1, h.Book.QtyAt(Side.Bid, 1_000 - j));
            Assert.Equal(last + 1, h.Book.QtyAt(Side.Ask, 2_000 + j));
        }
    }

    [Fact]
    public void BufferBoundsHold_WhenTheBufferHasGrown()
    {
        // Levels, not diffs, run out first: 9 diffs of 500 levels fit 4,500, the 10th would pass 4,800.
        var h = new SyncHarness(options: new SyncOptions { MaxBufferedDeltas = 1_000, MaxBufferedLevels = 4_800 });
        var levels = Enumerable.Range(0, 500).Select(k => new Level(1_000 - k, 1)).ToArray();
        for (int d = 0; d < 9; d++)
            h.Delta(d * 10 + 1, d * 10 + 10, levels);
        Assert.Equal(0, h.Sync.Counters.BufferOverflows);
        Assert.Equal(9, h.Sync.BufferedDiffs);
        h.Delta(91, 100, levels);
        Assert.Equal(1, h.Sync.Counters.BufferOverflows);
        Assert.Equal(1, h.Sync.BufferedDiffs); // the newest diff starts the next attempt
    }

    [Fact]
    public void UsdM_ChainsOnPreviousFinalId_AndDropsStrictlyOlderDiffs()
    {
        var h = new SyncHarness(SyncRule.BinanceUsdM);
        h.Delta(100, 150, prevFinal: 90);     // u < L: dropped
        h.Delta(151, 210, prevFinal: 150, bids: [new Level(99, 1)]); // U ≤ L ≤ u: first applied
        h.Snapshot(200);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(210, h.Book.UpdateId);
        Assert.Equal(1, h.Sync.Counters.DiffsDroppedBeforeSync);

        h.Delta(5_000, 5_100, prevFinal: 210); // ids jump across symbols: pu is what chains
        Assert.Equal(SyncState.Live, h.Sync.State);
        h.Delta(5_200, 5_300, prevFinal: 5_150);
        Assert.Equal(SyncState.Stale, h.Sync.State);
        Assert.Equal(StaleReason.Gap, h.Last.Reason);
    }

    [Fact]
    public void UsdM_DiffEndingExactlyAtSnapshotId_IsTheFirstApplied()
    {
        var h = new SyncHarness(SyncRule.BinanceUsdM);
        h.Delta(150, 200, prevFinal: 140, asks: [new Level(120, 3)]);
        h.Snapshot(200);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(3, h.Book.QtyAt(Side.Ask, 120));
        Assert.Equal(0, h.Sync.Counters.DiffsDroppedBeforeSync);
    }

    [Fact]
    public void TopOfBookOverlay_NewerTickerWinsUntilADiffPassesIt()
    {
        var h = new SyncHarness();
        h.Snapshot(10, bids: [new Level(100, 10)], asks: [new Level(102, 10)]);
        h.Sync.OnTopOfBook(new TopOfBook(0, 14, 101, 5, 102, 7, 0, h.Now));
        EffectiveTop top = h.Sync.Top;
        Assert.True(top.FromTicker);
        Assert.Equal((101L, 5L, 102L, 7L), (top.BidTick, top.BidQty, top.AskTick, top.AskQty));

        h.Delta(11, 15, bids: [new Level(101, 6)]);
        top = h.Sync.Top;
        Assert.False(top.FromTicker);
        Assert.Equal((101L, 6L), (top.BidTick, top.BidQty));

        // An older ticker never replaces a newer one.
        h.Sync.OnTopOfBook(new TopOfBook(0, 12, 50, 1, 60, 1, 0, h.Now));
        h.Sync.OnTopOfBook(new TopOfBook(0, 16, 101, 9, 102, 7, 0, h.Now));
        h.Sync.OnTopOfBook(new TopOfBook(0, 13, 50, 1, 60, 1, 0, h.Now));
        Assert.Equal(9, h.Sync.Top.BidQty);
    }

    [Fact]
    public void Router_ErrorOnOneSymbol_LeavesTheOtherLive()
    {
        var a = new SyncHarness(instrumentId: 0);
        var b = new SyncHarness(instrumentId: 1);
        var router = new MarketDataRouter(2);
        router.Add(a.Sync);
        router.Add(b.Sync);
        a.Snapshot(10);
        b.Snapshot(10);
        router.OnMessageError(1, MarketDataError.Truncated, 0);
        Assert.Equal(SyncState.Live, a.Sync.State);
        Assert.Equal(SyncState.Stale, b.Sync.State);
        Assert.Equal(StaleReason.Malformed, b.Last.Reason);

        router.OnMessageError(0, MarketDataError.OffTick, 0);
        Assert.Equal(StaleReason.OffTick, a.Last.Reason);
        Assert.True(a.Sync.MetadataRefreshRequested);
        Assert.False(b.Sync.MetadataRefreshRequested);

        router.OnMessageError(-1, MarketDataError.Malformed, 0);
        Assert.Equal(1, router.UnroutedErrors);
    }

    [Fact]
    public void GridChange_RescalesBookBufferAndTicker_WithoutLeavingTheState()
    {
        var h = new SyncHarness();
        h.Snapshot(10, bids: [new Level(100, 1)], asks: [new Level(102, 1)]);
        h.Sync.OnTopOfBook(new TopOfBook(0, 12, 101, 1, 102, 1, 0, h.Now));
        h.Sync.OnGridChanged(h.Book.TickRaw / 10);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(1000, h.Book.BestBidTick);
        Assert.Equal(1010, h.Sync.Top.BidTick); // the ticker moved with the grid
        Assert.True(h.Sync.MetadataRefreshRequested);
        Assert.Equal(1, h.Sync.Counters.GridRefinements);

        // Diffs buffered on the old grid are rescaled before they are applied.
        h.Sync.MarkStale(StaleReason.Disconnected, h.Now);
        h.Delta(20, 25, bids: [new Level(1005, 7)]);
        h.Sync.OnGridChanged(h.Book.TickRaw / 10);
        h.Snapshot(21, bids: [new Level(10_000, 1)], asks: [new Level(10_200, 1)]);
        Assert.Equal(SyncState.Live, h.Sync.State);
        Assert.Equal(7, h.Book.QtyAt(Side.Bid, 10_050));
    }

    [Fact]
    public void EveryTransition_IsCounted()
    {
        var h = new SyncHarness();
        h.Snapshot(10);           // Syncing -> Live
        h.Delta(12, 13);          // Live -> Stale
        h.Delta(14, 15);          // Stale -> Resyncing
        h.Snapshot(14);           // Resyncing -> Live
        Assert.Equal(4, h.Sync.Counters.Transitions);
        Assert.Equal(
            [(SyncState.Syncing, SyncState.Live), (SyncState.Live, SyncState.Stale), (SyncState.Stale, SyncState.Resyncing), (SyncState.Resyncing, SyncState.Live)],
            h.Transitions.Select(t => (t.From, t.To)));
    }
}
