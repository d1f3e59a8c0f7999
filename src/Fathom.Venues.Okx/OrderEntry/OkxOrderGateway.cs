using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Okx;

/// <summary>
/// OKX v5 spot order entry (<see cref="IOrderGateway"/>). Entry points: <see cref="StartAsync"/>, <see cref="Send(in OrderCommand)"/>,
/// <see cref="CancelAll"/>, the <see cref="IVenueQueries"/> reads, <see cref="DisposeAsync"/>; reports go to the
/// <see cref="IReportSink"/> given here.
/// </summary>
/// <remarks>
/// Paths: the private WebSocket (<c>/ws/v5/private</c>) is primary: <c>login</c>, the <c>orders</c> channel (SPOT) for
/// acks, fills and cancels, and the trade ops <c>order</c>, <c>cancel-order</c>, <c>amend-order</c>,
/// <c>batch-cancel-orders</c> (cancel-all). Signed REST carries the queries, reconciliation, server time, and the
/// trade ops while the WebSocket is down.
/// Threading: <see cref="Send(in OrderCommand)"/> (core thread) copies the command into a ring and wakes the single send thread,
/// which checks the local rate limit, encodes, registers the request in the pending map and writes the frame (one
/// writer per socket). One receive loop per connection maps answers and pushes to reports. A sweep timer on the
/// injected TimeProvider reports requests without an answer as StatusUnknown(Timeout), sends the keep-alive
/// <c>ping</c> and catches a connection whose <c>pong</c> does not come.
/// Lock discipline: reports go to the sink under <c>_reportGate</c> only, which guards nothing else and is never
/// taken while holding another gateway lock (pending map, aliases, connection), so the sink sees one report at a
/// time and no gateway lock is held around a call into the core.
/// Invariants: a command is sent at most once (never resent after a timeout, 5xx-style code or disconnect); the
/// secret and passphrase never leave <see cref="OkxCredentials"/>, the signer and the login frame.
/// </remarks>
public sealed partial class OkxOrderGateway : IOrderGateway
{
    private readonly OkxOrderInstrument[] _instruments;
    private readonly byte[][] _instIds;
    private readonly OkxCredentials _credentials;
    private readonly OkxSigner _signer;
    private readonly ClientOrderIdFormat _ids;
    private readonly IReportSink _sink;
    private readonly OkxOrderGatewayOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly MonotonicClock _monotonic;
    private readonly OkxOrderEncoder _encoder;
    private readonly OkxOrderRateLimiter _limiter;
    private readonly MpscRing<QueuedCommand> _ring;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly ConcurrentQueue<(WsLink Link, byte[] Frame)> _controlFrames = new();
    private readonly byte[] _frame = new byte[OkxOrderEncoder.MaxFrameLength];
    private readonly Lock _reportGate = new();
    private readonly Lock _connectGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly long[] _lastTradeId;
    private readonly ReconnectBackoff _backoff;
    private Thread? _sendThread;
    private ITimer? _sweepTimer;
    private volatile WsLink? _ws;
    private volatile bool _ready;
    private volatile bool _started;
    private volatile bool _stopping;
    private volatile Exception? _fault;
    private volatile Exception? _lastConnectError;
    private int _wakeRequested;
    private int _reconnecting;
    private long _nextRequestId;
    private long _clockOffsetMs;
    private long _downEpoch;

    /// <summary>
    /// A queued command; <see cref="Leg"/> says which half of a cancel-replace it is (the new order follows only once
    /// the cancel succeeded, so it is queued by the receive loop).
    /// </summary>
    private readonly record struct QueuedCommand(OrderCommand Command, RequestLeg Leg, long TriggerStampNs);

    /// <summary>
    /// Tick-to-wire: the triggering market-data frame's read stamp (<see cref="Send(in OrderCommand, long)"/>) → the
    /// order frame written to the socket. Every frame is written by the send thread, its only writer (the gateway
    /// has no inline path), so it belongs with <c>EngineLatency.TickToWireQueued</c>.
    /// </summary>
    public HdrHistogram.LongHistogram? TickToWireQueued { get; set; }

    /// <summary>Tick-to-ack: the triggering frame's read stamp → the answer read. Written by the receive loop.</summary>
    public HdrHistogram.LongHistogram? TickToAck { get; set; }

    /// <summary>Command-to-ack: frame handed to the socket → the venue's answer read. Written by the receive loop.</summary>
    public HdrHistogram.LongHistogram? CommandToAck { get; set; }

    /// <summary>
    /// The venue's own processing time of each answered trade op (<c>outTime − inTime</c>, µs), written by the receive
    /// loop: it separates OKX's matching-engine latency from the network in <see cref="CommandToAck"/>.
    /// </summary>
    public HdrHistogram.LongHistogram? VenueProcessingMicros { get; set; }

    public OkxOrderGateway(IReadOnlyList<OkxOrderInstrument> instruments, OkxCredentials credentials, ClientOrderIdFormat ids,
        IReportSink sink, OkxOrderGatewayOptions options, HttpClient http, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        if (instruments.Count == 0)
            ThrowHelper.ThrowArgument(nameof(instruments), "at least one instrument is required");
        if (options.OrderOpsPerWindow <= 0 || options.RateWindow <= TimeSpan.Zero)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(options), "OrderOpsPerWindow and RateWindow must be positive");
        _tasks = new GuardedTasks(() => _stopping);
        if (options.ReconnectDelay <= TimeSpan.Zero || options.ReconnectDelayMax < options.ReconnectDelay)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(options), "ReconnectDelay must be positive and at most ReconnectDelayMax");
        _instruments = [.. instruments];
        _instIds = [.. _instruments.Select(i => Encoding.ASCII.GetBytes(i.InstId))];
        _credentials = credentials;
        _signer = new OkxSigner(credentials.Secret);
        _ids = ids;
        _sink = sink;
        _options = options;
        _http = http;
        _time = time ?? TimeProvider.System;
        _monotonic = new MonotonicClock(_time);
        _encoder = new OkxOrderEncoder(instruments, ids, options.SelfTradePrevention);
        _limiter = new OkxOrderRateLimiter(_time, _instruments.Max(i => i.InstrumentId) + 1, options.OrderOpsPerWindow, options.RateWindow);
        _ring = new MpscRing<QueuedCommand>(options.QueueCapacity);
        // Unseeded: gateways of several processes that lost OKX together must not retry in step.
        _backoff = new ReconnectBackoff(options.ReconnectDelay, options.ReconnectDelayMax);
        _pending = new PendingSlot[PendingCapacity];
        // Each request takes the next slot: map the pages now, not on a command's way to the socket.
        Fathom.Core.PageCommit.Touch(_pending);
        _lastTradeId = new long[_instruments.Length];
        _seenFills = new FillKeyWindow[_instruments.Length];
        for (int i = 0; i < _seenFills.Length; i++)
            _seenFills[i] = new FillKeyWindow(SeenFillCapacity);
    }

    /// <summary>True while commands go over a logged-on, subscribed private WebSocket.</summary>
    public bool IsReady => _ready;

    /// <summary>
    /// Why the gateway stopped trying (a login refused for good, <see cref="OkxErrorMap.IsLoginFailure"/>: the
    /// credentials, their permissions, the account's state), or null. Order entry stays reported down. Also an unexpected
    /// exception in one of the gateway's own tasks (<see cref="RunGuarded"/>), after which it goes on reconnecting.
    /// </summary>
    public Exception? Fault => _fault ?? _tasks.Fault;

    private readonly GuardedTasks _tasks;

    /// <summary>Runs one of the gateway's own tasks; an exception it does not expect becomes <see cref="Fault"/> (<see cref="GuardedTasks"/>).</summary>
    private void RunGuarded(Func<Task> work, string what) => _tasks.Run(work, what);

    /// <summary>
    /// While reconnecting: why the last attempt failed (a refused handshake, a timeout, a login refused for a reason
    /// that may heal, such as 50001 or 50013, as an <see cref="OkxLoginException"/> with its code); null once connected.
    /// </summary>
    public Exception? LastConnectError => _lastConnectError;

    /// <summary>
    /// The clock re-syncs after a refused timestamp that failed: the failure in force, the last one and the count. The
    /// host reports them (<c>OrderEntryWatch</c>).
    /// </summary>
    public ClockSyncRecord ClockSync { get; } = new();

    /// <summary>Server time minus local time, as last measured (ms); added to every request timestamp.</summary>
    public long ClockOffsetMs => Interlocked.Read(ref _clockOffsetMs);

    // Counters (read from any thread; written with Interlocked).
    private long _sentWs, _sentRest, _timeouts, _disconnects, _reconnects, _timeSyncs, _lateResponses, _foreignReports,
        _malformed, _localRejects, _reconciledOrders, _reconciledFills, _queueFull, _duplicateFills, _amendFailedAfterAccept,
        _reconcileFailures, _pings, _venueRateLimits;
    public long CommandsSentWs => Interlocked.Read(ref _sentWs);
    public long CommandsSentRest => Interlocked.Read(ref _sentRest);
    public long Timeouts => Interlocked.Read(ref _timeouts);
    public long Disconnects => Interlocked.Read(ref _disconnects);
    public long Reconnects => Interlocked.Read(ref _reconnects);
    public long TimeSyncs => Interlocked.Read(ref _timeSyncs);
    /// <summary>Answers that came after their request was reported timed out (still delivered: they are venue facts).</summary>
    public long LateResponses => Interlocked.Read(ref _lateResponses);
    /// <summary>Pushes and listed orders without our client id prefix (or on an instrument not configured): skipped.</summary>
    public long ForeignReports => Interlocked.Read(ref _foreignReports);
    public long MalformedFrames => Interlocked.Read(ref _malformed);
    /// <summary>Commands refused before sending (rate limit, back-off, unknown instrument, full queue, encoding).</summary>
    public long LocalRejects => Interlocked.Read(ref _localRejects);
    public long ReconciledOrders => Interlocked.Read(ref _reconciledOrders);
    public long ReconciledFills => Interlocked.Read(ref _reconciledFills);
    /// <summary>Fill pushes (or reconciled fills) seen before, by (tradeId, ordId), and dropped.</summary>
    public long DuplicateFillsDropped => Interlocked.Read(ref _duplicateFills);
    /// <summary>
    /// <c>orders</c> pushes with <c>amendResult:"-1"</c>: OKX accepted an amend (sCode 0) and then failed it. The
    /// amend was already reported; the order's size at the venue is the unamended one (see docs/venues.md).
    /// </summary>
    public long AmendsFailedAfterAccept => Interlocked.Read(ref _amendFailedAfterAccept);
    public long ReconcileFailures => Interlocked.Read(ref _reconcileFailures);

    /// <summary>The per-IP connection-attempt window this gateway's attempts count in (shared with the feed), or null.</summary>
    public OkxRequestGate? ConnectGate => _options.ConnectGate;

    /// <summary>Connection attempts that waited for a slot in the shared per-IP window (<see cref="OkxOrderGatewayOptions.ConnectGate"/>).</summary>
    public long ConnectsThrottled => Interlocked.Read(ref _connectsThrottled);
    private long _connectsThrottled;
    public long PingsSent => Interlocked.Read(ref _pings);
    /// <summary>50011/50061/429 answers from the venue (each starts a back-off).</summary>
    public long VenueRateLimits => Interlocked.Read(ref _venueRateLimits);

    public async Task StartAsync(CancellationToken cancel)
    {
        if (_started || _sendThread is not null)
            ThrowHelper.ThrowInvalidOperation("already started");
        _sendThread = new Thread(SendLoop) { IsBackground = true, Name = "okx-order-send" };
        _sendThread.Start();
        _sweepTimer = _time.CreateTimer(static s => ((OkxOrderGateway)s!).Sweep(), this, _options.SweepPeriod, _options.SweepPeriod);
        await SyncTimeAsync(cancel).ConfigureAwait(false);
        try
        {
            await ConnectAsync(cancel).ConfigureAwait(false);
        }
        catch (OkxLoginException ex)
        {
            _fault = ex;
            ReportOrderEntry(up: false);
            throw;
        }
        long epoch = Interlocked.Read(ref _downEpoch);
        _started = true;
        if (_ws is null)
            _ = ReconnectLoopAsync();
        else
            TryReportOrderEntryUp(epoch);
    }

    /// <summary>Queues the command for the send thread; never blocks and never throws for a venue outcome.</summary>
    public void Send(in OrderCommand command) => Send(command, 0);

    /// <inheritdoc />
    /// <remarks>Always queued for the send thread, so it returns 0 (the engine stamps the hand-off to the queue).</remarks>
    public long Send(in OrderCommand command, long triggerStampNs)
    {
        if (!_ring.TryWrite(new QueuedCommand(command, command.Kind == CommandKind.CancelReplace ? RequestLeg.ReplaceCancel : RequestLeg.Single, triggerStampNs)))
        {
            Interlocked.Increment(ref _queueFull);
            LocalReject(command, RequestLeg.Single, RejectReason.RateLimited, 0, "local: gateway queue full", 0);
            return 0;
        }
        Wake();
        return 0;
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakeRequested, 1) == 0)
            _signal.Release();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping)
            return;
        _stopping = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        _sweepTimer?.Dispose();
        Wake();
        if (_ws is { } link)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await link.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
            }
            link.Socket.Abort();
        }
        _sendThread?.Join(TimeSpan.FromSeconds(2));
    }

    /// <summary>Local UTC ms corrected by the measured server offset: what goes into every timestamp.</summary>
    private long VenueNowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds() + Interlocked.Read(ref _clockOffsetMs);

    private long LocalNowNs() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    private int IndexOfInstId(ReadOnlySpan<byte> instId)
    {
        for (int i = 0; i < _instIds.Length; i++)
            if (instId.SequenceEqual(_instIds[i]))
                return i;
        return -1;
    }

    private int IndexOfInstrument(int instrumentId)
    {
        for (int i = 0; i < _instruments.Length; i++)
            if (_instruments[i].InstrumentId == instrumentId)
                return i;
        return -1;
    }

    // ---------------------------------------------------------------- reports (the only place the sink is called)

    private void Emit(in AckReport r) { lock (_reportGate) _sink.OnAck(r); }
    private void Emit(in RejectReport r) { lock (_reportGate) _sink.OnReject(r); }
    private void Emit(in CanceledReport r) { lock (_reportGate) _sink.OnCanceled(r); }
    private void Emit(in ExpiredReport r) { lock (_reportGate) _sink.OnExpired(r); }
    private void Emit(in AmendedReport r) { lock (_reportGate) _sink.OnAmended(r); }
    private void Emit(in StatusUnknownReport r) { lock (_reportGate) _sink.OnStatusUnknown(r); }
    private void Emit(in OrderStatusReport r) { lock (_reportGate) _sink.OnOrderStatus(r); }
    private void Emit(in VenueHealthReport r) { lock (_reportGate) _sink.OnVenueHealth(r); }

    private void ReportOrderEntry(bool up) => Emit(VenueHealthReport.OrderEntry(up, LocalNowNs()));

    /// <summary>Reports order entry up unless the connection dropped since <paramref name="epoch"/> was read.</summary>
    private void TryReportOrderEntryUp(long epoch)
    {
        lock (_connectGate)
        {
            if (Interlocked.Read(ref _downEpoch) != epoch || _ws is null || _stopping)
                return;
            _ready = true;
        }
        ReportOrderEntry(up: true);
    }
}
