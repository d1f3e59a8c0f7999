using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Backtest;

/// <summary>
/// Hands parsed market data to the simulated venue at exchange time: each level of a diff or snapshot as
/// <see cref="IBacktestVenue.OnLevel"/>, a snapshot first as <see cref="IBacktestVenue.OnBookCleared"/>, each trade
/// with its aggressor. The ticker is not the venue's business (its depth is). Counts events as the store benchmark
/// does: one per level, ticker, trade, grid change, shutdown notice or message error.
/// </summary>
internal struct VenueFeed(IBacktestVenue venue, long[] tickRaw) : IMarketDataHandler
{
    public long NowNs;
    public long Events;

    public void OnBookDelta(in BookDelta delta)
    {
        Levels(delta.InstrumentId, delta.Bids, delta.Asks);
    }

    public void OnBookSnapshot(in BookSnapshot snapshot)
    {
        venue.OnBookCleared(snapshot.InstrumentId, NowNs);
        Levels(snapshot.InstrumentId, snapshot.Bids, snapshot.Asks);
    }

    private void Levels(int instrument, ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks)
    {
        long tick = tickRaw[instrument];
        foreach (Level l in bids)
            venue.OnLevel(instrument, OrderSide.Buy, new Price(l.Tick * tick), new Qty(l.Qty), NowNs);
        foreach (Level l in asks)
            venue.OnLevel(instrument, OrderSide.Sell, new Price(l.Tick * tick), new Qty(l.Qty), NowNs);
        Events += bids.Length + asks.Length;
    }

    public void OnTopOfBook(in TopOfBook top) => Events++;

    public void OnTrade(in Trade trade)
    {
        venue.OnTrade(trade.InstrumentId, trade.BuyerIsMaker ? OrderSide.Sell : OrderSide.Buy,
            new Price(trade.PriceTick * tickRaw[trade.InstrumentId]), new Qty(trade.Qty), NowNs);
        Events++;
    }

    public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) => Events++;

    public void OnBookGridChanged(int instrumentId, long newTickRaw)
    {
        // Later levels of this instrument are on the finer grid.
        tickRaw[instrumentId] = newTickRaw;
        Events++;
    }

    public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs) => Events++;
}
