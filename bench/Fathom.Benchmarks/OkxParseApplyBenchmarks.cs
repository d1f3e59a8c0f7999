using System.Text;
using BenchmarkDotNet.Attributes;
using Fathom.Book;
using Fathom.MarketData;
using Fathom.Venues.Okx;

namespace Fathom.Benchmarks;

/// <summary>
/// Parse + apply of the real OKX <c>books</c> frames (issue 19), beside <see cref="ParseApplyBenchmarks"/>:
/// the 3 snapshots and 287 updates of <c>cryptofeed/OKX.ws.1.0</c> (BTC-USD-220527, UNI-USD-SWAP,
/// BTC-USDT) go through <see cref="OkxStreamParser.ParseFrame{THandler}"/> into the router, each
/// instrument's <see cref="BookSync"/> (the OKX rule) and its <see cref="OrderBook"/>, with the CRC32
/// checksum of the top 25 levels per side verified after every message, as the engine would.
/// </summary>
/// <remarks>
/// Every invocation starts from the same state: all books are forced Stale, then the frames follow in
/// recorded order (each instrument's snapshot comes before its updates). Per message: 290 messages;
/// per byte: every byte of their JSON.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(BookBenchmarkConfig))]
public class OkxParseApplyBenchmarks
{
    public const int Messages = 290;

    private byte[][] _frames = null!;
    private long[] _receiveNs = null!;
    private OkxStreamParser _parser = null!;
    private BookSync[] _syncs = null!;
    private MarketDataRouter _router = null!;
    private int _bytes;

    [GlobalSetup]
    public void Setup()
    {
        string ws = SharedDataLocator.PathOf("cryptofeed", "OKX.ws.1.0");
        var specs = OkxInstruments.ReadFile(SharedDataLocator.PathOf("cryptofeed", "OKX.0.gz"));
        var table = new OkxInstrumentTable();
        foreach (string instId in new[] { "BTC-USD-220527", "UNI-USD-SWAP", "BTC-USDT" })
            table.Add(specs[instId]);
        var frames = new List<byte[]>();
        var stamps = new List<long>();
        foreach (string line in File.ReadLines(ws))
        {
            int colon = line.IndexOf(": {", StringComparison.Ordinal);
            if (line.StartsWith("wss://", StringComparison.Ordinal) || colon < 0 || !line.Contains("\"channel\":\"books\"", StringComparison.Ordinal)
                || !line.Contains("\"data\":", StringComparison.Ordinal))
                continue;
            frames.Add(Encoding.UTF8.GetBytes(line[(colon + 2)..]));
            stamps.Add((long)(double.Parse(line[..colon], System.Globalization.CultureInfo.InvariantCulture) * 1e9));
        }
        _frames = [.. frames];
        _receiveNs = [.. stamps];
        _bytes = _frames.Sum(f => f.Length);
        if (_frames.Length != Messages || _bytes != Bytes)
            throw new InvalidOperationException($"the capture has {_frames.Length} books messages / {_bytes} bytes, the constants say {Messages} / {Bytes}.");
        _parser = new OkxStreamParser(table);
        _router = new MarketDataRouter(table.Count);
        _syncs = new BookSync[table.Count];
        for (int i = 0; i < table.Count; i++)
            _router.Add(_syncs[i] = OkxBooks.CreateSync(table[i], new SyncOptions { SilenceTimeoutNs = 0 }));
        for (int run = 1; run <= 2; run++)
        {
            Replay();
            foreach (BookSync s in _syncs)
                if (s.State != SyncState.Live || s.Counters.ChecksumsMismatched != 0 || s.Counters.Gaps != 0)
                    throw new InvalidOperationException($"replay {run}: {s.Book.Instrument.Symbol} is {s.State}, mismatches {s.Counters.ChecksumsMismatched}");
        }
        Console.WriteLine($"// OKX books: {Messages} messages / {_bytes} bytes ({_bytes / Messages} B avg); checksums matched {_syncs.Sum(s => s.Counters.ChecksumsMatched)}");
    }

    /// <summary>Bytes of JSON one invocation parses (for the per-byte figure); checked against the file in <see cref="Setup"/>.</summary>
    public const int Bytes = 260_349;

    private long Replay()
    {
        foreach (BookSync s in _syncs)
            s.MarkStale(StaleReason.Disconnected, 0);
        MarketDataRouter router = _router;
        for (int i = 0; i < _frames.Length; i++)
            _parser.ParseFrame(_frames[i], _receiveNs[i], ref router);
        return _syncs[2].Book.BestBidTick;
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public long BooksPerMessage() => Replay();

    [Benchmark(OperationsPerInvoke = Bytes)]
    public long BooksPerByte() => Replay();

    /// <summary>Diagnostic: parse + apply with checksum verification off (the difference is what the CRC costs).</summary>
    [Benchmark(OperationsPerInvoke = Bytes)]
    public long BooksNoChecksumPerByte()
    {
        foreach (BookSync s in _syncs)
            s.Checksum = null;
        long result = Replay();
        foreach (BookSync s in _syncs)
            s.Checksum = OkxBookChecksum.Instance;
        return result;
    }

    /// <summary>Diagnostic: the same frames into a struct handler that only sums the levels (parsing alone).</summary>
    [Benchmark(OperationsPerInvoke = Bytes)]
    public long BooksParseOnlyPerByte()
    {
        var handler = new SummingHandler();
        for (int i = 0; i < _frames.Length; i++)
            _parser.ParseFrame(_frames[i], _receiveNs[i], ref handler);
        return handler.Sum;
    }

    private struct SummingHandler : IMarketDataHandler
    {
        public long Sum;
        public void OnBookDelta(in BookDelta d)
        {
            foreach (Level l in d.Bids) Sum += l.Tick ^ l.Qty;
            foreach (Level l in d.Asks) Sum += l.Tick ^ l.Qty;
        }
        public void OnBookSnapshot(in BookSnapshot s)
        {
            foreach (Level l in s.Bids) Sum += l.Tick ^ l.Qty;
            foreach (Level l in s.Asks) Sum += l.Tick ^ l.Qty;
        }
        public void OnTopOfBook(in TopOfBook t) => Sum += t.BidTick + t.AskQty;
        public void OnTrade(in Trade t) => Sum += t.PriceTick + t.Qty;
        public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) => Sum++;
        public void OnBookGridChanged(int instrumentId, long newTickRaw) => Sum += newTickRaw;
        public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs) => Sum++;
    }
}
