namespace Fathom.Venues.Binance;

/// <summary>Connection-level counters of the live feed (read by dashboards; written under the feed's lock).</summary>
public sealed class FeedCounters
{
    public long Connects;
    public long ConnectFailures;
    public long Disconnects;
    public long PlannedReconnects;
    public long SilentConnections;
    /// <summary>Times a Live book went Stale because its depth and top-of-book streams were both quiet past its limit.</summary>
    public long SilentBooks;
    public long ServerShutdowns;
    public long SnapshotRequests;
    public long SnapshotFailures;
    public long SnapshotRateLimited;
}
