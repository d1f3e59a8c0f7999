namespace Fathom.Simulator;

/// <summary>
/// The limits <c>exchangeInfo.rateLimits</c> advertises and the server enforces (Binance's documented
/// defaults). Request weight is per client IP per minute, order counts per account.
/// </summary>
public sealed record RateLimitSettings
{
    public int RequestWeightPerMinute { get; init; } = 6000;
    public int OrdersPer10Seconds { get; init; } = 50;
    public int OrdersPerDay { get; init; } = 160_000;
    /// <summary>429 answers an IP may collect in one window before it is banned with 418.</summary>
    public int RejectionsBeforeBan { get; init; } = 20;
    public TimeSpan FirstBan { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan MaxBan { get; init; } = TimeSpan.FromDays(3);
}
