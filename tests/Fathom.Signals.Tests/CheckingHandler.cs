using Fathom.Book;
using Fathom.MarketData;

namespace Fathom.Signals.Tests;

/// <summary>
/// Sits in front of a <see cref="SignalFeed"/> on a replay: passes every event on, mirrors the
/// ones the engine saw into <see cref="NaiveSignals"/>, and compares all outputs after each diff,
/// snapshot and trade. Tickers are passed on but change no signal, so they are not compared.
/// </summary>
internal sealed class CheckingHandler(SignalFeed feed, NaiveSignals naive) : IMarketDataHandler
{
    public long Events;
    public long Compared;
    public long DiffsChecked;
    public long WithdrawnSeen, TradedSeen, WallsSeen, AbsorbingSeen, OutliersSeen, LevelZSeen, VolatileSeen;

    private SignalEngine Engine => feed.Engine;

    public void OnBookDelta(in BookDelta delta)
    {
        Events++;
        OrderBook book = feed.Sync.Book;
        long before = book.UpdateId;
        feed.OnBookDelta(delta);
        if (book.UpdateId == before || !Engine.IsReady)
            return;
        naive.Delta(delta.ExchangeTimeMs, delta.Bids, delta.Asks, book.TicksToPrice(1.0));
        DiffsChecked++;
        // The reference book must be in step with the real one, or the comparison proves nothing.
        SignalAssert.Equal(book.BestBidTick, naive.Book.BestTick[0], "reference best bid", $"diff u={delta.FinalUpdateId}");
        SignalAssert.Equal(book.BestAskQty, naive.Book.BestQty[1], "reference best ask qty", $"diff u={delta.FinalUpdateId}");
        SignalAssert.Same(book.Microprice, Engine.Imbalance.Microprice, "microprice vs OrderBook", $"diff u={delta.FinalUpdateId}");
        Check($"diff u={delta.FinalUpdateId} E={delta.ExchangeTimeMs}");
    }

    public void OnBookSnapshot(in BookSnapshot snapshot)
    {
        Events++;
        long resets = Engine.Resets;
        feed.OnBookSnapshot(snapshot);
        if (Engine.Resets != resets)
            naive.Reset(feed.Sync.Book);
        Check($"snapshot {snapshot.LastUpdateId}");
    }

    public void OnTopOfBook(in TopOfBook top)
    {
        Events++;
        feed.OnTopOfBook(top);
    }

    public void OnTrade(in Trade trade)
    {
        Events++;
        feed.OnTrade(trade);
        naive.Trade(trade);
        Check($"trade {trade.TradeId} T={trade.TradeTimeMs}");
    }

    public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) => feed.OnServerShutdown(exchangeTimeMs, receiveTimeNs);

    public void OnBookGridChanged(int instrumentId, long newTickRaw) => feed.OnBookGridChanged(instrumentId, newTickRaw);

    public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs) =>
        feed.OnMessageError(instrumentId, error, receiveTimeNs);

    private void Check(string where)
    {
        SignalAssert.Matches(Engine, naive, where);
        Compared++;
        SignalEngine e = Engine;
        if (e.Withdrawal.Withdrawn(Side.Bid) + e.Withdrawal.Withdrawn(Side.Ask) > 0) WithdrawnSeen++;
        if (e.Withdrawal.Traded(Side.Bid) + e.Withdrawal.Traded(Side.Ask) > 0) TradedSeen++;
        if (e.Walls.Bid.Exists || e.Walls.Ask.Exists) WallsSeen++;
        if (e.Absorption.IsAbsorbing(Side.Bid) || e.Absorption.IsAbsorbing(Side.Ask)) AbsorbingSeen++;
        if (e.Sizes.LastTradeIsOutlier) OutliersSeen++;
        if (!double.IsNaN(e.Sizes.LevelZ(Side.Bid))) LevelZSeen++;
        if (e.Volatility.SumSquares > 0) VolatileSeen++;
    }
}
