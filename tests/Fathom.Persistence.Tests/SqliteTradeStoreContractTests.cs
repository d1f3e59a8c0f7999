using Microsoft.Data.Sqlite;

namespace Fathom.Persistence.Tests;

/// <summary>The store contract on SQLite, in a file in a temporary directory; writes fail while another connection holds the write lock.</summary>
public sealed class SqliteTradeStoreContractTests : TradeStoreContract
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fathom-store").FullName;
    private SqliteConnection? _blocker;

    private string DbPath => Path.Combine(_dir, "fathom.db");

    protected override WriteBehindTradeStore Open(IReadOnlyList<string> symbols, int capacity = 1 << 16) =>
        SqliteTradeStore.Open(DbPath, symbols, capacity: capacity);

    // Another process's exclusive transaction: each write of ours waits out the 2 s busy timeout and fails.
    protected override Task BreakWritesAsync()
    {
        _blocker = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        _blocker.Open();
        using var begin = _blocker.CreateCommand();
        begin.CommandText = "BEGIN EXCLUSIVE";
        begin.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    // Closing rolls the exclusive transaction back.
    protected override Task HealWritesAsync()
    {
        _blocker?.Dispose();
        _blocker = null;
        return Task.CompletedTask;
    }

    protected override long CountRows(string table)
    {
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)cmd.ExecuteScalar()!;
    }

    public override Task DisposeAsync()
    {
        _blocker?.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}
