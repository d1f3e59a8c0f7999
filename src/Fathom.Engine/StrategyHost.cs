using Fathom.Book;
using Fathom.Core;
using Fathom.Execution;
using Fathom.MarketData;
using Fathom.Strategy.Abstractions;

namespace Fathom.Engine;

/// <summary>
/// The <see cref="IStrategyContext"/> the engine hands its strategy: live views of books, signals,
/// orders and positions, and pre-sized buffers for the intents and timers a callback produces.
/// Core thread only; nothing here allocates per event.
/// </summary>
internal sealed class StrategyHost : IStrategyContext
{
    private readonly IReadOnlyList<BookSync> _books;
    private readonly ExecutionEngine _execution;
    private readonly MonotonicClock _clock;
    private readonly Func<int, SignalView> _signals;
    private readonly Intent[] _intents = new Intent[64];
    private readonly OrderView[] _orders = new OrderView[64];
    private readonly (int Id, long DueNs)[] _timers = new (int, long)[64];
    private int _intentCount;
    private int _timerCount;
    // The signal view computed for the input being processed (instrument -1: none).
    private SignalView _inputSignals;
    private int _inputSignalsInstrument = -1;

    public StrategyHost(IReadOnlyList<InstrumentSpec> instruments, IReadOnlyList<BookSync> books, ExecutionEngine execution,
        MonotonicClock clock, Func<int, SignalView> signals)
    {
        Instruments = instruments;
        _books = books;
        _execution = execution;
        _clock = clock;
        _signals = signals;
    }

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
    public SignalView Signals(int instrumentId) => instrumentId == _inputSignalsInstrument ? _inputSignals : _signals(instrumentId);

    /// <summary>
    /// Computes the instrument's signal view and keeps it until <see cref="ForgetInputSignals"/>, so the
    /// strategy's <see cref="Signals"/> in the same input reuses it. Valid because nothing inside an
    /// engine input feeds the analyzer: market data is applied before the engine's input starts.
    /// </summary>
    public SignalView ComputeSignalsForInput(int instrumentId)
    {
        _inputSignals = _signals(instrumentId);
        _inputSignalsInstrument = instrumentId;
        return _inputSignals;
    }

    /// <summary>Drops the view kept by <see cref="ComputeSignalsForInput"/> (at the start and end of every input).</summary>
    public void ForgetInputSignals() => _inputSignalsInstrument = -1;
    public PositionView Position(int instrumentId) => _execution.Position(instrumentId);

    public ReadOnlySpan<OrderView> Orders(int instrumentId)
    {
        int n = _execution.LiveOrders(instrumentId, _orders);
        return _orders.AsSpan(0, n);
    }

    public void Submit(in Intent intent)
    {
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

    /// <summary>Removes and returns the id of one timer due at <paramref name="nowNs"/>, or -1.</summary>
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
