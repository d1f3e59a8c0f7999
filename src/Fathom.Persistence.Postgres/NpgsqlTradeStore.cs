using System.Data;
using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace Fathom.Persistence.Postgres;

/// <summary>
/// The durable record of fills, orders, the risk day and halts (<see cref="Fathom.Execution.ITradeStore"/>) in
/// PostgreSQL through Npgsql: the store several instances can share. Same contract, tables and writer as
/// <see cref="SqliteTradeStore"/> (<see cref="WriteBehindTradeStore"/>): the core appends into the ring
/// without allocating or blocking, one writer task commits each batch in one transaction and one round trip,
/// a failed batch is retried until it commits and never dropped.
/// </summary>
/// <remarks>
/// Entry points: <see cref="Open"/> (creates or migrates the schema, <see cref="NpgsqlSchema"/>), the
/// <c>TryAppend</c>s, <see cref="WriteBehindTradeStore.FlushAsync"/>, <see cref="WriteBehindTradeStore.Load"/>.
/// <para>A pooled connection per transaction: one the server dropped (a restart) is discarded by the pool,
/// so the retry after an outage reconnects. <see cref="WriteBehindTradeStore.Load"/> reads in one
/// repeatable-read transaction, so fills, orders and the last trade ids are one snapshot.</para>
/// <para>A server that is down or unreachable fails a write within the connection string's <c>Timeout</c>
/// (<see cref="Open"/> lowers Npgsql's 15 s default to 5 s when the string does not set it, so trading halts
/// promptly); <see cref="WriteBehindTradeStore.Failure"/> then says so until the server answers again.</para>
/// </remarks>
public sealed class NpgsqlTradeStore : WriteBehindTradeStore
{
    private readonly NpgsqlDataSource _dataSource;

    private NpgsqlTradeStore(NpgsqlDataSource dataSource, string location, IReadOnlyList<string> symbols, int capacity)
        : base(symbols, capacity, fillOrder: "seq")
    {
        _dataSource = dataSource;
        Location = location;
        StartWriter();
    }

    public override string Location { get; }

    /// <summary>The schema version this build writes (<see cref="NpgsqlSchema"/>; the same number as SQLite's for the same tables).</summary>
    public static int SchemaVersion => NpgsqlSchema.Latest;

    /// <summary>
    /// Opens the store in the database <paramref name="connectionString"/> names for an engine trading
    /// <paramref name="symbols"/> (instrument index i is <c>symbols[i]</c>: rows are keyed by symbol), creating
    /// or migrating its schema.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is malformed (the message names the keyword, never a value).</exception>
    /// <exception cref="NpgsqlException">The server cannot be reached or refuses us.</exception>
    /// <exception cref="InvalidOperationException">The database holds a newer schema than this build knows.</exception>
    public static NpgsqlTradeStore Open(string connectionString, IReadOnlyList<string> symbols, int capacity = 1 << 16)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!HasKeyword(connectionString, "Timeout"))
            builder.Timeout = 5;
        var dataSource = NpgsqlDataSource.Create(builder);
        try
        {
            using var connection = dataSource.OpenConnection();
            NpgsqlSchema.Migrate(connection);
        }
        catch
        {
            dataSource.Dispose();
            throw;
        }
        return new NpgsqlTradeStore(dataSource, DescribeLocation(builder), symbols, capacity);
    }

    /// <summary>Where <paramref name="builder"/> points, for messages: host, port and database, never the user or password.</summary>
    public static string DescribeLocation(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return $"postgresql://{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database ?? "(default database)"}";
    }

    private static bool HasKeyword(string connectionString, string keyword)
    {
        var plain = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return plain.ContainsKey(keyword);
    }

    protected override T Transact<T>(Func<DbConnection, DbTransaction, T> work, bool write)
    {
        using var connection = _dataSource.OpenConnection();
        using var tx = connection.BeginTransaction(write ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead);
        T result = work(connection, tx);
        tx.Commit();
        return result;
    }

    protected override ValueTask CloseAsync() => _dataSource.DisposeAsync();
}
