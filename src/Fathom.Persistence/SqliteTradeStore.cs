using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Fathom.Persistence;

/// <summary>
/// The durable record of fills, orders, the risk day and halts (<see cref="Fathom.Execution.ITradeStore"/>), in
/// SQLite (WAL, <c>synchronous=FULL</c>): the embedded default, one file a node. Written behind the core by
/// <see cref="WriteBehindTradeStore"/>'s writer so the core never waits on the disk.
/// </summary>
/// <remarks>
/// Entry points: <see cref="Open"/> (creates or migrates the schema, <see cref="SqliteSchema"/>), the
/// <c>TryAppend</c>s, <see cref="WriteBehindTradeStore.FlushAsync"/>, <see cref="WriteBehindTradeStore.Load"/>.
/// <para>One connection, used under its own lock by the writer and by reads. A database locked by another
/// process fails a write after 2 s (the busy timeout), so trading halts promptly; the batch is retried.</para>
/// </remarks>
public sealed class SqliteTradeStore : WriteBehindTradeStore
{
    private readonly SqliteConnection _connection;

    private SqliteTradeStore(SqliteConnection connection, string path, IReadOnlyList<string> symbols, int capacity)
        : base(symbols, capacity, fillOrder: "rowid")
    {
        _connection = connection;
        Path = path;
        StartWriter();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public override string Location => Path;

    /// <summary>The schema version this build writes (<see cref="SqliteSchema"/>).</summary>
    public static int SchemaVersion => SqliteSchema.Latest;

    /// <summary>
    /// Opens (creating if needed, migrating an older schema) the store at <paramref name="path"/> for an
    /// engine trading <paramref name="symbols"/> (instrument index i is <c>symbols[i]</c>: rows are keyed
    /// by symbol). <paramref name="legacyNode"/> is the node a version 1 database's fills are attributed
    /// to when it is migrated (version 1 did not record it; one database served one node).
    /// </summary>
    public static SqliteTradeStore Open(string path, IReadOnlyList<string> symbols, ushort legacyNode = 0, int capacity = 1 << 16)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        // A database locked by another process fails a write after 2 s (not the 30 s default), so trading halts promptly.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 2 }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, "PRAGMA synchronous=FULL;");
            SqliteSchema.Migrate(connection, [.. symbols], legacyNode);
        }
        catch
        {
            // A file that is not a database fails here ("file is not a database"): do not keep it open.
            connection.Dispose();
            throw;
        }
        return new SqliteTradeStore(connection, path, symbols, capacity);
    }

    protected override T Transact<T>(Func<DbConnection, DbTransaction, T> work, bool write)
    {
        lock (_connection)
        {
            // A read begins deferred (no write lock: it reads while another process holds one, WAL); a write takes the lock at once.
            using var tx = _connection.BeginTransaction(deferred: !write);
            T result = work(_connection, tx);
            tx.Commit();
            return result;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    protected override ValueTask CloseAsync()
    {
        lock (_connection)
            _connection.Dispose();
        return ValueTask.CompletedTask;
    }
}
