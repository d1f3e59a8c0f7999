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
    /// <remarks>
    /// With <paramref name="schema"/> the store's tables live in that PostgreSQL schema (created when missing) and
    /// every connection's search path is that schema alone, so several stores (one per scope,
    /// <see cref="SchemaFor"/>) share one database without seeing each other's rows. Without it they live in the
    /// connection's current schema (<c>public</c> by default), as before.
    /// </remarks>
    /// <exception cref="ArgumentException">The connection string is malformed (the message names the keyword, never a value), or <paramref name="schema"/> is not a safe identifier.</exception>
    /// <exception cref="NpgsqlException">The server cannot be reached or refuses us.</exception>
    /// <exception cref="InvalidOperationException">The database holds a newer schema than this build knows.</exception>
    public static NpgsqlTradeStore Open(string connectionString, IReadOnlyList<string> symbols, int capacity = 1 << 16, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        if (schema is not null)
            CheckSchemaName(schema);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!HasKeyword(connectionString, "Timeout"))
            builder.Timeout = 5;
        if (schema is not null)
            builder.SearchPath = schema;
        var dataSource = NpgsqlDataSource.Create(builder);
        try
        {
            using var connection = dataSource.OpenConnection();
            NpgsqlSchema.Migrate(connection, schema);
        }
        catch
        {
            dataSource.Dispose();
            throw;
        }
        return new NpgsqlTradeStore(dataSource, DescribeLocation(builder, schema), symbols, capacity);
    }

    /// <summary>
    /// The schema name for <paramref name="scope"/>'s store: <c>scope_</c>, the scope in lowercase letters, digits and
    /// underscores (anything else becomes <c>_</c>, at most 40 characters), <c>_</c> and 8 hex digits of the scope's
    /// SHA-256, so two scopes that sanitize alike still differ. Deterministic: the same scope always maps to the same schema.
    /// </summary>
    public static string SchemaFor(string scope)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        const int MaxSanitized = 40;
        var name = new System.Text.StringBuilder("scope_", 6 + MaxSanitized + 9);
        foreach (char c in scope)
        {
            if (name.Length == 6 + MaxSanitized)
                break;
            char lower = char.ToLowerInvariant(c);
            name.Append(lower is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? lower : '_');
        }
        byte[] hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(scope));
        name.Append('_').Append(Convert.ToHexStringLower(hash, 0, 4));
        return name.ToString();
    }

    /// <summary>
    /// Checks that <paramref name="schema"/> is a safe PostgreSQL schema name: 1 to 63 lowercase ASCII letters,
    /// digits and underscores, starting with a letter or underscore, not <c>pg_</c>-prefixed (reserved). It is
    /// put into SQL as an identifier, so nothing else is accepted.
    /// </summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public static string CheckSchemaName(string schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        bool ok = schema.Length is > 0 and <= 63 && !(schema[0] is >= '0' and <= '9') && !schema.StartsWith("pg_", StringComparison.Ordinal);
        foreach (char c in schema)
            ok &= c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_';
        if (!ok)
            throw new ArgumentException(
                $"the store schema name \"{schema}\" is not allowed: use 1 to 63 lowercase letters, digits and underscores, not starting with a digit nor \"pg_\" " +
                "(NpgsqlTradeStore.SchemaFor turns any scope into one)", nameof(schema));
        return schema;
    }

    /// <summary>Where <paramref name="builder"/> points, for messages: host, port and database, never the user or password.</summary>
    public static string DescribeLocation(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return $"postgresql://{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database ?? "(default database)"}";
    }

    /// <summary>As <see cref="DescribeLocation(NpgsqlConnectionStringBuilder)"/>, naming the store's schema when it has one.</summary>
    public static string DescribeLocation(NpgsqlConnectionStringBuilder builder, string? schema) =>
        schema is null ? DescribeLocation(builder) : $"{DescribeLocation(builder)} (schema {schema})";

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
