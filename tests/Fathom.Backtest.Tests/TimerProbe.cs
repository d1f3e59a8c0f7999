using Fathom.MarketData;
using Fathom.Strategy.Abstractions;

namespace Fathom.Backtest.Tests;

/// <summary>A strategy that only keeps a 1 s timer going and records the core's time each time it fires.</summary>
internal sealed class TimerProbe(IReadOnlyList<int> instruments, List<long> fired) : IStrategy
{
    public const long PeriodNs = 1_000_000_000;

    public string Name => "timer-probe";
    public IReadOnlyList<int> InstrumentIds => instruments;
    public long StartedNs { get; private set; }

    public void OnStart(IStrategyContext context)
    {
        StartedNs = context.NowNanos;
        context.ScheduleTimer(1, PeriodNs);
    }

    public void OnTimer(IStrategyContext context, int timerId)
    {
        fired.Add(context.NowNanos);
        context.ScheduleTimer(1, PeriodNs);
    }

    public void OnMarketData(IStrategyContext context, int instrumentId) { }
    public void OnTrade(IStrategyContext context, in Trade trade) { }
    public void OnFill(IStrategyContext context, in FillView fill) { }
    public void OnOrderUpdate(IStrategyContext context, in OrderView order) { }
    public void OnStop(IStrategyContext context) { }
}
