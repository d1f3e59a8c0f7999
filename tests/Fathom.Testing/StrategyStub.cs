using Fathom.MarketData;
using Fathom.Strategy.Abstractions;

namespace Fathom.Testing;

/// <summary>A test strategy on <see cref="InstrumentIds"/> whose callbacks do nothing: a test overrides the ones it watches.</summary>
public abstract class StrategyStub(string name, params int[] instrumentIds) : IStrategy
{
    public string Name { get; } = name;
    public IReadOnlyList<int> InstrumentIds { get; } = instrumentIds;
    public virtual void OnStart(IStrategyContext context) { }
    public virtual void OnMarketData(IStrategyContext context, int instrumentId) { }
    public virtual void OnTrade(IStrategyContext context, in Trade trade) { }
    public virtual void OnFill(IStrategyContext context, in FillView fill) { }
    public virtual void OnOrderUpdate(IStrategyContext context, in OrderView order) { }
    public virtual void OnTimer(IStrategyContext context, int timerId) { }
    public virtual void OnStop(IStrategyContext context) { }
}
