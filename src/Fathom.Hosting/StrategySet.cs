using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;
using Fathom.Strategy.Abstractions;

namespace Fathom.Hosting;

/// <summary>
/// The configured strategy instances behind the engine's single strategy seam, until the engine takes a
/// list itself. Market data, trades, fills and order updates go only to the instances that trade their
/// instrument (so each behaves exactly as it would alone); starts and stops go to every instance. Timers
/// are addressed per instance: instance k's timer id t is scheduled as <c>k &lt;&lt; 16 | t</c> and comes
/// back to instance k only as t. Nothing is allocated per event.
/// </summary>
public sealed class StrategySet : IStrategy
{
    /// <summary>A strategy's timer ids are 0..this-1 (the high bits address the instance).</summary>
    public const int MaxTimerId = 1 << 16;

    private readonly IStrategy[] _strategies;
    private readonly bool[][] _trades; // [instance][instrument]
    private readonly InstanceContext[] _contexts;

    public StrategySet(IReadOnlyList<(IStrategy Strategy, IReadOnlyList<int> Instruments)> instances, int instrumentCount)
    {
        ArgumentNullException.ThrowIfNull(instances);
        if (instances.Count == 0)
            throw new ArgumentException("at least one strategy is required", nameof(instances));
        if (instances.Count >= 1 << 15)
            throw new ArgumentException("too many strategy instances", nameof(instances));
        _strategies = [.. instances.Select(x => x.Strategy)];
        _trades = [.. instances.Select(x =>
        {
            var mask = new bool[instrumentCount];
            foreach (int i in x.Instruments)
                mask[i] = true;
            return mask;
        })];
        _contexts = [.. instances.Select((_, k) => new InstanceContext(k))];
        var names = _strategies.Select(s => s.Name).ToList();
        Name = names.Distinct().Count() == 1
            ? names.Count == 1 ? names[0] : $"{names[0]} x{names.Count}"
            : string.Join(" + ", names);
    }

    public string Name { get; }

    /// <summary>The instances, in configuration order (dashboards and tests).</summary>
    public IReadOnlyList<IStrategy> Instances => _strategies;

    private InstanceContext Scope(int k, IStrategyContext context)
    {
        var c = _contexts[k];
        c.Inner = context;
        return c;
    }

    private bool Trades(int k, int instrumentId) => (uint)instrumentId < (uint)_trades[k].Length && _trades[k][instrumentId];

    public void OnStart(IStrategyContext context)
    {
        for (int k = 0; k < _strategies.Length; k++)
            _strategies[k].OnStart(Scope(k, context));
    }

    public void OnMarketData(IStrategyContext context, int instrumentId)
    {
        for (int k = 0; k < _strategies.Length; k++)
            if (Trades(k, instrumentId))
                _strategies[k].OnMarketData(Scope(k, context), instrumentId);
    }

    public void OnTrade(IStrategyContext context, in Trade trade)
    {
        for (int k = 0; k < _strategies.Length; k++)
            if (Trades(k, trade.InstrumentId))
                _strategies[k].OnTrade(Scope(k, context), trade);
    }

    public void OnFill(IStrategyContext context, in FillView fill)
    {
        for (int k = 0; k < _strategies.Length; k++)
            if (Trades(k, fill.InstrumentId))
                _strategies[k].OnFill(Scope(k, context), fill);
    }

    public void OnOrderUpdate(IStrategyContext context, in OrderView order)
    {
        for (int k = 0; k < _strategies.Length; k++)
            if (Trades(k, order.InstrumentId))
                _strategies[k].OnOrderUpdate(Scope(k, context), order);
    }

    public void OnTimer(IStrategyContext context, int timerId)
    {
        int k = timerId >> 16;
        if ((uint)k < (uint)_strategies.Length)
            _strategies[k].OnTimer(Scope(k, context), timerId & (MaxTimerId - 1));
    }

    public void OnStop(IStrategyContext context)
    {
        for (int k = 0; k < _strategies.Length; k++)
            _strategies[k].OnStop(Scope(k, context));
    }

    /// <summary>The engine's context as one instance sees it: the same, except that its timers carry its index.</summary>
    private sealed class InstanceContext(int index) : IStrategyContext
    {
        public IStrategyContext Inner = null!;

        public IReadOnlyList<InstrumentSpec> Instruments => Inner.Instruments;
        public long NowNanos => Inner.NowNanos;
        public BookView Book(int instrumentId) => Inner.Book(instrumentId);
        public bool IsMarketLive(int instrumentId) => Inner.IsMarketLive(instrumentId);
        public TopView Top(int instrumentId) => Inner.Top(instrumentId);
        public SignalView Signals(int instrumentId) => Inner.Signals(instrumentId);
        public PositionView Position(int instrumentId) => Inner.Position(instrumentId);
        public ReadOnlySpan<OrderView> Orders(int instrumentId) => Inner.Orders(instrumentId);
        public void Submit(in Intent intent) => Inner.Submit(intent);

        public void ScheduleTimer(int timerId, long delayNanos)
        {
            if ((uint)timerId >= MaxTimerId)
                ThrowTimerId(timerId);
            Inner.ScheduleTimer(index << 16 | timerId, delayNanos);
        }

        private static void ThrowTimerId(int timerId) =>
            throw new ArgumentOutOfRangeException(nameof(timerId), timerId, $"a strategy's timer ids are 0..{MaxTimerId - 1}");
    }
}
