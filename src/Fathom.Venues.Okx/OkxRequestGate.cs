using Fathom.Core;

namespace Fathom.Venues.Okx;

/// <summary>
/// OKX's WebSocket request limits (EXCHANGES.md §8.1): at most 3 connection attempts per second (per IP) and at
/// most 480 <c>subscribe</c>/<c>unsubscribe</c>/<c>login</c> ops per hour (per connection). Each is a sliding window
/// of the times of the last N requests; a request that does not fit is told how long to wait. Thread-safe.
/// </summary>
public sealed class OkxRequestGate(TimeProvider time, int connectsPerSecond = 3, int opsPerHour = 480)
{
    private readonly Lock _gate = new();
    private readonly Queue<DateTimeOffset> _connects = new();
    private readonly Queue<DateTimeOffset> _ops = new();

    public int ConnectsPerSecond { get; } = connectsPerSecond;
    public int OpsPerHour { get; } = opsPerHour;

    /// <summary>Zero when a connection attempt may go now (and it is counted); else how long to wait.</summary>
    public TimeSpan TryConnect() => TryTake(_connects, ConnectsPerSecond, TimeSpan.FromSeconds(1));

    /// <summary>
    /// Waits until a connection attempt may go (and counts it); <paramref name="throttled"/> is told each time it has to
    /// wait first. Market data and order entry both call this on the same gate: OKX's limit is per IP.
    /// </summary>
    public async Task WaitToConnectAsync(Action throttled, CancellationToken cancel)
    {
        TimeSpan wait;
        while ((wait = TryConnect()) > TimeSpan.Zero)
        {
            throttled();
            await Task.Delay(wait, time, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Zero when a subscribe op may go now on the current connection (and it is counted); else how long to wait.</summary>
    public TimeSpan TrySubscribeOp() => TryTake(_ops, OpsPerHour, TimeSpan.FromHours(1));

    /// <summary>A new connection starts its own op budget (the 480 per hour is per connection).</summary>
    public void NewConnection()
    {
        lock (_gate)
            _ops.Clear();
    }

    private TimeSpan TryTake(Queue<DateTimeOffset> window, int limit, TimeSpan span)
    {
        lock (_gate)
        {
            DateTimeOffset now = time.GetUtcNow();
            while (window.Count > 0 && now - window.Peek() >= span)
                window.Dequeue();
            if (window.Count >= limit)
                return window.Peek() + span - now;
            window.Enqueue(now);
            return TimeSpan.Zero;
        }
    }
}
