using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Microsoft.Data.Sqlite;

namespace Fathom.Persistence;

/// <summary>
/// The durable record of fills and order state changes (<see cref="ITradeStore"/>), in SQLite (WAL,
/// <c>synchronous=FULL</c>), written by a background writer so the core never waits on the disk.
/// </summary>
/// <remarks>
/// The core appends into a bounded lock-free ring (<see cref="MpscRing{T}"/>): no allocation, no I/O.
/// The writer drains it in transactions every few milliseconds. If the ring is full the append
/// returns false: the caller must halt trading (a fill is never dropped silently; DESIGN.md
/// "Orders and recovery"). Fills are keyed by (instrument, trade id, venue order id) and inserted
/// once, so a report seen twice (request answer and user stream) is stored once.
/// <para>A write that fails (disk full, the database locked by another process, an I/O error) is
/// never dropped: the writer keeps the batch and retries it with exponential back-off (10 ms to 2 s)
/// until it commits, appends keep queueing meanwhile, <see cref="Failure"/> says why and
/// <see cref="FaultObserver"/> is told once per failing spell, so the engine halts trading while the
/// store cannot keep what it is given.</para>
/// </remarks>
public sealed class SqliteTradeStore : ITradeStore
{
    private readonly SqliteConnection _connection;
    private readonly MpscRing<StoreRecord> _ring;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private long _appended;
    private long _written;

    private SqliteTradeStore(SqliteConnection connection, int capacity)
    {
        _connection = connection;
        _ring = new MpscRing<StoreRecord>(capacity);
        _writer = Task.Run(WriteLoopAsync);
    }

    public string Path { get; private init; } = "";
    public long Appended => Interlocked.Read(ref _appended);
    public long Written => Interlocked.Read(ref _written);
    public long Refused { get; private set; }
    /// <summary>Why the writer is failing now (disk full, locked database), or null: trading must halt while it is set.</summary>
    public string? Failure => _failure;
    private volatile string? _failure;
    public bool IsHealthy => _failure is null;
    /// <summary>Failed write attempts so far (each batch is retried until it commits).</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);
    private long _writeFailures;

    /// <summary>
    /// Told (on the writer's thread, holding no lock) when writes start failing, with the reason. The
    /// composition routes it into the engine as a fault input, which halts trading.
    /// </summary>
    public Action<string>? FaultObserver { get; set; }

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    public static SqliteTradeStore Open(string path, int capacity = 1 << 16)
    {
        // A database locked by another process fails a write after 2 s (not the 30 s default), so trading halts promptly.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 2 }.ToString());
        try
        {
            Initialize(connection);
        }
        catch
        {
            // A file that is not a database fails here ("file is not a database"): do not keep it open.
            connection.Dispose();
            throw;
        }
        return new SqliteTradeStore(connection, capacity) { Path = path };
    }

    private static void Initialize(SqliteConnection connection)
    {
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, "PRAGMA synchronous=FULL;");
        Execute(connection, """
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
            """);
    }

    /// <summary>Queues a fill for writing; false when the queue is full (halt trading) or the writer failed.</summary>
    public bool TryAppend(in FillReport fill)
    {
        var r = new StoreRecord
        {
            Kind = 1, InstrumentId = fill.InstrumentId, OrderSeq = fill.ClientOrderId.Sequence, VenueOrderId = fill.VenueOrderId,
            TradeId = fill.TradeId, Side = fill.Side, Price = fill.Price.Raw, Qty = fill.Qty.Raw, Fee = fill.Fee,
            FeeQty = fill.FeeQty.Raw, IsMaker = fill.IsMaker, TimeNs = fill.TimeNs,
        };
        return Enqueue(r);
    }

    /// <summary>Queues an order state change; false when the queue is full or the writer failed.</summary>
    public bool TryAppend(in OrderTransition t)
    {
        var r = new StoreRecord
        {
            Kind = 2, InstrumentId = t.InstrumentId, OrderSeq = t.OrderSeq, From = t.From, Event = (byte)t.Event, To = t.To,
            Illegal = t.Illegal, TimeNs = t.TimeNs,
        };
        return Enqueue(r);
    }

    private bool Enqueue(in StoreRecord r)
    {
        if (!_ring.TryWrite(r))
        {
            Refused++;
            return false;
        }
        Interlocked.Increment(ref _appended);
        return true;
    }

    /// <summary>Waits until everything appended so far is committed (shutdown, tests).</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        long target = Appended;
        var deadline = DateTime.UtcNow + timeout;
        while (Written < target)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"store flush: {Written}/{target} records written after {timeout}" +
                    (_failure is { } f ? $" ({f})" : ""));
            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    public List<StoredFill> LoadFills()
    {
        var fills = new List<StoredFill>();
        lock (_connection)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT instrument, trade_id, venue_order_id, order_seq, side, price, qty, fee, fee_qty, is_maker, time_ns FROM fills ORDER BY time_ns, trade_id";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
                fills.Add(new StoredFill(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), (OrderSide)reader.GetInt32(4),
                    new Price(reader.GetInt64(5)), new Qty(reader.GetInt64(6)), reader.GetInt64(7), new Qty(reader.GetInt64(8)), reader.GetInt64(9) != 0, reader.GetInt64(10)));
        }
        return fills;
    }

    /// <summary>Fills in the store (every run's).</summary>
    public long CountFills()
    {
        lock (_connection)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM fills";
            return (long)cmd.ExecuteScalar()!;
        }
    }

    public long CountTransitions()
    {
        lock (_connection)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM order_transitions";
            return (long)cmd.ExecuteScalar()!;
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new StoreRecord[1024];
        while (true)
        {
            int n = 0;
            while (n < batch.Length && _ring.TryRead(out batch[n]))
                n++;
            if (n > 0)
            {
                // The batch is kept until it commits: retried with back-off, never dropped.
                var backoff = TimeSpan.FromMilliseconds(10);
                while (true)
                {
                    try
                    {
                        WriteBatch(batch.AsSpan(0, n));
                        Interlocked.Add(ref _written, n);
                        _failure = null;
                        break;
                    }
                    catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
                    {
                        Interlocked.Increment(ref _writeFailures);
                        bool first = _failure is null;
                        _failure = $"SQLite write to {Path} failed: {ex.Message}";
                        if (first)
                            FaultObserver?.Invoke(_failure);
                        // Only a dispose that gave up on a failing disk cancels this wait.
                        try { await Task.Delay(backoff, _abandonToken.Token).ConfigureAwait(false); }
                        catch (OperationCanceledException) { return; }
                        backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
                    }
                }
                continue; // more may be waiting
            }
            if (_stop.IsCancellationRequested)
                return;
            try { await Task.Delay(5, _stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
    }

    private void WriteBatch(ReadOnlySpan<StoreRecord> records)
    {
        lock (_connection)
        {
            using var tx = _connection.BeginTransaction();
            using var fill = _connection.CreateCommand();
            fill.Transaction = tx;
            fill.CommandText = "INSERT OR IGNORE INTO fills VALUES ($i, $t, $v, $o, $s, $p, $q, $f, $fq, $m, $ts)";
            var fp = new[] { "$i", "$t", "$v", "$o", "$s", "$p", "$q", "$f", "$fq", "$m", "$ts" }.Select(n => fill.Parameters.Add(n, SqliteType.Integer)).ToArray();
            using var tr = _connection.CreateCommand();
            tr.Transaction = tx;
            tr.CommandText = "INSERT INTO order_transitions (order_seq, instrument, from_state, event, to_state, illegal, time_ns) VALUES ($o, $i, $f, $e, $t, $x, $ts)";
            var tp = new[] { "$o", "$i", "$f", "$e", "$t", "$x", "$ts" }.Select(n => tr.Parameters.Add(n, SqliteType.Integer)).ToArray();
            foreach (ref readonly StoreRecord r in records)
            {
                if (r.Kind == 1)
                {
                    long[] values = [r.InstrumentId, r.TradeId, r.VenueOrderId, r.OrderSeq, (long)r.Side, r.Price, r.Qty, r.Fee, r.FeeQty, r.IsMaker ? 1 : 0, r.TimeNs];
                    for (int i = 0; i < values.Length; i++) fp[i].Value = values[i];
                    fill.ExecuteNonQuery();
                }
                else
                {
                    long[] values = [r.OrderSeq, r.InstrumentId, (long)r.From, r.Event, (long)r.To, r.Illegal ? 1 : 0, r.TimeNs];
                    for (int i = 0; i < values.Length; i++) tp[i].Value = values[i];
                    tr.ExecuteNonQuery();
                }
            }
            tx.Commit();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    // A store that still fails at dispose gives up after this long; what it could not write is counted in Unwritten.
    private static readonly TimeSpan DisposeGrace = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _abandonToken = new();

    /// <summary>Records appended but never committed (only after a dispose that gave up on a failing disk).</summary>
    public long Unwritten => Appended - Written;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        // Drains what is queued before returning; a writer still failing is given a grace period, then abandoned.
        if (await Task.WhenAny(_writer, Task.Delay(DisposeGrace)).ConfigureAwait(false) != _writer)
        {
            await _abandonToken.CancelAsync().ConfigureAwait(false);
        }
        await _writer.ConfigureAwait(false);
        _abandonToken.Dispose();
        lock (_connection)
            _connection.Dispose();
        _stop.Dispose();
    }
}
