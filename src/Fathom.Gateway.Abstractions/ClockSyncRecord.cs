namespace Fathom.Gateway.Abstractions;

/// <summary>
/// What an order gateway's clock re-syncs after a refused timestamp came to: the failure in force (until a sync
/// succeeds, orders keep the old offset and may be refused again; each refusal asks for another sync), the last
/// failure (kept after a later sync succeeds, so a host that looks later still sees it) and how many failed.
/// Written by the gateway's re-sync task, read from any thread.
/// </summary>
public sealed class ClockSyncRecord
{
    private Exception? _error;
    private Exception? _lastFailure;
    private long _failures;

    /// <summary>Why the last re-sync failed, or null once a sync succeeds.</summary>
    public Exception? Error => Volatile.Read(ref _error);

    /// <summary>Why the last failed re-sync failed, kept after a later sync succeeds (null until one fails).</summary>
    public Exception? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>Re-syncs that failed.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The count with the last failure's reason, as a host reports them.</summary>
    public ClockSyncFailures Snapshot => new(Failures, LastFailure);

    public void Failed(Exception ex)
    {
        Volatile.Write(ref _error, ex);
        Volatile.Write(ref _lastFailure, ex);
        Interlocked.Increment(ref _failures); // last: a reader that sees the count sees the reason
    }

    public void Succeeded() => Volatile.Write(ref _error, null);
}

/// <summary>Failed clock re-syncs of an order entry: the count and the last one's reason (null when none failed).</summary>
public readonly record struct ClockSyncFailures(long Count, Exception? Last);
