using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Backtest;

/// <summary>
/// The simulated venue a backtest trades against: order entry for the core (<see cref="IOrderEntry"/>; reports go to the
/// sink it was built with) and the recorded market as the matching engine sees it, at the exchange's time. The runner
/// calls everything on one thread in virtual-time order: before it hands the core anything stamped at <c>t</c> it calls
/// <see cref="AdvanceTo"/>(<c>t</c>), and it feeds the recorded market at exchange time (the core sees the same data
/// later, after the feed latency).
/// </summary>
public interface IBacktestVenue : IOrderEntry
{
    /// <summary>A recorded book level's new total quantity at exchange time <paramref name="exchangeNs"/> (zero removes it).</summary>
    void OnLevel(int instrument, OrderSide side, Price price, Qty qty, long exchangeNs);

    /// <summary>The recorded book was replaced (a snapshot follows as <see cref="OnLevel"/> calls): every recorded level is gone.</summary>
    void OnBookCleared(int instrument, long exchangeNs);

    /// <summary>The recorded best bid and ask (a <c>bookTicker</c>) at exchange time, newer than the last depth update
    /// given; a side with zero quantity carries nothing.</summary>
    void OnTopOfBook(int instrument, Price bidPrice, Qty bidQty, Price askPrice, Qty askQty, long exchangeNs);

    /// <summary>A recorded trade: the aggressor's side, price and quantity, at exchange time.</summary>
    void OnTrade(int instrument, OrderSide aggressor, Price price, Qty qty, long exchangeNs);

    /// <summary>The next virtual time (Unix ns) at which the venue has something to do (an order reaching the matching
    /// engine, a report reaching the core), or <see cref="long.MaxValue"/>.</summary>
    long NextEventNs { get; }

    /// <summary>Does everything due at or before <paramref name="nowNs"/>, in time order (ties: the order they were scheduled).</summary>
    void AdvanceTo(long nowNs);
}
