using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.Persistence.Postgres;
using Npgsql;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>Several scopes' stores in one PostgreSQL database, each in its own schema.</summary>
[Collection(PostgresCollection.Name)]
public sealed class NpgsqlTradeStoreScopeSchemaTests(PostgresFixture fixture) : IAsyncLifetime
{
    private static readonly string[] Symbols = ["BTCUSDT"];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private string _cs = "";

    public async Task InitializeAsync()
    {
        await fixture.Server.RestartAsync();
        _cs = await fixture.Server.CreateDatabaseAsync("scopes");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static FillReport Fill(long tradeId) =>
        new(0, new ClientOrderId(1, 1, tradeId), 100 + tradeId, tradeId, OrderSide.Buy, new Price(6_000_000), new Qty(10), new Qty(10), 1, Qty.Zero,
            IsMaker: true, TimeNs: tradeId);

    [Fact]
    public async Task Open_TwoScopesInOneDatabase_KeepTheirFillsApart()
    {
        string a = NpgsqlTradeStore.SchemaFor("binance-key1/BTCUSDT");
        string b = NpgsqlTradeStore.SchemaFor("binance-key2/BTCUSDT");
        await using (var storeA = NpgsqlTradeStore.Open(_cs, Symbols, schema: a))
        await using (var storeB = TradeStoreOptions.Postgres(_cs, b).Open(Symbols, node: 2))
        {
            Assert.True(storeA.TryAppend(Fill(1)));
            Assert.True(storeA.TryAppend(Fill(2)));
            Assert.True(storeB.TryAppend(Fill(7)));
            await storeA.FlushAsync(Patience);
            await storeB.FlushAsync(Patience);
            Assert.Contains($"(schema {a})", storeA.Location, StringComparison.Ordinal);
        }
        // Reopened (a restart), each sees its own fills only; the public schema has no store at all.
        await using (var storeA = NpgsqlTradeStore.Open(_cs, Symbols, schema: a))
            Assert.Equal([1L, 2L], storeA.Load().Fills.Select(f => f.TradeId));
        await using (var storeB = NpgsqlTradeStore.Open(_cs, Symbols, schema: b))
            Assert.Equal([7L], storeB.Load().Fills.Select(f => f.TradeId));
        await using var dataSource = NpgsqlDataSource.Create(_cs);
        await using var cmd = dataSource.CreateCommand(
            "SELECT table_schema || ':' || count(*) FROM information_schema.tables WHERE table_name = 'fills' GROUP BY table_schema ORDER BY 1");
        var schemas = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                schemas.Add(reader.GetString(0));
        Assert.Equal(new[] { $"{a}:1", $"{b}:1" }.Order(StringComparer.Ordinal), schemas);
    }

    [Fact]
    public async Task Open_SchemaAfterAPublicStore_MigratesItsOwnTables()
    {
        // A public-schema store at the latest version must not make the scope's schema look migrated.
        await using (NpgsqlTradeStore.Open(_cs, Symbols)) { }
        string s = NpgsqlTradeStore.SchemaFor("acct/ETHUSDT");
        var opens = Enumerable.Range(0, 3).Select(_ => Task.Run(() => NpgsqlTradeStore.Open(_cs, Symbols, schema: s))).ToArray();
        foreach (var store in await Task.WhenAll(opens))
            await store.DisposeAsync();
        await using var dataSource = NpgsqlDataSource.Create(_cs);
        await using var cmd = dataSource.CreateCommand($"SELECT version FROM {s}.schema_version");
        Assert.Equal(NpgsqlTradeStore.SchemaVersion, (int)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Open_AnotherSchemasMigrationLockHeld_StillMigratesItsOwn()
    {
        // Another instance migrating the public store holds its lock (the constant key): a scope's store must not wait for it.
        await using var holder = new NpgsqlConnection(_cs);
        await holder.OpenAsync();
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_lock(77384378773357)", holder)) // 0x46_61_74_68_6F_6D, "Fathom"
            await lockCmd.ExecuteNonQueryAsync();

        var open = Task.Run(() => NpgsqlTradeStore.Open(_cs, Symbols, schema: NpgsqlTradeStore.SchemaFor("acct/BTCUSDT")));
        Assert.Same(open, await Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(20))));
        await (await open).DisposeAsync();

        // While the public store itself waits for it.
        var pub = Task.Run(() => NpgsqlTradeStore.Open(_cs, Symbols));
        Assert.NotSame(pub, await Task.WhenAny(pub, Task.Delay(TimeSpan.FromMilliseconds(500))));
        await using (var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", holder))
            await unlock.ExecuteNonQueryAsync();
        await (await pub).DisposeAsync();
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("has-dash")]
    [InlineData("x; DROP TABLE fills")]
    [InlineData("1digit")]
    [InlineData("pg_catalog")]
    [InlineData("")]
    public void Open_UnsafeSchemaName_ThrowsSayingWhatIsAllowed(string schema)
    {
        var ex = Assert.Throws<ArgumentException>(() => NpgsqlTradeStore.Open(_cs, Symbols, schema: schema));
        Assert.Contains("lowercase letters, digits and underscores", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TradeStoreOptions.Postgres(_cs, schema));
    }

    [Fact]
    public void SchemaFor_AnyScope_SafeDeterministicAndDistinct()
    {
        string[] scopes = ["binance/BTCUSDT", "binance/btcusdt", "binance_btcusdt", "Ünïcode scope ✓", new string('x', 200), "a"];
        var names = scopes.Select(NpgsqlTradeStore.SchemaFor).ToArray();
        foreach (string name in names)
        {
            Assert.Equal(name, NpgsqlTradeStore.CheckSchemaName(name));
            Assert.StartsWith("scope_", name, StringComparison.Ordinal);
        }
        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(names, scopes.Select(NpgsqlTradeStore.SchemaFor));
    }
}
