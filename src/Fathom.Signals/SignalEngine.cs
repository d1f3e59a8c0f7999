using System.Runtime.CompilerServices;
using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Signals;

/// <summary>
/// One instrument's microstructure analyzer: turns book diffs and trades into the signals of
/// docs/signals.md, incrementally and without allocating after warm-up.
/// </summary>
/// <remarks>
/// Entry points, all on the core thread: <see cref="Reset"/> after a snapshot splice or a grid change;
/// per applied diff <see cref="BeginDelta"/>, one <see cref="OnLevelChange"/> per level (with the
/// level's size before and after), <see cref="EndDelta"/>; <see cref="OnTrade"/> per public trade.
/// <see cref="ApplyDelta"/> does the diff sequence against a book without a <c>BookSync</c>;
/// <see cref="SignalFeed"/> does it behind one. Book-shaped values are published at
/// <see cref="EndDelta"/> only: a diff is one atomic change at the venue and the states inside it
/// never existed. Until the first <see cref="Reset"/> only trade sizes are tracked.
/// Time is the venue's (diff E, trade T): <see cref="NowMs"/> is the largest seen, so a replay
/// produces the same values as the live run did.
/// </remarks>
public sealed class SignalEngine
{
    private readonly SignalOptions _options;
    private readonly SignalClock _clock = new();
    private readonly LevelLadder[] _ladders;
    private readonly WeightedDepth _weighted;
    // Sized for a large diff (one on the shared BTCUSDT recording changed more than 256 levels); a larger one grows it, which allocates.
    private ChangedLevel[] _changed = new ChangedLevel[1024];
    private int _changedCount;
    private bool _ready;
    private bool _inDelta;
    private long _deltaTimeMs;

    private struct ChangedLevel
    {
        public long Tick;
        public long Qty;
        public Side Side;
        public bool Held; // the ladder held it right after the change
    }

    public SignalEngine(SignalOptions? options = null)
    {
        _options = (options ?? SignalOptions.Default).Validate();
        _ladders = [new LevelLadder(Side.Bid, _options.LadderLevels, _options.WallLevels), new LevelLadder(Side.Ask, _options.LadderLevels, _options.WallLevels)];
        _weighted = new WeightedDepth(_options.DecayTicks);
        Imbalance = new BookImbalance();
        Walls = new WallDetector(_options, _clock);
        Withdrawal = new DepthWithdrawal(_options, _clock);
        Absorption = new AggressiveAbsorption(_options, _clock);
        Sizes = new SizeConcentration(_options);
        Volatility = new RealizedVolatility(_options, _clock);
    }

    public SignalOptions Options => _options;

    public BookImbalance Imbalance { get; }
    public WallDetector Walls { get; }
    public DepthWithdrawal Withdrawal { get; }
    public AggressiveAbsorption Absorption { get; }
    public SizeConcentration Sizes { get; }
    public RealizedVolatility Volatility { get; }

    /// <summary>The largest venue time seen (ms); long.MinValue before any event.</summary>
    public long NowMs => _clock.NowMs;

    /// <summary>Reset from a book and not suspended since: book signals are being maintained.</summary>
    public bool IsReady => _ready;

    /// <summary>
    /// Changes with every input through this engine's entry points (<see cref="Reset"/>, <see cref="Clear"/>,
    /// <see cref="Suspend"/>, a diff's <see cref="BeginDelta"/> … <see cref="EndDelta"/>, <see cref="OnTrade"/>), and
    /// only then: every signal is a function of those inputs (time is the venue's, carried by them), so a reading taken
    /// at one version holds until the version changes. Readers cache on it (the engine's signal view on a ticker frame,
    /// which leaves the analyzer untouched).
    /// </summary>
    public long Version => _version;

    private long _version;

    public long DeltasApplied { get; private set; }
    public long TradesSeen { get; private set; }
    public long Resets { get; private set; }

    /// <summary>Ladder refills from the book (tests check this path runs).</summary>
    internal long LadderRefills { get; private set; }
    internal WeightedDepth Weighted => _weighted;
    internal LevelLadder LadderOf(Side side) => _ladders[(int)side];

    /// <summary>
    /// Rebuilds every book-derived state from <paramref name="book"/> (after a snapshot splice, a
    /// resync or a grid refinement): ladders, weighted depth, walls, withdrawal and absorption start
    /// over; trade and level size distributions and volatility samples are kept, but no return is
    /// taken across the gap.
    /// </summary>
    public void Reset(OrderBook book)
    {
        ArgumentNullException.ThrowIfNull(book);
        _version++;
        _inDelta = false;
        _changedCount = 0;
        _ladders[0].Refill(book);
        _ladders[1].Refill(book);
        _weighted.Start(book);
        Walls.Reset();
        Withdrawal.Reset(_ladders[0].BestTick, _ladders[1].BestTick);
        Absorption.Reset();
        Volatility.Restart(_ladders[0].IsEmpty || _ladders[1].IsEmpty ? 0 : _ladders[0].BestTick + _ladders[1].BestTick);
        _ready = true;
        _clock.ResetMs = _clock.NowMs;
        Resets++;
        Publish(book, _clock.NowMs, sampleLevels: false, refilled: true);
    }

    /// <summary>
    /// Forgets everything, as if newly constructed, but keeps every buffer at the size it has grown
    /// to: for replaying or backtesting again with the same engine without allocating.
    /// </summary>
    public void Clear()
    {
        Suspend(); // counts as this input's version change
        _clock.NowMs = _clock.ResetMs = SignalClock.Unknown;
        _changedCount = 0;
        _weighted.Reset();
        Imbalance.Clear();
        Walls.Reset();
        Sizes.Clear();
        Volatility.Clear();
        DeltasApplied = TradesSeen = Resets = 0;
    }

    /// <summary>
    /// The book can no longer be followed (e.g. its grid changed while it was not live): book
    /// signals stop until the next <see cref="Reset"/>.
    /// </summary>
    public void Suspend()
    {
        _version++;
        _ready = false;
        _inDelta = false;
        Withdrawal.Suspend();
        Absorption.Suspend();
    }

    /// <summary>A diff with venue time <paramref name="exchangeTimeMs"/> (Binance E) is about to be applied.</summary>
    public void BeginDelta(long exchangeTimeMs)
    {
        _version++;
        if (!_ready)
            return;
        _inDelta = true;
        _deltaTimeMs = exchangeTimeMs;
        _changedCount = 0;
        AdvanceClock(exchangeTimeMs);
        Withdrawal.BeginDiff(exchangeTimeMs);
    }

    /// <summary>One level of the diff: its size before and after (0 = absent). Call after <see cref="BeginDelta"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnLevelChange(Side side, long tick, long oldQty, long newQty)
    {
        if (!_inDelta)
        {
            if (_ready)
                ThrowHelper.ThrowInvalidOperation("OnLevelChange outside BeginDelta/EndDelta.");
            return;
        }
        if (oldQty == newQty)
            return;
        _version++; // a reading between two levels of one diff (none is taken there) would not outlive the next one
        bool held = _ladders[(int)side].Apply(tick, newQty);
        _weighted.OnLevelChange(side, tick, oldQty, newQty);
        Withdrawal.OnLevelChange(side, tick, oldQty, newQty);
        if (newQty > 0)
        {
            if (_changedCount == _changed.Length)
                GrowChanged();
            _changed[_changedCount++] = new ChangedLevel { Side = side, Tick = tick, Qty = newQty, Held = held };
        }
    }

    /// <summary>The diff has been applied to <paramref name="book"/>: publish every signal.</summary>
    public void EndDelta(OrderBook book)
    {
        _version++;
        if (!_inDelta)
            return;
        _inDelta = false;
        DeltasApplied++;
        bool refilled = false;
        for (int s = 0; s < 2; s++)
        {
            if (_ladders[s].NeedsRefill)
            {
                _ladders[s].Refill(book);
                LadderRefills++;
                refilled = true;
            }
        }
        Publish(book, _deltaTimeMs, sampleLevels: true, refilled);
        Withdrawal.EndDiff();
        // The withdrawal band is measured from each side's best before the next diff.
        Withdrawal.SetBest(_ladders[0].BestTick, _ladders[1].BestTick);
        if (!_ladders[0].IsEmpty && !_ladders[1].IsEmpty)
            Volatility.OnDiff(_deltaTimeMs, _ladders[0].BestTick + _ladders[1].BestTick);
    }

    /// <summary>
    /// Work the last diff left that no signal waits for: its level sizes join the size window (a sorted copy of the
    /// window, ~1–2 µs on a cold cache, the largest single step of a diff's publication). The next diff does it first
    /// if this was not called; calling it after the frame's orders went out keeps it off the path from a diff to the
    /// decision. Publishes nothing and changes no reading (<see cref="Version"/> stays).
    /// </summary>
    public void Settle() => Sizes.Settle();

    /// <summary>
    /// Applies <paramref name="delta"/> to <paramref name="book"/> level by level (the book's update
    /// returns each level's old size), and updates the signals (for tests and backtests without a
    /// <c>BookSync</c>; the live path is <see cref="SignalFeed"/>).
    /// </summary>
    public void ApplyDelta(OrderBook book, in BookDelta delta)
    {
        ArgumentNullException.ThrowIfNull(book);
        BeginDelta(delta.ExchangeTimeMs);
        foreach (ref readonly Level l in delta.Bids)
        {
            long old = book.SetBid(l.Tick, l.Qty);
            OnLevelChange(Side.Bid, l.Tick, old, l.Qty);
        }
        foreach (ref readonly Level l in delta.Asks)
        {
            long old = book.SetAsk(l.Tick, l.Qty);
            OnLevelChange(Side.Ask, l.Tick, old, l.Qty);
        }
        book.UpdateId = delta.FinalUpdateId;
        EndDelta(book);
    }

    /// <summary>A public trade (any time; book-dependent parts only act after a <see cref="Reset"/>).</summary>
    public void OnTrade(in Trade trade)
    {
        _version++;
        TradesSeen++;
        AdvanceClock(trade.TradeTimeMs);
        // The passive side is the one whose resting order was filled.
        Side side = trade.BuyerIsMaker ? Side.Bid : Side.Ask;
        Sizes.OnTrade(trade.Qty, side);
        if (!_ready)
            return;
        Withdrawal.OnTrade(trade.TradeTimeMs, side, trade.PriceTick, trade.Qty);
        Absorption.OnTrade(trade.TradeTimeMs, side, trade.PriceTick, trade.Qty);
    }

    private void AdvanceClock(long timeMs)
    {
        if (timeMs <= _clock.NowMs)
            return;
        _clock.NowMs = timeMs;
        if (_clock.ResetMs == SignalClock.Unknown && _ready)
            _clock.ResetMs = timeMs;
        Withdrawal.Expire();
        Absorption.Expire();
        Volatility.Expire();
    }

    private void Publish(OrderBook book, long timeMs, bool sampleLevels, bool refilled)
    {
        LevelLadder bids = _ladders[0], asks = _ladders[1];
        bool twoSided = !bids.IsEmpty && !asks.IsEmpty;
        long bidDepth = bids.SumTop(_options.DepthLevels), askDepth = asks.SumTop(_options.DepthLevels);
        if (twoSided)
        {
            Imbalance.PublishDepth(bidDepth, askDepth);
            _weighted.Publish(book, bids.BestTick, asks.BestTick, out double wBid, out double wAsk);
            Imbalance.PublishTwoSided(bids.BestTick, bids.BestQty, asks.BestTick, asks.BestQty, book.TicksToPrice(1.0), wBid, wAsk);
        }
        else
        {
            Imbalance.Clear();
            Imbalance.PublishDepth(bidDepth, askDepth);
            _weighted.Reset(); // re-anchored once both sides are back
        }
        double mid = twoSided ? Imbalance.MidTicks : double.NaN;
        Walls.Evaluate(bids, mid, timeMs);
        Walls.Evaluate(asks, mid, timeMs);

        // Earlier diffs' level sizes join the window now if nothing settled them; this diff's join after its z.
        Sizes.Settle();
        if (sampleLevels)
        {
            int k = _options.WallLevels;
            for (int i = 0; i < _changedCount; i++)
            {
                ref ChangedLevel c = ref _changed[i];
                // A level the ladder did not hold after its change can only be in it now through a refill.
                if (!c.Held && !refilled)
                    continue;
                int rank = _ladders[(int)c.Side].RankOf(c.Tick);
                // Only a level that still holds the size it was set to (a repeated price would not).
                if (rank >= 0 && rank < k && _ladders[(int)c.Side].QtyAt(rank) == c.Qty)
                    Sizes.AddLevelSample(c.Qty);
            }
        }
        Sizes.Publish(bids);
        Sizes.Publish(asks);

        Withdrawal.SetDepth(bidDepth, askDepth);
        Absorption.SetBest(Side.Bid, bids.BestTick, bids.BestQty);
        Absorption.SetBest(Side.Ask, asks.BestTick, asks.BestQty);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowChanged() => Array.Resize(ref _changed, _changed.Length * 2);
}
