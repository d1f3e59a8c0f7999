using BenchmarkDotNet.Attributes;
using Fathom.Book;
using Fathom.MarketData;

namespace Fathom.Signals.Benchmarks;

/// <summary>
/// Cost of the signal stage per market-data event on the real BTCUSDT recording: 6,492 applied
/// diffs (~298,000 level changes) and 19,903 trades in arrival order, after the snapshot splice.
/// Each operation replays the whole session from the spliced book; the baselines do the same book
/// work without signals, so the difference is what the signals add. Per-event figures: divide by
/// the event count (BenchmarkDotNet does, through OperationsPerInvoke).
/// </summary>
[Config(typeof(SignalBenchmarkConfig))]
public class SignalUpdateBenchmarks
{
    private const int DiffCount = 6_492;
    private const int TradeCount = 19_903;
    private const int EventCount = DiffCount + TradeCount;

    private RecordedSession.Diff[] _diffs = [];
    private Trade[] _trades = [];
    private int[] _order = [];
    private Level[] _startBids = [];
    private Level[] _startAsks = [];
    private OrderBook _book = null!;
    private SignalEngine _engine = null!;
    private long _sink;

    [GlobalSetup]
    public void Setup()
    {
        RecordedSession session = RecordedSession.LoadBtcUsdt();
        _diffs = session.Diffs;
        _trades = session.Trades;
        _order = session.Order;
        _startBids = session.StartBids;
        _startAsks = session.StartAsks;
        if (_diffs.Length != DiffCount || _trades.Length != TradeCount)
            throw new InvalidOperationException($"recording has {_diffs.Length} diffs and {_trades.Length} trades; the constants say {DiffCount} and {TradeCount}");
        Console.WriteLine($"// session: {_diffs.Length} diffs, {session.LevelChanges} level changes, {_trades.Length} trades");
        _book = new OrderBook(session.Spec, BookOptions.ForPrice(6_183_763));
        _engine = new SignalEngine();
        BookAndSignalsAllEvents(); // grows every buffer to its steady size before measuring
    }

    private void Start()
    {
        _book.ApplySnapshot(_startBids, _startAsks, 0);
        _engine.Clear();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EventCount, Description = "book only, all events")]
    public long BookOnlyAllEvents()
    {
        Start();
        OrderBook book = _book;
        long acc = 0;
        foreach (int i in _order)
        {
            if (i >= 0)
            {
                RecordedSession.Diff d = _diffs[i];
                foreach (Level l in d.Bids)
                    book.SetBid(l.Tick, l.Qty);
                foreach (Level l in d.Asks)
                    book.SetAsk(l.Tick, l.Qty);
                acc += book.BestBidTick;
            }
            else
            {
                acc += _trades[~i].Qty;
            }
        }
        return _sink = acc;
    }

    [Benchmark(OperationsPerInvoke = EventCount, Description = "book + signals, all events")]
    public long BookAndSignalsAllEvents()
    {
        Start();
        _engine.Reset(_book);
        OrderBook book = _book;
        SignalEngine engine = _engine;
        foreach (int i in _order)
        {
            if (i >= 0)
            {
                RecordedSession.Diff d = _diffs[i];
                engine.ApplyDelta(book, new BookDelta(0, d.UpdateId, d.UpdateId, -1, d.TimeMs, 0, d.Bids, d.Asks));
            }
            else
            {
                engine.OnTrade(_trades[~i]);
            }
        }
        return _sink = engine.Withdrawal.Withdrawn(Side.Bid) + (long)engine.Imbalance.MidTicks;
    }

    [Benchmark(OperationsPerInvoke = DiffCount, Description = "book only, diffs")]
    public long BookOnlyDiffs()
    {
        Start();
        OrderBook book = _book;
        long acc = 0;
        foreach (RecordedSession.Diff d in _diffs)
        {
            foreach (Level l in d.Bids)
                book.SetBid(l.Tick, l.Qty);
            foreach (Level l in d.Asks)
                book.SetAsk(l.Tick, l.Qty);
            acc += book.BestBidTick;
        }
        return _sink = acc;
    }

    [Benchmark(OperationsPerInvoke = DiffCount, Description = "book + signals, diffs")]
    public long BookAndSignalsDiffs()
    {
        Start();
        _engine.Reset(_book);
        OrderBook book = _book;
        SignalEngine engine = _engine;
        foreach (RecordedSession.Diff d in _diffs)
            engine.ApplyDelta(book, new BookDelta(0, d.UpdateId, d.UpdateId, -1, d.TimeMs, 0, d.Bids, d.Asks));
        return _sink = (long)engine.Imbalance.MidTicks;
    }
}
