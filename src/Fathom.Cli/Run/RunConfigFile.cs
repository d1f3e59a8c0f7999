using Fathom.Hosting;
namespace Fathom.Cli.Run;

// The JSON shape of `fathom run --config` (camelCase; unknown properties are rejected). Every member is
// nullable so RunConfig.Load can tell "missing" from "zero" and name what is missing. Decimal amounts
// (quantities, money) are JSON strings, never numbers, so no value goes through a binary float.

/// <summary>The whole file.</summary>
internal sealed class RunConfigFile
{
    public string? Venue { get; set; }
    public string? RestUrl { get; set; }
    public string? StreamUrl { get; set; }
    public string? WsApiUrl { get; set; }
    public List<SymbolSection?>? Symbols { get; set; }
    public RiskSection? Risk { get; set; }
    public string? StateDirectory { get; set; }
    public int? MetricsPort { get; set; }
    public string? ClientOrderIdPrefix { get; set; }
    public int? InstanceId { get; set; }
    public double? StatusIntervalSeconds { get; set; }
    public double? ShutdownTimeoutSeconds { get; set; }
    /// <summary>Order entry: a WebSocket API ping this often (latency evidence while no order flows).</summary>
    public long? ProbeIntervalMs { get; set; }
    /// <summary>Order entry: no answer to a probe (or a request, while nothing arrives) for this long counts as down.</summary>
    public long? LivenessTimeoutMs { get; set; }
    /// <summary>exchangeInfo (filters, symbol status) is reloaded this often.</summary>
    public double? MetadataRefreshSeconds { get; set; }
}

/// <summary>One traded symbol: its assets, the market maker's settings and its per-instrument risk limits.</summary>
internal sealed class SymbolSection
{
    public string? Symbol { get; set; }
    public string? BaseAsset { get; set; }
    public string? QuoteAsset { get; set; }
    public MarketMakerSection? Strategy { get; set; }
    public InstrumentLimitsSection? Limits { get; set; }
    /// <summary>The book goes stale when its depth and top-of-book streams have both been quiet this long.</summary>
    public long? BookSilenceMs { get; set; }
}

/// <summary><see cref="Fathom.Strategies.MarketMakerOptions"/> with quantities in base units.</summary>
internal sealed class MarketMakerSection
{
    public long? HalfSpreadTicks { get; set; }
    public string? QuoteQty { get; set; }
    public string? MaxPosition { get; set; }
    public long? MaxSkewTicks { get; set; }
    public double? ReferenceVolatility { get; set; }
    public double? PullVolatility { get; set; }
    public double? PullWithdrawal { get; set; }
    public bool? FollowTicker { get; set; }
    public long? MinRequoteIntervalMs { get; set; }
}

/// <summary><see cref="Fathom.Risk.InstrumentRiskLimits"/>: quantities in base units, notional in the quote asset.</summary>
internal sealed class InstrumentLimitsSection
{
    public string? MaxPosition { get; set; }
    public string? MaxOrderQty { get; set; }
    public string? MaxOrderNotional { get; set; }
}

/// <summary><see cref="Fathom.Risk.RiskLimits"/>: money in the quote asset, times in milliseconds. Unset kill-switch thresholds keep RiskLimits' defaults.</summary>
internal sealed class RiskSection
{
    public string? MaxTotalNotional { get; set; }
    public string? MarkoutLossLimit { get; set; }
    public string? MaxDailyLoss { get; set; }
    public int? PriceBandBps { get; set; }
    public long? MarkoutHorizonMs { get; set; }
    public long? MarkoutCooldownMs { get; set; }
    public int? VwapStopBps { get; set; }
    public double? VolatilityWidenAbove { get; set; }
    public double? VolatilityPauseAbove { get; set; }
    public long? MaxInFlightAgeMs { get; set; }
    public long? AckLatencyTripMs { get; set; }
    public long? AckLatencyReleaseMs { get; set; }
    public long? FeedLagTripMs { get; set; }
    public long? FeedLagReleaseMs { get; set; }
    public long? StaleBookGraceMs { get; set; }
    public long? VenueErrorWindowMs { get; set; }
    public int? VenueErrorMinCount { get; set; }
    public int? VenueErrorRatePercent { get; set; }
    public int? MaxNewOrdersPerSecond { get; set; }
    public int? OrderBudget { get; set; }
    public long? OrderBudgetWindowMs { get; set; }
    public int? CancelHeadroom { get; set; }
    public long? ReleaseCooldownMs { get; set; }
    /// <summary>The trading day (the daily loss limit's period) starts this many minutes after 00:00 UTC.</summary>
    public int? TradingDayStartMinutes { get; set; }
}
