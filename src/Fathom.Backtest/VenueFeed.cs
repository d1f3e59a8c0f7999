using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Backtest;

/// <summary>
/// Hands parsed market data to the simulated venue at exchange time: each level of a diff or snapshot as
/// <see cref="IBacktestVenue.OnLevel"/>, a snapshot first as <see cref="IBacktestVenue.OnBookCleared"/>, each trade
/// with its aggressor, each best bid/ask newer than the book as <see cref="IBacktestVenue.OnTopOfBook"/>. Counts events as the store benchmark does: one per level, ticker, trade, grid change, shutdown
/// notice or message error; a message of a symbol not configured is not an event of this run (a store's reader skips
/// those instruments' records, so both count the same).
/// </summary>
/// <remarks>
/// Binance keeps resting orders at their old prices after it raises a tick size, so a recorded book can hold levels
/// between the instrument's ticks (the parser then moves the book to a finer grid). Such a level, or a trade at such a
/// price, is not given to the venue: its matching engine is on the instrument's order-entry grid, where none of our
/// orders can be at that price.
/// A recording across a planned reconnect holds what both connections carried during the overlap, replayed after the
/// old connection's last frames: a diff the venue's book already contains (its final update id not above the last
/// given) is not given again, which would put older sizes back, and a trade whose id is not above its symbol's highest
/// is not given again, which would fill our orders twice (neither is counted as an event).
/// </remarks>
internal struct VenueFeed(IBacktestVenue venue, long[] tickRaw) : IMarketDataHandler
{
    // The instruments' order-entry ticks (tickRaw follows the parser's grid, which a refinement makes finer).
    private readonly long[] _entryTickRaw = (long[])tickRaw.Clone();
    // Per instrument: the final update id of the last diff (or the snapshot's) given to the venue.
    private readonly long[] _bookUpdateId = new long[tickRaw.Length];
    private readonly RepeatedTrades _trades = new(tickRaw.Length);

    public long NowNs;
    public long Events;

    public void OnBookDelta(in BookDelta delta)
    {
        if (delta.FinalUpdateId <= _bookUpdateId[delta.InstrumentId])
            return; // contained already: a repeat from overlapping connections, or a diff the snapshot holds
        _bookUpdateId[delta.InstrumentId] = delta.FinalUpdateId;
        Levels(delta.InstrumentId, delta.Bids, delta.Asks);
    }

    public void OnBookSnapshot(in BookSnapshot snapshot)
    {
        _bookUpdateId[snapshot.InstrumentId] = snapshot.LastUpdateId;
        venue.OnBookCleared(snapshot.InstrumentId, NowNs);
        Levels(snapshot.InstrumentId, snapshot.Bids, snapshot.Asks);
    }

    private void Levels(int instrument, ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks)
    {
        long tick = tickRaw[instrument];
        long entryTick = _entryTickRaw[instrument];
        if (tick == entryTick)
        {
            // The parser's grid is the order-entry grid (no refinement): every level is on it, no division per level.
            foreach (Level l in bids)
                venue.OnLevel(instrument, OrderSide.Buy, new Price(l.Tick * tick), new Qty(l.Qty), NowNs);
            foreach (Level l in asks)
                venue.OnLevel(instrument, OrderSide.Sell, new Price(l.Tick * tick), new Qty(l.Qty), NowNs);
        }
        else
        {
            foreach (Level l in bids)
                if (l.Tick * tick % entryTick == 0)
                    venue.OnLevel(instrument, OrderSide.Buy, new Price(l.Tick * tick), new Qty(l.Qty), NowNs);
            foreach (Level l in asks)
                if (l.Tick * tick % entryTick == 0)
                    venue.OnLevel(instrument, OrderSide.Sell, new Price(l.Tick * tick), new Qty(l.Qty), NowNs);
        }
        Events += bids.Length + asks.Length;
    }

    /// <summary>A ticker newer than the last depth update given (its update id is later in the same sequence) keeps the
    /// venue's touch current between diffs; an older one is already contained in the book, as the core's book sync
    /// treats it. A side off the order-entry grid is not given.</summary>
    public void OnTopOfBook(in TopOfBook top)
    {
        Events++;
        int i = top.InstrumentId;
        if (top.UpdateId <= _bookUpdateId[i])
            return;
        long tick = tickRaw[i], entryTick = _entryTickRaw[i];
        long bid = top.BidTick * tick, ask = top.AskTick * tick;
        bool onGrid = tick == entryTick; // then every price is on the order-entry grid
        venue.OnTopOfBook(i, new Price(bid), new Qty(onGrid || bid % entryTick == 0 ? top.BidQty : 0),
            new Price(ask), new Qty(onGrid || ask % entryTick == 0 ? top.AskQty : 0), NowNs);
    }

    public void OnTrade(in Trade trade)
    {
        if (!_trades.Admit(trade))
            return;
        long tick = tickRaw[trade.InstrumentId], entryTick = _entryTickRaw[trade.InstrumentId];
        long price = trade.PriceTick * tick;
        if (tick == entryTick || price % entryTick == 0)
            venue.OnTrade(trade.InstrumentId, trade.BuyerIsMaker ? OrderSide.Sell : OrderSide.Buy, new Price(price), new Qty(trade.Qty), NowNs);
        Events++;
    }

    public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) => Events++;

    public void OnBookGridChanged(int instrumentId, long newTickRaw)
    {
        // Later levels of this instrument are on the finer grid.
        tickRaw[instrumentId] = newTickRaw;
        Events++;
    }

    public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs)
    {
        if (error != MarketDataError.UnknownSymbol)
            Events++;
    }
}
