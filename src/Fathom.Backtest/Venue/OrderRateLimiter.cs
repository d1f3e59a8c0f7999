namespace Fathom.Backtest.Venue;

/// <summary>
/// The account's order-count limits as Binance spot applies them: new orders per 10 s and per UTC day, each window
/// aligned to wall-clock boundaries (EXCHANGES.md §7: "Intervals reset on wall-clock boundaries"), in virtual Unix ns.
/// A refused order is not counted.
/// </summary>
internal sealed class OrderRateLimiter(VenueLimits limits)
{
    public const long TenSecondsNs = 10_000_000_000L;
    public const long DayNs = 86_400_000_000_000L;

    private long _window10s = long.MinValue, _windowDay = long.MinValue;
    private int _count10s, _countDay;

    /// <summary>Counts one new order at <paramref name="nowNs"/>; false (with how long until the full window resets) when a window is full.</summary>
    public bool TryCharge(long nowNs, out long retryAfterNs, out bool daily)
    {
        long w10 = nowNs - Mod(nowNs, TenSecondsNs), wd = nowNs - Mod(nowNs, DayNs);
        if (w10 != _window10s)
        {
            _window10s = w10;
            _count10s = 0;
        }
        if (wd != _windowDay)
        {
            _windowDay = wd;
            _countDay = 0;
        }
        if (_count10s >= limits.OrdersPer10s)
        {
            retryAfterNs = w10 + TenSecondsNs - nowNs;
            daily = false;
            return false;
        }
        if (_countDay >= limits.OrdersPerDay)
        {
            retryAfterNs = wd + DayNs - nowNs;
            daily = true;
            return false;
        }
        _count10s++;
        _countDay++;
        retryAfterNs = 0;
        daily = false;
        return true;
    }

    private static long Mod(long value, long unit)
    {
        long r = value % unit;
        return r < 0 ? r + unit : r;
    }
}
