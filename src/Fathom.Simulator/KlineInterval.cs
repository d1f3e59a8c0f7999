namespace Fathom.Simulator;

/// <summary>
/// Binance's kline intervals (<c>1s</c> … <c>1M</c>) and how an instant maps to the open time of its
/// kline: fixed periods align to multiples of the period since the Unix epoch, weeks start Monday
/// 00:00 UTC, months on the first of the calendar month (all UTC; the <c>timeZone</c> parameter is not supported).
/// </summary>
public static class KlineInterval
{
    private const long Second = 1000, Minute = 60 * Second, Hour = 60 * Minute, Day = 24 * Hour;

    /// <summary>Every interval Binance lists, shortest first; the index is the interval's id here.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M"];

    private static readonly long[] s_periods =
        [Second, Minute, 3 * Minute, 5 * Minute, 15 * Minute, 30 * Minute, Hour, 2 * Hour, 4 * Hour, 6 * Hour, 8 * Hour, 12 * Hour, Day, 3 * Day, 7 * Day, 0];

    /// <summary>Index of the <c>1m</c> interval (the 24 h ticker and avgPrice are computed from it).</summary>
    public const int OneMinute = 1;
    private const int Week = 14, Month = 15;

    /// <summary>The interval's index in <see cref="Names"/>, or -1 for an unknown name (case-sensitive: <c>1m</c> ≠ <c>1M</c>).</summary>
    public static int IndexOf(string? name)
    {
        for (int i = 0; i < Names.Count; i++)
            if (string.Equals(Names[i], name, StringComparison.Ordinal))
                return i;
        return -1;
    }

    /// <summary>Open time (Unix ms) of the kline of interval <paramref name="index"/> that contains <paramref name="timeMs"/>.</summary>
    public static long OpenTime(int index, long timeMs)
    {
        if (index == Month)
        {
            var t = DateTimeOffset.FromUnixTimeMilliseconds(timeMs);
            return new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        }
        long period = s_periods[index];
        // 1970-01-01 was a Thursday: Binance's weeks open on Monday, 4 days later.
        long offset = index == Week ? 4 * Day : 0;
        long since = timeMs - offset;
        long q = since / period;
        if (since < 0 && since % period != 0)
            q--;
        return q * period + offset;
    }

    /// <summary>Open time of the kline after the one opening at <paramref name="openTime"/> (its close time is this − 1).</summary>
    public static long NextOpenTime(int index, long openTime) =>
        index == Month
            ? DateTimeOffset.FromUnixTimeMilliseconds(openTime).AddMonths(1).ToUnixTimeMilliseconds()
            : openTime + s_periods[index];
}
