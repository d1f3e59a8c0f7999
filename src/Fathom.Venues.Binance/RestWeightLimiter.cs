using Fathom.Core;

namespace Fathom.Venues.Binance;

/// <summary>
/// Request-weight accounting for Binance REST, mirrored from the venue: the used weight it reports
/// in <c>X-MBX-USED-WEIGHT-1M</c>, the limit from exchangeInfo, and any 429/418 back-off with its
/// Retry-After. A request is allowed only while it fits under the limit with headroom and no
/// back-off is in force; otherwise the caller is told how long to wait. Thread-safe.
/// </summary>
public sealed class RestWeightLimiter(TimeProvider time, int weightPerMinute = 6000, double headroom = 0.9)
{
    private readonly Lock _gate = new();
    private int _usedWeight;
    private long _windowMinute = -1;
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;

    public int WeightPerMinute { get; set; } = weightPerMinute;
    public int UsedWeight { get { lock (_gate) return _usedWeight; } }
    public DateTimeOffset BlockedUntil { get { lock (_gate) return _blockedUntil; } }
    public long Throttled { get; private set; }
    public long RateLimitResponses { get; private set; }
    public long Bans { get; private set; }

    /// <summary>Zero if a request of <paramref name="weight"/> may go now, else how long to wait.</summary>
    public TimeSpan TryAcquire(int weight)
    {
        lock (_gate)
        {
            DateTimeOffset now = time.GetUtcNow();
            if (now < _blockedUntil)
            {
                Throttled++;
                return _blockedUntil - now;
            }
            RollWindow(now);
            // Weight windows reset on wall-clock minute boundaries (EXCHANGES.md §7).
            if (_usedWeight + weight > WeightPerMinute * headroom)
            {
                Throttled++;
                return TimeSpan.FromMilliseconds(60_000 - now.ToUnixTimeMilliseconds() % 60_000);
            }
            _usedWeight += weight;
            return TimeSpan.Zero;
        }
    }

    /// <summary>The venue's own count, from the response header: it wins over our estimate.</summary>
    public void OnUsedWeight(int used)
    {
        lock (_gate)
        {
            RollWindow(time.GetUtcNow());
            _usedWeight = used;
        }
    }

    /// <summary>429 (rate limit) or 418 (IP ban): nothing goes out until Retry-After has passed.</summary>
    public void OnRateLimited(int status, TimeSpan? retryAfter)
    {
        lock (_gate)
        {
            if (status == 418) Bans++; else RateLimitResponses++;
            // Without a Retry-After, back off a full window; a ban is at least two minutes (EXCHANGES.md §7).
            TimeSpan wait = retryAfter ?? TimeSpan.FromSeconds(status == 418 ? 120 : 60);
            DateTimeOffset until = time.GetUtcNow() + wait;
            if (until > _blockedUntil)
                _blockedUntil = until;
        }
    }

    private void RollWindow(DateTimeOffset now)
    {
        long minute = now.ToUnixTimeMilliseconds() / 60_000;
        if (minute != _windowMinute)
        {
            _windowMinute = minute;
            _usedWeight = 0;
        }
    }
}
