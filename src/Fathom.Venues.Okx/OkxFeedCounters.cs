namespace Fathom.Venues.Okx;

/// <summary>Connection-level counters of the live OKX feed (read by dashboards and tests; each written by one loop at a time).</summary>
public sealed class OkxFeedCounters
{
    public long Connects;
    public long ConnectFailures;
    /// <summary>Connections lost after they were up (server close, network, no pong); each marks every book Stale.</summary>
    public long Disconnects;
    /// <summary>Connects delayed to stay within OKX's 3 connection attempts per second.</summary>
    public long ConnectsThrottled;
    /// <summary><c>subscribe</c> ops sent (each counts against the 480 per hour per connection).</summary>
    public long SubscribeOps;
    public long PingsSent;
    public long PongsReceived;
    /// <summary>Connections dropped because a <c>ping</c> got no <c>pong</c> in time.</summary>
    public long PongTimeouts;
    /// <summary>Frames the parser refused (malformed, truncated, bad numbers, off-tick, unknown instrument): counted, the book goes Stale and resyncs.</summary>
    public long FrameErrors;
    public long SnapshotRequests;
    public long SnapshotFailures;
    public long SnapshotRateLimited;
    /// <summary>Snapshots whose body was refused (non-zero code, malformed): the book asks again.</summary>
    public long SnapshotErrors;
}
