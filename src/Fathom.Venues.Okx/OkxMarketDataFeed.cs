using System.Globalization;
using System.Text;
using Fathom.Core;
using Fathom.Journal;
using Fathom.MarketData;

namespace Fathom.Venues.Okx;

/// <summary>
/// The live OKX v5 market-data feed: one <c>/ws/v5/public</c> WebSocket carrying <c>books</c>, <c>bbo-tbt</c> and
/// <c>trades</c> for every instrument, REST <c>market/books</c> snapshots when a book asks, the text
/// <c>ping</c>/<c>pong</c> keep-alive, and reconnects. Every frame is parsed in the receive buffer and applied
/// through <see cref="OkxFeedCore"/> under the core lock by the thread that read it (run to completion).
/// </summary>
/// <remarks>
/// <para>Sync (EXCHANGES.md §8.3/§8.4, decided by <see cref="SyncRule.Okx"/>): an in-stream
/// <c>action:"snapshot"</c> makes a book Live at once; without one (OKX is retiring it), the book buffers its
/// updates and asks for a snapshot, which the watchdog fetches over REST once an update is buffered. A snapshot
/// older than the first buffered <c>prevSeqId</c> is refused by the book, which asks again: the feed refetches
/// after <see cref="OkxFeedOptions.SnapshotRetryDelay"/> until one is new enough. A gap, a checksum mismatch or a
/// refused frame makes the book Stale; it resyncs the same way. A failed fetch (timeout, 5xx, 429) asks again
/// after the venue's Retry-After (our delay when it gives none).</para>
/// <para>Keep-alive: after <see cref="OkxFeedOptions.PingAfter"/> without any message the feed sends
/// <c>ping</c>; no <c>pong</c> within <see cref="OkxFeedOptions.PongTimeout"/> drops the connection. Any lost
/// connection marks every book Stale (journaled) and reconnects with jittered exponential backoff, within
/// OKX's 3 connects per second; each connection subscribes afresh (within 480 ops per hour).</para>
/// <para>Faults: an unexpected exception in any of the feed's loops is not survived quietly: every book goes
/// Stale (quoting stops), the error is kept in <see cref="LastError"/>, the feed stops, and
/// <see cref="RunAsync"/> throws it.</para>
/// </remarks>
public sealed class OkxMarketDataFeed : IMarketDataFeed
{
    private readonly OkxFeedOptions _options;
    private readonly OkxEndpoints _endpoints;
    private readonly OkxRestClient _rest;
    private readonly TimeProvider _time;
    private readonly MonotonicClock _monotonic;
    private readonly OkxFeedCore _core;
    private readonly IReadOnlyList<BookSync> _books;
    private readonly byte[][] _subscribeOps;
    private readonly ReconnectBackoff _backoff;

    /// <summary>The reconnect back-off (for tests: its jitter source).</summary>
    internal ReconnectBackoff ReconnectBackoff => _backoff;
    private readonly CancellationTokenSource _stop = new();
    private readonly OkxFrameHandler _onFrame;
    private readonly Action _onPong;
    private readonly Action _onConnectThrottled;
    private readonly bool[] _snapshotInFlight;
    private OkxStreamConnection? _primary;
    private int _nextConnectionId;
    private Exception? _fault;
    private long _frameErrors;

    public OkxMarketDataFeed(IReadOnlyList<InstrumentSpec> instruments, OkxEndpoints endpoints, HttpClient http, TimeProvider time,
        OkxFeedOptions? options = null, Action<SyncTransition>? observer = null, SyncOptions? syncOptions = null, Lock? coreLock = null)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        _options = (options ?? new OkxFeedOptions()).Validate();
        _endpoints = endpoints;
        _time = time;
        _monotonic = new MonotonicClock(time);
        _rest = new OkxRestClient(http, endpoints, time, _options.RestTimeout);
        _core = new OkxFeedCore(instruments, observer, syncOptions, coreLock);
        _books = _core.Books;
        _snapshotInFlight = new bool[_books.Count];
        Gate = new OkxRequestGate(time);
        _subscribeOps = BuildSubscribeOps(instruments, _options);
        _backoff = new ReconnectBackoff(_options.ReconnectBackoffMin, _options.ReconnectBackoffMax, _options.JitterSeed);
        _onFrame = OnFrame;
        _onPong = () => Interlocked.Increment(ref Counters.PongsReceived);
        _onConnectThrottled = () => Counters.ConnectsThrottled++;
    }

    /// <summary>The parser, router and books: what a journal replay rebuilds without the network.</summary>
    public OkxFeedCore Core => _core;
    IFeedCore IMarketDataFeed.Core => _core;
    public long Disconnects => Volatile.Read(ref Counters.Disconnects);
    /// <summary>Held while a frame or snapshot is applied; take it to read books consistently.</summary>
    public Lock CoreLock => _core.CoreLock;
    public IReadOnlyList<BookSync> Books => _books;
    public MarketDataRouter Router => _core.Router;
    public MarketDataCounters ParserCounters => _core.ParserCounters;
    public OkxFeedCounters Counters { get; } = new();
    public OkxRequestGate Gate { get; }
    public OkxRestClient Rest => _rest;
    public OkxEndpoints Endpoints => _endpoints;
    public OkxStreamConnection? Connection => _primary;

    /// <summary>Frames the parser refused (counted; the book they belong to goes Stale and resyncs).</summary>
    public long FrameErrors => Volatile.Read(ref _frameErrors);

    /// <summary><c>event:"error"</c> messages OKX sent (a refused subscription, for example); read under <see cref="CoreLock"/>.</summary>
    public long VenueErrors => _core.Parser.VenueErrors;

    /// <summary>Optional: every core input (frames, snapshots, feed-state events) is journaled here; see <see cref="CoreJournal"/>.</summary>
    public CoreJournal? Journal { get => _core.Journal; set => _core.Journal = value; }

    /// <summary>Called under <see cref="CoreLock"/> right after each frame or snapshot has been applied, with the monotonic stamp taken when it was read.</summary>
    public Action<long>? AfterApply { get => _core.AfterApply; set => _core.AfterApply = value; }

    /// <summary>The fault that stopped the feed (every book Stale), as text for operators; null while healthy.</summary>
    public string? LastError { get; private set; }

    /// <inheritdoc />
    public string? LastDisconnect { get; private set; }
    public long UnexpectedErrors { get; private set; }

    /// <summary>The subscribe ops each connection sends, as text (for tests and logs).</summary>
    public IEnumerable<string> SubscribeOps => _subscribeOps.Select(o => Encoding.UTF8.GetString(o));

    /// <summary>
    /// Runs until <paramref name="cancel"/> or <see cref="DisposeAsync"/>: connect, subscribe, receive, recover.
    /// Throws when the feed halted on a fault (see the remarks).
    /// </summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, _stop.Token);
        CancellationToken ct = linked.Token;
        Task watchdog = GuardAsync(WatchdogAsync(ct));
        int attempt = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Gate.WaitToConnectAsync(_onConnectThrottled, ct).ConfigureAwait(false);
                var connection = new OkxStreamConnection(Interlocked.Increment(ref _nextConnectionId), _endpoints.PublicWs, _time, _onPong);
                try
                {
                    await connection.ConnectAsync(ct).ConfigureAwait(false);
                    Gate.NewConnection();
                    // Frames may arrive as soon as the first op is out: the receive loop starts with the subscription.
                    _primary = connection;
                    Task receive = connection.ReceiveLoopAsync(_onFrame, ct);
                    await SubscribeAsync(connection, ct).ConfigureAwait(false);
                    Counters.Connects++;
                    attempt = 0;
                    await receive.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or HttpRequestException or IOException
                    || (ex is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    Counters.ConnectFailures++;
                }
                if (ct.IsCancellationRequested)
                    break;
                if (ReferenceEquals(_primary, connection))
                {
                    LastDisconnect = $"{_time.GetUtcNow():O} connection {connection.Id}: {connection.CloseReason ?? "ended"}";
                    Counters.Disconnects++;
                    MarkAllStale(StaleReason.Disconnected);
                }
                await connection.DisposeAsync().ConfigureAwait(false);
                await Task.Delay(_backoff.Delay(attempt++), _time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Halt(ex);
            await linked.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            if (_primary is { } p)
            {
                await p.CloseAsync("feed stopped").ConfigureAwait(false);
                await p.DisposeAsync().ConfigureAwait(false);
            }
            await watchdog.ConfigureAwait(false);
        }
        if (Volatile.Read(ref _fault) is { } fault)
            throw new InvalidOperationException($"the OKX market-data feed halted (every book Stale): {fault.Message}", fault);
    }

    private async Task SubscribeAsync(OkxStreamConnection connection, CancellationToken ct)
    {
        foreach (byte[] op in _subscribeOps)
        {
            TimeSpan wait;
            while ((wait = Gate.TrySubscribeOp()) > TimeSpan.Zero)
                await Task.Delay(wait, _time, ct).ConfigureAwait(false);
            await connection.SendTextAsync(op, ct).ConfigureAwait(false);
            Counters.SubscribeOps++;
        }
    }

    private static byte[][] BuildSubscribeOps(IReadOnlyList<InstrumentSpec> instruments, OkxFeedOptions options)
    {
        var args = new List<string>();
        foreach (var spec in instruments)
        {
            string instId = JsonEncoded(spec.Symbol);
            args.Add($"{{\"channel\":{JsonEncoded(options.BooksChannel)},\"instId\":{instId}}}");
            if (options.SubscribeBbo) args.Add($"{{\"channel\":\"bbo-tbt\",\"instId\":{instId}}}");
            if (options.SubscribeTrades) args.Add($"{{\"channel\":\"trades\",\"instId\":{instId}}}");
        }
        var ops = new List<byte[]>();
        for (int i = 0; i < args.Count; i += options.ArgsPerSubscribe)
        {
            string batch = string.Join(',', args.Skip(i).Take(options.ArgsPerSubscribe));
            ops.Add(Encoding.UTF8.GetBytes($"{{\"id\":\"{(ops.Count + 1).ToString(CultureInfo.InvariantCulture)}\",\"op\":\"subscribe\",\"args\":[{batch}]}}"));
        }
        return [.. ops];
    }

    private static string JsonEncoded(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private void OnFrame(OkxStreamConnection connection, ReadOnlySpan<byte> frame)
    {
        long readStamp = _monotonic.NowNanos();
        long receiveNs = UnixNanos(_time.GetUtcNow());
        MarketDataError error;
        lock (CoreLock)
        {
            // A superseded connection's last frames must not touch books the new one is resyncing.
            if (!ReferenceEquals(connection, _primary))
                return;
            error = _core.ApplyFrame(frame, readStamp, receiveNs, connection.Id);
        }
        if (error != MarketDataError.None)
            Interlocked.Increment(ref _frameErrors);
    }

    private async Task WatchdogAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(_options.WatchdogInterval, _time, ct).ConfigureAwait(false);
            if (_primary is { State: System.Net.WebSockets.WebSocketState.Open } p)
                await KeepAliveAsync(p, ct).ConfigureAwait(false);
            for (int i = 0; i < _books.Count; i++)
            {
                bool fetch;
                lock (CoreLock)
                {
                    BookSync sync = _books[i];
                    // OKX's procedure: fetch once an update is buffered, so the snapshot can be spliced to it.
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

    private async Task KeepAliveAsync(OkxStreamConnection p, CancellationToken ct)
    {
        if (p.PingOutstandingFor is { } waiting)
        {
            if (waiting > _options.PongTimeout)
            {
                Counters.PongTimeouts++;
                p.Abort($"no pong {waiting.TotalMilliseconds:F0} ms after ping");
            }
            return;
        }
        if (p.SinceLastFrame < _options.PingAfter)
            return;
        try
        {
            await p.PingAsync(ct).ConfigureAwait(false);
            Counters.PingsSent++;
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or IOException or ObjectDisposedException)
        {
            p.Abort("ping failed: " + ex.Message); // the receive loop ends and the feed reconnects
        }
    }

    private async Task FetchSnapshotAsync(int instrument, CancellationToken ct)
    {
        string instId = _core.Instruments[instrument].Spec.Symbol;
        TimeSpan retryAfter = TimeSpan.Zero;
        try
        {
            Interlocked.Increment(ref Counters.SnapshotRequests);
            byte[] body = await _rest.GetBooksAsync(instId, _options.SnapshotDepth, ct).ConfigureAwait(false);
            long receiveNs = UnixNanos(_time.GetUtcNow());
            lock (CoreLock)
            {
                MarketDataError error = _core.ApplySnapshot(instrument, _options.SnapshotDepth, body, _monotonic.NowNanos(), receiveNs);
                if (error != MarketDataError.None)
                {
                    // A non-zero code or a broken body: nothing was applied; the book asks again.
                    Interlocked.Increment(ref Counters.SnapshotErrors);
                    _core.RequestSnapshotAgain(instrument, _monotonic.NowNanos(), receiveNs);
                }
                // Refused as older than the buffered updates (§8.4), or broken: give the venue a moment, then refetch.
                if (_books[instrument].SnapshotRequested)
                    retryAfter = _options.SnapshotRetryDelay;
            }
        }
        catch (OkxRestException ex)
        {
            Interlocked.Increment(ref Counters.SnapshotFailures);
            if (ex.IsRateLimited && !ex.Local)
                Interlocked.Increment(ref Counters.SnapshotRateLimited);
            retryAfter = ex.RetryAfter is { } venue && venue > TimeSpan.Zero ? venue : _options.SnapshotRetryDelay;
            lock (CoreLock)
                _core.RequestSnapshotAgain(instrument, _monotonic.NowNanos(), UnixNanos(_time.GetUtcNow()));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        if (retryAfter > TimeSpan.Zero)
        {
            try { await Task.Delay(retryAfter, _time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
        lock (CoreLock)
            _snapshotInFlight[instrument] = false;
    }

    /// <summary>Runs a background loop; an unexpected exception halts the feed (see the remarks) instead of vanishing with the task.</summary>
    private async Task GuardAsync(Task loop)
    {
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested || loop.IsCanceled)
        {
        }
        catch (Exception ex)
        {
            Halt(ex);
        }
    }

    /// <summary>The feed cannot go on: books Stale, the error kept, every loop stopped; <see cref="RunAsync"/> throws it.</summary>
    private void Halt(Exception ex)
    {
        if (Interlocked.CompareExchange(ref _fault, ex, null) is not null)
            return;
        UnexpectedErrors++;
        LastError = ex.ToString();
        MarkAllStale(StaleReason.Disconnected);
        _stop.Cancel();
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
