using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fathom.Cli;
using Fathom.Persistence.Coordination;
using Fathom.Testing;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// <c>fathom cluster status --config</c>: the leases, members and quotas a real PostgreSQL coordination service holds
/// (seeded through <see cref="PgCoordination"/> itself), as text and JSON, without the connection string; an
/// unreachable server; and a local config, which has nothing shared but its epoch file.
/// </summary>
public sealed partial class RunCommandTests
{
    private static async Task<(int Code, string Output, string Error)> ClusterStatusAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await Program.BuildRoot(output, error).Parse(["cluster", "status", .. args]).InvokeAsync();
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// A config with the store and coordination in PostgreSQL, scope <c>alpha</c>, account <c>acct</c>, its connection
    /// string in a variable of its own (set in this process: the name is unique, so parallel tests do not share it).
    /// </summary>
    private static (string Path, string Variable) PostgresClusterConfig(string dir, string? connectionString)
    {
        string variable = "FATHOM_TEST_CLUSTER_" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        var root = JsonNode.Parse(RunConfigTests.ValidJson)!.AsObject();
        root["store"] = new JsonObject { ["kind"] = "postgres", ["connectionStringVariable"] = variable };
        root["cluster"] = new JsonObject { ["coordination"] = "postgres", ["scope"] = "alpha", ["account"] = "acct" };
        Environment.SetEnvironmentVariable(variable, connectionString);
        return (WriteConfig(dir, root.ToJsonString()), variable);
    }

    /// <summary>Polls the service until <paramref name="scope"/>'s lease has expired on the database's clock.</summary>
    private static async Task WaitExpiredAsync(PgCoordination service, string scope)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(50))
            if ((await service.StatusAsync(CancellationToken.None)).Leases.Single(l => l.Scope == scope) is { Live: false })
                return;
        Assert.Fail($"the lease of {scope} did not expire");
    }

    [Fact]
    public async Task ClusterStatus_Postgres_PrintsLeasesMembersQuotasAndSummary_NeverThePassword()
    {
        await using var postgres = await PostgresServer.StartAsync();
        // A password the trust-authenticated test server ignores: it must never reach the output.
        string connectionString = await postgres.CreateDatabaseAsync("cluster") + ";Password=N0tShownAnywhere";
        var (config, variable) = PostgresClusterConfig(TempDir(), connectionString);
        var live = TimeSpan.FromMinutes(5);
        // Long enough for the seeding calls to land while the lease is live on a loaded machine.
        var brief = TimeSpan.FromSeconds(3);
        uint alpha, beta, gamma;
        await using (var service = await PgCoordination.OpenAsync(connectionString, CancellationToken.None))
        {
            var none = CancellationToken.None;
            // gamma: a lease (with a quota and a member) left to expire.
            gamma = (await service.TryAcquireAsync("gamma", "holder-c", 43, brief, none))!.Epoch;
            await service.RegisterAsync("holder-c", 43, "gamma", brief, none);
            Assert.Equal(5, await service.SetQuotaAsync(new QuotaRequest("acct", "orders", "gamma", gamma, 5, 100), none));
            // beta: taken over from holder-b1 once its lease expired; its successor cancelled 3 zombies.
            Assert.NotNull(await service.TryAcquireAsync("beta", "holder-b1", 42, brief, none));
            await WaitExpiredAsync(service, "gamma");
            await WaitExpiredAsync(service, "beta");
            beta = (await service.TryAcquireAsync("beta", "holder-b2", 42, live, none))!.Epoch;
            await service.RegisterAsync("holder-b2", 42, "beta", live, none);
            await service.AddZombiesAsync("beta", 3, none);
            Assert.Equal(20, await service.SetQuotaAsync(new QuotaRequest("acct", "orders", "beta", beta, 20, 100), none));
            // alpha (the config's scope): live, holding 0.0015 BTC of the position budget (raw at 8 decimals).
            alpha = (await service.TryAcquireAsync("alpha", "holder-a", 41, live, none))!.Epoch;
            await service.RegisterAsync("holder-a", 41, "alpha", live, none);
            Assert.Equal(150_000, await service.SetQuotaAsync(new QuotaRequest("acct", "position:BTCUSDT", "alpha", alpha, 150_000, 2_000_000), none));
        }

        try
        {
            var (code, text, error) = await ClusterStatusAsync("--config", config);
            Assert.True(code == 0, $"exit {code}\n{text}\n{error}");
            Assert.Equal("", error);
            Assert.Contains($"coordination: PostgreSQL postgresql://127.0.0.1:{postgres.Port}/cluster_", text);
            Assert.Contains("leases: 3\n", text);
            Assert.Matches(new Regex($@"\n  alpha \(this config's scope\): holder holder-a, node 41, epoch {alpha}, live, expires in (4m [0-9]+s|5m 0s), takeovers 0, zombies cancelled 0\n"), text);
            Assert.Matches(new Regex($@"\n  beta: holder holder-b2, node 42, epoch {beta}, live, expires in [^,]+, takeovers 1, zombies cancelled 3\n"), text);
            Assert.Matches(new Regex($@"\n  gamma: holder holder-c, node 43, epoch {gamma}, EXPIRED [0-9.]+s ago, takeovers 0, zombies cancelled 0\n"), text);
            Assert.Contains("members: 3\n", text);
            Assert.Matches(new Regex(@"\n  holder-a: node 41, scope alpha, last seen [0-9.]+s ago, live\n"), text);
            Assert.Matches(new Regex(@"\n  holder-c: node 43, scope gamma, last seen [0-9.]+s ago, not live\n"), text);
            Assert.Contains("quotas: 3 (position:SYMBOL in base quantity", text);
            Assert.Contains($"\n  acct position:BTCUSDT: scope alpha (this config's scope), epoch {alpha}, granted 0.0015 (raw 150000 at 8 qty decimals), live\n", text);
            Assert.Contains($"\n  acct orders: scope beta, epoch {beta}, granted 20, live\n", text);
            Assert.Contains($"\n  acct orders: scope gamma, epoch {gamma}, granted 5, void (lease not live)\n", text);
            Assert.EndsWith("summary: 2 of 3 leases live, 2 of 3 members live, 2 of 3 quotas live, takeovers 1, zombies cancelled 3\n", text);
            Assert.DoesNotContain("N0tShownAnywhere", text, StringComparison.Ordinal);
            AssertNoSecrets(text);

            (code, text, error) = await ClusterStatusAsync("--config", config, "--json");
            Assert.True(code == 0, $"exit {code}\n{text}\n{error}");
            Assert.DoesNotContain("N0tShownAnywhere", text + error, StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(text);
            JsonElement root = doc.RootElement;
            Assert.Equal("postgres", root.GetProperty("coordination").GetString());
            Assert.StartsWith($"postgresql://127.0.0.1:{postgres.Port}/cluster_", root.GetProperty("service").GetString());
            Assert.Equal("alpha", root.GetProperty("scope").GetString());
            Assert.Equal("acct", root.GetProperty("account").GetString());
            var leases = root.GetProperty("leases").EnumerateArray().ToDictionary(l => l.GetProperty("scope").GetString()!);
            Assert.Equal(["alpha", "beta", "gamma"], leases.Keys.Order());
            Assert.Equal("holder-b2", leases["beta"].GetProperty("holder").GetString());
            Assert.Equal(42, leases["beta"].GetProperty("node").GetInt32());
            Assert.Equal(beta, leases["beta"].GetProperty("epoch").GetUInt32());
            Assert.True(leases["beta"].GetProperty("live").GetBoolean());
            Assert.Equal(1, leases["beta"].GetProperty("takeovers").GetInt64());
            Assert.Equal(3, leases["beta"].GetProperty("zombiesCancelled").GetInt64());
            Assert.InRange(leases["alpha"].GetProperty("expiresInMs").GetInt64(), 60_000, 300_000);
            Assert.False(leases["gamma"].GetProperty("live").GetBoolean());
            Assert.True(leases["gamma"].GetProperty("expiresInMs").GetInt64() < 0, "an expired lease's expiresInMs is how long ago, negative");
            var members = root.GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("holder").GetString()!);
            Assert.Equal(["holder-a", "holder-b2", "holder-c"], members.Keys.Order());
            Assert.Equal(43, members["holder-c"].GetProperty("node").GetInt32());
            Assert.Equal("gamma", members["holder-c"].GetProperty("scope").GetString());
            Assert.False(members["holder-c"].GetProperty("live").GetBoolean());
            Assert.True(members["holder-a"].GetProperty("live").GetBoolean());
            Assert.True(members["holder-c"].GetProperty("lastSeenMsAgo").GetInt64() >= 1000);
            var quotas = root.GetProperty("quotas").EnumerateArray().ToList();
            Assert.Equal(3, quotas.Count);
            JsonElement position = Assert.Single(quotas, q => q.GetProperty("resource").GetString() == "position:BTCUSDT");
            Assert.Equal("acct", position.GetProperty("account").GetString());
            Assert.Equal("alpha", position.GetProperty("scope").GetString());
            Assert.Equal(alpha, position.GetProperty("epoch").GetUInt32());
            Assert.Equal(150_000, position.GetProperty("grantedRaw").GetInt64());
            Assert.Equal("0.0015", position.GetProperty("grantedQty").GetString());
            Assert.True(position.GetProperty("live").GetBoolean());
            JsonElement stale = Assert.Single(quotas, q => q.GetProperty("scope").GetString() == "gamma");
            Assert.Equal(JsonValueKind.Null, stale.GetProperty("grantedQty").ValueKind);
            Assert.Equal(5, stale.GetProperty("grantedRaw").GetInt64());
            Assert.False(stale.GetProperty("live").GetBoolean());
            JsonElement summary = root.GetProperty("summary");
            Assert.Equal(3, summary.GetProperty("leases").GetInt32());
            Assert.Equal(2, summary.GetProperty("liveLeases").GetInt32());
            Assert.Equal(2, summary.GetProperty("liveMembers").GetInt32());
            Assert.Equal(2, summary.GetProperty("liveQuotas").GetInt32());
            Assert.Equal(1, summary.GetProperty("takeovers").GetInt64());
            Assert.Equal(3, summary.GetProperty("zombiesCancelled").GetInt64());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task ClusterStatus_Postgres_EmptyDatabase_SaysNothingIsRecorded()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var (config, variable) = PostgresClusterConfig(TempDir(), await postgres.CreateDatabaseAsync("empty"));
        try
        {
            var (code, text, error) = await ClusterStatusAsync("--config", config);
            Assert.True(code == 0, $"exit {code}\n{text}\n{error}");
            Assert.Contains("leases: 0\nmembers: 0\nquotas: 0 ", text);
            Assert.EndsWith("summary: nothing recorded: no instance has coordinated through this database yet\n", text);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task ClusterStatus_ServerUnreachable_Exit1NamingTheServerNotThePassword_VariableUnset_Exit2()
    {
        // Nothing listens on port 1.
        var (config, variable) = PostgresClusterConfig(TempDir(), "Host=127.0.0.1;Port=1;Database=fathom;Username=fathom;Password=N0tShownAnywhere;Timeout=2");
        try
        {
            var (code, output, error) = await ClusterStatusAsync("--config", config);
            Assert.Equal(1, code);
            Assert.Equal("", output);
            Assert.True(error.StartsWith("error: the coordination service at postgresql://127.0.0.1:1/fathom cannot be opened: Failed to connect to 127.0.0.1:1", StringComparison.Ordinal), error);
            Assert.Single(error.Trim().Split('\n'));
            Assert.DoesNotContain("N0tShownAnywhere", error, StringComparison.Ordinal);

            Environment.SetEnvironmentVariable(variable, null);
            (code, output, error) = await ClusterStatusAsync("--config", config);
            Assert.Equal(2, code);
            Assert.Equal("", output);
            Assert.Contains($"$.store.connectionStringVariable names {variable}, which is not set", error);

            string bad = WriteConfig(TempDir(), RunConfigTests.ValidJson.Replace("\"custom\"", "\"kraken\"", StringComparison.Ordinal));
            (code, _, error) = await ClusterStatusAsync("--config", bad);
            Assert.Equal(2, code);
            Assert.StartsWith($"error: {bad}: $.venue: unknown venue 'kraken'", error);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task ClusterStatus_Local_SaysNothingIsShared_PrintsTheEpochFilesLastEpoch_WithoutItsLock()
    {
        string dir = TempDir();
        string config = WriteConfig(dir, RunConfigTests.ValidJson);
        string stateDir = Path.Combine(dir, "fathom-state");

        var (code, text, error) = await ClusterStatusAsync("--config", config);
        Assert.True(code == 0, $"exit {code}\n{text}\n{error}");
        Assert.Equal("", error);
        Assert.Contains("local coordination: the lease lives inside the running `fathom run` process, so there is nothing shared to show", text);
        Assert.Contains("last epoch recorded: none", text);
        Assert.DoesNotContain("leases:", text);
        Assert.False(Directory.Exists(stateDir), "reading the status created the state directory");

        // Two grants recorded in the state directory's epoch file; the run (here the service itself) still holds its lock.
        await using (var local = new LocalCoordination(Path.Combine(stateDir, "lease-epoch")))
        {
            Assert.NotNull(await local.TryAcquireAsync("custom/instance-1", "h", 1, TimeSpan.FromMinutes(1), CancellationToken.None));
            Assert.NotNull(await local.TryAcquireAsync("custom/instance-1", "h", 1, TimeSpan.FromMinutes(1), CancellationToken.None));
            Assert.Equal(2u, local.LastEpoch);

            (code, text, error) = await ClusterStatusAsync("--config", config);
            Assert.True(code == 0, $"exit {code}\n{text}\n{error}");
            Assert.Contains($"coordination: local ({Path.Combine(stateDir, "lease-epoch")}) (config {config}: scope 'custom/instance-1')", text);
            Assert.Contains("last epoch recorded: 2 (the next lease taken with this state directory gets a greater one)", text);

            (code, text, _) = await ClusterStatusAsync("--config", config, "--json");
            Assert.Equal(0, code);
            using var doc = JsonDocument.Parse(text);
            Assert.Equal("local", doc.RootElement.GetProperty("coordination").GetString());
            Assert.Equal(2, doc.RootElement.GetProperty("lastEpoch").GetInt64());
            Assert.Equal(0, doc.RootElement.GetProperty("leases").GetArrayLength());
        }

        // A corrupt epoch file: the status cannot say the last epoch, exit 1 naming the file.
        File.WriteAllBytes(Path.Combine(stateDir, "lease-epoch"), new byte[5]);
        (code, text, error) = await ClusterStatusAsync("--config", config);
        Assert.Equal(1, code);
        Assert.Equal("", text);
        Assert.StartsWith($"error: the local lease epoch file {Path.Combine(stateDir, "lease-epoch")} cannot be read: ", error);
    }
}
