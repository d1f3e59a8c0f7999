using Fathom.Core;
using Fathom.Journal;
using Fathom.MarketData;

namespace Fathom.Venues.Okx;

/// <summary>
/// The part of the OKX feed that belongs to the core: the parser, the router, each instrument's
/// <see cref="BookSync"/> (<see cref="SyncRule.Okx"/> with the CRC-32 checksum), and the hook that runs the
/// engine after every applied input. No sockets, no HTTP: <see cref="OkxMarketDataFeed"/> owns one and hands
/// it what the network delivered, and a journal replay owns one and hands it what the journal recorded,
/// through the same methods.
/// </summary>
/// <remarks>
/// Every method here runs under <see cref="CoreLock"/> (the callers take it), journals its input first when a
/// <see cref="Journal"/> is attached, then applies it and calls <see cref="AfterApply"/>. The journal records are
/// the venue-neutral kinds Binance's core writes (<see cref="RecordKind.CoreFrame"/>: a WebSocket text frame;
/// <see cref="RecordKind.CoreSnapshot"/>: a REST <c>market/books</c> body, arg the <c>sz</c> asked for, tag a the
/// instrument; <see cref="RecordKind.FeedEvent"/>); which parser reads them follows from the journal's meta
/// record, whose instrument specs name their venue (<see cref="Venue.Okx"/>).
/// </remarks>
public sealed class OkxFeedCore : IFeedCore
{
    private readonly OkxStreamParser _parser;
    private readonly MarketDataRouter _router;
    private readonly BookSync[] _books;

    /// <param name="coreLock">The core's lock (the composition root's; a new one when null, for a feed used alone).</param>
    public OkxFeedCore(IReadOnlyList<InstrumentSpec> instruments, Action<SyncTransition>? observer = null,
        SyncOptions? syncOptions = null, Lock? coreLock = null)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        if (instruments.Count == 0)
            ThrowHelper.ThrowArgument(nameof(instruments), "at least one instrument is required.");
        CoreLock = coreLock ?? new Lock();
        Instruments = new OkxInstrumentTable();
        foreach (var spec in instruments)
            Instruments.Add(spec);
        _parser = new OkxStreamParser(Instruments);
        _router = new MarketDataRouter(Instruments.Count);
        _books = new BookSync[Instruments.Count];
        // BookSync's own timer silence is off, as for Binance: a replay must not decide silence on its own.
        syncOptions ??= new SyncOptions { SilenceTimeoutNs = 0 };
        for (int i = 0; i < Instruments.Count; i++)
        {
            _books[i] = OkxBooks.CreateSync(Instruments[i], syncOptions, observer);
            _router.Add(_books[i]);
        }
    }

    /// <summary>Held while an input is applied; take it to read books consistently.</summary>
    public Lock CoreLock { get; }
    public OkxInstrumentTable Instruments { get; }
    public IReadOnlyList<BookSync> Books => _books;
    public MarketDataRouter Router => _router;

    public void SetHandler(int instrumentId, IMarketDataHandler handler) => _router.SetHandler(instrumentId, handler);
    public MarketDataCounters ParserCounters => _parser.Counters;
    /// <summary>The parser itself, for its venue-error and ack counters.</summary>
    public OkxStreamParser Parser => _parser;

    /// <summary>Every input, stamped, for deterministic replay; shared with the engine.</summary>
    public CoreJournal? Journal { get; set; }

    /// <summary>Called under the core lock right after each input was applied to the books, with its monotonic stamp.</summary>
    public Action<long>? AfterApply { get; set; }

    /// <summary>Applies one WebSocket text frame (books, bbo-tbt, trades, subscribe acks, error events).</summary>
    public MarketDataError ApplyFrame(ReadOnlySpan<byte> frame, long readStampNs, long receiveNs, int connectionId)
    {
        Journal?.Frame(readStampNs, receiveNs, connectionId, frame);
        var router = _router;
        MarketDataError error = _parser.ParseFrame(frame, receiveNs, ref router);
        AfterApply?.Invoke(readStampNs);
        return error;
    }

    /// <summary>Applies one REST <c>GET /api/v5/market/books</c> answer for <paramref name="instrument"/> (the §8.4 splice is the book's).</summary>
    public MarketDataError ApplySnapshot(int instrument, int depth, ReadOnlySpan<byte> body, long monoNs, long receiveNs)
    {
        if ((uint)instrument >= (uint)_books.Length)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(instrument), "no such instrument.");
        Journal?.Snapshot(monoNs, receiveNs, instrument, depth, body);
        var router = _router;
        MarketDataError error = _parser.ParseRestBooks(body, Instruments[instrument], depth, receiveNs, ref router);
        AfterApply?.Invoke(monoNs);
        return error;
    }

    /// <summary>Marks every Live book stale (a disconnect, or the feed failing).</summary>
    public void MarkAllStale(StaleReason reason, long monoNs, long receiveNs)
    {
        Journal?.FeedEvent(monoNs, receiveNs, FeedEventKind.MarkAllStale, (int)reason);
        foreach (BookSync sync in _books)
            if (sync.State == SyncState.Live)
                sync.MarkStale(reason, receiveNs);
        AfterApply?.Invoke(monoNs);
    }

    /// <summary>Marks one book stale (journaled); no-op unless it is Live. The book resyncs once its updates return.</summary>
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

    /// <summary>The feed is about to fetch a REST snapshot for <paramref name="instrument"/>.</summary>
    public void TakeSnapshotRequest(int instrument, long monoNs, long receiveNs)
    {
        Journal?.FeedEvent(monoNs, receiveNs, FeedEventKind.SnapshotRequestTaken, instrument);
        _books[instrument].AcknowledgeSnapshotRequest();
    }

    /// <summary>A snapshot fetch failed (timeout, 5xx, 429, a venue error code): the book asks again.</summary>
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
