namespace Fathom.Venues.Okx;

/// <summary>Settings of the live OKX market-data feed. Defaults follow EXCHANGES.md §8.1–§8.4.</summary>
public sealed record OkxFeedOptions
{
    /// <summary><c>sz</c> of the REST <c>market/books</c> snapshot (OKX's maximum, and the depth of the <c>books</c> channel).</summary>
    public int SnapshotDepth { get; init; } = 400;

    /// <summary>Order-book channel: <c>books</c> (400 levels, 100 ms; public). The tbt channels need a VIP login.</summary>
    public string BooksChannel { get; init; } = "books";
    public bool SubscribeBbo { get; init; } = true;
    public bool SubscribeTrades { get; init; } = true;

    /// <summary>
    /// After this long without any message, send the text <c>ping</c>. OKX drops a connection idle for 30 s, so this
    /// must be below 30 s less <see cref="PongTimeout"/>.
    /// </summary>
    public TimeSpan PingAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>No <c>pong</c> within this long of a <c>ping</c>: the connection is dead; it is dropped and replaced.</summary>
    public TimeSpan PongTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Subscribe args per <c>subscribe</c> op (each op counts once against the 480 per hour per connection).</summary>
    public int ArgsPerSubscribe { get; init; } = 100;

    public TimeSpan ReconnectBackoffMin { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan ReconnectBackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Delay before asking again after a snapshot older than the buffered updates (§8.4: refetch while the
    /// snapshot's seqId is below the buffered prevSeqId) or a failed fetch without a Retry-After.
    /// </summary>
    public TimeSpan SnapshotRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Bound on one REST request (snapshot or instruments), on top of the HttpClient's own timeout.</summary>
    public TimeSpan RestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the watchdog checks pings, pongs and pending snapshots.</summary>
    public TimeSpan WatchdogInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Seed of the reconnect jitter, for a test that needs the same pauses every run. Null (the default): seeded
    /// from the system's entropy, so instances started together (several processes after one venue outage) spread
    /// their reconnects instead of retrying in step. A fixed seed shared by every instance made them all draw the
    /// same jitter, which is no jitter at all between them.
    /// </summary>
    public int? JitterSeed { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public OkxFeedOptions Validate()
    {
        if (SnapshotDepth is < 1 or > 400)
            throw new ArgumentException($"SnapshotDepth {SnapshotDepth}: OKX's market/books takes sz 1..400");
        if (PingAfter <= TimeSpan.Zero || PongTimeout <= TimeSpan.Zero || PingAfter + PongTimeout >= TimeSpan.FromSeconds(30))
            throw new ArgumentException($"PingAfter {PingAfter} + PongTimeout {PongTimeout} must be positive and under OKX's 30 s idle limit");
        if (ArgsPerSubscribe < 1)
            throw new ArgumentException("ArgsPerSubscribe must be at least 1");
        if (ReconnectBackoffMin <= TimeSpan.Zero || ReconnectBackoffMax < ReconnectBackoffMin)
            throw new ArgumentException("ReconnectBackoffMin must be positive and at most ReconnectBackoffMax");
        if (WatchdogInterval <= TimeSpan.Zero || RestTimeout <= TimeSpan.Zero || SnapshotRetryDelay < TimeSpan.Zero)
            throw new ArgumentException("WatchdogInterval and RestTimeout must be positive, SnapshotRetryDelay not negative");
        if (string.IsNullOrWhiteSpace(BooksChannel))
            throw new ArgumentException("BooksChannel is empty");
        return this;
    }
}
