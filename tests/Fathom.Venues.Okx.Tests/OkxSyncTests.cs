using Fathom.MarketData;
using Xunit;
using static Fathom.Venues.Okx.Tests.OkxTestData;

namespace Fathom.Venues.Okx.Tests;

/// <summary>The OKX sync rule (EXCHANGES.md §8.3/§8.4) on hand-built sequences, parser to book.</summary>
public class OkxSyncTests
{
    private static readonly (string, string)[] None = [];

    private static Pipeline LiveAt(long seq)
    {
        var p = new Pipeline();
        p.Feed(Snapshot(seq, [("100", "1")], [("101", "1")]));
        Assert.Equal(SyncState.Live, p.Sync.State);
        return p;
    }

    [Fact]
    public void Update_PrevSeqIdEqualsBookSeqId_Applied()
    {
        var p = LiveAt(10);
        p.Feed(Update(10, 15, [("100", "2")], None));
        Assert.Equal(15, p.Sync.Book.UpdateId);
        Assert.Equal(2_0000_0000, p.Sync.Book.BestBidQty);
        Assert.Equal(1, p.Sync.Counters.DiffsApplied);
    }

    [Fact]
    public void DocumentedSequence_HeartbeatAndReset_StayLive()
    {
        // §8.3: -1->10, 10->15, 15->15 (no change), 15->3 (reset), 3->5.
        var p = LiveAt(10);
        p.Feed(Update(10, 15, [("100", "2")], None));
        p.Feed(Update(15, 15, None, None));
        p.Feed(Update(15, 3, [("99.9", "4")], None));
        p.Feed(Update(3, 5, None, [("101", "0")]));
        Assert.Equal(SyncState.Live, p.Sync.State);
        Assert.Equal(5, p.Sync.Book.UpdateId);
        Assert.Equal(1, p.Sync.Counters.Heartbeats);
        Assert.Equal(1, p.Sync.Counters.Resets);
        Assert.Equal(4, p.Sync.Counters.DiffsApplied);
        Assert.Equal(0, p.Sync.Counters.Gaps);
        Assert.False(p.Sync.Book.HasAsk);
        Assert.Equal(4_0000_0000, p.Sync.Book.QtyAt(Fathom.Book.Side.Bid, 999));
    }

    [Fact]
    public void Update_PrevSeqIdSkipsOne_GapGoesStaleAndRequestsSnapshot()
    {
        var p = LiveAt(10);
        p.Feed(Update(10, 15, [("100", "2")], None));
        p.Feed(Update(20, 25, [("100", "3")], None)); // 15->20 was lost
        Assert.Equal(SyncState.Stale, p.Sync.State);
        Assert.Equal(1, p.Sync.Counters.Gaps);
        Assert.True(p.Sync.SnapshotRequested);
        Assert.Equal(StaleReason.Gap, p.Transitions[^1].Reason);
        Assert.Equal(2_0000_0000, p.Sync.Book.BestBidQty); // the gapped update was not applied
    }

    [Fact]
    public void Update_RepeatOfAppliedUpdate_DroppedAsDuplicate()
    {
        var p = LiveAt(10);
        byte[] u = Update(10, 15, [("100", "2")], None);
        p.Feed(u);
        p.Feed(Update(15, 20, [("100", "3")], None));
        p.Feed(u);
        Assert.Equal(SyncState.Live, p.Sync.State);
        Assert.Equal(1, p.Sync.Counters.Duplicates);
        Assert.Equal(20, p.Sync.Book.UpdateId);
        Assert.Equal(3_0000_0000, p.Sync.Book.BestBidQty);
    }

    [Fact]
    public void RestSnapshot_SplicesBufferedUpdates_DropsContainedAndAppliesTheBracketingOne()
    {
        var p = new Pipeline();
        p.Feed(Update(10, 15, [("100", "9")], None)); // contained in the snapshot (seqId 15 <= 17)
        p.Feed(Update(15, 20, [("100", "2")], None)); // brackets it: 15 <= 17 < 20
        p.Feed(Update(20, 25, [("100.1", "3")], None));
        Assert.Equal(SyncState.Syncing, p.Sync.State);
        Assert.Equal(3, p.Sync.BufferedDiffs);
        Assert.Equal(MarketDataError.None, p.FeedRest(
            "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"asks\":[[\"101\",\"1\",\"0\",\"1\"]],\"bids\":[[\"100\",\"1\",\"0\",\"1\"]],\"ts\":\"1700000000000\",\"seqId\":17}]}"));
        Assert.Equal(SyncState.Live, p.Sync.State);
        Assert.Equal(25, p.Sync.Book.UpdateId);
        Assert.Equal(1, p.Sync.Counters.DiffsDroppedBeforeSync);
        Assert.Equal(2, p.Sync.Counters.DiffsApplied);
        Assert.Equal(1001, p.Sync.Book.BestBidTick);
        Assert.Equal(2_0000_0000, p.Sync.Book.QtyAt(Fathom.Book.Side.Bid, 1000));
    }

    [Fact]
    public void RestSnapshot_OlderThanFirstBufferedPrevSeqId_RefetchedUntilNewEnough()
    {
        var p = new Pipeline();
        p.Feed(Update(10, 15, [("100", "2")], None));
        const string Old = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"asks\":[[\"101\",\"1\",\"0\",\"1\"]],\"bids\":[[\"100\",\"1\",\"0\",\"1\"]],\"ts\":\"1\",\"seqId\":8}]}";
        p.FeedRest(Old);
        Assert.Equal(SyncState.Syncing, p.Sync.State);
        Assert.Equal(1, p.Sync.Counters.SnapshotsTooOld);
        Assert.True(p.Sync.SnapshotRequested);
        p.FeedRest(Old.Replace("\"seqId\":8", "\"seqId\":12", StringComparison.Ordinal));
        Assert.Equal(SyncState.Live, p.Sync.State);
        Assert.Equal(15, p.Sync.Book.UpdateId);
    }

    [Fact]
    public void RestBooks_ErrorCode_CountedAndBookAsksAgain()
    {
        var p = new Pipeline();
        p.Sync.AcknowledgeSnapshotRequest();
        Assert.Equal(MarketDataError.Malformed, p.FeedRest("{\"code\":\"51001\",\"msg\":\"Instrument ID does not exist\",\"data\":[]}"));
        Assert.Equal(1, p.Parser.VenueErrors);
        Assert.Equal(51001, p.Parser.LastErrorCode);
        Assert.True(p.Sync.SnapshotRequested);
        Assert.Equal(0, p.Sync.Counters.SnapshotsApplied);
    }

    [Fact]
    public void Checksum_MatchesDocumentedVector_ThenMismatchGoesStale()
    {
        var p = new Pipeline();
        p.Feed(Snapshot(10, [("3366.1", "7"), ("3366", "6")], [("3366.8", "9"), ("3368", "8")], checksum: -1881014294));
        Assert.Equal(SyncState.Live, p.Sync.State);
        Assert.Equal(1, p.Sync.Counters.ChecksumsMatched);
        p.Feed(Update(10, 11, [("3366", "5")], None, checksum: 12345));
        Assert.Equal(SyncState.Stale, p.Sync.State);
        Assert.Equal(1, p.Sync.Counters.ChecksumsMismatched);
        Assert.Equal(StaleReason.ChecksumMismatch, p.Sync.LastFailure);
        Assert.True(p.Sync.SnapshotRequested);
    }

    [Fact]
    public void Checksum_Zero_IsNotVerified()
    {
        // From 23 June 2026 OKX sends 0: the seqId chain alone keeps the book.
        var p = LiveAt(10);
        p.Feed(Update(10, 11, [("100", "5")], None, checksum: 0));
        Assert.Equal(SyncState.Live, p.Sync.State);
        Assert.Equal(0, p.Sync.Counters.ChecksumsMatched + p.Sync.Counters.ChecksumsMismatched);
    }

    [Fact]
    public void WsSnapshot_AfterStale_ResyncsAndChainsFromItsSeqId()
    {
        var p = LiveAt(10);
        p.Feed(Update(12, 14, [("100", "3")], None));
        Assert.Equal(SyncState.Stale, p.Sync.State);
        p.Feed(Snapshot(30, [("100", "7")], [("101", "1")]));
        p.Feed(Update(30, 31, [("100", "8")], None));
        Assert.Equal(SyncState.Live, p.Sync.State);
        Assert.Equal(31, p.Sync.Book.UpdateId);
        Assert.Equal(8_0000_0000, p.Sync.Book.BestBidQty);
    }
}
