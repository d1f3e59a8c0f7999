using BenchmarkDotNet.Attributes;
using Fathom.Book;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Benchmarks;

/// <summary>
/// Parse + apply of the real BTCUSDT frames (issue 4 item 7): each frame goes through
/// <see cref="BinanceStreamParser.ParseFrame{THandler}"/> into the <see cref="MarketDataRouter"/>, the
/// symbol's <see cref="BookSync"/> and its <see cref="OrderBook"/>, exactly as the live feed does.
/// </summary>
/// <remarks>
/// Depth: every invocation starts from the same state without [IterationSetup]: the book is forced
/// Stale (<see cref="BookSync.MarkStale"/>), the recorded REST snapshot is parsed and spliced, and the
/// 6,495 recorded depth frames follow in order (the spot rule drops the 2 the snapshot contains and
/// applies 6,493). Each figure comes in two methods with the same body: per message (the snapshot
/// counts as one of 6,496) and per input byte (10,482,626 bytes of JSON, the snapshot's 64,046
/// included). bookTicker and trade frames are independent of each other, so their invocations simply
/// replay all of them; "apply" is the ticker overlay in BookSync and the router's trade counter.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(BookBenchmarkConfig))]
public class ParseApplyBenchmarks
{
    public const int DepthMessages = 6_495 + 1;
    public const int DepthBytes = 10_418_580 + 64_046;
    public const int TickerMessages = 73_174;
    public const int TickerBytes = 10_683_670;
    public const int TradeMessages = 19_904;
    public const int TradeBytes = 3_352_965;

    private RecordedBtcUsdt _data = null!;
    private BinanceStreamParser _parser = null!;
    private BinanceSymbol _symbol = null!;
    private BookSync _sync = null!;
    private MarketDataRouter _router = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = RecordedBtcUsdt.Load();
        Check(_data.Depth.Length + 1, DepthMessages, RecordedBtcUsdt.Bytes(_data.Depth) + _data.Snapshot.Json.Length, DepthBytes, "depth");
        Check(_data.BookTickers.Length, TickerMessages, RecordedBtcUsdt.Bytes(_data.BookTickers), TickerBytes, "bookTicker");
        Check(_data.Trades.Length, TradeMessages, RecordedBtcUsdt.Bytes(_data.Trades), TradeBytes, "trade");

        var symbols = new BinanceSymbolTable();
        _symbol = symbols.Add(RecordedBtcUsdt.Spec);
        _parser = new BinanceStreamParser(symbols);
        _sync = new BookSync(_symbol.Id, new OrderBook(_symbol.Spec, BookOptions.ForPrice(6_183_763)), SyncRule.BinanceSpot);
        _router = new MarketDataRouter(symbols.Count);
        _router.Add(_sync);

        // Two full runs must each apply every diff and end on the recorded final id, or nothing is measured.
        for (int run = 1; run <= 2; run++)
        {
            long applied = _sync.Counters.DiffsApplied;
            ReplayDepth();
            if (_sync.State != SyncState.Live || _sync.Counters.DiffsApplied - applied != 6_493 || _sync.Book.UpdateId != 50_093_696_318
                || _sync.Counters.Gaps + _sync.Counters.Crossed + _parser.Counters.Malformed + _parser.Counters.Truncated != 0)
                throw new InvalidOperationException($"depth replay {run} did not rebuild the recorded book: state {_sync.State}, id {_sync.Book.UpdateId}, " +
                    $"applied {_sync.Counters.DiffsApplied - applied}, gaps {_sync.Counters.Gaps}, malformed {_parser.Counters.Malformed}");
        }
        long tickers = _parser.Counters.TopOfBooks, trades = _parser.Counters.Trades;
        ReplayFrames(_data.BookTickers);
        ReplayFrames(_data.Trades);
        if (_parser.Counters.TopOfBooks - tickers != TickerMessages || _parser.Counters.Trades - trades != TradeMessages)
            throw new InvalidOperationException("not every bookTicker/trade frame was parsed into an event");
        Console.WriteLine($"// depth {DepthMessages} messages / {DepthBytes} bytes ({DepthBytes / DepthMessages} B avg), " +
            $"bookTicker {TickerMessages} / {TickerBytes} ({TickerBytes / TickerMessages} B avg), trade {TradeMessages} / {TradeBytes} ({TradeBytes / TradeMessages} B avg)");
    }

    private static void Check(long messages, long expectedMessages, long bytes, long expectedBytes, string what)
    {
        if (messages != expectedMessages || bytes != expectedBytes)
            throw new InvalidOperationException($"{what}: the recording has {messages} messages / {bytes} bytes, the constants say {expectedMessages} / {expectedBytes}.");
    }

    private long ReplayDepth()
    {
        _sync.MarkStale(StaleReason.Disconnected, 0);
        MarketDataRouter router = _router;
        _parser.ParseSnapshot(_data.Snapshot.Json, _symbol, 1000, _data.Snapshot.ReceiveNs, ref router);
        foreach (RecordedBtcUsdt.Frame f in _data.Depth)
            _parser.ParseFrame(f.Json, f.ReceiveNs, ref router);
        return _sync.Book.BestBidTick;
    }

    private long ReplayFrames(RecordedBtcUsdt.Frame[] frames)
    {
        MarketDataRouter router = _router;
        foreach (RecordedBtcUsdt.Frame f in frames)
            _parser.ParseFrame(f.Json, f.ReceiveNs, ref router);
        return _sync.Top.BidTick + router.Trades;
    }

    [Benchmark(OperationsPerInvoke = DepthMessages)]
    public long DepthPerMessage() => ReplayDepth();

    [Benchmark(OperationsPerInvoke = DepthBytes)]
    public long DepthPerByte() => ReplayDepth();

    [Benchmark(OperationsPerInvoke = TickerMessages)]
    public long BookTickerPerMessage() => ReplayFrames(_data.BookTickers);

    [Benchmark(OperationsPerInvoke = TickerBytes)]
    public long BookTickerPerByte() => ReplayFrames(_data.BookTickers);

    [Benchmark(OperationsPerInvoke = TradeMessages)]
    public long TradePerMessage() => ReplayFrames(_data.Trades);

    [Benchmark(OperationsPerInvoke = TradeBytes)]
    public long TradePerByte() => ReplayFrames(_data.Trades);

    // Diagnostics: the same frames parsed into a struct handler that only sums the levels, so the
    // difference to the methods above is what the router, BookSync and the book add.

    [Benchmark(OperationsPerInvoke = DepthBytes)]
    public long DepthParseOnlyPerByte()
    {
        var handler = new SummingHandler();
        _parser.ParseSnapshot(_data.Snapshot.Json, _symbol, 1000, _data.Snapshot.ReceiveNs, ref handler);
        foreach (RecordedBtcUsdt.Frame f in _data.Depth)
            _parser.ParseFrame(f.Json, f.ReceiveNs, ref handler);
        return handler.Sum;
    }

    [Benchmark(OperationsPerInvoke = TickerMessages)]
    public long BookTickerParseOnlyPerMessage()
    {
        var handler = new SummingHandler();
        foreach (RecordedBtcUsdt.Frame f in _data.BookTickers)
            _parser.ParseFrame(f.Json, f.ReceiveNs, ref handler);
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
