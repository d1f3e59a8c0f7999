namespace Fathom.Venues.Binance;

/// <summary>Settings of the live Binance market-data feed. Defaults follow EXCHANGES.md §1.3.</summary>
public sealed record BinanceFeedOptions
{
    /// <summary>Depth requested for REST snapshots (spot max 5000; 1000 costs weight 50).</summary>
    public int SnapshotDepth { get; init; } = 1000;

    /// <summary>Diff stream speed suffix: "@100ms" or "" (1000 ms).</summary>
    public string DepthSpeed { get; init; } = "@100ms";

    public bool SubscribeBookTicker { get; init; } = true;
    public bool SubscribeTrades { get; init; } = true;

    /// <summary>No frame at all on the connection for this long → it is silent-but-open: drop it and reconnect.</summary>
    public TimeSpan SilenceTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A Live book whose depth diffs and top of book (bookTicker) have both been quiet this long goes
    /// Stale (<c>StaleReason.Silence</c>) while the connection may still be open, and resyncs when its
    /// data returns. 5 s suits a liquid symbol; give quiet symbols their own limit in
    /// <see cref="BookSilenceTimeouts"/>. Zero or infinite disables it (the connection-level
    /// <see cref="SilenceTimeout"/> still applies). Checked every <see cref="WatchdogInterval"/>.
    /// </summary>
    public TimeSpan BookSilenceTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Per-symbol overrides of <see cref="BookSilenceTimeout"/>, by symbol (case-insensitive), e.g. <c>{ ["XRPBTC"] = 60 s }</c>.</summary>
    public IReadOnlyDictionary<string, TimeSpan>? BookSilenceTimeouts { get; init; }

    /// <summary>The book-silence limit that applies to <paramref name="symbol"/>; <see cref="TimeSpan.Zero"/> when disabled.</summary>
    public TimeSpan BookSilenceTimeoutFor(string symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        TimeSpan limit = BookSilenceTimeout;
        if (BookSilenceTimeouts is { } overrides)
        {
            foreach (var (name, value) in overrides)
            {
                if (string.Equals(name, symbol, StringComparison.OrdinalIgnoreCase))
                {
                    limit = value;
                    break;
                }
            }
        }
        return limit <= TimeSpan.Zero || limit == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : limit;
    }

    /// <summary>Binance cuts connections at 24 h; reconnect (overlapping) before that.</summary>
    public TimeSpan MaxConnectionAge { get; init; } = TimeSpan.FromHours(23.5);

    /// <summary>How long the old connection keeps feeding after the new one delivered its first frame.</summary>
    public TimeSpan ReconnectOverlap { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectBackoffMin { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan ReconnectBackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Delay before asking again after a snapshot was older than the buffered diffs.</summary>
    public TimeSpan SnapshotRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the watchdog checks silence, connection age and pending snapshots.</summary>
    public TimeSpan WatchdogInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Seed of the reconnect jitter, for a test that needs the same pauses every run. Null (the default): seeded
    /// from the system's entropy, so instances started together (several processes after one venue outage) spread
    /// their reconnects instead of retrying in step. A fixed seed shared by every instance made them all draw the
    /// same jitter, which is no jitter at all between them.
    /// </summary>
    public int? JitterSeed { get; init; }

    /// <summary>
    /// Hand each frame to a dedicated busy-spinning core thread (through a lock-free ring) instead of
    /// applying it on the thread that read it. For machines with a spare core to burn; off by default,
    /// because on 2 cores a spinning thread competes with the socket threads and run-to-completion wins.
    /// </summary>
    public bool SpinningCore { get; init; }

    /// <summary>Frames the spinning core's ring holds; a full ring makes the reading thread wait (the socket buffers).</summary>
    public int SpinningCoreRingCapacity { get; init; } = 4096;
}
