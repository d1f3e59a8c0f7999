using BenchmarkDotNet.Attributes;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;

namespace Fathom.Persistence.Benchmarks;

/// <summary>
/// The store's sustained write rate: <see cref="RecordsPerInvoke"/> records appended at once, then
/// <see cref="SqliteTradeStore.FlushAsync"/> until the writer has committed them all to SQLite (WAL,
/// <c>synchronous=FULL</c>: the WAL is fsynced at every commit; the writer commits up to 1,024 records per
/// transaction). Figures are <b>per record committed</b>, so records per second is 10^9 / Mean(ns).
/// </summary>
/// <remarks>
/// The database is a file in the temporary directory (on the build machine: ext4 on a virtio disk) and grows
/// across iterations, as a run's does. A fill is one <c>INSERT OR IGNORE</c> into <c>fills</c>; an order
/// transition is an insert into <c>order_transitions</c> plus the order's upsert into <c>orders</c>; the
/// mixed row is an order's life as the market maker lives it: place (PendingNew), ack, cancel request,
/// canceled (4 transitions) and one fill for every 4 orders. The flush polls every 5 ms, which is under
/// 5 % of an invocation here.
/// </remarks>
[Config(typeof(StoreWriteRateConfig))]
public class StoreWriteRateBenchmarks
{
    public const int RecordsPerInvoke = 34_000; // a multiple of 17 (the mixed row's 4 orders: 16 transitions, 1 fill)

    private string _dir = "";
    private SqliteTradeStore _store = null!;
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("fathom-store-rate-").FullName;
        _store = SqliteTradeStore.Open(Path.Combine(_dir, "fathom.db"), ["BTCUSDT"], capacity: 1 << 16);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// store: {_store.Appended:N0} appended, {_store.Written:N0} written, {_store.Refused:N0} refused, " +
            $"{_store.WriteFailures:N0} failed writes; {new FileInfo(_store.Path).Length / 1e6:F1} MB database");
        if (_store.Refused != 0 || _store.WriteFailures != 0)
            throw new InvalidOperationException("a record was refused or a write failed");
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    private static FillReport Fill(long id) =>
        new(0, new ClientOrderId(1, 7, id), 5_000_000 + id, id, (id & 1) == 0 ? OrderSide.Buy : OrderSide.Sell, new Price(6_000_000_000_000),
            new Qty(100_000), new Qty(100_000), 12, Qty.Zero, IsMaker: true, TimeNs: id);

    private static OrderTransition Transition(long seq, OrderState from, OrderEvent e, OrderState to, long now) =>
        new(seq, 0, from, e, to, false, now)
        {
            ClientId = new ClientOrderId(1, 7, seq), CurrentClientId = new ClientOrderId(1, 7, seq), VenueOrderId = 5_000_000 + seq,
            Side = OrderSide.Sell, Type = OrderType.Limit, Price = new Price(6_000_100_000_000), Qty = new Qty(100_000),
        };

    private void Commit()
    {
        if (_store.Refused != 0)
            throw new InvalidOperationException("the queue refused a record");
        _store.FlushAsync(TimeSpan.FromSeconds(120)).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "fills, committed", OperationsPerInvoke = RecordsPerInvoke)]
    public void Fills()
    {
        for (int i = 0; i < RecordsPerInvoke; i++)
            _store.TryAppend(Fill(++_next));
        Commit();
    }

    [Benchmark(Description = "order transitions (new orders), committed", OperationsPerInvoke = RecordsPerInvoke)]
    public void Transitions()
    {
        for (int i = 0; i < RecordsPerInvoke; i++)
        {
            long seq = ++_next;
            _store.TryAppend(Transition(seq, OrderState.New, OrderEvent.Submit, OrderState.PendingNew, seq));
        }
        Commit();
    }

    [Benchmark(Description = "order lives (4 transitions per order, a fill per 4 orders), committed", OperationsPerInvoke = RecordsPerInvoke)]
    public void OrderLives()
    {
        for (int i = 0; i < RecordsPerInvoke / 17; i++)
        {
            for (int k = 0; k < 4; k++)
            {
                long seq = ++_next;
                _store.TryAppend(Transition(seq, OrderState.New, OrderEvent.Submit, OrderState.PendingNew, seq));
                _store.TryAppend(Transition(seq, OrderState.PendingNew, OrderEvent.Ack, OrderState.Accepted, seq + 1));
                _store.TryAppend(Transition(seq, OrderState.Accepted, OrderEvent.CancelRequest, OrderState.PendingCancel, seq + 2));
                _store.TryAppend(Transition(seq, OrderState.PendingCancel, OrderEvent.Canceled, OrderState.Canceled, seq + 3));
            }
            _store.TryAppend(Fill(++_next));
        }
        Commit();
    }
}
