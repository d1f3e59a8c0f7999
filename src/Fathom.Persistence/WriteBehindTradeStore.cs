using System.Data.Common;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;

namespace Fathom.Persistence;

/// <summary>
/// What every <see cref="ITradeStore"/> shares, whatever the database: the bounded lock-free ring the
/// core appends into, the one writer task that commits it in batches, the retry that never drops a
/// batch, the failure reporting, and the SQL that writes and reads the records (<see cref="StoreBatchWriter"/>,
/// <see cref="StoreReader"/>). A database supplies its connection and transactions (<see cref="Transact{T}"/>),
/// where it is (<see cref="Location"/>) and its schema; <see cref="SqliteTradeStore"/> (Persistence) and
/// <c>NpgsqlTradeStore</c> (Persistence.Postgres) are the two.
/// </summary>
/// <remarks>
/// Appends are allocation-free and never block: a full ring returns false and the caller halts trading
/// (a fill is never dropped silently; DESIGN.md "Orders and recovery").
/// <para>A batch is written in one transaction, in the order it was appended. One that fails to commit
/// (disk full, a database locked by another process, a server down) is kept and retried with exponential
/// back-off (10 ms to 2 s) until it commits; appends keep queueing meanwhile, <see cref="Failure"/> says
/// why and <see cref="FaultObserver"/> is told once per failing spell (the first failure after a success),
/// so the engine halts trading while the store cannot keep what it is given.</para>
/// <para>Invariant: <see cref="Written"/> only grows after a committed transaction, so
/// <see cref="FlushAsync"/> returning means every record appended before the call is durable, and
/// <see cref="Load"/> sees it.</para>
/// </remarks>
public abstract class WriteBehindTradeStore : ITradeStore
{
    // A store that still fails at dispose gives up after this long; what it could not write is counted in Unwritten.
    private static readonly TimeSpan DisposeGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly string[] _symbols;
    private readonly string _fillOrder;
    private readonly MpscRing<StoreRecord> _ring;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abandon = new();
    private Task _writer = Task.CompletedTask;
    private long _appended;
    private long _written;
    private long _refused;
    private long _writeFailures;
    private volatile string? _failure;

    /// <param name="symbols">The engine's symbol list: instrument index i is <c>symbols[i]</c> (rows are keyed by symbol).</param>
    /// <param name="capacity">Records the ring holds before appends are refused.</param>
    /// <param name="fillOrder">The column that orders <c>fills</c> as they were stored (SQLite's <c>rowid</c>, an identity column elsewhere).</param>
    protected WriteBehindTradeStore(IReadOnlyList<string> symbols, int capacity, string fillOrder)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        _symbols = [.. symbols];
        _fillOrder = fillOrder;
        _ring = new MpscRing<StoreRecord>(capacity);
    }

    /// <summary>Starts the writer; a derived store calls it last in its constructor, once <see cref="Transact{T}"/> can run.</summary>
    protected void StartWriter() => _writer = Task.Run(WriteLoopAsync);

    /// <summary>Where the store writes, for messages: a file path, or <c>postgresql://host:port/database</c> (never a user or password).</summary>
    public abstract string Location { get; }

    public long Appended => Interlocked.Read(ref _appended);
    public long Written => Interlocked.Read(ref _written);
    /// <summary>Appends refused because the ring was full (each one made the caller halt).</summary>
    public long Refused => Interlocked.Read(ref _refused);
    /// <summary>Why the writer is failing now (disk full, locked database, server down), or null: trading must halt while it is set.</summary>
    public string? Failure => _failure;
    public bool IsHealthy => _failure is null;
    /// <summary>Failed write attempts so far (each batch is retried until it commits).</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);
    /// <summary>Records appended but never committed (only after a dispose that gave up on a failing database).</summary>
    public long Unwritten => Appended - Written;

    /// <summary>
    /// Told (on the writer's thread, holding no lock) when writes start failing, with the reason. The
    /// composition routes it into the engine as a fault input, which halts trading.
    /// </summary>
    public Action<string>? FaultObserver { get; set; }

    /// <summary>Queues a fill for writing; false when the queue is full (halt trading).</summary>
    public bool TryAppend(in FillReport fill) => Enqueue(new StoreRecord
    {
        Kind = StoreRecordKind.Fill, InstrumentId = fill.InstrumentId, OrderSeq = fill.ClientOrderId.Sequence,
        Node = fill.ClientOrderId.Node, Epoch = fill.ClientOrderId.Epoch, VenueOrderId = fill.VenueOrderId,
        TradeId = fill.TradeId, Side = fill.Side, Price = fill.Price.Raw, Qty = fill.Qty.Raw, Fee = fill.Fee,
        FeeQty = fill.FeeQty.Raw, IsMaker = fill.IsMaker, TimeNs = fill.TimeNs,
    });

    /// <summary>Queues an order state change (and the order's upsert); false when the queue is full (halt trading).</summary>
    public bool TryAppend(in OrderTransition t) => Enqueue(new StoreRecord
    {
        Kind = StoreRecordKind.OrderTransition, InstrumentId = t.InstrumentId, OrderSeq = t.OrderSeq, From = t.From, Event = (byte)t.Event,
        To = t.To, Illegal = t.Illegal, TimeNs = t.TimeNs, Node = t.ClientId.Node, Epoch = t.ClientId.Epoch,
        CurrentSeq = t.CurrentClientId.Sequence, VenueOrderId = t.VenueOrderId, Side = t.Side, Type = t.Type, Price = t.Price.Raw,
        Qty = t.Qty.Raw, Filled = t.Filled.Raw,
    });

    /// <summary>Queues the risk day (replaces the stored one); false when the queue is full (halt trading).</summary>
    public bool TryAppend(in RiskDayRecord day) =>
        Enqueue(new StoreRecord { Kind = StoreRecordKind.RiskDay, DayIndex = day.DayIndex, StartPnl = day.StartPnl, TimeNs = day.TimeNs });

    /// <summary>Queues a halt or its lifting (replaces the stored one); false when the queue is full (halt trading).</summary>
    public bool TryAppend(in RiskHaltRecord halt) =>
        Enqueue(new StoreRecord { Kind = StoreRecordKind.RiskHalt, Halted = halt.Halted, Text = halt.Reason, TimeNs = halt.TimeNs });

    /// <summary>Queues a risk state change (a kill switch tripping or releasing, a halt) for the audit trail; false when the queue is full (halt trading).</summary>
    public bool TryAppend(in Fathom.Risk.RiskTransition t) => Enqueue(new StoreRecord
    {
        Kind = StoreRecordKind.RiskEvent, InstrumentId = t.InstrumentId, From = (OrderState)(byte)t.From, To = (OrderState)(byte)t.To,
        Trigger = (byte)t.Trigger, Reasons = (long)t.Reasons, Illegal = t.Illegal, TimeNs = t.TimeNs,
    });

    private bool Enqueue(in StoreRecord r)
    {
        if (!_ring.TryWrite(r))
        {
            Interlocked.Increment(ref _refused);
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

    /// <summary>Reads back fills, open orders, last trade id per symbol, the risk day and the halt (<see cref="ITradeStore.Load"/>), in one read transaction.</summary>
    public PersistedState Load() => Transact((c, tx) => StoreReader.ReadState(c, tx, _fillOrder), write: false);

    /// <summary>Fills in the store (every run's).</summary>
    public long CountFills() => Transact((c, tx) => StoreReader.Count(c, tx, "fills"), write: false);

    /// <summary>Order state changes in the store (every run's).</summary>
    public long CountTransitions() => Transact((c, tx) => StoreReader.Count(c, tx, "order_transitions"), write: false);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction on the store's connection and commits it. Writes
    /// (<paramref name="write"/>) come from the writer thread only; reads from any thread, and see every
    /// transaction committed before they began.
    /// </summary>
    protected abstract T Transact<T>(Func<DbConnection, DbTransaction, T> work, bool write);

    /// <summary>Releases the database once the writer has stopped.</summary>
    protected abstract ValueTask CloseAsync();

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
                if (!await CommitAsync(batch, n).ConfigureAwait(false))
                    return; // abandoned by a dispose that gave up on a failing database
                continue; // more may be waiting
            }
            if (_stop.IsCancellationRequested)
                return;
            try { await Task.Delay(5, _stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
    }

    // The batch is kept until it commits: retried with back-off, never dropped. False only when abandoned.
    private async Task<bool> CommitAsync(StoreRecord[] batch, int n)
    {
        var backoff = MinBackoff;
        while (true)
        {
            try
            {
                Transact((c, tx) =>
                {
                    using var writer = new StoreBatchWriter(c, tx, _symbols);
                    foreach (ref readonly StoreRecord r in batch.AsSpan(0, n))
                        writer.Write(r);
                    writer.Execute();
                    return n;
                }, write: true);
                Interlocked.Add(ref _written, n);
                _failure = null;
                return true;
            }
            // A database, disk or network failure (anything else is a bug and ends the writer).
            catch (Exception ex) when (ex is DbException or IOException or UnauthorizedAccessException or InvalidOperationException
                or TimeoutException or System.Net.Sockets.SocketException)
            {
                Interlocked.Increment(ref _writeFailures);
                bool first = _failure is null;
                string reason = $"write to {Location} failed: {ex.Message}";
                _failure = reason;
                if (first)
                    FaultObserver?.Invoke(reason);
            }
            // Only a dispose that gave up on a failing database cancels this wait.
            try { await Task.Delay(backoff, _abandon.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return false; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        // Drains what is queued before returning; a writer still failing is given a grace period, then abandoned.
        if (await Task.WhenAny(_writer, Task.Delay(DisposeGrace)).ConfigureAwait(false) != _writer)
            await _abandon.CancelAsync().ConfigureAwait(false);
        await _writer.ConfigureAwait(false);
        await CloseAsync().ConfigureAwait(false);
        _abandon.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
