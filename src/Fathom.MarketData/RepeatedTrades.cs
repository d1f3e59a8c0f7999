using System.Runtime.CompilerServices;

namespace Fathom.MarketData;

/// <summary>
/// Tells a trade seen before from a new one, for venues whose trade ids rise strictly per symbol on the stream
/// (Binance's <c>t</c> and <c>a</c>): a trade whose id is not above the highest its instrument has admitted is a
/// repeat. Two connections overlapping during a planned reconnect both carry the same trades, and so does a
/// recording of them.
/// </summary>
public sealed class RepeatedTrades
{
    private readonly long[] _highest;

    public RepeatedTrades(int instrumentCount)
    {
        _highest = new long[instrumentCount];
        Array.Fill(_highest, long.MinValue);
    }

    /// <summary>Trades refused as repeats.</summary>
    public long Repeats { get; private set; }

    /// <summary>
    /// Forgets every instrument's highest id, so the next trade of each is admitted whatever its id: after a lost
    /// connection nothing overlaps, and a venue that started its ids again (a testnet reset, a restarted simulator)
    /// must not have its trades refused as repeats.
    /// </summary>
    public void Forget() => Array.Fill(_highest, long.MinValue);

    /// <summary>
    /// True for a new trade (its id becomes its instrument's highest); false, counted in <see cref="Repeats"/>, for a
    /// repeat. A trade of an instrument outside the table is admitted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Admit(in Trade trade)
    {
        if ((uint)trade.InstrumentId >= (uint)_highest.Length)
            return true;
        ref long highest = ref _highest[trade.InstrumentId];
        if (trade.TradeId <= highest)
        {
            Repeats++;
            return false;
        }
        highest = trade.TradeId;
        return true;
    }
}

/// <summary>
/// Passes every event to <typeparamref name="THandler"/> but the trades <see cref="RepeatedTrades"/> refuses:
/// for feeding recorded Binance data (which may hold an overlap's trades twice) to a handler that must see each
/// trade once, such as the store writer.
/// </summary>
public struct DropRepeatedTrades<THandler>(RepeatedTrades filter, THandler inner) : IMarketDataHandler
    where THandler : IMarketDataHandler
{
    private THandler _inner = inner;

    public readonly RepeatedTrades Filter => filter;

    public void OnBookDelta(in BookDelta delta) => _inner.OnBookDelta(delta);
    public void OnBookSnapshot(in BookSnapshot snapshot) => _inner.OnBookSnapshot(snapshot);
    public void OnTopOfBook(in TopOfBook top) => _inner.OnTopOfBook(top);

    public void OnTrade(in Trade trade)
    {
        if (filter.Admit(trade))
            _inner.OnTrade(trade);
    }

    public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) => _inner.OnServerShutdown(exchangeTimeMs, receiveTimeNs);
    public void OnBookGridChanged(int instrumentId, long newTickRaw) => _inner.OnBookGridChanged(instrumentId, newTickRaw);
    public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs) => _inner.OnMessageError(instrumentId, error, receiveTimeNs);
}
