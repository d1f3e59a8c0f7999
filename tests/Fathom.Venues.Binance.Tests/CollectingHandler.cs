using Fathom.Book;
using Fathom.MarketData;

namespace Fathom.Venues.Binance.Tests;

/// <summary>Copies whatever the parser delivers so tests can look at it afterwards.</summary>
internal sealed class CollectingHandler : IMarketDataHandler
{
    public readonly record struct DeltaCopy(int InstrumentId, long First, long Final, long PrevFinal, long ExchangeTimeMs, long ReceiveNs, Level[] Bids, Level[] Asks);
    public readonly record struct SnapshotCopy(int InstrumentId, long LastUpdateId, Level[] Bids, Level[] Asks, bool BidsComplete, bool AsksComplete);

    public readonly List<DeltaCopy> Deltas = [];
    public readonly List<SnapshotCopy> Snapshots = [];
    public readonly List<TopOfBook> Tops = [];
    public readonly List<Trade> Trades = [];
    public readonly List<(int Instrument, MarketDataError Error)> Errors = [];
    public int Shutdowns;

    public int Events => Deltas.Count + Snapshots.Count + Tops.Count + Trades.Count + Shutdowns;

    public void OnBookDelta(in BookDelta d) =>
        Deltas.Add(new DeltaCopy(d.InstrumentId, d.FirstUpdateId, d.FinalUpdateId, d.PrevFinalUpdateId, d.ExchangeTimeMs, d.ReceiveTimeNs, d.Bids.ToArray(), d.Asks.ToArray()));

    public void OnBookSnapshot(in BookSnapshot s) =>
        Snapshots.Add(new SnapshotCopy(s.InstrumentId, s.LastUpdateId, s.Bids.ToArray(), s.Asks.ToArray(), s.BidsComplete, s.AsksComplete));

    public void OnTopOfBook(in TopOfBook top) => Tops.Add(top);
    public void OnTrade(in Trade trade) => Trades.Add(trade);
    public readonly List<(int Instrument, long TickRaw)> GridChanges = [];
    public void OnBookGridChanged(int instrumentId, long newTickRaw) => GridChanges.Add((instrumentId, newTickRaw));
    public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) => Shutdowns++;
    public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs) => Errors.Add((instrumentId, error));
}
