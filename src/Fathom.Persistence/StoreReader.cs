using System.Data.Common;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;

namespace Fathom.Persistence;

/// <summary>
/// Reads the records back (<see cref="ITradeStore.Load"/>) on any ADO.NET provider, inside the caller's
/// transaction: the queries are the same in SQLite and PostgreSQL, save the column that orders fills as
/// they were stored. Integers are read as 64-bit and flags as booleans, which both providers convert to.
/// </summary>
internal static class StoreReader
{
    public static List<PersistedFill> ReadFills(DbConnection connection, DbTransaction tx, string fillOrder)
    {
        var fills = new List<PersistedFill>();
        using var cmd = Command(connection, tx,
            $"SELECT symbol, trade_id, venue_order_id, node, epoch, order_seq, side, price, qty, fee, fee_qty, is_maker, time_ns FROM fills ORDER BY {fillOrder}");
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var id = r.IsDBNull(3) ? ClientOrderId.None : new ClientOrderId((ushort)r.GetInt64(3), (uint)r.GetInt64(4), r.GetInt64(5));
            fills.Add(new PersistedFill(r.GetString(0), r.GetInt64(1), r.GetInt64(2), id, (OrderSide)r.GetInt64(6), new Price(r.GetInt64(7)),
                new Qty(r.GetInt64(8)), r.GetInt64(9), new Qty(r.GetInt64(10)), r.GetBoolean(11), r.GetInt64(12)));
        }
        return fills;
    }

    public static PersistedState ReadState(DbConnection connection, DbTransaction tx, string fillOrder)
    {
        List<PersistedFill> fills = ReadFills(connection, tx, fillOrder);
        var open = new List<PersistedOrder>();
        // Not terminal: Filled, Canceled, Rejected, Expired (OrderState values are stored: never renumbered).
        using (var cmd = Command(connection, tx, $"""
            SELECT node, epoch, order_seq, current_seq, venue_order_id, symbol, side, type, price, qty, filled, state, updated_ns
            FROM orders WHERE state NOT IN ({(int)OrderState.Filled}, {(int)OrderState.Canceled}, {(int)OrderState.Rejected}, {(int)OrderState.Expired})
            ORDER BY node, order_seq
            """))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var node = (ushort)r.GetInt64(0);
                var epoch = (uint)r.GetInt64(1);
                open.Add(new PersistedOrder(r.GetInt64(2), new ClientOrderId(node, epoch, r.GetInt64(2)), new ClientOrderId(node, epoch, r.GetInt64(3)),
                    r.GetInt64(4), r.GetString(5), (OrderSide)r.GetInt64(6), (OrderType)r.GetInt64(7), new Price(r.GetInt64(8)), new Qty(r.GetInt64(9)),
                    new Qty(r.GetInt64(10)), (OrderState)r.GetInt64(11), r.GetInt64(12)));
            }
        }
        var lastTradeIds = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var cmd = Command(connection, tx, "SELECT symbol, MAX(trade_id) FROM fills GROUP BY symbol"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
                lastTradeIds[r.GetString(0)] = r.GetInt64(1);
        }
        RiskDayRecord? day = null;
        using (var cmd = Command(connection, tx, "SELECT day_index, start_pnl, time_ns FROM risk_day WHERE id = 1"))
        using (var r = cmd.ExecuteReader())
        {
            if (r.Read())
                day = new RiskDayRecord(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
        }
        RiskHaltRecord? halt = null;
        using (var cmd = Command(connection, tx, "SELECT halted, reason, time_ns FROM risk_halt WHERE id = 1"))
        using (var r = cmd.ExecuteReader())
        {
            if (r.Read())
                halt = new RiskHaltRecord(r.GetBoolean(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt64(2));
        }
        long firstOrderSeq = Scalar(connection, tx, "SELECT COALESCE(MIN(order_seq), 0) FROM orders");
        var events = new List<StoredRiskEvent>();
        using (var cmd = Command(connection, tx,
            $"SELECT symbol, from_state, to_state, trigger, reasons, illegal, time_ns FROM risk_events ORDER BY id DESC LIMIT {PersistedState.RiskEventsLoaded}"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
                events.Add(new StoredRiskEvent(r.IsDBNull(0) ? null : r.GetString(0), (Fathom.Risk.RiskState)r.GetInt64(1), (Fathom.Risk.RiskState)r.GetInt64(2),
                    (Fathom.Risk.RiskTrigger)r.GetInt64(3), (Fathom.Risk.RiskReason)r.GetInt64(4), r.GetBoolean(5), r.GetInt64(6)));
        }
        events.Reverse();
        return new PersistedState(fills, open, lastTradeIds, day, halt, firstOrderSeq, events);
    }

    /// <summary>Rows in <paramref name="table"/> (a constant of ours, never input).</summary>
    public static long Count(DbConnection connection, DbTransaction tx, string table) => Scalar(connection, tx, $"SELECT COUNT(*) FROM {table}");

    private static long Scalar(DbConnection connection, DbTransaction tx, string sql)
    {
        using var cmd = Command(connection, tx, sql);
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction tx, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }
}
