using Fathom.Book;
using Fathom.MarketData;

namespace Fathom.Signals;

/// <summary>
/// Drives one instrument's <see cref="SignalEngine"/> from normalized market data, behind its
/// <see cref="BookSync"/>: the sync keeps every sequence rule and applies diffs, handing back each
/// level's old size, and the feed tells the engine only about diffs that were applied.
/// </summary>
/// <remarks>
/// The engine needs the size a level had before an update (withdrawal measures decreases, weighted depth
/// subtracts old terms); the book's update returns it, and the sync writes it to the feed's buffers as it
/// applies the diff (<see cref="BookSync.OnDelta(in BookDelta, Span{long}, Span{long})"/>), so each level is
/// looked up once. This assumes a diff names each price at most once per side, as Binance's do. Diffs buffered while syncing are spliced inside <see cref="BookSync.OnSnapshot"/>
/// without level-by-level notice, so the engine is reset from the book whenever the sync goes live.
/// Events for other instruments are ignored: the engine composition routes by instrument id.
/// </remarks>
public sealed class SignalFeed : IMarketDataHandler
{
    private readonly BookSync _sync;
    private long[] _oldBids = new long[1024];
    private long[] _oldAsks = new long[1024];

    public SignalFeed(BookSync sync, SignalEngine engine)
    {
        ArgumentNullException.ThrowIfNull(sync);
        ArgumentNullException.ThrowIfNull(engine);
        _sync = sync;
        Engine = engine;
    }

    public BookSync Sync => _sync;
    public SignalEngine Engine { get; }
    public int InstrumentId => _sync.InstrumentId;

    public void OnBookDelta(in BookDelta delta)
    {
        if (delta.InstrumentId != _sync.InstrumentId)
            return;
        if (!_sync.IsLive)
        {
            _sync.OnDelta(delta); // buffered until the snapshot; the reset will read the book
            return;
        }
        OrderBook book = _sync.Book;
        ReadOnlySpan<Level> bids = delta.Bids, asks = delta.Asks;
        if (bids.Length > _oldBids.Length || asks.Length > _oldAsks.Length)
            Grow(bids.Length, asks.Length);

        long before = book.UpdateId;
        // The sync writes each level's old size as it applies it (written only when the diff is applied).
        _sync.OnDelta(delta, _oldBids.AsSpan(0, bids.Length), _oldAsks.AsSpan(0, asks.Length));
        if (book.UpdateId == before)
            return; // dropped: a duplicate, or a gap that sent the sync Stale

        SignalEngine engine = Engine;
        engine.BeginDelta(delta.ExchangeTimeMs);
        for (int i = 0; i < bids.Length; i++)
            engine.OnLevelChange(Side.Bid, bids[i].Tick, _oldBids[i], bids[i].Qty);
        for (int i = 0; i < asks.Length; i++)
            engine.OnLevelChange(Side.Ask, asks[i].Tick, _oldAsks[i], asks[i].Qty);
        engine.EndDelta(book);
    }

    public void OnBookSnapshot(in BookSnapshot snapshot)
    {
        if (snapshot.InstrumentId != _sync.InstrumentId)
            return;
        bool wasLive = _sync.IsLive;
        _sync.OnSnapshot(snapshot);
        if (!wasLive && _sync.IsLive)
            Engine.Reset(_sync.Book);
    }

    public void OnTopOfBook(in TopOfBook top)
    {
        if (top.InstrumentId == _sync.InstrumentId)
            _sync.OnTopOfBook(top);
    }

    public void OnTrade(in Trade trade)
    {
        if (trade.InstrumentId == _sync.InstrumentId)
            Engine.OnTrade(trade);
    }

    public void OnBookGridChanged(int instrumentId, long newTickRaw)
    {
        if (instrumentId != _sync.InstrumentId)
            return;
        _sync.OnGridChanged(newTickRaw);
        // Every tick the engine holds is on the old grid.
        if (_sync.IsLive)
            Engine.Reset(_sync.Book);
        else
            Engine.Suspend();
    }

    public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs)
    {
        // The connection will close; the disconnect (MarkStale) and the resync reset the engine.
    }

    public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs)
    {
        if (instrumentId == _sync.InstrumentId)
            _sync.MarkStale(error == MarketDataError.OffTick ? StaleReason.OffTick : StaleReason.Malformed, receiveTimeNs);
    }

    private void Grow(int bids, int asks)
    {
        if (bids > _oldBids.Length)
            _oldBids = new long[Math.Max(bids, _oldBids.Length * 2)];
        if (asks > _oldAsks.Length)
            _oldAsks = new long[Math.Max(asks, _oldAsks.Length * 2)];
    }
}
