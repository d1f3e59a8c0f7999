using BenchmarkDotNet.Attributes;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Microsoft.Data.Sqlite;

namespace Fathom.Persistence.Benchmarks;

/// <summary>
/// What the store costs the core: <see cref="ITradeStore.TryAppend(in FillReport)"/> and
/// <see cref="ITradeStore.TryAppend(in OrderTransition)"/> as the engine calls them (through the interface, on
/// its own thread), on a <see cref="SqliteTradeStore"/> against a <see cref="NoOpTradeStore"/> baseline. Figures
/// are <b>per append</b> (<see cref="AppendsPerInvoke"/> per invocation); each builds its record as the engine
/// does (a new trade id or order sequence every time), in both rows.
/// </summary>
/// <remarks>
/// The SQLite store's queue holds 2^20 records, more than one iteration appends
/// (<see cref="AppendsPerIteration"/>), and each iteration's cleanup waits until the writer has committed
/// everything, so no append is refused for a full queue. Two SQLite rows per record kind:
/// <list type="bullet">
/// <item><b>writer held</b>: another connection holds the database's write lock during the iteration, so the
/// writer waits in SQLite's busy handler (at most 2 s, never reached) and the queue only fills. This is the
/// core's own cost with nothing else running; the memory diagnoser (which counts every thread) then shows
/// only the appending thread's allocations.</item>
/// <item><b>writer live</b>: the writer drains the queue while the core appends, as in a run, competing for a
/// core of the two and for the queue's cache lines. Its Allocated column includes the writer thread's
/// allocations (SQLite parameters) divided by the appends, not the core's.</item>
/// </list>
/// </remarks>
[Config(typeof(StoreAppendConfig))]
public class StoreAppendBenchmarks
{
    public const int AppendsPerInvoke = 4_096;
    public const int InvocationsPerIteration = 32;
    public const int AppendsPerIteration = AppendsPerInvoke * InvocationsPerIteration;
    private const string Fills = "fill", Transitions = "order transition";

    private string _dir = "";
    private ITradeStore _noop = null!;
    private ITradeStore _sqlite = null!;
    private SqliteTradeStore _store = null!;
    private SqliteConnection? _holder;
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("fathom-store-bench-").FullName;
        _noop = new NoOpTradeStore();
        _sqlite = _store = SqliteTradeStore.Open(Path.Combine(_dir, "fathom.db"), ["BTCUSDT"], capacity: 1 << 20);
        // The paths work: a fill and a transition go in and come back out.
        if (!_sqlite.TryAppend(Fill(++_next)) || !_sqlite.TryAppend(Transition(++_next)))
            throw new InvalidOperationException("the store refused the first records");
        _store.FlushAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        if (_store.CountFills() != 1 || _store.CountTransitions() != 1)
            throw new InvalidOperationException("the store did not write the first records");

        // Tier-1 code before the first measured iteration. An iteration appends for a few milliseconds only, so
        // the no-op rows (no cleanup between iterations) would otherwise run in tier-0 code the whole time, while
        // the SQLite rows' long cleanups give the background JIT time: past the tiering delay, with both stores,
        // so the call site stays an interface call for each row, as the engine's is.
        var warm = System.Diagnostics.Stopwatch.StartNew();
        long calls = 0;
        while (warm.ElapsedMilliseconds < 1_500 || calls < 200)
        {
            AppendFills(_noop);
            AppendTransitions(_noop);
            AppendFills(_sqlite);
            AppendTransitions(_sqlite);
            _store.FlushAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
            calls++;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// store: {_store.Appended:N0} appended, {_store.Written:N0} written, {_store.Refused:N0} refused, " +
            $"{_store.WriteFailures:N0} failed writes, {_store.CountFills():N0} fills and {_store.CountTransitions():N0} transitions in the database");
        if (_store.Refused != 0 || _store.WriteFailures != 0)
            throw new InvalidOperationException("an append was refused or a write failed: the figures are not of the accepting path");
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    [IterationSetup(Targets = [nameof(FillWriterHeld), nameof(TransitionWriterHeld)])]
    public void HoldWriter()
    {
        _holder = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _store.Path, Pooling = false }.ToString());
        _holder.Open();
        using var begin = _holder.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        begin.ExecuteNonQuery();
    }

    [IterationCleanup(Targets = [nameof(FillWriterHeld), nameof(TransitionWriterHeld), nameof(FillWriterLive), nameof(TransitionWriterLive)])]
    public void Drain()
    {
        if (_holder is not null)
        {
            _holder.Dispose(); // rolls back the empty transaction: the writer goes on
            _holder = null;
        }
        _store.FlushAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
    }

    private static FillReport Fill(long id) =>
        new(0, new ClientOrderId(1, 7, id), 5_000_000 + id, id, (id & 1) == 0 ? OrderSide.Buy : OrderSide.Sell, new Price(6_000_000_000_000),
            new Qty(100_000), new Qty(100_000), 12, Qty.Zero, IsMaker: true, TimeNs: id);

    private static OrderTransition Transition(long id) =>
        new(id, 0, OrderState.PendingNew, OrderEvent.Ack, OrderState.Accepted, false, id)
        {
            ClientId = new ClientOrderId(1, 7, id), CurrentClientId = new ClientOrderId(1, 7, id), VenueOrderId = 5_000_000 + id,
            Side = OrderSide.Sell, Type = OrderType.Limit, Price = new Price(6_000_100_000_000), Qty = new Qty(100_000),
        };

    private int AppendFills(ITradeStore store)
    {
        int accepted = 0;
        long id = _next;
        for (int i = 0; i < AppendsPerInvoke; i++)
        {
            FillReport fill = Fill(++id);
            if (store.TryAppend(fill))
                accepted++;
        }
        _next = id;
        return accepted;
    }

    private int AppendTransitions(ITradeStore store)
    {
        int accepted = 0;
        long id = _next;
        for (int i = 0; i < AppendsPerInvoke; i++)
        {
            OrderTransition transition = Transition(++id);
            if (store.TryAppend(transition))
                accepted++;
        }
        _next = id;
        return accepted;
    }

    [BenchmarkCategory(Fills), Benchmark(Baseline = true, Description = "fill → no-op store", OperationsPerInvoke = AppendsPerInvoke)]
    public int FillNoOp() => AppendFills(_noop);

    [BenchmarkCategory(Fills), Benchmark(Description = "fill → SQLite store, writer held", OperationsPerInvoke = AppendsPerInvoke)]
    public int FillWriterHeld() => AppendFills(_sqlite);

    [BenchmarkCategory(Fills), Benchmark(Description = "fill → SQLite store, writer live", OperationsPerInvoke = AppendsPerInvoke)]
    public int FillWriterLive() => AppendFills(_sqlite);

    [BenchmarkCategory(Transitions), Benchmark(Baseline = true, Description = "transition → no-op store", OperationsPerInvoke = AppendsPerInvoke)]
    public int TransitionNoOp() => AppendTransitions(_noop);

    [BenchmarkCategory(Transitions), Benchmark(Description = "transition → SQLite store, writer held", OperationsPerInvoke = AppendsPerInvoke)]
    public int TransitionWriterHeld() => AppendTransitions(_sqlite);

    [BenchmarkCategory(Transitions), Benchmark(Description = "transition → SQLite store, writer live", OperationsPerInvoke = AppendsPerInvoke)]
    public int TransitionWriterLive() => AppendTransitions(_sqlite);
}
