using Fathom.MarketData;

namespace Fathom.Journal;

/// <summary>What a <see cref="RecordKind.FeedEvent"/> journal record says happened to the books.</summary>
public enum FeedEventKind
{
    /// <summary>Every Live book was marked stale. Tag a: the <see cref="StaleReason"/>.</summary>
    MarkAllStale = 1,
    /// <summary>The feed took a book's snapshot request (it is about to fetch). Tag a: the instrument.</summary>
    SnapshotRequestTaken = 2,
    /// <summary>A snapshot fetch failed; the book asks again. Tag a: the instrument.</summary>
    SnapshotRequestedAgain = 3,
    /// <summary>One Live book was marked stale (e.g. quiet past its silence limit). Tag a: the instrument; b: the <see cref="StaleReason"/>.</summary>
    MarkStale = 4,
}
