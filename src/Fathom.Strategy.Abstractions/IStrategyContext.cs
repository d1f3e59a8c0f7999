using Fathom.Book;
using Fathom.Core;

namespace Fathom.Strategy.Abstractions;

/// <summary>
/// Everything a strategy can see and do. Reads are views of the core's live state, valid during the
/// callback; actions are intents, collected and handed to execution and risk after the callback
/// returns. There is no way to reach a venue, a socket or a store from here.
/// </summary>
public interface IStrategyContext
{
    /// <summary>
    /// Every instrument the engine knows; an instrument id is an index into this list. The strategy
    /// trades those of its <see cref="IStrategy.InstrumentIds"/>.
    /// </summary>
    IReadOnlyList<InstrumentSpec> Instruments { get; }

    /// <summary>Monotonic nanoseconds on the engine's clock (virtual time in replay and tests).</summary>
    long NowNanos { get; }

    /// <summary>The L2 book, read-only. Check <see cref="IsMarketLive"/> before trusting it.</summary>
    BookView Book(int instrumentId);

    /// <summary>False while the book is syncing or stale: quote nothing new (risk enforces it anyway).</summary>
    bool IsMarketLive(int instrumentId);

    /// <summary>
    /// The freshest best bid/ask (the real-time ticker when it is ahead of the book). The default reads
    /// the book's own top, for contexts without a ticker.
    /// </summary>
    TopView Top(int instrumentId) => TopView.FromBook(Book(instrumentId));

    SignalView Signals(int instrumentId);
    PositionView Position(int instrumentId);

    /// <summary>This strategy's working orders on the instrument (none on an instrument it does not trade).</summary>
    ReadOnlySpan<OrderView> Orders(int instrumentId);

    /// <summary>
    /// Records an intent; execution acts on it after the callback. The intent's instrument must be one of
    /// the strategy's <see cref="IStrategy.InstrumentIds"/> (the engine throws otherwise).
    /// </summary>
    void Submit(in Intent intent);

    /// <summary>
    /// Calls this strategy's <see cref="IStrategy.OnTimer"/> with <paramref name="timerId"/> after
    /// <paramref name="delayNanos"/>. Timer ids are per strategy: another strategy's timer with the same
    /// id never reaches this one.
    /// </summary>
    void ScheduleTimer(int timerId, long delayNanos);
}
