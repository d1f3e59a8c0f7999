using System.Data.Common;

namespace Fathom.Persistence;

/// <summary>
/// Writes one batch of <see cref="StoreRecord"/>s inside the writer's transaction (writer thread only), in
/// order, on any ADO.NET provider: the statements are in the SQL SQLite and PostgreSQL both accept
/// (<c>@name</c> parameters, <c>ON CONFLICT</c>), so both stores share what a record becomes.
/// </summary>
/// <remarks>
/// Idempotence: a fill goes in once per (symbol, trade id, venue order id) (<c>ON CONFLICT DO NOTHING</c>),
/// an order, the risk day and the halt are upserted; a transition is appended (an audit trail: a batch
/// retried after a commit whose answer was lost writes its transitions twice, never its fills).
/// <para>A provider that batches (<see cref="DbConnection.CanCreateBatch"/>: Npgsql) gets every statement
/// in one <see cref="DbBatch"/>, one round trip at <see cref="Execute"/>; another (SQLite, in process) runs
/// each statement at once on a command prepared once a batch.</para>
/// </remarks>
internal sealed class StoreBatchWriter : IDisposable
{
    private static readonly Statement Fill = new(
        "INSERT INTO fills (symbol, trade_id, venue_order_id, node, epoch, order_seq, side, price, qty, fee, fee_qty, is_maker, time_ns) " +
        "VALUES (@sym, @t, @v, @n, @e, @o, @s, @p, @q, @f, @fq, @m, @ts) ON CONFLICT DO NOTHING",
        "@sym", "@t", "@v", "@n", "@e", "@o", "@s", "@p", "@q", "@f", "@fq", "@m", "@ts");
    private static readonly Statement Transition = new(
        "INSERT INTO order_transitions (order_seq, symbol, from_state, event, to_state, illegal, time_ns) VALUES (@o, @sym, @f, @e, @t, @x, @ts)",
        "@o", "@sym", "@f", "@e", "@t", "@x", "@ts");
    private static readonly Statement Order = new("""
        INSERT INTO orders (node, order_seq, epoch, current_seq, venue_order_id, symbol, side, type, price, qty, filled, state, updated_ns)
        VALUES (@n, @o, @e, @c, @v, @sym, @s, @ty, @p, @q, @fi, @st, @ts)
        ON CONFLICT (node, order_seq) DO UPDATE SET epoch = excluded.epoch, current_seq = excluded.current_seq,
          venue_order_id = excluded.venue_order_id, symbol = excluded.symbol, side = excluded.side, type = excluded.type,
          price = excluded.price, qty = excluded.qty, filled = excluded.filled, state = excluded.state, updated_ns = excluded.updated_ns
        """, "@n", "@o", "@e", "@c", "@v", "@sym", "@s", "@ty", "@p", "@q", "@fi", "@st", "@ts");
    private static readonly Statement Day = new(
        "INSERT INTO risk_day (id, day_index, start_pnl, time_ns) VALUES (1, @d, @p, @ts) " +
        "ON CONFLICT (id) DO UPDATE SET day_index = excluded.day_index, start_pnl = excluded.start_pnl, time_ns = excluded.time_ns",
        "@d", "@p", "@ts");
    private static readonly Statement Halt = new(
        "INSERT INTO risk_halt (id, halted, reason, time_ns) VALUES (1, @h, @r, @ts) " +
        "ON CONFLICT (id) DO UPDATE SET halted = excluded.halted, reason = excluded.reason, time_ns = excluded.time_ns",
        "@h", "@r", "@ts");

    private static readonly Statement RiskEvent = new(
        "INSERT INTO risk_events (symbol, from_state, to_state, trigger, reasons, illegal, time_ns) VALUES (@sym, @f, @t, @g, @r, @x, @ts)",
        "@sym", "@f", "@t", "@g", "@r", "@x", "@ts");

    private readonly DbConnection _connection;
    private readonly DbTransaction _tx;
    private readonly string[] _symbols;
    private readonly DbBatch? _batch;
    // Unbatched: one command per statement, made at its first use in this batch and reused.
    private readonly Dictionary<Statement, DbCommand> _commands = [];

    public StoreBatchWriter(DbConnection connection, DbTransaction tx, string[] symbols)
    {
        _connection = connection;
        _tx = tx;
        _symbols = symbols;
        if (connection.CanCreateBatch)
        {
            _batch = connection.CreateBatch();
            _batch.Transaction = tx;
        }
    }

    public void Write(in StoreRecord r)
    {
        switch (r.Kind)
        {
            case StoreRecordKind.Fill:
                // A fill of an order without a client id (not ours) has no owner: node and epoch are null.
                Run(Fill, SymbolOf(r.InstrumentId), r.TradeId, r.VenueOrderId, r.OrderSeq == 0 ? DBNull.Value : (long)r.Node,
                    r.OrderSeq == 0 ? DBNull.Value : (long)r.Epoch, r.OrderSeq, (long)r.Side, r.Price, r.Qty, r.Fee, r.FeeQty, r.IsMaker, r.TimeNs);
                break;
            case StoreRecordKind.OrderTransition:
                Run(Transition, r.OrderSeq, SymbolOf(r.InstrumentId), (long)r.From, (long)r.Event, (long)r.To, r.Illegal, r.TimeNs);
                // A refused edge changed nothing; an order the engine made without a client id (never) has nothing to key on.
                if (!r.Illegal && r.OrderSeq != 0)
                    Run(Order, (long)r.Node, r.OrderSeq, (long)r.Epoch, r.CurrentSeq == 0 ? r.OrderSeq : r.CurrentSeq, r.VenueOrderId,
                        SymbolOf(r.InstrumentId), (long)r.Side, (long)r.Type, r.Price, r.Qty, r.Filled, (long)r.To, r.TimeNs);
                break;
            case StoreRecordKind.RiskDay:
                Run(Day, r.DayIndex, r.StartPnl, r.TimeNs);
                break;
            case StoreRecordKind.RiskHalt:
                Run(Halt, r.Halted, (object?)r.Text ?? DBNull.Value, r.TimeNs);
                break;
            case StoreRecordKind.RiskEvent:
                // Account-wide changes name no symbol.
                Run(RiskEvent, r.InstrumentId < 0 ? DBNull.Value : SymbolOf(r.InstrumentId), (long)(byte)r.From, (long)(byte)r.To,
                    (long)r.Trigger, r.Reasons, r.Illegal, r.TimeNs);
                break;
            default:
                throw new InvalidOperationException($"unknown store record kind {r.Kind}");
        }
    }

    /// <summary>Sends what is batched (nothing to do for a provider that ran each statement at once).</summary>
    public void Execute()
    {
        if (_batch is { BatchCommands.Count: > 0 })
            _batch.ExecuteNonQuery();
    }

    private string SymbolOf(int instrumentId) =>
        (uint)instrumentId < (uint)_symbols.Length ? _symbols[instrumentId] : "#" + instrumentId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Values are long, bool, string or DBNull only: every provider binds those without a hint.
    private void Run(Statement statement, params object[] values)
    {
        if (_batch is not null)
        {
            DbBatchCommand cmd = _batch.CreateBatchCommand();
            cmd.CommandText = statement.Sql;
            for (int i = 0; i < values.Length; i++)
            {
                DbParameter p = cmd.CreateParameter();
                p.ParameterName = statement.Names[i];
                p.Value = values[i];
                cmd.Parameters.Add(p);
            }
            _batch.BatchCommands.Add(cmd);
            return;
        }
        if (!_commands.TryGetValue(statement, out DbCommand? command))
        {
            command = _connection.CreateCommand();
            command.Transaction = _tx;
            command.CommandText = statement.Sql;
            foreach (string name in statement.Names)
            {
                DbParameter p = command.CreateParameter();
                p.ParameterName = name;
                command.Parameters.Add(p);
            }
            _commands.Add(statement, command);
        }
        for (int i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i];
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _batch?.Dispose();
        foreach (DbCommand command in _commands.Values)
            command.Dispose();
    }

    private sealed class Statement(string sql, params string[] names)
    {
        public string Sql { get; } = sql;
        public string[] Names { get; } = names;
    }
}
