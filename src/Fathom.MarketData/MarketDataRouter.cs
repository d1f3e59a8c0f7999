using Fathom.Book;

namespace Fathom.MarketData;

/// <summary>
/// Routes normalized events to each symbol's <see cref="BookSync"/> and turns message errors into
/// Stale on the symbol they belong to, and only that symbol.
/// </summary>
public sealed class MarketDataRouter : IMarketDataHandler
{
    private readonly BookSync?[] _books;
    private readonly IMarketDataHandler?[] _handlers;
    // Null: repeats are not looked for.
    private RepeatedTrades? _repeats;

    public MarketDataRouter(int instrumentCount)
    {
        _books = new BookSync?[instrumentCount];
        _handlers = new IMarketDataHandler?[instrumentCount];
    }

    /// <summary>
    /// Drops a trade whose id is not above the highest its instrument has passed on, counting it in
    /// <see cref="RepeatedTrades"/>. For venues whose trade ids rise strictly per symbol on the stream
    /// (Binance's <c>t</c> and <c>a</c>): two connections overlapping during a planned reconnect both
    /// carry the same trades, and a trade seen twice would count twice in the signals, the recording
    /// and the store. Off by default. Set before the first trade.
    /// </summary>
    public bool DropRepeatedTrades
    {
        get => _repeats is not null;
        set
        {
            if (value != DropRepeatedTrades)
                _repeats = value ? new RepeatedTrades(_books.Length) : null;
        }
    }

    /// <summary>
    /// Routes one instrument's deltas, snapshots, tickers, trades and grid changes through
    /// <paramref name="handler"/> instead of straight to its <see cref="BookSync"/> (the handler then
    /// owns calling the sync, e.g. the signal analyzer's feed, which reads old level sizes first).
    /// </summary>
    public void SetHandler(int instrumentId, IMarketDataHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers[instrumentId] = handler;
    }

    private IMarketDataHandler? HandlerOf(int instrumentId) => (uint)instrumentId < (uint)_handlers.Length ? _handlers[instrumentId] : null;

    public void Add(BookSync sync)
    {
        ArgumentNullException.ThrowIfNull(sync);
        _books[sync.InstrumentId] = sync;
    }

    public BookSync? this[int instrumentId] => (uint)instrumentId < (uint)_books.Length ? _books[instrumentId] : null;

    /// <summary>Optional cross-check of each book against the real-time ticker (tests, <c>fathom book</c>).</summary>
    public TopOfBookCheck? Check { get; set; }

    /// <summary>Receives trades (signals, recorders). Optional.</summary>
    public Action<Trade>? TradeSink { get; set; }

    /// <summary>Trades passed on to the handler and the sink.</summary>
    public long Trades { get; private set; }
    /// <summary>Trades dropped because their instrument had already passed on that id or a higher one (<see cref="DropRepeatedTrades"/>).</summary>
    public long RepeatedTrades => _repeats?.Repeats ?? 0;

    /// <summary>With <see cref="DropRepeatedTrades"/>: the next trade of each instrument passes whatever its id (<see cref="Fathom.MarketData.RepeatedTrades.Forget"/>).</summary>
    public void ForgetTradeIds() => _repeats?.Forget();
    public long ServerShutdowns { get; private set; }
    public long UnroutedErrors { get; private set; }

    public void OnBookDelta(in BookDelta delta)
    {
        BookSync? sync = this[delta.InstrumentId];
        if (sync is null)
            return;
        long before = sync.Book.UpdateId;
        if (HandlerOf(delta.InstrumentId) is { } handler)
            handler.OnBookDelta(delta);
        else
            sync.OnDelta(delta);
        if (Check is not null && sync.IsLive && sync.Book.UpdateId != before)
            Check.OnBookUpdated(sync.InstrumentId, sync.Book);
    }

    public void OnBookSnapshot(in BookSnapshot snapshot)
    {
        BookSync? sync = this[snapshot.InstrumentId];
        if (sync is null)
            return;
        long before = sync.Book.UpdateId;
        if (HandlerOf(snapshot.InstrumentId) is { } handler)
            handler.OnBookSnapshot(snapshot);
        else
            sync.OnSnapshot(snapshot);
        // Buffered diffs applied during the splice move the book too.
        if (Check is not null && sync.IsLive && sync.Book.UpdateId != before)
            Check.OnBookUpdated(sync.InstrumentId, sync.Book);
    }

    public void OnTopOfBook(in TopOfBook top)
    {
        BookSync? sync = this[top.InstrumentId];
        if (sync is null)
            return;
        if (HandlerOf(top.InstrumentId) is { } handler)
            handler.OnTopOfBook(top);
        else
            sync.OnTopOfBook(top);
        Check?.OnTopOfBook(top, sync.Book, sync.IsLive);
    }

    public void OnTrade(in Trade trade)
    {
        if (_repeats is { } repeats && !repeats.Admit(trade))
            return;
        Trades++;
        HandlerOf(trade.InstrumentId)?.OnTrade(trade);
        TradeSink?.Invoke(trade);
    }

    public void OnBookGridChanged(int instrumentId, long newTickRaw)
    {
        BookSync? sync = this[instrumentId];
        if (sync is null)
            return;
        if (HandlerOf(instrumentId) is { } handler)
            handler.OnBookGridChanged(instrumentId, newTickRaw);
        else
            sync.OnGridChanged(newTickRaw);
        Check?.Reset(instrumentId); // waiting tickers hold prices on the old grid
    }

    public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) => ServerShutdowns++;

    public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs)
    {
        BookSync? sync = this[instrumentId];
        if (sync is null)
        {
            UnroutedErrors++;
            return;
        }
        sync.MarkStale(error == MarketDataError.OffTick ? StaleReason.OffTick : StaleReason.Malformed, receiveTimeNs);
        Check?.Reset(instrumentId);
    }
}
