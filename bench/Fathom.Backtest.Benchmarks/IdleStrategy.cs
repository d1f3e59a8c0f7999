using Fathom.MarketData;
using Fathom.Strategy.Abstractions;

namespace Fathom.Backtest.Benchmarks;

/// <summary>A strategy that never trades: the run's cost without execution, orders or the venue's order path.</summary>
internal sealed class IdleStrategy(IReadOnlyList<int> instruments) : IStrategy
{
    public string Name => "idle";
    public IReadOnlyList<int> InstrumentIds => instruments;
    public void OnStart(IStrategyContext context) { }
    public void OnMarketData(IStrategyContext context, int instrumentId) { }
    public void OnTrade(IStrategyContext context, in Trade trade) { }
    public void OnFill(IStrategyContext context, in FillView fill) { }
    public void OnOrderUpdate(IStrategyContext context, in OrderView order) { }
    public void OnTimer(IStrategyContext context, int timerId) { }
    public void OnStop(IStrategyContext context) { }
}
