using Fathom.MarketData;

namespace Fathom.Strategy.Abstractions;

/// <summary>
/// A trading strategy: reacts to market data, execution feedback and timers by submitting intents.
/// Implement on a sealed class (or a struct, for <c>Engine&lt;TStrategy&gt;</c> devirtualization).
/// Callbacks run on the core thread one at a time and must not block or allocate per event. An
/// exception halts trading for this strategy (its quotes are cancelled); it never crashes the process.
/// </summary>
/// <remarks>
/// An engine may host several strategies side by side, each with a context of its own (its timers,
/// intents and orders). Each instrument is traded by at most one of them: a strategy declares its
/// instruments in <see cref="InstrumentIds"/> and hears only about those.
/// </remarks>
public interface IStrategy
{
    string Name { get; }

    /// <summary>
    /// The instruments this strategy trades (ids into <see cref="IStrategyContext.Instruments"/>), read
    /// once when the engine is built. Their market data, fills and order updates go to this strategy
    /// alone; an intent for any other instrument is a bug (it halts the strategy). Two strategies in one
    /// engine claiming the same instrument are refused at construction. A strategy may still read other
    /// instruments' books and signals.
    /// </summary>
    IReadOnlyList<int> InstrumentIds { get; }

    void OnStart(IStrategyContext context);

    /// <summary>The book or signals of <paramref name="instrumentId"/>, one of <see cref="InstrumentIds"/>, changed.</summary>
    void OnMarketData(IStrategyContext context, int instrumentId);

    /// <summary>A public trade printed.</summary>
    void OnTrade(IStrategyContext context, in Trade trade);

    /// <summary>One of our orders filled (partly or fully).</summary>
    void OnFill(IStrategyContext context, in FillView fill);

    /// <summary>One of our orders changed state (accepted, canceled, rejected, expired, unknown).</summary>
    void OnOrderUpdate(IStrategyContext context, in OrderView order);

    /// <summary>A timer this strategy scheduled (<see cref="IStrategyContext.ScheduleTimer"/>) is due; timer ids are this strategy's own.</summary>
    void OnTimer(IStrategyContext context, int timerId);

    /// <summary>Trading is stopping (shutdown or halt): the engine cancels everything regardless.</summary>
    void OnStop(IStrategyContext context);
}
