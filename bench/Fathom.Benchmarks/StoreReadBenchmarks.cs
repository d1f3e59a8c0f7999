using BenchmarkDotNet.Attributes;
using Fathom.Book;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Benchmarks;

/// <summary>
/// Reading the binary normalized store (<see cref="StoreReader"/>) of the two BTCUSDT days, with and
/// without applying it through <see cref="MarketDataRouter"/> → <see cref="BookSync"/> →
/// <see cref="OrderBook"/>, on one thread.
/// </summary>
/// <remarks>
/// An <b>event</b> is one level update of a delta or snapshot, one bookTicker or one trade (grid
/// changes, shutdowns and errors would count one each; the recording has none): 300,111 levels
/// (2,000 in the snapshot, 17 in the two diffs the spot rule drops) + 73,174 tickers + 19,904 trades
/// = 393,189 per invocation. A <b>message</b> is one store record, i.e. one handler call: 6,495 diffs
/// + 1 snapshot + 73,174 tickers + 19,904 trades = 99,574. Each figure comes per event and per message
/// (same body, different OperationsPerInvoke). Every invocation forces a resync
/// (<see cref="BookSync.MarkStale"/>) and reads from the first event, so each starts from the same
/// state: the first diffs are buffered, the snapshot spliced, the rest applied live. The store is in
/// memory (a <see cref="MemoryStream"/>) except in <see cref="ReadFileAndApplyPerEvent"/>, which reads
/// a temporary file through the page cache. CRC-32C is verified on every block unless the method says
/// otherwise.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(BookBenchmarkConfig))]
public class StoreReadBenchmarks
{
    public const int EventsPerInvoke = 393_189;
    public const int MessagesPerInvoke = 99_574;

    /// <summary>Touches every field a consumer would read, so the JIT cannot skip the decoding.</summary>
    private struct SummingHandler : IMarketDataHandler
    {
        public long Sum;
        public void OnBookDelta(in BookDelta d)
        {
            Sum += d.FinalUpdateId;
            foreach (Level l in d.Bids) Sum += l.Tick ^ l.Qty;
            foreach (Level l in d.Asks) Sum += l.Tick ^ l.Qty;
        }
        public void OnBookSnapshot(in BookSnapshot s)
        {
            Sum += s.LastUpdateId;
            foreach (Level l in s.Bids) Sum += l.Tick ^ l.Qty;
            foreach (Level l in s.Asks) Sum += l.Tick ^ l.Qty;
        }
        public void OnTopOfBook(in TopOfBook t) => Sum += t.BidTick + t.AskQty;
        public void OnTrade(in Trade t) => Sum += t.PriceTick + t.Qty;
        public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) => Sum++;
        public void OnBookGridChanged(int instrumentId, long newTickRaw) => Sum += newTickRaw;
        public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs) => Sum++;
    }

    private string _path = "";
    private StoreReader _memory = null!;
    private StoreReader _memoryNoCrc = null!;
    private StoreReader _file = null!;
    private BookSync _sync = null!;
    private MarketDataRouter _router = null!;

    [GlobalSetup]
    public void Setup()
    {
        var store = new MemoryStream();
        StoreConversionResult result = BinanceStoreConverter.ConvertHftBacktest(RecordedBtcUsdt.Files, RecordedBtcUsdt.Spec, 1000, store);
        if (result.Events != EventsPerInvoke || result.Messages != MessagesPerInvoke)
            throw new InvalidOperationException($"the store holds {result.Events} events / {result.Messages} messages; the constants say {EventsPerInvoke} / {MessagesPerInvoke}.");
        byte[] bytes = store.ToArray();
        _path = Path.Combine(Path.GetTempPath(), $"fathom-bench-{Environment.ProcessId}.fathomstore");
        File.WriteAllBytes(_path, bytes);
        _memory = new StoreReader(new MemoryStream(bytes));
        _memoryNoCrc = new StoreReader(new MemoryStream(bytes), verifyChecksums: false);
        _file = StoreReader.Open(_path);

        _sync = new BookSync(0, new OrderBook(_memory.Instruments[0], BookOptions.ForPrice(6_183_763)), SyncRule.BinanceSpot);
        _router = new MarketDataRouter(1);
        _router.Add(_sync);
        for (int run = 1; run <= 2; run++)
        {
            long applied = _sync.Counters.DiffsApplied;
            ReadAndApply(_memory);
            if (_sync.State != SyncState.Live || _sync.Counters.DiffsApplied - applied != 6_493 || _sync.Book.UpdateId != 50_093_696_318)
                throw new InvalidOperationException($"store replay {run} did not rebuild the recorded book: state {_sync.State}, id {_sync.Book.UpdateId}.");
        }
        Console.WriteLine($"// store: {bytes.Length:N0} bytes, {result.Blocks} blocks, {EventsPerInvoke:N0} events ({result.Levels:N0} levels), {MessagesPerInvoke:N0} messages");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _file.Dispose();
        File.Delete(_path);
    }

    private long ReadAndApply(StoreReader reader)
    {
        _sync.MarkStale(StaleReason.Disconnected, 0);
        reader.Rewind();
        MarketDataRouter router = _router;
        reader.ReadAll(ref router);
        return _sync.Book.BestBidTick;
    }

    private static long ReadOnly(StoreReader reader)
    {
        reader.Rewind();
        var handler = new SummingHandler();
        reader.ReadAll(ref handler);
        return handler.Sum;
    }

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public long ReadAndApplyPerEvent() => ReadAndApply(_memory);

    [Benchmark(OperationsPerInvoke = MessagesPerInvoke)]
    public long ReadAndApplyPerMessage() => ReadAndApply(_memory);

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public long ReadFileAndApplyPerEvent() => ReadAndApply(_file);

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public long ReadOnlyPerEvent() => ReadOnly(_memory);

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public long ReadOnlyNoCrcPerEvent() => ReadOnly(_memoryNoCrc);
}
