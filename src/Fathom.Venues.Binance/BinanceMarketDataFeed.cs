using Fathom.Book;
using Fathom.Core;
using Fathom.Journal;
using Fathom.MarketData;

namespace Fathom.Venues.Binance;

/// <summary>
/// The live Binance market-data feed: one combined-stream WebSocket for many symbols, REST
/// snapshots on demand, reconnects, and every frame parsed in the receive buffer and run through
/// each symbol's <see cref="BookSync"/> under one lock (run to completion: the receiving thread
/// does the work, then returns to the socket).
/// </summary>
/// <remarks>
/// Recovery: an unplanned disconnect marks every book Stale and reconnects with jittered
/// exponential backoff; the books resync from fresh snapshots, each fetched only after its symbol
/// has buffered a diff (Binance's procedure). A planned reconnect (connection age near 24 h, or the
/// venue's <c>serverShutdown</c>) opens the new connection first and keeps the old one feeding until
/// the new one has delivered frames, so the books stay Live: frames seen on both are dropped as
/// duplicates by <see cref="BookSync"/>. A connection with no frame for
/// <see cref="BinanceFeedOptions.SilenceTimeout"/> is silent-but-open: it is dropped and replaced. A
/// single book whose diffs and tickers have both been quiet past its limit
/// (<see cref="BinanceFeedOptions.BookSilenceTimeout"/>, per-symbol overrides) goes Stale on its own
/// (<see cref="BinanceFeedCore.MarkSilentBooksStale"/>, journaled) and resyncs when its data returns.
/// Readers of the books take <see cref="CoreLock"/>. The subscription is in the URL, so no control
/// messages are sent (Binance allows 5 per second).
/// </remarks>
public sealed class BinanceMarketDataFeed : IMarketDataFeed
{
    private readonly BinanceFeedOptions _options;
    private readonly BinanceEndpoints _endpoints;
    private readonly BinanceRestClient _rest;
    private readonly TimeProvider _time;
    private readonly MonotonicClock _monotonic;
    private readonly BinanceFeedCore _core;
    private readonly IReadOnlyList<BookSync> _books;
    private readonly Uri _streamUrl;
    private readonly ReconnectBackoff _backoff;

    /// <summary>The reconnect back-off (for tests: its jitter source).</summary>
    internal ReconnectBackoff ReconnectBackoff => _backoff;
    private readonly CancellationTokenSource _stop = new();
    // The first exception a loop was not written to handle: the feed halts with it (RunAsync throws it).
    private Exception? _fault;
    private readonly FrameHandler _onFrame;
    private BinanceStreamConnection? _primary;
    private Task? _primaryLoop;
    private BinanceStreamConnection? _incoming;
    // Frames the new connection delivered while the old one still feeds, replayed at the switch.
    private readonly List<byte[]> _overlapQueue = [];
    private TaskCompletionSource? _switching;
    private int _nextConnectionId;
    private int _plannedReconnectRunning;
    private readonly bool[] _snapshotInFlight;
    // Book-silence limit per instrument (ns, 0 = off), resolved once from the options.
    private readonly long[] _bookSilenceNs;
    private readonly bool _bookSilenceOn;
    // RunAsync's token (the caller's linked with ours): everything the feed starts must stop with it.
    private CancellationToken _runToken;
    // The spinning-core option: frames read by socket threads, applied by one busy-spinning core thread.
    private readonly MpscRing<ReceivedFrame>? _coreRing;
    private Thread? _coreThread;
    private volatile bool _coreStop;
    private long _coreEnqueued;
    private long _coreApplied;

    private struct ReceivedFrame
    {
        public byte[] Buffer;
        public int Length;
        public long ReadStamp;
        public long ReceiveNs;
        public BinanceStreamConnection Connection;
    }

    public BinanceMarketDataFeed(IReadOnlyList<InstrumentSpec> instruments, BinanceEndpoints endpoints, HttpClient http,
        TimeProvider time, BinanceFeedOptions? options = null, bool usdm = false, Action<SyncTransition>? observer = null,
        SyncOptions? syncOptions = null, Lock? coreLock = null)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        if (instruments.Count == 0)
            ThrowHelper.ThrowArgument(nameof(instruments), "at least one instrument is required.");
        _options = options ?? new BinanceFeedOptions();
        _endpoints = endpoints;
        _time = time;
        _monotonic = new MonotonicClock(time);
        _rest = new BinanceRestClient(http, endpoints, new RestWeightLimiter(time), usdm);
        _core = new BinanceFeedCore(instruments, usdm, observer, syncOptions, coreLock);
        _books = _core.Books;
        _snapshotInFlight = new bool[Symbols.Count];
        _bookSilenceNs = new long[Symbols.Count];
        for (int i = 0; i < Symbols.Count; i++)
        {
            _bookSilenceNs[i] = _options.BookSilenceTimeoutFor(Symbols[i].Spec.Symbol).Ticks * 100;
            _bookSilenceOn |= _bookSilenceNs[i] > 0;
        }
        var streams = new List<string>();
        foreach (var spec in instruments)
        {
            string s = spec.Symbol.ToLowerInvariant();
            streams.Add($"{s}@depth{_options.DepthSpeed}");
            if (_options.SubscribeBookTicker) streams.Add($"{s}@bookTicker");
            if (_options.SubscribeTrades) streams.Add(usdm ? $"{s}@aggTrade" : $"{s}@trade");
        }
        _streamUrl = endpoints.CombinedStreamUrl(streams);
        _backoff = new ReconnectBackoff(_options.ReconnectBackoffMin, _options.ReconnectBackoffMax, _options.JitterSeed);
        if (_options.SpinningCore)
            _coreRing = new MpscRing<ReceivedFrame>(_options.SpinningCoreRingCapacity);
        _onFrame = OnFrame;
    }

    /// <summary>The parser, router and books: what a journal replay rebuilds without the network.</summary>
    public BinanceFeedCore Core => _core;
    IFeedCore IMarketDataFeed.Core => _core;
    /// <inheritdoc />
    public long Disconnects => Volatile.Read(ref Counters.Disconnects);
    /// <summary>Held while a frame or snapshot is applied; take it to read books consistently.</summary>
    public Lock CoreLock => _core.CoreLock;
    public BinanceSymbolTable Symbols => _core.Symbols;
    public IReadOnlyList<BookSync> Books => _books;
    public MarketDataRouter Router => _core.Router;
    public MarketDataCounters ParserCounters => _core.ParserCounters;
    public FeedCounters Counters { get; } = new();
    public RestWeightLimiter Limiter => _rest.Limiter;
    public Uri StreamUrl => _streamUrl;
    public BinanceStreamConnection? Connection => _primary;

    /// <summary>
    /// Optional: every frame and snapshot body is appended here, under the core lock, right before it
    /// is parsed, so a replay of the recording feeds the parser exactly what the books saw. Set before
    /// <see cref="RunAsync"/>. Appending copies the bytes and never waits for I/O.
    /// </summary>
    public RecordingWriter? Recorder { get => _core.Recorder; set => _core.Recorder = value; }

    /// <summary>Optional: every core input (frames, snapshots, feed-state events) is journaled here; see <see cref="CoreJournal"/>.</summary>
    public CoreJournal? Journal { get => _core.Journal; set => _core.Journal = value; }

    /// <summary>
    /// Called under <see cref="CoreLock"/> right after each frame or snapshot has been applied to the
    /// books, with the monotonic timestamp (ns, from the injected <see cref="TimeProvider"/>) taken when
    /// the frame was read: the engine runs signals, the strategy and execution here (run to completion)
    /// and measures tick-to-order from that stamp.
    /// </summary>
    public Action<long>? AfterApply { get => _core.AfterApply; set => _core.AfterApply = value; }

    /// <summary>Frames the spinning core thread applied (0 unless <see cref="BinanceFeedOptions.SpinningCore"/>).</summary>
    public long SpinningCoreFrames => Volatile.Read(ref _coreApplied);

    /// <summary>The last unplanned disconnect, for operators: when, which connection, and why it ended (null until one happens).</summary>
    public string? LastDisconnect { get; private set; }

    /// <summary>The last unexpected error the feed survived (it logs and carries on), for operators.</summary>
    public string? LastError { get; private set; }
    public long UnexpectedErrors { get; private set; }

    /// <summary>Runs until <paramref name="cancel"/> or <see cref="DisposeAsync"/>: connect, receive, recover.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, _stop.Token);
        CancellationToken ct = linked.Token;
        _runToken = ct;
        Task watchdog = GuardAsync(WatchdogAsync(ct));
        if (_coreRing is not null)
        {
            _coreStop = false;
            _coreThread = new Thread(SpinCore) { IsBackground = true, Name = "fathom-core", Priority = ThreadPriority.AboveNormal };
            _coreThread.Start();
        }
        int attempt = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var connection = new BinanceStreamConnection(Interlocked.Increment(ref _nextConnectionId), _streamUrl, _time);
                try
                {
                    await connection.ConnectAsync(ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or HttpRequestException or IOException)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    Counters.ConnectFailures++;
                    await Task.Delay(_backoff.Delay(attempt++), _time, ct).ConfigureAwait(false);
                    continue;
                }
                Counters.Connects++;
                attempt = 0;
                lock (CoreLock)
                {
                    _primary = connection;
                    _primaryLoop = null; // until its loop runs: a planned reconnect waits for both
                }
                Task receiving = connection.ReceiveLoopAsync(_onFrame, ct); // outside the lock: frames take it themselves
                lock (CoreLock)
                    _primaryLoop = receiving;

                // Wait for the primary to end; a planned reconnect may have replaced it meanwhile.
                BinanceStreamConnection lost;
                while (true)
                {
                    Task loop;
                    BinanceStreamConnection current;
                    lock (CoreLock)
                    {
                        loop = _primaryLoop!;
                        current = _primary!;
                    }
                    await loop.ConfigureAwait(false);
                    if (Volatile.Read(ref _switching) is { } switching)
                        await switching.Task.ConfigureAwait(false);
                    bool superseded;
                    lock (CoreLock)
                    {
                        // Decided under the lock a planned reconnect switches under: either it switched
                        // first (the old connection was closed on purpose), or this connection is lost
                        // and the planned reconnect, finding no primary, gives its new one up.
                        superseded = !ReferenceEquals(current, _primary);
                        if (!superseded)
                        {
                            _primary = null;
                            _primaryLoop = null;
                        }
                    }
                    if (!superseded)
                    {
                        lost = current;
                        break;
                    }
                    await current.DisposeAsync().ConfigureAwait(false); // superseded and closed on purpose
                }
                if (ct.IsCancellationRequested)
                {
                    await lost.CloseAsync("feed stopped").ConfigureAwait(false);
                    await lost.DisposeAsync().ConfigureAwait(false);
                    break;
                }
                await lost.DisposeAsync().ConfigureAwait(false);
                LastDisconnect = $"{_time.GetUtcNow():O} connection {lost.Id}: {lost.CloseReason ?? "ended"}";
                Counters.Disconnects++;
                MarkAllStale(StaleReason.Disconnected);
                await Task.Delay(_backoff.Delay(attempt++), _time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Never die silently: the books go Stale (quoting stops) and the error is kept for operators.
            Halt(ex);
        }
        finally
        {
            if (_primary is { } p)
            {
                await p.CloseAsync("feed stopped").ConfigureAwait(false);
                await p.DisposeAsync().ConfigureAwait(false);
            }
            await watchdog.ConfigureAwait(false); // guarded: never throws
            if (_coreThread is { } spinning)
            {
                _coreStop = true;
                spinning.Join();
                _coreThread = null;
            }
        }
        if (Volatile.Read(ref _fault) is { } fault)
            throw new InvalidOperationException($"the Binance market-data feed halted (every book Stale): {fault.Message}", fault);
    }

    /// <summary>
    /// Runs one of the feed's background tasks (the watchdog, a planned reconnect, a snapshot fetch): an exception it
    /// was not written to handle halts the feed (<see cref="Halt"/>) instead of going unobserved.
    /// </summary>
    private async Task GuardAsync(Task work)
    {
        try
        {
            await work.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_runToken.IsCancellationRequested || _stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Halt(ex);
        }
    }

    /// <summary>
    /// The feed cannot go on: every book Stale (quoting stops), the error kept (<see cref="LastError"/>), every loop
    /// stopped; <see cref="RunAsync"/> then throws it, which the host turns into a halt with the reason.
    /// </summary>
    private void Halt(Exception ex)
    {
        if (Interlocked.CompareExchange(ref _fault, ex, null) is not null)
            return;
        UnexpectedErrors++;
        LastError = ex.ToString();
        try
        {
            MarkAllStale(StaleReason.Disconnected);
        }
        finally
        {
            _stop.Cancel();
        }
    }

    /// <summary>
    /// Opens a new connection and switches to it without a gap, so the books stay Live: while the old
    /// connection keeps feeding, the new one's frames are queued; the old one is then closed and
    /// drained (everything it was sent is applied), and the queue is replayed: depth frames both carried
    /// are dropped as duplicates by <see cref="BookSync"/>, trades both carried by the router
    /// (<see cref="MarketDataRouter.DropRepeatedTrades"/>), and the new connection takes over. When the
    /// old connection is lost before the switch, the loss is handled as any unplanned disconnect (the
    /// books go Stale and resync) and the new connection is given up: two connections never both feed.
    /// </summary>
    /// <param name="cancel">Stops the reconnect itself; the new connection, once it takes over, lives as long as <see cref="RunAsync"/>.</param>
    public async Task ReconnectPlannedAsync(CancellationToken cancel)
    {
        if (Interlocked.Exchange(ref _plannedReconnectRunning, 1) == 1)
            return;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, _runToken);
        cancel = linked.Token;
        BinanceStreamConnection? fresh = null;
        Task? freshLoop = null;
        TaskCompletionSource? switching = null;
        bool switched = false;
        try
        {
            BinanceStreamConnection? old;
            Task? oldLoop;
            lock (CoreLock)
            {
                old = _primary;
                oldLoop = _primaryLoop;
            }
            if (old is null || oldLoop is null)
                return;
            fresh = new BinanceStreamConnection(Interlocked.Increment(ref _nextConnectionId), _streamUrl, _time);
            lock (CoreLock)
                _incoming = fresh;
            await fresh.ConnectAsync(cancel).ConfigureAwait(false);
            freshLoop = fresh.ReceiveLoopAsync(_onFrame, _runToken); // the run's token: it may become the primary
            var deadline = _time.GetUtcNow() + TimeSpan.FromSeconds(10);
            while (fresh.Frames == 0 && _time.GetUtcNow() < deadline && !freshLoop.IsCompleted && !oldLoop.IsCompleted)
                await Task.Delay(TimeSpan.FromMilliseconds(5), _time, cancel).ConfigureAwait(false);
            if (fresh.Frames == 0 || oldLoop.IsCompleted)
                return; // keep the old one (the watchdog will try again), or it is lost: the run loop reconnects
            // The overlap; cut short when the old connection ends on its own meanwhile.
            await Task.WhenAny(oldLoop, Task.Delay(_options.ReconnectOverlap, _time, cancel)).ConfigureAwait(false);
            cancel.ThrowIfCancellationRequested();
            if (oldLoop.IsCompleted)
                return; // lost during the overlap, and no switch was announced: the run loop takes it as a disconnect

            switching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _switching, switching);
            await old.CloseAsync("planned reconnect").ConfigureAwait(false);
            await Task.WhenAny(oldLoop, Task.Delay(TimeSpan.FromSeconds(2), _time, cancel)).ConfigureAwait(false);
            if (!oldLoop.IsCompleted)
                old.Abort("planned reconnect: close not acknowledged");
            await WaitForCoreAsync(cancel).ConfigureAwait(false); // the old connection's last frames are applied first
            lock (CoreLock)
            {
                // The run loop may have taken the old connection for lost already (it ended before the
                // switch began): then the books are resyncing on a new connection of its own.
                if (ReferenceEquals(_primary, old))
                {
                    long receiveNs = UnixNanos(_time.GetUtcNow());
                    long stamp = _monotonic.NowNanos();
                    foreach (byte[] frame in _overlapQueue)
                        _core.ApplyFrame(frame, stamp, receiveNs, fresh.Id);
                    _overlapQueue.Clear();
                    _incoming = null;
                    _primary = fresh;
                    _primaryLoop = freshLoop;
                    switched = true;
                }
            }
            if (switched)
                Counters.PlannedReconnects++;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or HttpRequestException or IOException or OperationCanceledException)
        {
            Counters.ConnectFailures++;
        }
        finally
        {
            if (!switched && fresh is not null)
                await GiveUpAsync(fresh, freshLoop).ConfigureAwait(false);
            if (switching is not null)
            {
                Volatile.Write(ref _switching, null);
                switching.TrySetResult();
            }
            Volatile.Write(ref _plannedReconnectRunning, 0);
        }
    }

    /// <summary>Drops a planned reconnect's new connection and everything it queued, including frames still in the spinning core's ring.</summary>
    private async Task GiveUpAsync(BinanceStreamConnection fresh, Task? freshLoop)
    {
        fresh.Abort("planned reconnect given up");
        if (freshLoop is not null)
            await freshLoop.ConfigureAwait(false); // never throws; after it no frame of this connection is read
        await WaitForCoreAsync(CancellationToken.None).ConfigureAwait(false); // and none is left in the ring
        lock (CoreLock)
        {
            if (ReferenceEquals(_incoming, fresh))
                _incoming = null;
            _overlapQueue.Clear();
        }
        await fresh.DisposeAsync().ConfigureAwait(false);
    }

    private void OnFrame(BinanceStreamConnection connection, ReadOnlySpan<byte> frame)
    {
        long readStamp = _monotonic.NowNanos();
        long receiveNs = UnixNanos(_time.GetUtcNow());
        if (_coreRing is not null)
        {
            byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(frame.Length);
            frame.CopyTo(buffer);
            var item = new ReceivedFrame { Buffer = buffer, Length = frame.Length, ReadStamp = readStamp, ReceiveNs = receiveNs, Connection = connection };
            var spin = new SpinWait();
            while (!_coreRing.TryWrite(item))
            {
                if (_coreStop || _runToken.IsCancellationRequested)
                    return;
                spin.SpinOnce(); // back-pressure: the core is behind, the socket buffers meanwhile
            }
            Interlocked.Increment(ref _coreEnqueued);
            return;
        }
        Apply(connection, frame, readStamp, receiveNs);
    }

    /// <summary>The spinning core: drains the ring, applying each frame under the core lock (uncontended but for reports and timers).</summary>
    private void SpinCore()
    {
        try
        {
            SpinCoreLoop();
        }
        catch (Exception ex)
        {
            Halt(ex); // a thread's unhandled exception would take the process down without the feed's reason
        }
    }

    private void SpinCoreLoop()
    {
        var spin = new SpinWait();
        while (!_coreStop)
        {
            if (_coreRing!.TryRead(out ReceivedFrame f))
            {
                Apply(f.Connection, f.Buffer.AsSpan(0, f.Length), f.ReadStamp, f.ReceiveNs);
                System.Buffers.ArrayPool<byte>.Shared.Return(f.Buffer);
                Volatile.Write(ref _coreApplied, _coreApplied + 1);
                spin.Reset();
            }
            else if (spin.NextSpinWillYield)
            {
                Thread.SpinWait(50); // stay hot: never sleep, never yield the core to the scheduler
            }
            else
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    /// <summary>With a spinning core: waits until every frame queued so far has been applied.</summary>
    private async Task WaitForCoreAsync(CancellationToken cancel)
    {
        if (_coreRing is null)
            return;
        long target = Interlocked.Read(ref _coreEnqueued);
        while (Volatile.Read(ref _coreApplied) < target && _coreThread is not null)
            await Task.Delay(1, cancel).ConfigureAwait(false);
    }

    private void Apply(BinanceStreamConnection connection, ReadOnlySpan<byte> frame, long readStamp, long receiveNs)
    {
        bool shutdown;
        lock (CoreLock)
        {
            if (ReferenceEquals(connection, _incoming))
            {
                _overlapQueue.Add(frame.ToArray()); // rare (planned reconnects): a copy is fine
                return;
            }
            shutdown = _core.ApplyFrame(frame, readStamp, receiveNs, connection.Id);
        }
        if (shutdown && ReferenceEquals(connection, _primary))
        {
            Counters.ServerShutdowns++;
            _ = GuardAsync(ReconnectPlannedAsync(_runToken)); // the venue is about to close this connection
        }
    }

    private async Task WatchdogAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(_options.WatchdogInterval, _time, ct).ConfigureAwait(false);
            BinanceStreamConnection? p = _primary;
            if (p is not null && p.State == System.Net.WebSockets.WebSocketState.Open)
            {
                if (p.SinceLastFrame > _options.SilenceTimeout)
                {
                    Counters.SilentConnections++;
                    p.Abort($"silent for {p.SinceLastFrame.TotalMilliseconds:F0} ms");
                }
                else if (_time.GetUtcNow() - p.OpenedAt > _options.MaxConnectionAge && _incoming is null)
                {
                    _ = GuardAsync(ReconnectPlannedAsync(ct));
                }
            }
            if (_bookSilenceOn)
            {
                // A book can be quiet while the connection is not (other symbols, pings): each symbol has its limit.
                lock (CoreLock)
                    Counters.SilentBooks += _core.MarkSilentBooksStale(_bookSilenceNs, _monotonic.NowNanos(), UnixNanos(_time.GetUtcNow()));
            }
            for (int i = 0; i < _books.Count; i++)
            {
                bool fetch;
                lock (CoreLock)
                {
                    BookSync sync = _books[i];
                    fetch = sync.SnapshotRequested && !_snapshotInFlight[i] && sync.BufferedDiffs > 0;
                    if (fetch)
                    {
                        _core.TakeSnapshotRequest(i, _monotonic.NowNanos(), UnixNanos(_time.GetUtcNow()));
                        _snapshotInFlight[i] = true;
                    }
                }
                if (fetch)
                    _ = GuardAsync(FetchSnapshotAsync(i, ct));
            }
        }
    }

    /// <summary>
    /// Reads one book's REST snapshot and applies it. A refusal (status, rate limit) or a network failure (connection,
    /// timeout, a body cut short) asks again after a delay, counted in <see cref="FeedCounters.SnapshotFailures"/> with
    /// the reason in <see cref="LastError"/>. Anything else (applying the snapshot runs the core: the journal, the
    /// recorder, the engine) is not the network's doing: it propagates, and the guard halts the feed with it.
    /// </summary>
    private async Task FetchSnapshotAsync(int instrument, CancellationToken ct)
    {
        BinanceSymbol symbol = Symbols[instrument];
        TimeSpan retryAfter = TimeSpan.Zero;
        byte[]? body = null;
        try
        {
            Counters.SnapshotRequests++;
            body = await _rest.GetDepthAsync(symbol.Spec.Symbol, _options.SnapshotDepth, ct).ConfigureAwait(false);
        }
        catch (BinanceRestException ex)
        {
            Counters.SnapshotFailures++;
            if (ex.IsRateLimited && !ex.Local)
                Counters.SnapshotRateLimited++;
            retryAfter = ex.RetryAfter ?? _options.SnapshotRetryDelay;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException or OperationCanceledException)
        {
            // The network (an HTTP timeout is a TaskCanceledException the run did not ask for): ask again.
            LastError = $"depth snapshot of {symbol.Spec.Symbol}: {ex.GetType().Name}: {ex.Message}";
            Counters.SnapshotFailures++;
            retryAfter = _options.SnapshotRetryDelay;
        }
        if (body is null)
        {
            lock (CoreLock)
                _core.RequestSnapshotAgain(instrument, _monotonic.NowNanos(), UnixNanos(_time.GetUtcNow()));
        }
        else
        {
            long receiveNs = UnixNanos(_time.GetUtcNow());
            lock (CoreLock)
            {
                _core.ApplySnapshot(instrument, _options.SnapshotDepth, body, _monotonic.NowNanos(), receiveNs);
                // A snapshot older than the buffer asks again: give the venue a moment to move on.
                if (_books[instrument].SnapshotRequested)
                    retryAfter = _options.SnapshotRetryDelay;
            }
        }
        if (retryAfter > TimeSpan.Zero)
        {
            try { await Task.Delay(retryAfter, _time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
        lock (CoreLock)
            _snapshotInFlight[instrument] = false;
    }

    private void MarkAllStale(StaleReason reason)
    {
        long now = UnixNanos(_time.GetUtcNow());
        lock (CoreLock)
            _core.MarkAllStale(reason, _monotonic.NowNanos(), now);
    }

    private static long UnixNanos(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return; // idempotent: owners may dispose explicitly and again through 'await using'
        await _stop.CancelAsync().ConfigureAwait(false);
        // The token stays valid for tasks still unwinding; the source is left to the GC rather than disposed under them.
    }
}
