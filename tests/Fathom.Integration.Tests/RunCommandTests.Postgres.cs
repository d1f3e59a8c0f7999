using Fathom.Cli;
using Fathom.Hosting;
using Fathom.Hosting.Run;
using Fathom.Testing;
using Npgsql;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// <c>fathom run</c> with <c>"store": { "kind": "postgres" }</c>: the run's fills, orders and risk day go to a
/// real PostgreSQL server (started by the test from the installed binaries), whose connection string comes
/// from the environment variable the config names and is never printed.
/// </summary>
public sealed partial class RunCommandTests
{
    private const string PostgresVariable = "FATHOM_TEST_PG";

    private static string PostgresStoreJson(Uri exchange) =>
        SimulatorConfigJson(exchange, extra: $$"""  "store": { "kind": "postgres", "connectionStringVariable": "{{PostgresVariable}}" },""");

    [Fact]
    public async Task Run_PostgresStore_RecordsFillsInPostgreSQL()
    {
        await using var postgres = await PostgresServer.StartAsync();
        // A password the trust-authenticated test server ignores: it must never reach the output.
        string connectionString = await postgres.CreateDatabaseAsync("run") + ";Password=N0tShownAnywhere";
        await using var exchange = await Exchange.StartAsync();
        var r = await StartRunAsync(PostgresStoreJson(exchange.Server.BaseAddress), name => name == PostgresVariable ? connectionString : null);
        var (host, run, output, error, dir) = r;

        Assert.True(await WaitUntil(() => host.Engine.Fills >= 2 || run.IsCompleted, TimeSpan.FromSeconds(90)), $"no fills\n{output}\n{error}");
        await StopRunAsync(r, exchange);

        // Every fill the engine applied is in PostgreSQL exactly once, and the orders and the risk day with them.
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        async Task<long> CountAsync(string table)
        {
            await using var cmd = dataSource.CreateCommand($"SELECT count(*) FROM {table}");
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        long fills = await CountAsync("fills");
        Assert.True(fills >= 2, $"{fills} fills in PostgreSQL\n{output}");
        Assert.Equal(host.Execution.Counters.Fills, fills);
        Assert.True(await CountAsync("orders") > 0);
        Assert.Equal(1, await CountAsync("risk_day"));
        // Nothing went to a SQLite file in the state directory.
        Assert.False(File.Exists(Path.Combine(dir, "fathom-state", "fathom.db")), "the run wrote a SQLite store");

        string text = output.ToString() + error;
        Assert.Contains($"store PostgreSQL, connection string from ${PostgresVariable} (not shown)", text);
        Assert.Contains($"in postgresql://127.0.0.1:{postgres.Port}/run_", text); // the summary's store line
        Assert.DoesNotContain("N0tShownAnywhere", text, StringComparison.Ordinal);
        AssertNoSecrets(text);
    }

    [Fact]
    public async Task Run_PostgresStoreVariableUnset_Exit2NamingTheVariableBeforeAnyConnection()
    {
        string dir = TempDir();
        // Nothing listens here: the run must stop at the missing variable, before the venue or a database.
        string path = WriteConfig(dir, PostgresStoreJson(new Uri("http://127.0.0.1:1")));
        var ex = await Assert.ThrowsAsync<HostInputException>(() => RunCommand.RunAsync(path, mainnet: false, durationSeconds: 1, new StringWriter(),
            new StringWriter(), CancellationToken.None, new RunHooks { GetVariable = DemoEnvironment() }));
        var error = new StringWriter();
        Assert.Equal(2, CliErrors.Report(ex, error)); // what `fathom run` prints and exits with
        Assert.Contains($"$.store.connectionStringVariable names {PostgresVariable}, which is not set", error.ToString());
    }

    [Fact]
    public async Task Run_PostgresStoreUnreachable_Exit2NamingTheServerNotThePassword()
    {
        string dir = TempDir();
        string path = WriteConfig(dir, PostgresStoreJson(new Uri("http://127.0.0.1:1")));
        var ex = await Assert.ThrowsAsync<HostInputException>(() => RunCommand.RunAsync(path, mainnet: false, durationSeconds: 1, new StringWriter(),
            new StringWriter(), CancellationToken.None, new RunHooks
            {
                GetVariable = name => name == PostgresVariable
                    ? "Host=127.0.0.1;Port=1;Database=fathom;Username=fathom;Password=N0tShownAnywhere;Timeout=2"
                    : DemoEnvironment()(name),
            }));
        var error = new StringWriter();
        Assert.Equal(2, CliErrors.Report(ex, error));
        Assert.Contains("the trade store postgresql://127.0.0.1:1/fathom cannot be opened", error.ToString());
        Assert.DoesNotContain("N0tShownAnywhere", error.ToString(), StringComparison.Ordinal);
    }
}
