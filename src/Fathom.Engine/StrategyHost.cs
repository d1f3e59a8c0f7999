using Fathom.Book;
using Fathom.Core;
using Fathom.Execution;
using Fathom.MarketData;
using Fathom.Strategy.Abstractions;

namespace Fathom.Engine;

/// <summary>
/// The <see cref="IStrategyContext"/> the engine hands one strategy instance: live views of books,
/// signals, orders and positions, and pre-sized buffers for the intents and timers its callbacks
/// produce. Each instance has its own, so a timer fires on the instance that scheduled it, and an
/// intent or an order view outside the instruments it owns is refused or hidden. A host without a
/// strategy owns nothing and serves reads (<see cref="TradingEngine.Context"/>).
/// Core thread only; nothing here allocates per event.
/// </summary>
internal sealed class StrategyHost : IStrategyContext
{
    private readonly IReadOnlyList<BookSync> _books;
    private readonly ExecutionEngine _execution;
    private readonly Func<int, SignalView> _signals;
    // Invariant: _owns[i] is true exactly for the instruments in Strategy.InstrumentIds.
    private readonly bool[] _owns;
    private readonly Intent[] _intents = new Intent[64];
    private readonly OrderView[] _orders = new OrderView[64];
    private readonly (int Id, long DueNs)[] _timers = new (int, long)[64];
    private int _intentCount;
    private int _timerCount;

    /// <param name="signals">The engine's signal source (it reuses the view computed for the input being processed).</param>
    public StrategyHost(IStrategy? strategy, IReadOnlyList<InstrumentSpec> instruments, IReadOnlyList<BookSync> books,
        ExecutionEngine execution, Func<int, SignalView> signals)
    {
        Strategy = strategy;
        Instruments = instruments;
        _books = books;
        _execution = execution;
        _signals = signals;
        _owns = new bool[books.Count];
        if (strategy is null)
            return;
        foreach (int id in strategy.InstrumentIds)
        {
            if ((uint)id >= (uint)books.Count)
                throw new ArgumentException($"strategy '{strategy.Name}' claims instrument {id}; the engine has {books.Count}", nameof(strategy));
            _owns[id] = true;
        }
    }

    /// <summary>The instance this context belongs to (null for the engine's read-only context).</summary>
    public IStrategy? Strategy { get; }

    /// <summary>Set when a callback threw: the instance is called no more and its instruments' orders were cancelled.</summary>
    public bool Halted { get; set; }

    public bool Owns(int instrumentId) => (uint)instrumentId < (uint)_owns.Length && _owns[instrumentId];

    public IReadOnlyList<InstrumentSpec> Instruments { get; }
    /// <summary>The time of the input being processed (set by the engine), so a replay sees the same time.</summary>
    public long NowNanos => InputNs;
    public long InputNs { get; set; }
    public BookView Book(int instrumentId) => _books[instrumentId].Book.View;
    public bool IsMarketLive(int instrumentId) => _books[instrumentId].IsLive;

    public TopView Top(int instrumentId)
    {
        EffectiveTop top = _books[instrumentId].Top;
        return new TopView(top.BidTick, top.BidQty, top.AskTick, top.AskQty, top.FromTicker);
    }
    public SignalView Signals(int instrumentId) => _signals(instrumentId);
    public PositionView Position(int instrumentId) => _execution.Position(instrumentId);

    public ReadOnlySpan<OrderView> Orders(int instrumentId)
    {
        // Orders on an instrument are its owner's: another instance's are not this one's to see.
        if (!Owns(instrumentId))
            return [];
        int n = _execution.LiveOrders(instrumentId, _orders);
        return _orders.AsSpan(0, n);
    }

    public void Submit(in Intent intent)
    {
        if (!Owns(intent.InstrumentId))
            ThrowHelper.ThrowInvalidOperation($"An intent for instrument {intent.InstrumentId}, which this strategy does not trade (see IStrategy.InstrumentIds).");
        if (_intentCount == _intents.Length)
            ThrowHelper.ThrowInvalidOperation("A strategy callback submitted more than 64 intents.");
        _intents[_intentCount++] = intent;
    }

    public void ScheduleTimer(int timerId, long delayNanos)
    {
        if (_timerCount == _timers.Length)
            ThrowHelper.ThrowInvalidOperation("More than 64 strategy timers pending.");
        _timers[_timerCount++] = (timerId, InputNs + Math.Max(0, delayNanos));
    }

    /// <summary>Intents submitted since the last drain.</summary>
    public ReadOnlySpan<Intent> PendingIntents => _intents.AsSpan(0, _intentCount);
    public void ClearIntents() => _intentCount = 0;

    /// <summary>Removes and returns the id of one of this instance's timers due at <paramref name="nowNs"/>, or -1.</summary>
    public int TakeDueTimer(long nowNs)
    {
        for (int i = 0; i < _timerCount; i++)
        {
            if (_timers[i].DueNs <= nowNs)
            {
                int id = _timers[i].Id;
                _timers[i] = _timers[--_timerCount];
                return id;
            }
        }
        return -1;
    }
}
