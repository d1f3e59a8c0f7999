using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Microsoft.Data.Sqlite;

namespace Fathom.Persistence;

/// <summary>
/// The durable record of fills, orders, the risk day and halts (<see cref="ITradeStore"/>), in SQLite (WAL,
/// <c>synchronous=FULL</c>), written by a background writer so the core never waits on the disk.
/// </summary>
/// <remarks>
/// The core appends into a bounded lock-free ring (<see cref="MpscRing{T}"/>): no allocation, no I/O.
/// The writer drains it in transactions every few milliseconds. If the ring is full the append
/// returns false: the caller must halt trading (a fill is never dropped silently; DESIGN.md
/// "Orders and recovery"). Fills are keyed by (symbol, trade id, venue order id) and inserted
/// once, so a report seen twice (request answer and user stream) is stored once. Schema and
/// migrations: <see cref="SqliteSchema"/>.
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

    private readonly string[] _symbols;

    private SqliteTradeStore(SqliteConnection connection, string[] symbols, int capacity)
    {
        _connection = connection;
        _symbols = symbols;
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
        string[] names = [.. symbols];
        // A database locked by another process fails a write after 2 s (not the 30 s default), so trading halts promptly.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 2 }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, "PRAGMA synchronous=FULL;");
            SqliteSchema.Migrate(connection, names, legacyNode);
        }
        catch
        {
            // A file that is not a database fails here ("file is not a database"): do not keep it open.
            connection.Dispose();
            throw;
        }
        return new SqliteTradeStore(connection, names, capacity) { Path = path };
    }

    /// <summary>Queues a fill for writing; false when the queue is full (halt trading) or the writer failed.</summary>
    public bool TryAppend(in FillReport fill)
    {
        var r = new StoreRecord
        {
            Kind = StoreRecordKind.Fill, InstrumentId = fill.InstrumentId, OrderSeq = fill.ClientOrderId.Sequence,
            Node = fill.ClientOrderId.Node, Epoch = fill.ClientOrderId.Epoch, VenueOrderId = fill.VenueOrderId,
            TradeId = fill.TradeId, Side = fill.Side, Price = fill.Price.Raw, Qty = fill.Qty.Raw, Fee = fill.Fee,
            FeeQty = fill.FeeQty.Raw, IsMaker = fill.IsMaker, TimeNs = fill.TimeNs,
        };
        return Enqueue(r);
    }

    /// <summary>Queues an order state change (and the order's upsert); false when the queue is full or the writer failed.</summary>
    public bool TryAppend(in OrderTransition t)
    {
        var r = new StoreRecord
        {
            Kind = StoreRecordKind.OrderTransition, InstrumentId = t.InstrumentId, OrderSeq = t.OrderSeq, From = t.From, Event = (byte)t.Event,
            To = t.To, Illegal = t.Illegal, TimeNs = t.TimeNs, Node = t.ClientId.Node, Epoch = t.ClientId.Epoch,
            CurrentSeq = t.CurrentClientId.Sequence, VenueOrderId = t.VenueOrderId, Side = t.Side, Type = t.Type, Price = t.Price.Raw,
            Qty = t.Qty.Raw, Filled = t.Filled.Raw,
        };
        return Enqueue(r);
    }

    /// <summary>Queues the risk day (replaces the stored one); false when the queue is full or the writer failed.</summary>
    public bool TryAppend(in RiskDayRecord day) =>
        Enqueue(new StoreRecord { Kind = StoreRecordKind.RiskDay, DayIndex = day.DayIndex, StartPnl = day.StartPnl, TimeNs = day.TimeNs });

    /// <summary>Queues a halt or its lifting (replaces the stored one); false when the queue is full or the writer failed.</summary>
    public bool TryAppend(in RiskHaltRecord halt) =>
        Enqueue(new StoreRecord { Kind = StoreRecordKind.RiskHalt, Halted = halt.Halted, Text = halt.Reason, TimeNs = halt.TimeNs });

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

    /// <summary>Every stored fill, in the order it was stored.</summary>
    public IReadOnlyList<PersistedFill> LoadFills()
    {
        lock (_connection)
            return SqliteSchema.ReadFills(_connection);
    }

    /// <summary>Reads back fills, open orders, last trade id per symbol, the risk day and the halt (<see cref="ITradeStore.Load"/>).</summary>
    public PersistedState Load()
    {
        lock (_connection)
            return SqliteSchema.ReadState(_connection);
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
            using var writer = new SqliteBatchWriter(_connection, tx, _symbols);
            foreach (ref readonly StoreRecord r in records)
                writer.Write(r);
            tx.Commit();
        }
    }

    internal static void Execute(SqliteConnection connection, string sql)
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
