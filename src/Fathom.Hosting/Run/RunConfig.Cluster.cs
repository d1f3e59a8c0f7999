using System.Globalization;
using Fathom.Core;
using Fathom.Hosting.Cluster;

namespace Fathom.Hosting.Run;

/// <summary>The <c>cluster</c> section as validated: amounts stay decimals until the venue's step sizes are known.</summary>
internal sealed record RunCluster(
    CoordinationKind Kind, string Scope, string Account, TimeSpan LeaseTtl, TimeSpan RenewEvery, TimeSpan Margin, TimeSpan PauseMargin,
    TimeSpan ExchangeEvery, IReadOnlyList<(string Symbol, decimal MaxPosition, decimal Block)> PositionQuotas, OrderBudgetQuotaSettings? OrderBudget)
{
    /// <summary>Sharding: shard (lease scope) to its symbols, in the file's order; empty for one scope.</summary>
    public IReadOnlyList<(string Shard, IReadOnlyList<string> Symbols)> Shards { get; init; } = [];

    /// <summary>The symbols the holder of <paramref name="scope"/> trades: a shard's, or every configured one.</summary>
    public IReadOnlyList<string>? SymbolsOf(string scope) => Shards.Count == 0 ? null : Shards.First(s => s.Shard == scope).Symbols;

    /// <summary>The settings for a run on <paramref name="specs"/> (quantities raw at each symbol's qty decimals).</summary>
    public ClusterSettings ToSettings(IReadOnlyList<InstrumentSpec> specs, string? connectionStringVariable)
    {
        var quotas = new List<PositionQuotaSettings>();
        foreach (var (symbol, max, block) in PositionQuotas)
        {
            InstrumentSpec spec = specs.First(s => string.Equals(s.Symbol, symbol, StringComparison.OrdinalIgnoreCase));
            long Raw(decimal d) => (long)decimal.Round(d * Pow10(spec.QtyDecimals), 0, MidpointRounding.ToZero);
            quotas.Add(new PositionQuotaSettings(spec.Symbol, Raw(max), Math.Max(1, Raw(block))));
        }
        return new ClusterSettings
        {
            Kind = Kind,
            ConnectionStringVariable = connectionStringVariable,
            Scope = Scope,
            Account = Account,
            LeaseTtl = LeaseTtl,
            RenewEvery = RenewEvery,
            Margin = Margin,
            PauseMargin = PauseMargin,
            ExchangeEvery = ExchangeEvery,
            PositionQuotas = quotas,
            OrderBudget = OrderBudget,
            Shards = [.. Shards.Select(s => s.Shard)],
            ShardSymbols = Shards.ToDictionary(s => s.Shard, s => s.Symbols),
        };
    }

    private static decimal Pow10(int n)
    {
        decimal p = 1;
        for (int k = 0; k < n; k++)
            p *= 10;
        return p;
    }

    public string Describe()
    {
        var ci = CultureInfo.InvariantCulture;
        string where = Kind == CoordinationKind.Postgres ? "PostgreSQL (the store's database)" : "local (one instance)";
        string quotas = PositionQuotas.Count == 0 ? "none" : string.Join(", ", PositionQuotas.Select(q => string.Create(ci, $"{q.Symbol} ≤ {q.MaxPosition} in blocks of {q.Block}")));
        string scopes = Shards.Count == 0 ? $"scope '{Scope}'"
            : "shards " + string.Join(", ", Shards.Select(s => $"'{s.Shard}' ({string.Join(", ", s.Symbols)})")) + " (one at a time per instance; spares take over)";
        return string.Create(ci, $"  cluster: {where}, {scopes}, account '{Account}', lease ttl {LeaseTtl.TotalMilliseconds} ms, renew every {RenewEvery.TotalMilliseconds} ms, ") +
            string.Create(ci, $"stop sending {Margin.TotalMilliseconds} ms before expiry, takeover pause {PauseMargin.TotalMilliseconds} ms; position quotas {quotas}") +
            (OrderBudget is { } b ? string.Create(ci, $"; order budget {b.Limit} per window in blocks of {b.Block}") : "") + "\n";
    }
}

internal sealed partial record RunConfig
{
    /// <summary>The <c>cluster</c> section: local lease by default.</summary>
    public required RunCluster Cluster { get; init; }

    private static RunCluster ValidateCluster(ClusterSection? section, RunStore store, string venueName, int instance,
        IReadOnlyList<RunSymbol> symbols, List<string> errors)
    {
        section ??= new ClusterSection();
        CoordinationKind kind = CoordinationKind.Local;
        switch (section.Coordination)
        {
            case null or "local":
                break;
            case "postgres":
                kind = CoordinationKind.Postgres;
                if (store.Kind != TradeStoreKind.Postgres)
                    errors.Add("$.cluster.coordination: 'postgres' needs the trade store in PostgreSQL too (\"store\": {\"kind\": \"postgres\", ...}): " +
                        "a follower that takes over reads the position from the store the leader wrote");
                break;
            default:
                errors.Add($"$.cluster.coordination: unknown '{section.Coordination}'; use local (the default: one instance) or postgres (several instances)");
                break;
        }
        string scope = section.Scope ?? (kind == CoordinationKind.Local
            ? string.Create(CultureInfo.InvariantCulture, $"{venueName}/instance-{instance}")
            : $"{venueName}/{string.Join(",", symbols.Select(s => s.Symbol.ToUpperInvariant()))}");
        if (string.IsNullOrWhiteSpace(scope) || scope.Length > 200)
            errors.Add("$.cluster.scope: must be a non-empty name of at most 200 characters");
        var shards = new List<(string, IReadOnlyList<string>)>();
        if (section.Shards is { } shardSection)
        {
            if (section.Scope is not null)
                errors.Add("$.cluster: give either scope (one sender and its standbys) or shards (symbols spread over instances), not both");
            if (kind != CoordinationKind.Postgres)
                errors.Add("$.cluster.shards: sharding spreads symbols over several instances: it needs coordination 'postgres'");
            var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (shard, list) in shardSection)
            {
                if (string.IsNullOrWhiteSpace(shard) || shard.Length > 200)
                    errors.Add("$.cluster.shards: a shard's name must be non-empty and at most 200 characters");
                if (list is null || list.Count == 0)
                {
                    errors.Add($"$.cluster.shards.{shard}: must list at least one symbol");
                    continue;
                }
                var members = new List<string>();
                foreach (string symbol in list)
                {
                    RunSymbol? configured = symbols.FirstOrDefault(s => string.Equals(s.Symbol, symbol, StringComparison.OrdinalIgnoreCase));
                    if (configured is null)
                        errors.Add($"$.cluster.shards.{shard}: {symbol} is not one of the configured symbols");
                    else if (!seen.TryAdd(configured.Symbol, shard))
                        errors.Add($"$.cluster.shards.{shard}: {symbol} is already in shard '{seen[configured.Symbol]}'");
                    else
                        members.Add(configured.Symbol);
                }
                shards.Add((shard, members));
            }
            foreach (RunSymbol s in symbols)
                if (!seen.ContainsKey(s.Symbol))
                    errors.Add($"$.cluster.shards: {s.Symbol} is in no shard (every configured symbol must be in exactly one)");
            if (shards.Count > 0)
                scope = shards[0].Item1;
        }
        string account = section.Account ?? venueName;
        if (string.IsNullOrWhiteSpace(account) || account.Length > 200)
            errors.Add("$.cluster.account: must be a non-empty name of at most 200 characters");
        TimeSpan Ms(long? value, long fallback, string name, long min, long max)
        {
            long v = value ?? fallback;
            if (v < min || v > max)
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"$.cluster.{name}: {v} is out of range ({min}..{max} ms)"));
            return TimeSpan.FromMilliseconds(v);
        }
        TimeSpan ttl = Ms(section.LeaseTtlMs, 5000, "leaseTtlMs", 500, 600_000);
        TimeSpan renew = Ms(section.RenewEveryMs, Math.Max(100, (long)ttl.TotalMilliseconds / 5), "renewEveryMs", 50, 300_000);
        TimeSpan margin = Ms(section.MarginMs, (long)ttl.TotalMilliseconds * 3 / 10, "marginMs", 50, 300_000);
        TimeSpan pause = Ms(section.PauseMarginMs, 500, "pauseMarginMs", 0, 300_000);
        TimeSpan exchange = Ms(section.ExchangeEveryMs, 200, "exchangeEveryMs", 20, 60_000);
        if (margin >= ttl)
            errors.Add("$.cluster.marginMs: must be below leaseTtlMs (sending stops this long before the lease can expire)");
        else if (renew * 2 > ttl - margin)
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"$.cluster.renewEveryMs: {renew.TotalMilliseconds} ms leaves room for fewer than two renewals before sending stops (leaseTtlMs − marginMs = {(ttl - margin).TotalMilliseconds} ms)"));
        var quotas = new List<(string, decimal, decimal)>();
        foreach (var (symbol, q) in section.PositionQuotas ?? [])
        {
            string path = $"$.cluster.positionQuotas.{symbol}";
            if (!symbols.Any(s => string.Equals(s.Symbol, symbol, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"{path}: {symbol} is not one of the configured symbols");
                continue;
            }
            if (q is null)
            {
                errors.Add($"{path}: must be an object with maxPosition and block");
                continue;
            }
            decimal? max = Amount(q.MaxPosition, path + ".maxPosition", errors);
            decimal? block = Amount(q.Block, path + ".block", errors);
            if (max is decimal m && block is decimal b)
            {
                if (b > m)
                    errors.Add($"{path}.block: larger than maxPosition");
                quotas.Add((symbol.ToUpperInvariant(), m, b));
            }
        }
        OrderBudgetQuotaSettings? budget = null;
        if (section.OrderBudget is { } ob)
        {
            if (ob.Limit is not int limit || limit <= 0 || ob.Block is not int block || block <= 0 || block > limit)
                errors.Add("$.cluster.orderBudget: needs limit and block, positive, with block ≤ limit (new orders per risk's order budget window)");
            else
                budget = new OrderBudgetQuotaSettings(limit, block);
        }
        if (kind == CoordinationKind.Local && (quotas.Count > 0 || budget is not null))
            errors.Add("$.cluster: positionQuotas and orderBudget are shared between instances: they need coordination 'postgres'");
        return new RunCluster(kind, scope, account, ttl, renew, margin, pause, exchange, quotas, budget) { Shards = shards };
    }
}
