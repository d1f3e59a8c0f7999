namespace Fathom.MarketData;

/// <summary>
/// Receives normalized market data from a venue parser. Implement on a struct or sealed class so the
/// parser's generic calls are devirtualized. Span-carrying events are valid only during the call.
/// </summary>
public interface IMarketDataHandler
{
    void OnBookDelta(in BookDelta delta);
    void OnBookSnapshot(in BookSnapshot snapshot);
    void OnTopOfBook(in TopOfBook top);
    void OnTrade(in Trade trade);
    /// <summary>The venue will close the connection (Binance <c>serverShutdown</c>): reconnect.</summary>
    void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs);
    /// <summary>
    /// The venue sent a price between the instrument's book grid points, so the parser moved the
    /// instrument to a finer grid of <paramref name="newTickRaw"/> raw price units per tick (it always
    /// divides the old one). Everything delivered from now on is on the new grid; books must follow.
    /// The message that revealed it is delivered after this call, nothing is lost.
    /// </summary>
    void OnBookGridChanged(int instrumentId, long newTickRaw);

    /// <summary>
    /// A message could not be used. <paramref name="instrumentId"/> is the symbol it was for, or -1
    /// when that could not be determined (then no single book can be blamed).
    /// </summary>
    void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs);
}
