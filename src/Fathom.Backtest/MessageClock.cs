namespace Fathom.Backtest;

/// <summary>
/// The time model of one data source: puts each recorded message on the recording's local clock twice, once when the
/// matching engine saw it (<see cref="VenueNs"/>) and once when the core sees it (<see cref="CoreNs"/>).
/// </summary>
/// <remarks>
/// The exchange's event time is shifted onto the local clock by <c>offsetNs</c>, the smallest (receive − exchange) of
/// the source: recorded clocks differ by more than a second, so the fastest message is taken to have had no latency,
/// and every other message's recorded latency is its excess over that. A message without an exchange time (Binance
/// spot's bookTicker, a REST snapshot) gets the latency of the last message that had one. Both times are made
/// monotone in the source's order (book updates must apply in order). Two clocks fed the same messages give the same
/// times, so the venue's and the core's cursors over one source agree.
/// </remarks>
internal sealed class MessageClock(FeedLatencyModel feed, long offsetNs)
{
    private long _lagNs;
    private long _lastVenueNs = long.MinValue;
    private long _lastCoreNs = long.MinValue;

    public long VenueNs { get; private set; }
    public long CoreNs { get; private set; }

    public void Stamp(long exchangeMs, long receiveNs)
    {
        long v;
        if (exchangeMs > 0)
        {
            v = exchangeMs * 1_000_000 + offsetNs;
            if (v > receiveNs)
                v = receiveNs; // only if the offset was estimated on other data: never after it was received
            _lagNs = receiveNs - v;
        }
        else
        {
            v = receiveNs - _lagNs;
        }
        if (v < _lastVenueNs)
            v = _lastVenueNs;
        _lastVenueNs = v;
        long c = feed.Kind == FeedLatencyKind.Recorded ? receiveNs : v + feed.ConstantNs;
        if (c < _lastCoreNs)
            c = _lastCoreNs;
        _lastCoreNs = c;
        VenueNs = v;
        CoreNs = c;
    }
}
