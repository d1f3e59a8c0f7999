using Fathom.Persistence;
using Fathom.Persistence.Postgres;
using Npgsql;

namespace Fathom.Hosting;

/// <summary>Which database holds the trade store.</summary>
public enum TradeStoreKind
{
    /// <summary>A SQLite file (WAL, <c>synchronous=FULL</c>): the embedded default, one file a node.</summary>
    Sqlite,
    /// <summary>A PostgreSQL database through Npgsql: the store several instances can share.</summary>
    Postgres,
}

/// <summary>
/// Which trade store a host opens (<see cref="EngineHostOptions.Store"/>, <c>fathom run</c>'s <c>store</c>
/// section), and the one place that opens it: the run's start-up check and the engine's composition open
/// it the same way.
/// </summary>
/// <remarks>
/// Not a record on purpose: the connection string may hold a password, and a record's generated
/// <c>ToString</c> would print it. <see cref="ToString"/> is <see cref="Describe"/>, which never does.
/// </remarks>
public sealed class TradeStoreOptions
{
    private TradeStoreOptions(TradeStoreKind kind, string? path, bool fresh, string? connectionString, string? schema = null)
    {
        Schema = schema;
        Kind = kind;
        Path = path;
        Fresh = fresh;
        ConnectionString = connectionString;
    }

    public TradeStoreKind Kind { get; }
    /// <summary>SQLite: the database file.</summary>
    public string? Path { get; }
    /// <summary>SQLite: delete the file first (a simulator whose trade ids restart at 1 each run).</summary>
    public bool Fresh { get; }
    /// <summary>PostgreSQL: the Npgsql connection string (read from the environment; never printed or logged).</summary>
    public string? ConnectionString { get; }
    /// <summary>PostgreSQL: the schema holding this store's tables (one per scope when scopes share a database); null: the connection's current schema.</summary>
    public string? Schema { get; }

    /// <summary>A SQLite store in <paramref name="path"/> (its directory is created when missing).</summary>
    public static TradeStoreOptions Sqlite(string path, bool fresh = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new(TradeStoreKind.Sqlite, path, fresh, null);
    }

    /// <summary>
    /// A PostgreSQL store in the database <paramref name="connectionString"/> names (its tables are created or
    /// migrated at open), in the PostgreSQL schema <paramref name="schema"/> when given (created when missing; a safe
    /// identifier, <see cref="NpgsqlTradeStore.CheckSchemaName"/>; <see cref="NpgsqlTradeStore.SchemaFor"/> names one per scope).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a safe schema name.</exception>
    public static TradeStoreOptions Postgres(string connectionString, string? schema = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (schema is not null)
            NpgsqlTradeStore.CheckSchemaName(schema);
        return new(TradeStoreKind.Postgres, null, false, connectionString, schema);
    }

    /// <summary>
    /// Opens the store for an engine trading <paramref name="symbols"/> (rows are keyed by symbol) as node
    /// <paramref name="node"/> (the node a SQLite version 1 file's fills are attributed to when migrated).
    /// </summary>
    public WriteBehindTradeStore Open(IReadOnlyList<string> symbols, ushort node)
    {
        if (Kind == TradeStoreKind.Postgres)
            return NpgsqlTradeStore.Open(ConnectionString!, symbols, schema: Schema);
        string path = Path!;
        if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) is { } dir)
            Directory.CreateDirectory(dir);
        if (Fresh)
            foreach (string f in new[] { path, path + "-wal", path + "-shm" })
                File.Delete(f);
        return SqliteTradeStore.Open(path, symbols, node);
    }

    /// <summary>Where the store is, for messages: the SQLite file, or PostgreSQL's host, port and database (never a user or password).</summary>
    public string Describe()
    {
        if (Kind == TradeStoreKind.Sqlite)
            return Path!;
        try
        {
            return NpgsqlTradeStore.DescribeLocation(new NpgsqlConnectionStringBuilder(ConnectionString), Schema);
        }
        catch (ArgumentException)
        {
            return "PostgreSQL (a malformed connection string)";
        }
    }

    public override string ToString() => Describe();
}
