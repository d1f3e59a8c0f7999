namespace Fathom.Engine;

/// <summary>
/// Which trading day a wall-clock instant belongs to: days since the Unix epoch, counted from the
/// configured day start (<c>RiskLimits.TradingDayStartOffsetNs</c> after 00:00 UTC). The host's timer
/// loop compares it tick by tick and sends the core a new-day input when it changes.
/// </summary>
public static class TradingDay
{
    private const long DayNs = 86_400_000_000_000;

    public static long IndexOf(DateTimeOffset utc, long dayStartOffsetNs)
    {
        long ns = (utc - DateTimeOffset.UnixEpoch).Ticks * 100 - dayStartOffsetNs;
        return ns >= 0 ? ns / DayNs : (ns - DayNs + 1) / DayNs;
    }
}
