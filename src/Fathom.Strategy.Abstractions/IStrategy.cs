using Fathom.MarketData;

namespace Fathom.Strategy.Abstractions;

/// <summary>
/// A trading strategy: reacts to market data, execution feedback and timers by submitting intents.
/// Implement on a sealed class (or a struct, for <c>Engine&lt;TStrategy&gt;</c> devirtualization).
/// Callbacks run on the core thread one at a time and must not block or allocate per event. An
/// exception halts trading for this strategy (its quotes are cancelled); it never crashes the process.
/// </summary>
public interface IStrategy
{
    string Name { get; }

    void OnStart(IStrategyContext context);

    /// <summary>The book or signals of <paramref name="instrumentId"/> changed.</summary>
    void OnMarketData(IStrategyContext context, int instrumentId);

    /// <summary>A public trade printed.</summary>
    void OnTrade(IStrategyContext context, in Trade trade);

    /// <summary>One of our orders filled (partly or fully).</summary>
    void OnFill(IStrategyContext context, in FillView fill);

    /// <summary>One of our orders changed state (accepted, canceled, rejected, expired, unknown).</summary>
    void OnOrderUpdate(IStrategyContext context, in OrderView order);

    void OnTimer(IStrategyContext context, int timerId);

    /// <summary>Trading is stopping (shutdown or halt): the engine cancels everything regardless.</summary>
    void OnStop(IStrategyContext context);
}
