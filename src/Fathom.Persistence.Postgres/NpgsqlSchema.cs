using System.Globalization;
using Npgsql;

namespace Fathom.Persistence.Postgres;

/// <summary>
/// The PostgreSQL store's schema and its ordered migrations: SQLite's tables and columns
/// (<see cref="SqliteTradeStore"/>, schema version 2), in PostgreSQL's types. <c>schema_version</c> holds one
/// row, the version the database is at; <see cref="Migrate"/> brings an empty database to <see cref="Latest"/>
/// and applies every later step in order, each with its version bump in one transaction (DDL is
/// transactional here, so a crash mid-migration leaves the previous version).
/// </summary>
/// <remarks>
/// The numbering is SQLite's, so one version names one set of tables in both databases. There was never a
/// PostgreSQL version 1 (that schema predates this store): an empty database goes straight to version 2.
/// Differences the dialect asks for: integers are <c>bigint</c> and flags <c>boolean</c>; <c>fills</c> has an
/// identity column <c>seq</c> (SQLite reads fills back by <c>rowid</c>); transition ids are identity columns.
/// Instances opening one database at once migrate one after the other (a transaction-scoped advisory lock whose
/// key includes the schema, so stores in different schemas of one database migrate independently). The tables
/// go in the connection's current schema (the first existing schema of its search path), and
/// <see cref="VersionOf"/> looks there, never in another schema on the path.
/// Never edit a released step: add the next one.
/// </remarks>
internal static class NpgsqlSchema
{
    public const int Latest = 3;

    // Any constant: the key of the advisory lock migrations take.
    private const long MigrationLockKey = 0x46_61_74_68_6F_6D; // "Fathom"

    private const string V2 = """
        CREATE TABLE fills (
          symbol text NOT NULL, trade_id bigint NOT NULL, venue_order_id bigint NOT NULL,
          node bigint, epoch bigint, order_seq bigint NOT NULL, side bigint NOT NULL, price bigint NOT NULL,
          qty bigint NOT NULL, fee bigint NOT NULL, fee_qty bigint NOT NULL, is_maker boolean NOT NULL, time_ns bigint NOT NULL,
          seq bigint GENERATED ALWAYS AS IDENTITY,
          PRIMARY KEY (symbol, trade_id, venue_order_id));
        CREATE INDEX fills_seq ON fills(seq);
        CREATE TABLE order_transitions (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_seq bigint NOT NULL, symbol text NOT NULL,
          from_state bigint NOT NULL, event bigint NOT NULL, to_state bigint NOT NULL, illegal boolean NOT NULL,
          time_ns bigint NOT NULL);
        CREATE INDEX order_transitions_order ON order_transitions(order_seq);
        CREATE TABLE orders (
          node bigint NOT NULL, order_seq bigint NOT NULL, epoch bigint NOT NULL, current_seq bigint NOT NULL,
          venue_order_id bigint NOT NULL, symbol text NOT NULL, side bigint NOT NULL, type bigint NOT NULL,
          price bigint NOT NULL, qty bigint NOT NULL, filled bigint NOT NULL, state bigint NOT NULL, updated_ns bigint NOT NULL,
          PRIMARY KEY (node, order_seq));
        CREATE TABLE risk_day (
          id bigint PRIMARY KEY CHECK (id = 1), day_index bigint NOT NULL, start_pnl bigint NOT NULL, time_ns bigint NOT NULL);
        CREATE TABLE risk_halt (
          id bigint PRIMARY KEY CHECK (id = 1), halted boolean NOT NULL, reason text, time_ns bigint NOT NULL);
        """;

    // Version 3: every risk state change with its trigger and reasons (an audit trail, not read back).
    private const string V3 = """
        CREATE TABLE risk_events (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, symbol text, from_state bigint NOT NULL, to_state bigint NOT NULL,
          trigger bigint NOT NULL, reasons bigint NOT NULL, illegal boolean NOT NULL, time_ns bigint NOT NULL);
        """;

    /// <summary>Step i brings the database to version <c>Steps[i].To</c>.</summary>
    private static readonly (int To, string Sql)[] Steps = [(2, V2), (3, V3)];

    /// <summary>The version <paramref name="connection"/>'s database is at: 0 when it has no <c>schema_version</c>.</summary>
    public static int VersionOf(NpgsqlConnection connection, NpgsqlTransaction? tx = null)
    {
        // current_schema() is where an unqualified CREATE TABLE puts the tables; null (no schema of the path exists) reads as 0.
        using (var exists = new NpgsqlCommand("SELECT coalesce(to_regclass(quote_ident(current_schema()) || '.schema_version') IS NOT NULL, false)", connection, tx))
            if (!(bool)exists.ExecuteScalar()!)
                return 0;
        using var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version", connection, tx);
        return Convert.ToInt32(read.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Brings the database (the schema <paramref name="schema"/>, created when missing, or the connection's
    /// current schema when null) to <see cref="Latest"/>; throws on a database from a newer build.
    /// <paramref name="schema"/> must be a checked identifier (<see cref="NpgsqlTradeStore.CheckSchemaName"/>) and
    /// the connection's search path that schema alone.
    /// </summary>
    public static void Migrate(NpgsqlConnection connection, string? schema = null)
    {
        // The public schema keeps the constant key older builds take; a named schema takes its own.
        string lockKey = schema is null
            ? MigrationLockKey.ToString(CultureInfo.InvariantCulture)
            : $"hashtextextended('{schema}', {MigrationLockKey.ToString(CultureInfo.InvariantCulture)})";
        if (schema is not null)
        {
            using var tx = connection.BeginTransaction();
            // Under the lock: two instances creating one schema at once would otherwise collide on its name.
            Execute(connection, tx, $"SELECT pg_advisory_xact_lock({lockKey})");
            Execute(connection, tx, $"CREATE SCHEMA IF NOT EXISTS {schema}");
            tx.Commit();
        }
        foreach (var (to, sql) in Steps)
        {
            using var tx = connection.BeginTransaction();
            Execute(connection, tx, $"SELECT pg_advisory_xact_lock({lockKey})");
            // Read under the lock: another instance may have migrated while we waited for it.
            int version = VersionOf(connection, tx);
            if (version > Latest)
                throw new InvalidOperationException(
                    $"The store at {connection.Host}:{connection.Port}/{connection.Database} is at schema version {version}; this build knows up to {Latest}: use a newer build.");
            if (version >= to)
                continue;
            Execute(connection, tx, sql);
            Execute(connection, tx, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL); DELETE FROM schema_version;");
            Execute(connection, tx, $"INSERT INTO schema_version (version) VALUES ({to.ToString(CultureInfo.InvariantCulture)})");
            tx.Commit();
        }
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, connection, tx);
        cmd.ExecuteNonQuery();
    }
}
