namespace Fathom.MarketData;

/// <summary>Bounds for one symbol's sync state machine.</summary>
public sealed record SyncOptions
{
    /// <summary>Diffs buffered while waiting for a snapshot before the sync restarts.</summary>
    public int MaxBufferedDeltas { get; init; } = 4_096;

    /// <summary>Levels across buffered diffs before the sync restarts.</summary>
    public int MaxBufferedLevels { get; init; } = 262_144;

    /// <summary>
    /// Live with no diff for this long (receive-clock ns) → Stale. 0 disables: an illiquid symbol's
    /// diff stream is legitimately quiet, so connection liveness (pings) is the primary check.
    /// </summary>
    public long SilenceTimeoutNs { get; init; } = 10_000_000_000;

    public static SyncOptions Default { get; } = new();
}
