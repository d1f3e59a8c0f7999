using Fathom.Core;

namespace Fathom.Venues.Okx;

/// <summary>
/// OKX's order-op limit enforced before sending: at most <c>limit</c> ops per instrument in any sliding
/// <c>window</c> (60 per 2 s per user and instrument, shared by REST and WebSocket, EXCHANGES.md §8.5), and a
/// venue back-off after a 50011/429 during which nothing is sent. Allocation-free; one thread acquires (the send
/// thread), any thread may start a back-off.
/// </summary>
public sealed class OkxOrderRateLimiter
{
    private readonly TimeProvider _time;
    private readonly long[][] _sent; // per instrument: ring of send timestamps
    private readonly int[] _next;
    private readonly int _limit;
    private readonly TimeSpan _window;
    private long _backoffUntil = long.MinValue; // TimeProvider timestamp
    private const long Empty = long.MinValue;

    public OkxOrderRateLimiter(TimeProvider time, int instrumentSlots, int limit, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (instrumentSlots <= 0 || limit <= 0 || window <= TimeSpan.Zero)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(limit), "instrument slots, limit and window must be positive");
        _time = time;
        _limit = limit;
        _window = window;
        _sent = new long[instrumentSlots][];
        for (int i = 0; i < instrumentSlots; i++)
            Array.Fill(_sent[i] = new long[limit], Empty);
        _next = new int[instrumentSlots];
    }

    /// <summary>
    /// Zero when an op on the instrument may go now (and counts it); otherwise how long until one may: the venue
    /// back-off's remainder, or until the oldest op of the full window leaves it.
    /// </summary>
    public TimeSpan TryAcquire(int instrumentId)
    {
        long now = _time.GetTimestamp();
        TimeSpan backoff = BackoffRemaining(now);
        if (backoff > TimeSpan.Zero)
            return backoff;
        var ring = _sent[instrumentId];
        int slot = _next[instrumentId];
        long oldest = ring[slot]; // the ring holds the last `limit` sends; the slot to overwrite is the oldest
        if (oldest != Empty)
        {
            TimeSpan age = _time.GetElapsedTime(oldest, now);
            if (age < _window)
                return _window - age;
        }
        ring[slot] = now;
        _next[instrumentId] = (slot + 1) % _limit;
        return TimeSpan.Zero;
    }

    /// <summary>Holds every op for <paramref name="duration"/> from now (the longer of this and a back-off in force).</summary>
    public void BackOff(TimeSpan duration)
    {
        long until = _time.GetTimestamp() + (long)(duration.TotalSeconds * _time.TimestampFrequency);
        long current;
        do
        {
            current = Interlocked.Read(ref _backoffUntil);
            if (current >= until)
                return;
        } while (Interlocked.CompareExchange(ref _backoffUntil, until, current) != current);
    }

    public TimeSpan BackoffRemaining() => BackoffRemaining(_time.GetTimestamp());

    private TimeSpan BackoffRemaining(long now)
    {
        long until = Interlocked.Read(ref _backoffUntil);
        return until > now ? TimeSpan.FromSeconds((until - now) / (double)_time.TimestampFrequency) : TimeSpan.Zero;
    }
}
