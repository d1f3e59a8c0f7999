using Fathom.Persistence.Postgres;
using Npgsql;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>The store contract on a real PostgreSQL server (one database a test); writes fail while the server is stopped.</summary>
[Collection(PostgresCollection.Name)]
public sealed class NpgsqlTradeStoreContractTests(PostgresFixture fixture) : TradeStoreContract
{
    private string? _connectionString;

    public override async Task InitializeAsync()
    {
        // A test before this one may have left the server stopped if it failed half-way.
        await fixture.Server.RestartAsync();
        _connectionString = await fixture.Server.CreateDatabaseAsync("contract");
    }

    protected override WriteBehindTradeStore Open(IReadOnlyList<string> symbols, int capacity = 1 << 16) =>
        NpgsqlTradeStore.Open(_connectionString!, symbols, capacity);

    // An outage: the server stops (fast: open connections are dropped) and comes back on the same port with its data.
    protected override Task BreakWritesAsync() => fixture.Server.StopAsync();

    protected override Task HealWritesAsync() => fixture.Server.RestartAsync();

    protected override long CountRows(string table)
    {
        using var connection = new NpgsqlConnection(_connectionString);
        connection.Open();
        using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)cmd.ExecuteScalar()!;
    }
}
