namespace Fathom.Hosting.Cluster;

/// <summary>Where leases are kept: in this process (one instance, the embedded default) or in PostgreSQL (several instances).</summary>
public enum CoordinationKind
{
    /// <summary>A local lease: one instance, its epoch from a durable counter in the state directory.</summary>
    Local,
    /// <summary>Leases, quotas and peer quotes in a PostgreSQL database several instances share.</summary>
    Postgres,
}

/// <summary>One symbol's account-wide position limit shared by every instance, leased in blocks.</summary>
/// <param name="MaxPositionRaw">The account-wide limit on |position + working orders| summed over instances, raw at the instrument's qty decimals.</param>
/// <param name="BlockRaw">How much is leased or given back at a time (at least one order's size), raw.</param>
public sealed record PositionQuotaSettings(string Symbol, long MaxPositionRaw, long BlockRaw);

/// <summary>The account's order-rate budget (new orders per risk's budget window) shared by every instance, leased in blocks.</summary>
public sealed record OrderBudgetQuotaSettings(int Limit, int Block);

/// <summary>
/// How an instance coordinates with the others on its account (the run config's <c>cluster</c> section):
/// the lease scope it must hold to send, the lease timing, and the shared budgets.
/// </summary>
/// <remarks>
/// Timing: the lease lives <see cref="LeaseTtl"/> on the coordination service's clock from each renewal;
/// the holder stops sending at renewal-sent + TTL − <see cref="Margin"/> on its own monotonic clock (before
/// the lease can expire, whatever its wall clock says) and renews every <see cref="RenewEvery"/>. A new
/// holder waits the old lease's remaining life plus <see cref="PauseMargin"/> before it cancels the older
/// epochs' orders and quotes.
/// </remarks>
public sealed record ClusterSettings
{
    public CoordinationKind Kind { get; init; } = CoordinationKind.Local;
    /// <summary>PostgreSQL: the environment variable holding the connection string (never in a file, never printed).</summary>
    public string? ConnectionStringVariable { get; init; }
    /// <summary>The lease scope: instances with the same scope are one sender and its standbys; different scopes trade side by side.</summary>
    public required string Scope { get; init; }
    /// <summary>
    /// Sharding: the scopes (shards) an instance may take, in the order it tries them; it holds one at a time and
    /// trades that shard's symbols (<see cref="ShardSymbols"/>). Empty: the one <see cref="Scope"/> (hot standby).
    /// </summary>
    public IReadOnlyList<string> Shards { get; init; } = [];
    /// <summary>Sharding: each shard's symbols.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ShardSymbols { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
    /// <summary>The scopes this instance tries, in order: the shards, or the one scope.</summary>
    public IReadOnlyList<string> Candidates => Shards.Count > 0 ? Shards : [Scope];
    /// <summary>The account the shared budgets are per (instances on one venue account must name the same one).</summary>
    public required string Account { get; init; }
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan RenewEvery { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan Margin { get; init; } = TimeSpan.FromMilliseconds(1500);
    public TimeSpan PauseMargin { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>How often resting quotes are published and the other instances' read (and quotas adjusted).</summary>
    public TimeSpan ExchangeEvery { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>A standby tries to take the lease this often.</summary>
    public TimeSpan AcquireEvery { get; init; } = TimeSpan.FromMilliseconds(250);
    public IReadOnlyList<PositionQuotaSettings> PositionQuotas { get; init; } = [];
    public OrderBudgetQuotaSettings? OrderBudget { get; init; }

    /// <summary>The embedded default: a local lease named after the instance.</summary>
    public static ClusterSettings Local(string scope, string account) => new() { Scope = scope, Account = account };
}
