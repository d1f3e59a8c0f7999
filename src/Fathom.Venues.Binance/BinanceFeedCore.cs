using Fathom.Book;
using Fathom.Core;
using Fathom.Journal;
using Fathom.MarketData;

namespace Fathom.Venues.Binance;

/// <summary>
/// The part of the Binance feed that belongs to the core: the parser, the router, each symbol's
/// <see cref="BookSync"/>, and the hook that runs the engine after every applied input. No sockets,
/// no HTTP: <see cref="BinanceMarketDataFeed"/> owns one and hands it what the network delivered, and a
/// journal replay owns one and hands it what the journal recorded, through the same methods.
/// </summary>
/// <remarks>
/// Every method here runs under <see cref="CoreLock"/> (the callers take it), journals its input first
/// when a <see cref="Journal"/> is attached, then applies it and calls <see cref="AfterApply"/>.
/// </remarks>
public sealed class BinanceFeedCore : IFeedCore
{
    private readonly BinanceStreamParser _parser;
    private readonly MarketDataRouter _router;
    private readonly BookSync[] _books;
    private long _lastServerShutdowns;

    /// <param name="coreLock">The core's lock (the composition root's; a new one when null, for a feed used alone).</param>
    public BinanceFeedCore(IReadOnlyList<InstrumentSpec> instruments, bool usdm = false, Action<SyncTransition>? observer = null,
        SyncOptions? syncOptions = null, Lock? coreLock = null)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        CoreLock = coreLock ?? new Lock();
        if (instruments.Count == 0)
            ThrowHelper.ThrowArgument(nameof(instruments), "at least one instrument is required.");
        Symbols = new BinanceSymbolTable();
        foreach (var spec in instruments)
            Symbols.Add(spec);
        _parser = new BinanceStreamParser(Symbols);
        // Binance trade ids (spot `t`, USD-M `a`) rise strictly per symbol, and a planned reconnect's two
        // connections both carry the overlap's trades: each is passed on once.
        _router = new MarketDataRouter(Symbols.Count) { DropRepeatedTrades = true };
        _books = new BookSync[Symbols.Count];
        // BookSync's own timer silence is off: the live feed's watchdog applies per-symbol limits through
        // MarkSilentBooksStale (journaled), and a replay must not decide silence on its own.
        syncOptions ??= new SyncOptions { SilenceTimeoutNs = 0 };
        for (int i = 0; i < Symbols.Count; i++)
        {
            _books[i] = new BookSync(i, new OrderBook(Symbols[i].Spec), usdm ? SyncRule.BinanceUsdM : SyncRule.BinanceSpot, syncOptions, observer);
            _router.Add(_books[i]);
        }
    }

    /// <summary>Held while an input is applied; take it to read books consistently.</summary>
    public Lock CoreLock { get; }
    public BinanceSymbolTable Symbols { get; }
    public IReadOnlyList<BookSync> Books => _books;
    public MarketDataRouter Router => _router;

    public void SetHandler(int instrumentId, IMarketDataHandler handler) => _router.SetHandler(instrumentId, handler);
    public MarketDataCounters ParserCounters => _parser.Counters;

    /// <summary>Raw frames and snapshot bodies, for <c>fathom record</c> (market data only).</summary>
    public RecordingWriter? Recorder { get; set; }

    /// <summary>Every input, stamped, for deterministic replay; shared with the engine.</summary>
    public CoreJournal? Journal { get; set; }

    /// <summary>
    /// Called under the core lock right after each input was applied to the books, with its monotonic
    /// stamp (for a frame: taken when it was read from the socket).
    /// </summary>
    public Action<long>? AfterApply { get; set; }

    /// <summary>Applies one stream frame; true when it carried a <c>serverShutdown</c> notice.</summary>
    public bool ApplyFrame(ReadOnlySpan<byte> frame, long readStampNs, long receiveNs, int connectionId)
    {
        Journal?.Frame(readStampNs, receiveNs, connectionId, frame);
        Recorder?.TryAppendFrame(receiveNs, frame, connectionId);
        var router = _router;
        _parser.ParseFrame(frame, receiveNs, ref router);
        bool shutdown = _router.ServerShutdowns != _lastServerShutdowns;
        _lastServerShutdowns = _router.ServerShutdowns;
        AfterApply?.Invoke(readStampNs);
        return shutdown;
    }

    /// <summary>Applies one REST depth snapshot for <paramref name="instrument"/>.</summary>
    public void ApplySnapshot(int instrument, int depth, ReadOnlySpan<byte> body, long monoNs, long receiveNs)
    {
        BinanceSymbol symbol = Symbols[instrument];
        Journal?.Snapshot(monoNs, receiveNs, instrument, depth, body);
        Recorder?.TryAppendSnapshot(receiveNs, symbol.Spec.Symbol, depth, body);
        var router = _router;
        _parser.ParseSnapshot(body, symbol, depth, receiveNs, ref router);
        AfterApply?.Invoke(monoNs);
    }

    /// <summary>Marks every Live book stale (a disconnect, or the feed failing).</summary>
    public void MarkAllStale(StaleReason reason, long monoNs, long receiveNs)
    {
        Journal?.FeedEvent(monoNs, receiveNs, FeedEventKind.MarkAllStale, (int)reason);
        foreach (BookSync sync in _books)
            if (sync.State == SyncState.Live)
                sync.MarkStale(reason, receiveNs);
        // The connection is gone: the next one overlaps nothing, and the venue may have started its trade ids again
        // (a testnet reset, a restarted simulator), which must not be refused as repeats.
        if (reason == StaleReason.Disconnected)
            _router.ForgetTradeIds();
        AfterApply?.Invoke(monoNs);
    }

    /// <summary>
    /// Marks one book stale (journaled as <see cref="FeedEventKind.MarkStale"/>) and runs
    /// <see cref="AfterApply"/>, so the engine and risk see it with this input. No-op (but still journaled
    /// and replayed) unless the book is Live: the book resyncs from a fresh snapshot once its diffs return.
    /// </summary>
    public void MarkStale(int instrument, StaleReason reason, long monoNs, long wallNs)
    {
        if ((uint)instrument >= (uint)_books.Length)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(instrument), "no such instrument.");
        Journal?.FeedEvent(monoNs, wallNs, FeedEventKind.MarkStale, instrument, (int)reason);
        BookSync sync = _books[instrument];
        if (sync.State == SyncState.Live)
            sync.MarkStale(reason, wallNs);
        AfterApply?.Invoke(monoNs);
    }

    /// <summary>
    /// The silence watchdog: every Live book whose depth and top-of-book streams have both been quiet for
    /// more than its limit (<paramref name="limitsNs"/>, by instrument; 0 = never) at <paramref name="wallNs"/>
    /// (the receive clock frames are stamped with) goes Stale with <see cref="StaleReason.Silence"/>, each
    /// through <see cref="MarkStale"/>. Returns how many did. The check itself is not an input; only its
    /// outcome is, so a replay reproduces it from the journal without a clock.
    /// </summary>
    public int MarkSilentBooksStale(ReadOnlySpan<long> limitsNs, long monoNs, long wallNs)
    {
        int marked = 0;
        for (int i = 0; i < _books.Length && i < limitsNs.Length; i++)
        {
            if (_books[i].IsSilent(wallNs, limitsNs[i]))
            {
                MarkStale(i, StaleReason.Silence, monoNs, wallNs);
                marked++;
            }
        }
        return marked;
    }

    /// <summary>The feed is about to fetch a snapshot for <paramref name="instrument"/>.</summary>
    public void TakeSnapshotRequest(int instrument, long monoNs, long receiveNs)
    {
        Journal?.FeedEvent(monoNs, receiveNs, FeedEventKind.SnapshotRequestTaken, instrument);
        _books[instrument].AcknowledgeSnapshotRequest();
    }

    /// <summary>A snapshot fetch failed: the book asks again.</summary>
    public void RequestSnapshotAgain(int instrument, long monoNs, long receiveNs)
    {
        Journal?.FeedEvent(monoNs, receiveNs, FeedEventKind.SnapshotRequestedAgain, instrument);
        _books[instrument].RequestSnapshotAgain();
    }

    /// <summary>Replays one market-data journal entry; false when the entry is not the feed's.</summary>
    public bool Replay(in JournalEntry entry)
    {
        switch (entry.Kind)
        {
            case RecordKind.CoreFrame:
                ApplyFrame(entry.Payload, entry.MonoNs, entry.WallNs, entry.Arg);
                return true;
            case RecordKind.CoreSnapshot:
                ApplySnapshot(entry.A, entry.Arg, entry.Payload, entry.MonoNs, entry.WallNs);
                return true;
            case RecordKind.FeedEvent:
                switch ((FeedEventKind)entry.Arg)
                {
                    case FeedEventKind.MarkAllStale: MarkAllStale((StaleReason)entry.A, entry.MonoNs, entry.WallNs); break;
                    case FeedEventKind.SnapshotRequestTaken: TakeSnapshotRequest(entry.A, entry.MonoNs, entry.WallNs); break;
                    case FeedEventKind.SnapshotRequestedAgain: RequestSnapshotAgain(entry.A, entry.MonoNs, entry.WallNs); break;
                    case FeedEventKind.MarkStale: MarkStale(entry.A, (StaleReason)entry.B, entry.MonoNs, entry.WallNs); break;
                    default: ThrowHelper.ThrowInvalidOperation($"journal input {entry.Sequence}: unknown feed event {entry.Arg}"); break;
                }
                return true;
            default:
                return false;
        }
    }
}
