using Fathom.Core;

namespace Fathom.Simulator;

/// <summary>
/// Binance's REST limits on the injected clock: request weight per IP per minute, unfilled-order
/// counts per account per 10 s and per day, windows aligned to wall-clock boundaries (EXCHANGES.md §7).
/// An IP that keeps sending after 429s is banned with 418, for twice as long each time.
/// Not thread-safe: the server calls it under its lock.
/// </summary>
public sealed class RateLimiter(RateLimitSettings settings, MonotonicClock clock)
{
    private const long MinuteMs = 60_000, TenSecondsMs = 10_000, DayMs = 86_400_000;
    private readonly Dictionary<string, IpState> _ips = new(StringComparer.Ordinal);
    private readonly Dictionary<int, OrderState> _orders = [];

    public RateLimitSettings Settings => settings;

    private sealed class IpState
    {
        public long Window;
        public int Weight;
        public int Rejections;
        public long BannedUntil;
        public int Bans;
    }

    private sealed class OrderState
    {
        public long Window10S;
        public int Count10S;
        public long WindowDay;
        public int CountDay;
    }

    /// <summary>Adds the weight; returns the error to answer with (429/418) or null. <paramref name="used"/> is for X-MBX-USED-WEIGHT-1M.</summary>
    public BinanceError? ChargeWeight(string ip, int weight, out int used, out int retryAfterSeconds)
    {
        long now = clock.UtcNowUnixMs;
        retryAfterSeconds = 0;
        if (!_ips.TryGetValue(ip, out var s))
            _ips.Add(ip, s = new IpState());
        long window = now - now % MinuteMs;
        if (window != s.Window)
        {
            s.Window = window;
            s.Weight = 0;
            s.Rejections = 0;
        }
        if (s.BannedUntil > now)
        {
            used = s.Weight;
            retryAfterSeconds = CeilSeconds(s.BannedUntil - now);
            return BinanceErrors.Banned(s.BannedUntil);
        }
        s.Weight += weight;
        used = s.Weight;
        if (s.Weight <= settings.RequestWeightPerMinute)
            return null;
        if (++s.Rejections > settings.RejectionsBeforeBan)
        {
            var ban = TimeSpan.FromTicks(Math.Min(settings.MaxBan.Ticks, settings.FirstBan.Ticks << Math.Min(s.Bans, 20)));
            s.Bans++;
            s.BannedUntil = now + (long)ban.TotalMilliseconds;
            retryAfterSeconds = CeilSeconds(s.BannedUntil - now);
            return BinanceErrors.Banned(s.BannedUntil);
        }
        retryAfterSeconds = CeilSeconds(window + MinuteMs - now);
        return BinanceErrors.TooMuchWeight(settings.RequestWeightPerMinute, "1 MINUTE");
    }

    /// <summary>Counts one new order for the account; returns 429 -1015 when a window is full.</summary>
    public BinanceError? ChargeOrder(int accountId, out int retryAfterSeconds)
    {
        long now = clock.UtcNowUnixMs;
        var s = Roll(accountId, now);
        retryAfterSeconds = 0;
        if (s.Count10S >= settings.OrdersPer10Seconds)
        {
            retryAfterSeconds = CeilSeconds(s.Window10S + TenSecondsMs - now);
            return BinanceErrors.TooManyOrders(settings.OrdersPer10Seconds, "10 SECOND");
        }
        if (s.CountDay >= settings.OrdersPerDay)
        {
            retryAfterSeconds = CeilSeconds(s.WindowDay + DayMs - now);
            return BinanceErrors.TooManyOrders(settings.OrdersPerDay, "1 DAY");
        }
        s.Count10S++;
        s.CountDay++;
        return null;
    }

    /// <summary>Current counts for X-MBX-ORDER-COUNT-10S and -1D.</summary>
    public (int TenSeconds, int Day) OrderCounts(int accountId)
    {
        var s = Roll(accountId, clock.UtcNowUnixMs);
        return (s.Count10S, s.CountDay);
    }

    private OrderState Roll(int accountId, long now)
    {
        if (!_orders.TryGetValue(accountId, out var s))
            _orders.Add(accountId, s = new OrderState { Window10S = -1, WindowDay = -1 });
        long w10 = now - now % TenSecondsMs, wd = now - now % DayMs;
        if (w10 != s.Window10S) { s.Window10S = w10; s.Count10S = 0; }
        if (wd != s.WindowDay) { s.WindowDay = wd; s.CountDay = 0; }
        return s;
    }

    private static int CeilSeconds(long ms) => (int)Math.Max(1, (ms + 999) / 1000);
}
