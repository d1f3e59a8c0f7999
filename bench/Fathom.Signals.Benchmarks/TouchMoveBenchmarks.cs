using BenchmarkDotNet.Attributes;
using Fathom.Book;
using Fathom.MarketData;

namespace Fathom.Signals.Benchmarks;

/// <summary>
/// Cost of one diff through the book and the signals, for diffs that move the touch (either best
/// price changes) against diffs that do not, on the real BTCUSDT session. The session is replayed in
/// order, untimed, up to the next diff of the chosen kind (<c>[IterationSetup]</c>); the iteration
/// applies that one diff. So every sample sees exactly the state the live core would, and the
/// iterations walk through the session's diffs of that kind in order (one diff per iteration,
/// wrapping around to a fresh start at the end). The "book only" rows replay and apply the same diffs
/// to the book alone.
/// </summary>
/// <remarks>
/// One diff is microseconds, below what BenchmarkDotNet likes per iteration, so the figures carry
/// the timer's overhead (tens of ns) and more spread than the whole-session benchmarks; they are for
/// comparing the two kinds and before/after, not for absolute nanoseconds. The difference between the
/// two rows of a kind is what the signals add to such a diff.
/// </remarks>
[Config(typeof(TouchMoveBenchmarkConfig))]
public class TouchMoveBenchmarks
{
    [Params(true, false)]
    public bool MovesTouch { get; set; }

    private RecordedSession.Diff[] _diffs = [];
    private Trade[] _trades = [];
    private int[] _order = [];
    private bool[] _moves = [];
    private Level[] _startBids = [];
    private Level[] _startAsks = [];
    private OrderBook _book = null!;
    private SignalEngine _engine = null!;
    private int _next; // index into _order of the next event to replay
    private RecordedSession.Diff _target = null!;
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
        _book = new OrderBook(session.Spec, BookOptions.ForPrice(6_183_763));
        _engine = new SignalEngine();

        // Which diffs move the touch: replay the book alone once.
        _moves = new bool[_diffs.Length];
        _book.ApplySnapshot(_startBids, _startAsks, 0);
        for (int i = 0; i < _diffs.Length; i++)
        {
            long bid = _book.BestBidTick, ask = _book.BestAskTick;
            foreach (Level l in _diffs[i].Bids)
                _book.SetBid(l.Tick, l.Qty);
            foreach (Level l in _diffs[i].Asks)
                _book.SetAsk(l.Tick, l.Qty);
            _moves[i] = _book.BestBidTick != bid || _book.BestAskTick != ask;
        }
        Console.WriteLine($"// {_moves.Count(m => m)} of {_diffs.Length} diffs move the touch");
        Restart();
        // Grow every buffer to its steady size before anything is measured.
        for (int i = 0; i < 2 * _diffs.Length; i++)
            AdvanceToNextTarget();
        Restart();
    }

    private void Restart()
    {
        _book.ApplySnapshot(_startBids, _startAsks, 0);
        _engine.Clear();
        _engine.Reset(_book);
        _next = 0;
    }

    private void Apply(RecordedSession.Diff d, bool signals)
    {
        if (signals)
        {
            _engine.ApplyDelta(_book, new BookDelta(0, d.UpdateId, d.UpdateId, -1, d.TimeMs, 0, d.Bids, d.Asks));
            return;
        }
        foreach (Level l in d.Bids)
            _book.SetBid(l.Tick, l.Qty);
        foreach (Level l in d.Asks)
            _book.SetAsk(l.Tick, l.Qty);
    }

    // Replays events up to (not including) the next diff of the chosen kind and makes it the target.
    private void AdvanceToNextTarget(bool signals = true)
    {
        while (true)
        {
            if (_next == _order.Length)
                Restart();
            int e = _order[_next++];
            if (e < 0)
            {
                if (signals)
                    _engine.OnTrade(_trades[~e]);
                continue;
            }
            if (_moves[e] == MovesTouch)
            {
                _target = _diffs[e];
                return;
            }
            Apply(_diffs[e], signals);
        }
    }

    [IterationSetup(Target = nameof(BookAndSignals))]
    public void NextDiff() => AdvanceToNextTarget();

    [IterationSetup(Target = nameof(BookOnly))]
    public void NextDiffBookOnly() => AdvanceToNextTarget(signals: false);

    [Benchmark(Description = "book + signals, one diff")]
    public long BookAndSignals()
    {
        Apply(_target, signals: true);
        return _sink = _engine.Walls.Bid.Tick;
    }

    [Benchmark(Baseline = true, Description = "book only, one diff")]
    public long BookOnly()
    {
        Apply(_target, signals: false);
        return _sink = _book.BestBidTick;
    }
}
