using Fathom.Core;
using Microsoft.Data.Sqlite;

namespace Fathom.Persistence;

/// <summary>Writes one batch of <see cref="StoreRecord"/>s inside the writer's transaction (writer thread only), in order.</summary>
internal sealed class SqliteBatchWriter : IDisposable
{
    private readonly string[] _symbols;
    private readonly SqliteCommand _fill;
    private readonly SqliteParameter[] _fillParams;
    private readonly SqliteCommand _transition;
    private readonly SqliteParameter[] _transitionParams;
    private readonly SqliteCommand _order;
    private readonly SqliteParameter[] _orderParams;
    private readonly SqliteCommand _day;
    private readonly SqliteParameter[] _dayParams;
    private readonly SqliteCommand _halt;
    private readonly SqliteParameter[] _haltParams;

    public SqliteBatchWriter(SqliteConnection connection, SqliteTransaction tx, string[] symbols)
    {
        _symbols = symbols;
        (_fill, _fillParams) = Prepare(connection, tx,
            "INSERT OR IGNORE INTO fills VALUES ($sym, $t, $v, $n, $e, $o, $s, $p, $q, $f, $fq, $m, $ts)",
            "$sym", "$t", "$v", "$n", "$e", "$o", "$s", "$p", "$q", "$f", "$fq", "$m", "$ts");
        (_transition, _transitionParams) = Prepare(connection, tx,
            "INSERT INTO order_transitions (order_seq, symbol, from_state, event, to_state, illegal, time_ns) VALUES ($o, $sym, $f, $e, $t, $x, $ts)",
            "$o", "$sym", "$f", "$e", "$t", "$x", "$ts");
        (_order, _orderParams) = Prepare(connection, tx, """
            INSERT INTO orders VALUES ($n, $o, $e, $c, $v, $sym, $s, $ty, $p, $q, $fi, $st, $ts)
            ON CONFLICT (node, order_seq) DO UPDATE SET epoch = excluded.epoch, current_seq = excluded.current_seq,
              venue_order_id = excluded.venue_order_id, symbol = excluded.symbol, side = excluded.side, type = excluded.type,
              price = excluded.price, qty = excluded.qty, filled = excluded.filled, state = excluded.state, updated_ns = excluded.updated_ns
            """, "$n", "$o", "$e", "$c", "$v", "$sym", "$s", "$ty", "$p", "$q", "$fi", "$st", "$ts");
        (_day, _dayParams) = Prepare(connection, tx, "INSERT OR REPLACE INTO risk_day VALUES (1, $d, $p, $ts)", "$d", "$p", "$ts");
        (_halt, _haltParams) = Prepare(connection, tx, "INSERT OR REPLACE INTO risk_halt VALUES (1, $h, $r, $ts)", "$h", "$r", "$ts");
    }

    public void Write(in StoreRecord r)
    {
        switch (r.Kind)
        {
            case StoreRecordKind.Fill:
                Run(_fill, _fillParams, SymbolOf(r.InstrumentId), r.TradeId, r.VenueOrderId,
                    r.OrderSeq == 0 ? DBNull.Value : r.Node, r.OrderSeq == 0 ? DBNull.Value : r.Epoch, r.OrderSeq, (long)r.Side, r.Price, r.Qty,
                    r.Fee, r.FeeQty, r.IsMaker ? 1 : 0, r.TimeNs);
                break;
            case StoreRecordKind.OrderTransition:
                Run(_transition, _transitionParams, r.OrderSeq, SymbolOf(r.InstrumentId), (long)r.From, (long)r.Event, (long)r.To, r.Illegal ? 1 : 0, r.TimeNs);
                // A refused edge changed nothing; an order the engine made without a client id (never) has nothing to key on.
                if (!r.Illegal && r.OrderSeq != 0)
                    Run(_order, _orderParams, r.Node, r.OrderSeq, r.Epoch, r.CurrentSeq == 0 ? r.OrderSeq : r.CurrentSeq, r.VenueOrderId,
                        SymbolOf(r.InstrumentId), (long)r.Side, (long)r.Type, r.Price, r.Qty, r.Filled, (long)r.To, r.TimeNs);
                break;
            case StoreRecordKind.RiskDay:
                Run(_day, _dayParams, r.DayIndex, r.StartPnl, r.TimeNs);
                break;
            case StoreRecordKind.RiskHalt:
                Run(_halt, _haltParams, r.Halted ? 1 : 0, (object?)r.Text ?? DBNull.Value, r.TimeNs);
                break;
            default:
                throw new InvalidOperationException($"unknown store record kind {r.Kind}");
        }
    }

    private string SymbolOf(int instrumentId) =>
        (uint)instrumentId < (uint)_symbols.Length ? _symbols[instrumentId] : "#" + instrumentId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static (SqliteCommand, SqliteParameter[]) Prepare(SqliteConnection connection, SqliteTransaction tx, string sql, params string[] names)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        var parameters = new SqliteParameter[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            // Untyped: each value binds by its own type (integers, the symbol's text, null).
            parameters[i] = cmd.CreateParameter();
            parameters[i].ParameterName = names[i];
            cmd.Parameters.Add(parameters[i]);
        }
        return (cmd, parameters);
    }

    private static void Run(SqliteCommand cmd, SqliteParameter[] parameters, params object[] values)
    {
        for (int i = 0; i < values.Length; i++)
            parameters[i].Value = values[i];
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _fill.Dispose();
        _transition.Dispose();
        _order.Dispose();
        _day.Dispose();
        _halt.Dispose();
    }
}
