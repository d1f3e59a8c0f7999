using Microsoft.Data.Sqlite;

namespace Fathom.Persistence;

/// <summary>
/// The store's schema and its ordered migrations. <c>schema_version</c> holds one row, the version the
/// database is at; <see cref="Migrate"/> applies every later step in order, each in its own transaction
/// that also bumps the version, so a crash mid-migration leaves the database at the previous version.
/// </summary>
/// <remarks>
/// Version 1 (no <c>schema_version</c> table: recognised by its <c>fills</c> table): fills and order
/// transitions keyed by the instrument's index in the config's symbol list.
/// Version 2: everything keyed by symbol; <c>fills</c> gain the owning node and epoch (null on rows
/// migrated from version 1 where the order had no client id); <c>orders</c> (one row per order, upserted
/// from its transitions), <c>risk_day</c> and <c>risk_halt</c> (one row each). Migrating from version 1
/// keeps every fill and transition, naming an index the symbol list does not have <c>#index</c>.
/// Version 3: <c>risk_events</c>, every risk state change (kill-switch trips and releases, halts) with its
/// trigger and reasons, appended: the audit trail of why trading stopped. Not read back at a restart (risk
/// re-derives its state from the restored position, the day and live inputs; a halt is in <c>risk_halt</c>).
/// Never edit a released step: add the next one.
/// </remarks>
internal static class SqliteSchema
{
    public const int Latest = 3;

    private const string V1 = """
        CREATE TABLE IF NOT EXISTS fills (
          instrument INTEGER NOT NULL, trade_id INTEGER NOT NULL, venue_order_id INTEGER NOT NULL,
          order_seq INTEGER NOT NULL, side INTEGER NOT NULL, price INTEGER NOT NULL, qty INTEGER NOT NULL,
          fee INTEGER NOT NULL, fee_qty INTEGER NOT NULL, is_maker INTEGER NOT NULL, time_ns INTEGER NOT NULL,
          PRIMARY KEY (instrument, trade_id, venue_order_id));
        CREATE TABLE IF NOT EXISTS order_transitions (
          id INTEGER PRIMARY KEY AUTOINCREMENT, order_seq INTEGER NOT NULL, instrument INTEGER NOT NULL,
          from_state INTEGER NOT NULL, event INTEGER NOT NULL, to_state INTEGER NOT NULL, illegal INTEGER NOT NULL,
          time_ns INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS order_transitions_order ON order_transitions(order_seq);
        """;

    private const string V2 = """
        ALTER TABLE fills RENAME TO fills_v1;
        CREATE TABLE fills (
          symbol TEXT NOT NULL, trade_id INTEGER NOT NULL, venue_order_id INTEGER NOT NULL,
          node INTEGER, epoch INTEGER, order_seq INTEGER NOT NULL, side INTEGER NOT NULL, price INTEGER NOT NULL,
          qty INTEGER NOT NULL, fee INTEGER NOT NULL, fee_qty INTEGER NOT NULL, is_maker INTEGER NOT NULL, time_ns INTEGER NOT NULL,
          PRIMARY KEY (symbol, trade_id, venue_order_id));
        INSERT INTO fills
          SELECT COALESCE(m.symbol, '#' || f.instrument), f.trade_id, f.venue_order_id,
                 CASE WHEN f.order_seq = 0 THEN NULL ELSE $legacyNode END, CASE WHEN f.order_seq = 0 THEN NULL ELSE 0 END,
                 f.order_seq, f.side, f.price, f.qty, f.fee, f.fee_qty, f.is_maker, f.time_ns
          FROM fills_v1 f LEFT JOIN temp.symbol_map m ON m.instrument = f.instrument ORDER BY f.time_ns, f.trade_id;
        DROP TABLE fills_v1;
        ALTER TABLE order_transitions RENAME TO order_transitions_v1;
        DROP INDEX IF EXISTS order_transitions_order;
        CREATE TABLE order_transitions (
          id INTEGER PRIMARY KEY AUTOINCREMENT, order_seq INTEGER NOT NULL, symbol TEXT NOT NULL,
          from_state INTEGER NOT NULL, event INTEGER NOT NULL, to_state INTEGER NOT NULL, illegal INTEGER NOT NULL,
          time_ns INTEGER NOT NULL);
        INSERT INTO order_transitions (id, order_seq, symbol, from_state, event, to_state, illegal, time_ns)
          SELECT t.id, t.order_seq, COALESCE(m.symbol, '#' || t.instrument), t.from_state, t.event, t.to_state, t.illegal, t.time_ns
          FROM order_transitions_v1 t LEFT JOIN temp.symbol_map m ON m.instrument = t.instrument ORDER BY t.id;
        DROP TABLE order_transitions_v1;
        CREATE INDEX order_transitions_order ON order_transitions(order_seq);
        CREATE TABLE orders (
          node INTEGER NOT NULL, order_seq INTEGER NOT NULL, epoch INTEGER NOT NULL, current_seq INTEGER NOT NULL,
          venue_order_id INTEGER NOT NULL, symbol TEXT NOT NULL, side INTEGER NOT NULL, type INTEGER NOT NULL,
          price INTEGER NOT NULL, qty INTEGER NOT NULL, filled INTEGER NOT NULL, state INTEGER NOT NULL, updated_ns INTEGER NOT NULL,
          PRIMARY KEY (node, order_seq));
        CREATE TABLE risk_day (
          id INTEGER PRIMARY KEY CHECK (id = 1), day_index INTEGER NOT NULL, start_pnl INTEGER NOT NULL, time_ns INTEGER NOT NULL);
        CREATE TABLE risk_halt (
          id INTEGER PRIMARY KEY CHECK (id = 1), halted INTEGER NOT NULL, reason TEXT, time_ns INTEGER NOT NULL);
        """;

    private const string V3 = """
        CREATE TABLE risk_events (
          id INTEGER PRIMARY KEY AUTOINCREMENT, symbol TEXT, from_state INTEGER NOT NULL, to_state INTEGER NOT NULL,
          trigger INTEGER NOT NULL, reasons INTEGER NOT NULL, illegal INTEGER NOT NULL, time_ns INTEGER NOT NULL);
        """;

    /// <summary>The version <paramref name="connection"/>'s database is at: 0 empty, 1 the unversioned first schema.</summary>
    public static int VersionOf(SqliteConnection connection)
    {
        if (Scalar(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") != 0)
            return (int)Scalar(connection, "SELECT version FROM schema_version");
        return Scalar(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'fills'") != 0 ? 1 : 0;
    }

    /// <summary>Brings the database to <see cref="Latest"/>; throws on a database from a newer build.</summary>
    public static void Migrate(SqliteConnection connection, string[] symbols, ushort legacyNode)
    {
        int version = VersionOf(connection);
        if (version > Latest)
            throw new InvalidOperationException($"The store is at schema version {version}; this build knows up to {Latest}: use a newer build.");
        if (version < 1)
            Step(connection, 1, tx => Run(connection, tx, V1));
        if (version < 2)
        {
            Step(connection, 2, tx =>
            {
                Run(connection, tx, "CREATE TEMP TABLE IF NOT EXISTS symbol_map (instrument INTEGER PRIMARY KEY, symbol TEXT NOT NULL); DELETE FROM temp.symbol_map;");
                for (int i = 0; i < symbols.Length; i++)
                    Run(connection, tx, "INSERT INTO temp.symbol_map VALUES ($i, $s)", ("$i", i), ("$s", symbols[i]));
                Run(connection, tx, V2, ("$legacyNode", legacyNode));
                Run(connection, tx, "DROP TABLE temp.symbol_map");
            });
        }
        if (version < 3)
            Step(connection, 3, tx => Run(connection, tx, V3));
    }

    private static void Step(SqliteConnection connection, int to, Action<SqliteTransaction> migrate)
    {
        using var tx = connection.BeginTransaction();
        migrate(tx);
        Run(connection, tx, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL); DELETE FROM schema_version; INSERT INTO schema_version VALUES ($v)", ("$v", to));
        tx.Commit();
    }

    private static void Run(SqliteConnection connection, SqliteTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, value);
        cmd.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
