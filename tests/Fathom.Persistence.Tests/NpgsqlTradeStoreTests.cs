using Fathom.Persistence.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>What only the PostgreSQL store has: its schema and migrations (the contract both stores keep is <see cref="NpgsqlTradeStoreContractTests"/>).</summary>
[Collection(PostgresCollection.Name)]
public sealed class NpgsqlTradeStoreTests(PostgresFixture fixture) : IAsyncLifetime
{
    private static readonly string[] Symbols = ["BTCUSDT"];
    private string _cs = "";

    public async Task InitializeAsync()
    {
        await fixture.Server.RestartAsync();
        _cs = await fixture.Server.CreateDatabaseAsync("schema");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<List<object[]>> QueryAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(_cs);
        await using var cmd = dataSource.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    [Fact]
    public async Task Open_EmptyDatabase_CreatesTheSchemaOnceAtSqlitesVersion()
    {
        await using (NpgsqlTradeStore.Open(_cs, Symbols)) { }
        await using (NpgsqlTradeStore.Open(_cs, Symbols)) { } // opening again migrates nothing

        var rows = await QueryAsync("SELECT version FROM schema_version");
        Assert.Equal(NpgsqlTradeStore.SchemaVersion, (int)Assert.Single(rows)[0]);
        // One version names one set of tables in both databases.
        Assert.Equal(SqliteTradeStore.SchemaVersion, NpgsqlTradeStore.SchemaVersion);
    }

    [Fact]
    public async Task Schema_HasSqlitesTablesAndColumns()
    {
        await using (NpgsqlTradeStore.Open(_cs, Symbols)) { }
        string dir = Directory.CreateTempSubdirectory("fathom-schema").FullName;
        try
        {
            string db = Path.Combine(dir, "fathom.db");
            await using (SqliteTradeStore.Open(db, Symbols)) { }
            var sqlite = new SortedSet<string>(StringComparer.Ordinal);
            using (var c = new SqliteConnection($"Data Source={db};Pooling=False"))
            {
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                    sqlite.Add(r.GetString(0));
            }
            var postgres = new SortedSet<string>(
                (await QueryAsync("SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public'")).Select(r => (string)r[0]),
                StringComparer.Ordinal);
            // PostgreSQL has no rowid: fills carry an identity column to read them back in the order stored.
            Assert.Equal(sqlite, new SortedSet<string>(postgres.Where(c => c != "fills.seq"), StringComparer.Ordinal));
            Assert.Contains("fills.seq", postgres);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Open_BySeveralInstancesAtOnce_MigratesOnce()
    {
        var opens = Enumerable.Range(0, 4).Select(_ => Task.Run(() => NpgsqlTradeStore.Open(_cs, Symbols))).ToArray();
        foreach (var store in await Task.WhenAll(opens))
            await store.DisposeAsync();
        Assert.Single(await QueryAsync("SELECT version FROM schema_version"));
    }

    [Fact]
    public async Task Open_NewerSchema_RefusesNamingBothVersions()
    {
        await using (NpgsqlTradeStore.Open(_cs, Symbols)) { }
        await QueryAsync("UPDATE schema_version SET version = 99");

        var ex = Assert.Throws<InvalidOperationException>(() => NpgsqlTradeStore.Open(_cs, Symbols));
        Assert.Contains("schema version 99", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"up to {NpgsqlTradeStore.SchemaVersion}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Location_NamesServerAndDatabase_NeverThePassword()
    {
        string withPassword = _cs + ";Password=hunter2-secret";
        await using var store = NpgsqlTradeStore.Open(withPassword, Symbols);
        Assert.StartsWith($"postgresql://127.0.0.1:{fixture.Server.Port}/schema_", store.Location);
        Assert.DoesNotContain("hunter2", store.Location, StringComparison.Ordinal);
    }
}
