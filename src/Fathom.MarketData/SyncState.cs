namespace Fathom.MarketData;

/// <summary>Per-symbol book synchronisation state: Syncing → Live → Stale → Resyncing → Live.</summary>
public enum SyncState : byte
{
    /// <summary>First sync: buffering diffs, waiting for a snapshot.</summary>
    Syncing = 0,
    /// <summary>The book is current: diffs are applied as they arrive.</summary>
    Live = 1,
    /// <summary>Integrity was lost (gap, crossed book, silence, bad message); a snapshot has been requested. Quoting must stop.</summary>
    Stale = 2,
    /// <summary>After Stale: diffs are being buffered again, waiting for the requested snapshot.</summary>
    Resyncing = 3,
}
