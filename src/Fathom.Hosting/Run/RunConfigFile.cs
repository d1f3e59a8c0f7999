namespace Fathom.Hosting.Run;

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
    /// <summary>okx-custom: the OKX v5 public and private WebSocket URLs (with restUrl).</summary>
    public string? PublicWsUrl { get; set; }
    public string? PrivateWsUrl { get; set; }
    public List<SymbolSection?>? Symbols { get; set; }
    public RiskSection? Risk { get; set; }
    public string? StateDirectory { get; set; }
    public int? MetricsPort { get; set; }
    public string? ClientOrderIdPrefix { get; set; }
    public int? InstanceId { get; set; }
    public double? StatusIntervalSeconds { get; set; }
    public double? ShutdownTimeoutSeconds { get; set; }
    /// <summary>
    /// Order entry: Binance <c>recvWindow</c> sent with every signed request (1..60000 ms). Execution's
    /// "never placed" proof window is raised to at least this + 10 s.
    /// </summary>
    public long? RecvWindowMs { get; set; }
    /// <summary>Order entry: a WebSocket API ping this often (latency evidence while no order flows).</summary>
    public long? ProbeIntervalMs { get; set; }
    /// <summary>Order entry: no answer to a probe (or a request, while nothing arrives) for this long counts as down.</summary>
    public long? LivenessTimeoutMs { get; set; }
    /// <summary>exchangeInfo (filters, symbol status) is reloaded this often.</summary>
    public double? MetadataRefreshSeconds { get; set; }
    /// <summary>
    /// Order entry: the <c>selfTradePreventionMode</c> of every new order and cancel-replace: EXPIRE_TAKER (the
    /// default), EXPIRE_MAKER, EXPIRE_BOTH, NONE (sent: no prevention) or SYMBOL_DEFAULT (not sent).
    /// </summary>
    public string? SelfTradePrevention { get; set; }
    /// <summary>Synthetic frames per instrument the JIT warm-up drives through a throwaway core before trading (0: no warm-up).</summary>
    public int? WarmupFrames { get; set; }
    /// <summary>Where the host's lifecycle log goes and at which levels (<c>Microsoft.Extensions.Logging</c>).</summary>
    public LoggingSection? Logging { get; set; }
    /// <summary>Which trade store: SQLite in the state directory (the default) or PostgreSQL.</summary>
    public StoreSection? Store { get; set; }
    /// <summary>
    /// Restart reconciliation's balance checks, by base asset (e.g. "BTC"): the venue's balance must equal
    /// the baseline plus the positions of the configured symbols with that base asset, within the tolerance.
    /// </summary>
    public Dictionary<string, BalanceSection?>? Balances { get; set; }
    /// <summary>The input journal (audit and replay): its file and rotation; <c>--journal</c> and <c>--journal-rotate-*</c> override.</summary>
    public JournalSection? Journal { get; set; }
    /// <summary>Several instances on one account: the lease scope, the coordination service, the lease timing and the shared budgets.</summary>
    public ClusterSection? Cluster { get; set; }
}

/// <summary>
/// Coordination with the other instances on the account (<see cref="Fathom.Hosting.Cluster.ClusterSettings"/>).
/// <see cref="Coordination"/> <c>local</c> (the default) is one instance with a local lease; <c>postgres</c>
/// keeps leases, quotas and resting quotes in the PostgreSQL database of the trade store.
/// </summary>
internal sealed class ClusterSection
{
    public string? Coordination { get; set; }
    public string? Scope { get; set; }
    /// <summary>Sharding: shard name (a lease scope) to its symbols; every configured symbol in exactly one shard. Instead of <see cref="Scope"/>.</summary>
    public Dictionary<string, List<string>?>? Shards { get; set; }
    public string? Account { get; set; }
    public long? LeaseTtlMs { get; set; }
    public long? RenewEveryMs { get; set; }
    public long? MarginMs { get; set; }
    public long? PauseMarginMs { get; set; }
    public long? ExchangeEveryMs { get; set; }
    /// <summary>Account-wide position limits by symbol, shared by every instance and leased in blocks (base units, decimal strings).</summary>
    public Dictionary<string, PositionQuotaSection?>? PositionQuotas { get; set; }
    /// <summary>The account's order budget (new orders per risk's budget window) shared by every instance.</summary>
    public OrderBudgetSection? OrderBudget { get; set; }
}

internal sealed class PositionQuotaSection
{
    public string? MaxPosition { get; set; }
    public string? Block { get; set; }
}

internal sealed class OrderBudgetSection
{
    public int? Limit { get; set; }
    public int? Block { get; set; }
}

/// <summary>
/// The trade store. <see cref="Kind"/> <c>sqlite</c> (the default) keeps it in the state directory;
/// <c>postgres</c> in the database whose connection string is in the environment variable
/// <see cref="ConnectionStringVariable"/> names (the string may hold a password: never in this file).
/// </summary>
internal sealed class StoreSection
{
    public string? Kind { get; set; }
    public string? ConnectionStringVariable { get; set; }
}

/// <summary>One base asset's balance check: amounts as decimal strings in the asset's units.</summary>
internal sealed class BalanceSection
{
    /// <summary>What the account holds of the asset that is not the strategies' position (required; "0" when it held none).</summary>
    public string? Baseline { get; set; }
    /// <summary>The largest difference accepted (default "0": exact).</summary>
    public string? Tolerance { get; set; }
}

/// <summary>
/// The input journal of every run (<c>fathom run --journal</c> in the file). Each run writes its own set:
/// <see cref="Path"/> with the run's start time inserted before the extension. The rotation limits apply to
/// the journal whether its path comes from here or from <c>--journal</c>.
/// </summary>
internal sealed class JournalSection
{
    /// <summary>The journal's file, relative to the config file's folder; the run's start (UTC) is added to its name.</summary>
    public string? Path { get; set; }
    /// <summary>Start the next segment after this many MB of records (before compression); may be fractional.</summary>
    public double? RotateMb { get; set; }
    /// <summary>Start the next segment once the current one is this many minutes old (by the core's clock).</summary>
    public int? RotateMinutes { get; set; }
}

/// <summary>
/// The host's log (lifecycle events, never the per-event path): levels per category as in
/// <c>Microsoft.Extensions.Logging</c>'s <c>LogLevel</c> section, and the sinks. The status lines on
/// stdout are not the log and are always written.
/// </summary>
internal sealed class LoggingSection
{
    /// <summary>Category (or "Default") to level: Trace, Debug, Information, Warning, Error, Critical or None.</summary>
    public Dictionary<string, string>? LogLevel { get; set; }
    /// <summary>Also write the log to stderr (plain text).</summary>
    public bool? Console { get; set; }
    /// <summary>A plain-text log file (appended), relative to the config file's folder.</summary>
    public string? File { get; set; }
    /// <summary>A structured log file, one JSON object per line (appended), relative to the config file's folder.</summary>
    public string? JsonFile { get; set; }
}

/// <summary>One traded symbol: its assets, its strategy (by catalog name, with its parameters) and its per-instrument risk limits.</summary>
internal sealed class SymbolSection
{
    public string? Symbol { get; set; }
    public string? BaseAsset { get; set; }
    public string? QuoteAsset { get; set; }
    public StrategySection? Strategy { get; set; }
    public InstrumentLimitsSection? Limits { get; set; }
    /// <summary>The book goes stale when its depth and top-of-book streams have both been quiet this long.</summary>
    public long? BookSilenceMs { get; set; }
}

/// <summary>
/// A symbol's strategy: <see cref="Name"/> picks it from the catalog (default <c>market-maker</c>); the
/// other properties are its parameters. The typed ones are the market maker's
/// (<see cref="Fathom.Strategies.MarketMakerOptions"/> with quantities in base units) and are checked
/// strictly for it; another strategy's parameters land in <see cref="Other"/> and are checked by binding
/// them into its options type.
/// </summary>
internal sealed class StrategySection
{
    public string? Name { get; set; }
    public long? HalfSpreadTicks { get; set; }
    public string? QuoteQty { get; set; }
    public string? MaxPosition { get; set; }
    public long? MaxSkewTicks { get; set; }
    public double? ReferenceVolatility { get; set; }
    public double? PullVolatility { get; set; }
    public double? PullWithdrawal { get; set; }
    public bool? FollowTicker { get; set; }
    public long? MinRequoteIntervalMs { get; set; }
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Other { get; set; }
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
