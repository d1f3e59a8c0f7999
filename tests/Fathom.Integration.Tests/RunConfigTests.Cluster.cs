using System.Text.Json.Nodes;
using Fathom.Hosting.Cluster;
using Fathom.Hosting.Run;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>The run config's <c>cluster</c> section: defaults, the PostgreSQL requirements, timing relations, quotas and shards.</summary>
public sealed partial class RunConfigTests
{
    private static RunConfig Parsed(JsonObject root) => RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json");

    private static JsonObject WithPostgres(JsonObject root, JsonObject cluster)
    {
        root["store"] = new JsonObject { ["kind"] = "postgres", ["connectionStringVariable"] = "FATHOM_PG" };
        root["cluster"] = cluster;
        return root;
    }

    [Fact]
    public void Cluster_Default_IsALocalLeaseNamedAfterTheInstance()
    {
        var config = Parsed(Valid());
        Assert.Equal(CoordinationKind.Local, config.Cluster.Kind);
        Assert.Contains("/instance-", config.Cluster.Scope, StringComparison.Ordinal);
        Assert.Contains("cluster: local (one instance)", config.Describe(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Cluster.LeaseTtl);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.Cluster.Margin);
    }

    [Fact]
    public void Cluster_Postgres_NeedsThePostgresStore()
    {
        var root = Valid();
        root["cluster"] = new JsonObject { ["coordination"] = "postgres", ["scope"] = "mm" };
        var ex = Refused(root);
        Assert.Contains(ex.Errors, e => e.Contains("$.cluster.coordination", StringComparison.Ordinal) && e.Contains("store", StringComparison.Ordinal));
    }

    [Fact]
    public void Cluster_Postgres_ScopeTimingAndQuotasAreReadAndPrinted()
    {
        var config = Parsed(WithPostgres(Valid(), new JsonObject
        {
            ["coordination"] = "postgres", ["scope"] = "mm-btc", ["account"] = "acct", ["leaseTtlMs"] = 3000, ["marginMs"] = 900,
            ["renewEveryMs"] = 400, ["pauseMarginMs"] = 250,
            ["positionQuotas"] = new JsonObject { ["BTCUSDT"] = new JsonObject { ["maxPosition"] = "0.01", ["block"] = "0.002" } },
            ["orderBudget"] = new JsonObject { ["limit"] = 50, ["block"] = 10 },
        }));
        Assert.Equal(CoordinationKind.Postgres, config.Cluster.Kind);
        Assert.Equal("mm-btc", config.Cluster.Scope);
        Assert.Equal(TimeSpan.FromMilliseconds(250), config.Cluster.PauseMargin);
        Assert.Equal(new OrderBudgetQuotaSettings(50, 10), config.Cluster.OrderBudget);
        var (symbol, max, block) = Assert.Single(config.Cluster.PositionQuotas);
        Assert.Equal(("BTCUSDT", 0.01m, 0.002m), (symbol, max, block));
        string described = config.Describe();
        Assert.Contains("scope 'mm-btc', account 'acct', lease ttl 3000 ms", described, StringComparison.Ordinal);
        Assert.Contains("position quotas BTCUSDT ≤ 0.01 in blocks of 0.002", described, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3000, 3000, 400, "$.cluster.marginMs: must be below leaseTtlMs")]
    [InlineData(3000, 900, 1200, "$.cluster.renewEveryMs: 1200 ms leaves room for fewer than two renewals")]
    public void Cluster_TimingThatCannotRenewInTime_IsRefused(int ttl, int margin, int renew, string error)
    {
        var root = WithPostgres(Valid(), new JsonObject
        {
            ["coordination"] = "postgres", ["leaseTtlMs"] = ttl, ["marginMs"] = margin, ["renewEveryMs"] = renew,
        });
        Assert.Contains(Refused(root).Errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }

    [Fact]
    public void Cluster_QuotasWithALocalLease_AreRefused()
    {
        var root = Valid();
        root["cluster"] = new JsonObject
        {
            ["positionQuotas"] = new JsonObject { ["BTCUSDT"] = new JsonObject { ["maxPosition"] = "0.01", ["block"] = "0.002" } },
        };
        Assert.Contains(Refused(root).Errors, e => e.Contains("need coordination 'postgres'", StringComparison.Ordinal));
    }

    [Fact]
    public void Cluster_Shards_EverySymbolInExactlyOne_AndNotWithAScope()
    {
        var root = WithPostgres(Valid(), new JsonObject
        {
            ["coordination"] = "postgres", ["scope"] = "x",
            ["shards"] = new JsonObject { ["a"] = new JsonArray("BTCUSDT"), ["b"] = new JsonArray("BTCUSDT", "DOGEUSDT") },
        });
        var errors = Refused(root).Errors;
        Assert.Contains(errors, e => e.Contains("either scope", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("BTCUSDT is already in shard 'a'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("DOGEUSDT is not one of the configured symbols", StringComparison.Ordinal));

        var ok = Parsed(WithPostgres(Valid(), new JsonObject
        {
            ["coordination"] = "postgres", ["shards"] = new JsonObject { ["only"] = new JsonArray("BTCUSDT") },
        }));
        Assert.Equal("only", ok.Cluster.Scope);
        Assert.Equal(["BTCUSDT"], ok.Cluster.SymbolsOf("only"));
    }
}
