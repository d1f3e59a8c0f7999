using Fathom.Book;

namespace Fathom.MarketData;

/// <summary>
/// One symbol's book and the state machine that keeps it in step with the venue:
/// <c>Syncing → Live → Stale → Resyncing → Live</c>.
/// </summary>
/// <remarks>
/// Entry points: <see cref="OnDelta"/>, <see cref="OnSnapshot"/>, <see cref="OnTopOfBook"/>,
/// <see cref="OnTimer"/> and <see cref="MarkStale"/>. When <see cref="SnapshotRequested"/> is set the
/// feed driver fetches a snapshot and passes it to <see cref="OnSnapshot"/>; deltas keep flowing in
/// meanwhile and are buffered. Every state change goes through <see cref="s_transitions"/>, is
/// counted, and is reported to the observer with the sequence numbers involved; an edge the table
/// refuses is counted in <see cref="SyncCounters.IllegalTransitions"/> and reported with
/// <see cref="SyncTransition.Illegal"/> set, the state unchanged. A failure on this
/// symbol never touches another symbol's <see cref="BookSync"/>. Single-threaded (core thread).
/// </remarks>
public sealed class BookSync
{
    private enum Trigger : byte
    {
        DeltaBuffered = 0,
        DeltaApplied,
        SnapshotApplied,
        SnapshotRejected,
        Failure,
    }

    private const byte Illegal = 0xFF;

    // Rows: current state (Syncing, Live, Stale, Resyncing); columns: Trigger. Non-obvious edges:
    // * Live + SnapshotApplied is illegal: nobody asked for it, so it is counted and ignored.
    // * Stale + SnapshotApplied → Live: the snapshot came back before any new diff; the next diff
    //   must then pass the first-diff rule against it.
    // * Syncing/Resyncing + Failure stay put: the buffer is dropped and a new snapshot requested.
    private static readonly byte[,] s_transitions =
    {
        //            DeltaBuffered              DeltaApplied          SnapshotApplied         SnapshotRejected           Failure
        /* Syncing */ { (byte)SyncState.Syncing,   Illegal,              (byte)SyncState.Live,   (byte)SyncState.Syncing,   (byte)SyncState.Syncing },
        /* Live    */ { Illegal,                   (byte)SyncState.Live, Illegal,                Illegal,                   (byte)SyncState.Stale },
        /* Stale   */ { (byte)SyncState.Resyncing, Illegal,              (byte)SyncState.Live,   (byte)SyncState.Stale,     (byte)SyncState.Stale },
        /* Resync  */ { (byte)SyncState.Resyncing, Illegal,              (byte)SyncState.Live,   (byte)SyncState.Resyncing, (byte)SyncState.Resyncing },
    };

    // Power of two. A planned reconnect replays every diff its new connection carried during the overlap (the
    // first-frame wait, the overlap, the old connection's close): about 10 a second at @100ms, hundreds at USD-M's
    // @0ms. All of them must be found here, or the book goes Stale and resyncs on a reconnect meant to keep it Live.
    // Only a diff older than the book searches it; applying one costs two stores whatever the size.
    private const int RecentCapacity = 1024;

    private readonly SyncRule _rule;
    private readonly SyncOptions _options;
    private readonly DeltaBuffer _buffer;
    private readonly Action<SyncTransition>? _observer;
    // The (U, u) of recently applied diffs: an old diff found here is a harmless repeat, not disorder.
    private readonly long[] _recentFirst = new long[RecentCapacity];
    private readonly long[] _recentFinal = new long[RecentCapacity];
    private int _recentNext;

    private bool _awaitingFirstDiff;
    // Receive-clock ns of the last sign of life on each stream (see IsSilent).
    private long _lastDepthReceiveNs;
    private long _lastTopReceiveNs;
    private TopOfBook _ticker;
    private bool _hasTicker;

    public BookSync(int instrumentId, OrderBook book, SyncRule rule, SyncOptions? options = null,
        Action<SyncTransition>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(book);
        InstrumentId = instrumentId;
        Book = book;
        _rule = rule;
        _options = options ?? SyncOptions.Default;
        _buffer = new DeltaBuffer(_options.MaxBufferedDeltas, _options.MaxBufferedLevels);
        _observer = observer;
        SnapshotRequested = true;
    }

    public int InstrumentId { get; }
    public OrderBook Book { get; }
    public SyncState State { get; private set; } = SyncState.Syncing;
    public SyncCounters Counters { get; } = new();

    /// <summary>Receive time against venue event time on this symbol's diffs (see <see cref="MarketData.FeedLag"/>).</summary>
    public FeedLag FeedLag { get; } = new();
    public SyncTransition LastTransition { get; private set; }

    /// <summary>The last edge the table refused (<see cref="SyncTransition.Illegal"/> set; default until one happens).</summary>
    public SyncTransition LastIllegal { get; private set; }
    public StaleReason LastFailure { get; private set; }

    /// <summary>True while a snapshot is wanted; cleared by <see cref="OnSnapshot"/> or <see cref="AcknowledgeSnapshotRequest"/>.</summary>
    public bool SnapshotRequested { get; private set; }

    /// <summary>True once a price was off the tick grid: instrument metadata should be refreshed before the next snapshot.</summary>
    public bool MetadataRefreshRequested { get; set; }

    /// <summary>
    /// The venue's book checksum (OKX), checked after every message that carries one; a mismatch is a
    /// loss of integrity like a gap. Null: checksums are not verified.
    /// </summary>
    public IBookChecksum? Checksum { get; set; }

    /// <summary>Live, and safe to quote against.</summary>
    public bool IsLive => State == SyncState.Live;

    /// <summary>The driver has started fetching the requested snapshot (avoids asking twice).</summary>
    public void AcknowledgeSnapshotRequest() => SnapshotRequested = false;

    /// <summary>The fetch failed (timeout, 5xx, rate limit): ask again. No-op while Live.</summary>
    public void RequestSnapshotAgain()
    {
        if (State != SyncState.Live)
            SnapshotRequested = true;
    }

    /// <summary>Diffs waiting for a snapshot. Binance's procedure fetches the snapshot only after buffering has begun.</summary>
    public int BufferedDiffs => _buffer.Count;

    public void OnDelta(in BookDelta delta) => OnDelta(delta, default, default);

    /// <summary>
    /// As <see cref="OnDelta(in BookDelta)"/>; when the diff is applied to the book (<see cref="OrderBook.UpdateId"/>
    /// moves), each level's quantity before it is written to <paramref name="oldBids"/> and <paramref name="oldAsks"/>
    /// (the book's update reads it anyway: no second lookup). Levels are applied in order, so a price named twice on
    /// one side would see the first update's quantity; Binance's and OKX's diffs name each price at most once per side.
    /// Nothing is written when the diff is buffered or dropped.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its side of the diff.</exception>
    public void OnDelta(in BookDelta delta, Span<long> oldBids, Span<long> oldAsks)
    {
        FeedLag.Record(delta.ReceiveTimeNs, delta.ExchangeTimeMs);
        // Any diff, in any state, applied or not (a duplicate too), shows the depth stream is alive.
        _lastDepthReceiveNs = Math.Max(_lastDepthReceiveNs, delta.ReceiveTimeNs);
        if (State == SyncState.Live)
        {
            if (!oldBids.IsEmpty || !oldAsks.IsEmpty)
            {
                if (oldBids.Length < delta.Bids.Length || oldAsks.Length < delta.Asks.Length)
                    throw new ArgumentException("the old-quantity spans are shorter than the diff's sides", nameof(oldBids));
            }
            ApplyLive(delta, oldBids, oldAsks);
            return;
        }
        if (!_buffer.TryAdd(delta))
        {
            Counters.BufferOverflows++;
            Fail(StaleReason.BufferOverflow, delta.FirstUpdateId, delta.FinalUpdateId, delta.ReceiveTimeNs);
            _buffer.TryAdd(delta); // start the new attempt with this diff
            return;
        }
        Counters.DiffsBuffered++;
        if (State == SyncState.Stale)
            Move(Trigger.DeltaBuffered, StaleReason.None, delta.FirstUpdateId, delta.FinalUpdateId, delta.ReceiveTimeNs);
    }

    public void OnSnapshot(in BookSnapshot snapshot)
    {
        SnapshotRequested = false;
        if (State == SyncState.Live)
        {
            // Unsolicited: the live book is already newer or equal. Counted as an illegal edge.
            Move(Trigger.SnapshotApplied, StaleReason.None, 0, snapshot.LastUpdateId, snapshot.ReceiveTimeNs);
            return;
        }
        long id = snapshot.LastUpdateId;
        // Find the first buffered diff the snapshot does not already contain.
        int first = 0;
        while (first < _buffer.Count && IsBeforeSnapshot(_buffer[first].First, _buffer[first].Final, id))
            first++;
        if (first < _buffer.Count && !FirstDiffChains(_buffer[first].First, _buffer[first].Final, id))
        {
            // The snapshot predates the buffered diffs (a gap between them): keep buffering, ask again.
            Counters.SnapshotsTooOld++;
            SnapshotRequested = true;
            Move(Trigger.SnapshotRejected, StaleReason.SnapshotTooOld, id, _buffer[first].First, _buffer[first].Final, snapshot.ReceiveTimeNs);
            return;
        }
        Book.ApplySnapshot(snapshot.Bids, snapshot.Asks, id, snapshot.BidsComplete, snapshot.AsksComplete);
        if (Book.IsCrossed)
        {
            // A crossed snapshot is corrupt (or from a broken venue session): never trade on it.
            Counters.Crossed++;
            Fail(StaleReason.Crossed, 0, id, snapshot.ReceiveTimeNs);
            return;
        }
        if (snapshot.HasChecksum && !ChecksumAgrees(snapshot.Checksum, 0, id, snapshot.ReceiveTimeNs))
            return;
        Counters.SnapshotsApplied++;
        Counters.DiffsDroppedBeforeSync += first;
        // Diffs the snapshot already contains: a later repeat of one is a harmless duplicate.
        for (int i = 0; i < first; i++)
            RememberApplied(_buffer[i].First, _buffer[i].Final);
        _awaitingFirstDiff = true;
        // Going Live starts a fresh silence window, even if the snapshot came back before any new diff.
        _lastDepthReceiveNs = Math.Max(_lastDepthReceiveNs, snapshot.ReceiveTimeNs);
        Move(Trigger.SnapshotApplied, StaleReason.None, id, 0, 0, snapshot.ReceiveTimeNs);
        LastFailure = StaleReason.None;

        int buffered = _buffer.Count;
        for (int i = first; i < buffered && State == SyncState.Live; i++)
            ApplyLive(_buffer.ToDelta(i, InstrumentId), default, default);
        _buffer.Clear();
    }

    /// <summary>A real-time best bid/ask. Kept while it is newer than the book; see <see cref="Top"/>.</summary>
    public void OnTopOfBook(in TopOfBook ticker)
    {
        Counters.TopOfBookUpdates++;
        _lastTopReceiveNs = Math.Max(_lastTopReceiveNs, ticker.ReceiveTimeNs);
        if (!_hasTicker || ticker.UpdateId >= _ticker.UpdateId)
        {
            _ticker = ticker;
            _hasTicker = true;
        }
    }

    /// <summary>
    /// The freshest best bid/ask: a ticker newer than the last applied diff wins (diffs arrive in
    /// 100 ms batches, tickers in real time) until a diff passes it.
    /// </summary>
    public EffectiveTop Top
    {
        get
        {
            if (_hasTicker && _ticker.UpdateId > Book.UpdateId && State == SyncState.Live)
                return new EffectiveTop(_ticker.BidTick, _ticker.BidQty, _ticker.AskTick, _ticker.AskQty, _ticker.UpdateId, FromTicker: true);
            return new EffectiveTop(Book.BestBidTick, Book.BestBidQty, Book.BestAskTick, Book.BestAskQty, Book.UpdateId, FromTicker: false);
        }
    }

    /// <summary>
    /// The parser moved this instrument to a finer book grid (a price arrived between grid points:
    /// Binance keeps resting orders at old prices after raising a tick size). The book, buffered diffs
    /// and the ticker are rescaled exactly; the state does not change. Instrument metadata should be
    /// refreshed, since the venue may also have changed its order-entry tick size.
    /// </summary>
    public void OnGridChanged(long newTickRaw)
    {
        long oldTickRaw = Book.TickRaw;
        if (newTickRaw == oldTickRaw)
            return;
        Book.Regrid(newTickRaw);
        long factor = oldTickRaw / newTickRaw;
        _buffer.Rescale(factor);
        if (_hasTicker)
            _ticker = _ticker with { BidTick = _ticker.BidTick * factor, AskTick = _ticker.AskTick * factor };
        Counters.GridRefinements++;
        MetadataRefreshRequested = true;
    }

    /// <summary>Receive time (ns) of the last diff for this symbol (in any state), or of the snapshot that made it Live if later.</summary>
    public long LastDepthReceiveNs => _lastDepthReceiveNs;

    /// <summary>Receive time (ns) of the last real-time best bid/ask for this symbol.</summary>
    public long LastTopOfBookReceiveNs => _lastTopReceiveNs;

    /// <summary>
    /// The silence rule: Live, and neither stream (depth diffs, top of book) has delivered anything for
    /// more than <paramref name="limitNs"/> at <paramref name="nowNs"/> (receive clock). A quiet diff stream
    /// with a live ticker is not silent: the book's levels did not change, but the symbol is being
    /// published. A limit of 0 or less never fires.
    /// </summary>
    public bool IsSilent(long nowNs, long limitNs) =>
        State == SyncState.Live && limitNs > 0 && nowNs - Math.Max(_lastDepthReceiveNs, _lastTopReceiveNs) > limitNs;

    /// <summary>Silence check on the receive clock against <see cref="SyncOptions.SilenceTimeoutNs"/> (see <see cref="IsSilent"/>); call periodically.</summary>
    public void OnTimer(long nowNs)
    {
        if (IsSilent(nowNs, _options.SilenceTimeoutNs))
            MarkStale(StaleReason.Silence, nowNs);
    }

    /// <summary>External loss of integrity for this symbol: malformed message, off-tick price, disconnect, silence.</summary>
    public void MarkStale(StaleReason reason, long receiveTimeNs)
    {
        switch (reason)
        {
            case StaleReason.Malformed: Counters.Malformed++; break;
            case StaleReason.OffTick: Counters.OffTick++; MetadataRefreshRequested = true; break;
            case StaleReason.Disconnected: Counters.Disconnects++; break;
            case StaleReason.Silence: Counters.Silences++; break;
        }
        Fail(reason, 0, 0, receiveTimeNs);
    }

    // oldBids/oldAsks: empty, or long enough for the diff's sides (see the public OnDelta).
    private void ApplyLive(in BookDelta d, Span<long> oldBids, Span<long> oldAsks)
    {
        if (_rule == SyncRule.Okx)
        {
            ApplyLiveOkx(d, oldBids, oldAsks);
            return;
        }
        long id = Book.UpdateId;
        if (_awaitingFirstDiff)
        {
            if (IsBeforeSnapshot(d.FirstUpdateId, d.FinalUpdateId, id))
            {
                Counters.DiffsDroppedBeforeSync++;
                RememberApplied(d.FirstUpdateId, d.FinalUpdateId); // contained in the snapshot
                return;
            }
            if (!FirstDiffChains(d.FirstUpdateId, d.FinalUpdateId, id))
            {
                Counters.Gaps++;
                Fail(StaleReason.Gap, d.FirstUpdateId, d.FinalUpdateId, d.ReceiveTimeNs);
                return;
            }
            _awaitingFirstDiff = false;
        }
        else if (d.FinalUpdateId <= id)
        {
            if (WasApplied(d.FirstUpdateId, d.FinalUpdateId))
            {
                Counters.Duplicates++;
                return;
            }
            Counters.OutOfOrder++;
            Fail(StaleReason.OutOfOrder, d.FirstUpdateId, d.FinalUpdateId, d.ReceiveTimeNs);
            return;
        }
        else if (!NextDiffChains(d, id))
        {
            Counters.Gaps++;
            Fail(StaleReason.Gap, d.FirstUpdateId, d.FinalUpdateId, d.ReceiveTimeNs);
            return;
        }

        Apply(d, id, d.FinalUpdateId, oldBids, oldAsks);
    }

    /// <summary>
    /// The OKX rule (<see cref="SyncRule.Okx"/>). FirstUpdateId and PrevFinalUpdateId both carry prevSeqId.
    /// </summary>
    private void ApplyLiveOkx(in BookDelta d, Span<long> oldBids, Span<long> oldAsks)
    {
        long id = Book.UpdateId;
        long prev = d.PrevFinalUpdateId, seq = d.FinalUpdateId;
        if (seq == BookDelta.NoSequence)
        {
            // No ids to chain (2022 recordings): stream order is all there is; the checksum guards the book.
            // A repeat is harmless: quantities are absolute.
            Counters.Unsequenced++;
            _awaitingFirstDiff = false;
            Apply(d, id, id, oldBids, oldAsks);
            return;
        }
        if (prev == id)
        {
            // Chains exactly. This covers the heartbeat (prevSeqId == seqId == id, no levels) and the
            // maintenance reset (seqId < prevSeqId), after which chaining continues from the lower seqId.
            _awaitingFirstDiff = false;
            if (seq == prev && d.LevelCount == 0)
                Counters.Heartbeats++;
            if (seq < prev)
            {
                Counters.Resets++;
                // Ticker ids from before the reset are larger than every new book id: they would win forever.
                _hasTicker = false;
            }
            Apply(d, id, seq, oldBids, oldAsks);
            return;
        }
        if (_awaitingFirstDiff)
        {
            // After a REST snapshot: drop what it contains; the first kept brackets it.
            if (seq <= id)
            {
                Counters.DiffsDroppedBeforeSync++;
                RememberApplied(prev, seq);
                return;
            }
            if (prev <= id)
            {
                _awaitingFirstDiff = false;
                Apply(d, id, seq, oldBids, oldAsks);
                return;
            }
        }
        else if (WasApplied(prev, seq))
        {
            Counters.Duplicates++;
            return;
        }
        // Anything else means updates were missed (or came out of order): resync, as for a Binance gap.
        Counters.Gaps++;
        Fail(StaleReason.Gap, prev, seq, d.ReceiveTimeNs);
    }

    private void Apply(in BookDelta d, long previousId, long newId, Span<long> oldBids, Span<long> oldAsks)
    {
        OrderBook book = Book;
        if (oldBids.IsEmpty && oldAsks.IsEmpty)
        {
            foreach (ref readonly Level l in d.Bids)
                book.SetBid(l.Tick, l.Qty);
            foreach (ref readonly Level l in d.Asks)
                book.SetAsk(l.Tick, l.Qty);
        }
        else
        {
            ReadOnlySpan<Level> bids = d.Bids, asks = d.Asks;
            for (int i = 0; i < bids.Length; i++)
                oldBids[i] = book.SetBid(bids[i].Tick, bids[i].Qty);
            for (int i = 0; i < asks.Length; i++)
                oldAsks[i] = book.SetAsk(asks[i].Tick, asks[i].Qty);
        }
        book.UpdateId = newId;
        Counters.DiffsApplied++;
        Counters.LevelsApplied += d.LevelCount;
        RememberApplied(d.FirstUpdateId, d.FinalUpdateId);
        Move(Trigger.DeltaApplied, StaleReason.None, previousId, d.FirstUpdateId, d.FinalUpdateId, d.ReceiveTimeNs, quiet: true);

        if (book.IsCrossed)
        {
            Counters.Crossed++;
            Fail(StaleReason.Crossed, d.FirstUpdateId, d.FinalUpdateId, d.ReceiveTimeNs);
            return;
        }
        if (d.HasChecksum)
            ChecksumAgrees(d.Checksum, d.FirstUpdateId, d.FinalUpdateId, d.ReceiveTimeNs);
    }

    /// <summary>Checks the venue's checksum against the book; on a mismatch the book goes Stale. True when it agrees (or cannot be checked).</summary>
    private bool ChecksumAgrees(int expected, long first, long final, long receiveNs)
    {
        if (Checksum is null)
            return true;
        if (Checksum.Compute(Book) == expected)
        {
            Counters.ChecksumsMatched++;
            return true;
        }
        Counters.ChecksumsMismatched++;
        Fail(StaleReason.ChecksumMismatch, first, final, receiveNs);
        return false;
    }

    // Spot: a diff with u ≤ lastUpdateId is inside the snapshot. USD-M: u < lastUpdateId.
    // OKX (first = prevSeqId): seqId ≤ snapshot seqId, unless it chains exactly (a reset or heartbeat
    // right after the snapshot); a message without ids was buffered before an in-stream snapshot.
    private bool IsBeforeSnapshot(long first, long final, long snapshotId) => _rule switch
    {
        SyncRule.BinanceSpot => final <= snapshotId,
        SyncRule.Okx => final == BookDelta.NoSequence || (first != snapshotId && final <= snapshotId),
        _ => final < snapshotId,
    };

    // Spot: U ≤ id+1 ≤ u. USD-M: U ≤ id ≤ u. OKX: prevSeqId == id, or prevSeqId ≤ id < seqId.
    // (The caller has already dropped u below the id.)
    private bool FirstDiffChains(long first, long final, long snapshotId) => _rule switch
    {
        SyncRule.BinanceSpot => first <= snapshotId + 1 && snapshotId + 1 <= final,
        SyncRule.Okx => first == snapshotId || (first <= snapshotId && snapshotId < final),
        _ => first <= snapshotId && snapshotId <= final,
    };

    // Spot: U ≤ id+1 (u > id is known): an overlapping diff is fine, quantities are absolute.
    // USD-M: pu must equal the previous u; ids are shared across symbols so U says nothing.
    private bool NextDiffChains(in BookDelta d, long id) =>
        _rule == SyncRule.BinanceSpot ? d.FirstUpdateId <= id + 1 : d.PrevFinalUpdateId == id;

    private void RememberApplied(long first, long final)
    {
        _recentFirst[_recentNext] = first;
        _recentFinal[_recentNext] = final;
        _recentNext = (_recentNext + 1) & (RecentCapacity - 1);
    }

    private bool WasApplied(long first, long final)
    {
        for (int i = 0; i < RecentCapacity; i++)
            if (_recentFinal[i] == final && _recentFirst[i] == first)
                return true;
        return false;
    }

    private void Fail(StaleReason reason, long first, long final, long receiveNs)
    {
        LastFailure = reason;
        if (State == SyncState.Live)
            Counters.StaleCount++;
        _buffer.Clear();
        _awaitingFirstDiff = false;
        Array.Clear(_recentFinal);
        Array.Clear(_recentFirst);
        SnapshotRequested = true;
        Move(Trigger.Failure, reason, first, final, receiveNs);
    }

    private void Move(Trigger trigger, StaleReason reason, long first, long final, long receiveNs, bool quiet = false) =>
        Move(trigger, reason, Book.UpdateId, first, final, receiveNs, quiet);

    private void Move(Trigger trigger, StaleReason reason, long bookId, long first, long final, long receiveNs, bool quiet = false)
    {
        SyncState from = State;
        byte next = s_transitions[(int)from, (int)trigger];
        if (next == Illegal)
        {
            // Counted, kept and reported as illegal; the state stays (the caller has already refused the input).
            Counters.IllegalTransitions++;
            LastIllegal = new SyncTransition(InstrumentId, from, from, reason, bookId, first, final, receiveNs, Illegal: true);
            _observer?.Invoke(LastIllegal);
            return;
        }
        var to = (SyncState)next;
        if (quiet && to == from)
            return; // the steady Live → Live edge is not news
        State = to;
        Counters.Transitions++;
        LastTransition = new SyncTransition(InstrumentId, from, to, reason, bookId, first, final, receiveNs);
        _observer?.Invoke(LastTransition);
    }
}
