using System.Collections.Concurrent;
using System.Net.WebSockets;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Binance;

/// <summary>
/// Binance spot order entry (<see cref="IOrderGateway"/>). Entry points: <see cref="StartAsync"/>,
/// <see cref="Send"/>, <see cref="DisposeAsync"/>; reports go to the <see cref="IReportSink"/> given here.
/// </summary>
/// <remarks>
/// Paths: the WebSocket API is primary (order.place with newOrderRespType=ACK, order.cancel,
/// order.cancelReplace, order.amend.keepPriority, order.status); the connection is logged on with
/// session.logon when the key is Ed25519, otherwise every request carries apiKey and an HMAC signature
/// over its sorted params. While the WS API is down, commands go over signed REST.
/// Threading: <see cref="Send"/> (core thread) only copies the command into a ring and wakes the single
/// send thread, which encodes, registers the request in the pending map and writes the frame: one writer
/// per socket. Answers are read on the receive loop; a sweep timer on the injected TimeProvider reports
/// requests without an answer as StatusUnknown(Timeout). Every sink call is made under one lock, so the
/// sink sees one report at a time, from whichever gateway thread produced it.
/// Health (BinanceOrderGateway.Liveness.cs): WS API pings measure the round trip and catch a connection
/// that is open but answers nothing; order entry up/down and instrument status changes go to the sink as
/// <see cref="VenueHealthReport"/>s.
/// Invariants: a command is sent at most once (never resent after a timeout, 5xx or disconnect);
/// secrets never leave <see cref="BinanceCredentials"/> and the signers.
/// </remarks>
public sealed partial class BinanceOrderGateway : IOrderGateway
{
    private readonly BinanceOrderInstrument[] _instruments;
    private readonly byte[][] _symbolBytes;
    private readonly BinanceCredentials _credentials;
    private readonly ClientOrderIdFormat _ids;
    private readonly IReportSink _sink;
    private readonly BinanceOrderGatewayOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly BinanceOrderEncoder _encoder;
    private readonly RestWeightLimiter _limiter;
    private readonly MpscRing<QueuedCommand> _ring;
    private readonly Fathom.Core.MonotonicClock _monotonic;

    /// <summary>A command and the socket-read stamp of the frame that caused it (0: none).</summary>
    private readonly record struct QueuedCommand(OrderCommand Command, long TriggerStampNs);

    /// <summary>
    /// Where tick-to-wire (the triggering frame's read stamp to the WS API frame written to the socket)
    /// is recorded for frames written inline, by the thread that called <c>Send</c> (the core, under its
    /// lock: a single writer, so a plain histogram). Set by the composition, or null.
    /// </summary>
    public HdrHistogram.LongHistogram? TickToWire { get; set; }

    /// <summary>Tick-to-wire of frames the send thread wrote (queued behind another): written only by that thread.</summary>
    public HdrHistogram.LongHistogram? TickToWireQueued { get; set; }

    /// <summary>
    /// Command-to-ack: a WS API order frame handed to the socket → the venue's answer to it read (ack, reject,
    /// cancel confirmed; queries and answers after a timeout are not samples). Written by the receive loop, the
    /// one reader of the published connection (during a rotation the retiring one's loop may add a last few).
    /// </summary>
    public HdrHistogram.LongHistogram? CommandToAck { get; set; }

    /// <summary>Tick-to-ack: the triggering frame's read stamp → the answer read, for commands a frame triggered.</summary>
    public HdrHistogram.LongHistogram? TickToAck { get; set; }
    private readonly SemaphoreSlim _signal = new(0);
    private readonly ConcurrentQueue<(WsLink Link, byte[] Frame)> _controlFrames = new();
    private readonly byte[] _frame = new byte[BinanceOrderEncoder.MaxFrameLength];
    private readonly ReconnectBackoff _backoff; // drawn from by the one reconnect loop running at a time
    private readonly Lock _reportGate = new();
    private readonly Lock _connectGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly long[] _lastTradeId;
    private Thread? _sendThread;
    private ITimer? _sweepTimer;
    private volatile WsLink? _ws;
    private volatile bool _wsReady;
    private volatile bool _sessionLoggedOn;
    private volatile bool _started;
    private volatile bool _stopping;
    private int _wakeRequested;
    private int _reconnecting;
    private int _timeSyncRunning;
    private long _nextRequestId;
    private long _clockOffsetMs;
    private long _sessionStartMs;

    public BinanceOrderGateway(IReadOnlyList<BinanceOrderInstrument> instruments, BinanceCredentials credentials, ClientOrderIdFormat ids,
        IReportSink sink, BinanceOrderGatewayOptions options, HttpClient http, TimeProvider? time = null, RestWeightLimiter? limiter = null)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        if (instruments.Count == 0)
            ThrowHelper.ThrowArgument(nameof(instruments), "at least one instrument is required");
        _instruments = [.. instruments];
        _symbolBytes = [.. _instruments.Select(i => System.Text.Encoding.ASCII.GetBytes(i.Symbol.ToUpperInvariant()))];
        _credentials = credentials;
        _ids = ids;
        _sink = sink;
        _options = options;
        _http = http;
        _time = time ?? TimeProvider.System;
        _monotonic = new Fathom.Core.MonotonicClock(_time);
        _encoder = new BinanceOrderEncoder(instruments, ids, credentials, options.RecvWindowMs, options.SelfTradePrevention);
        _limiter = limiter ?? new RestWeightLimiter(_time);
        if (options.ReconnectDelay <= TimeSpan.Zero || options.ReconnectDelayMax < options.ReconnectDelay)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(options), "ReconnectDelay must be positive and at most ReconnectDelayMax");
        // Unseeded: several processes that lost the venue together do not retry in step.
        _backoff = new ReconnectBackoff(options.ReconnectDelay, options.ReconnectDelayMax);
        _ring = new MpscRing<QueuedCommand>(options.QueueCapacity);
        _pending = new PendingSlot[PendingCapacity];
        // Each request takes the next slot: map the pages now, not on a command's way to the socket.
        _tasks = new GuardedTasks(() => _stopping);
        Fathom.Core.PageCommit.Touch(_pending);
        Fathom.Core.PageCommit.Touch(_expired);
        _lastTradeId = new long[_instruments.Length];
    }

    private volatile Exception? _fault;
    private volatile Exception? _lastConnectError;

    /// <summary>
    /// Why order entry stopped reconnecting for good, or null: the venue refused the key itself on a reconnect or its
    /// reconciliation (-2015 the key deleted, its IP or permissions changed; -2014 a malformed key; -1022 a signature
    /// the secret cannot make). Such a refusal does not heal without a person: retrying it would only spend the IP's
    /// connection budget. Order entry stays reported down; the host halts trading with this reason. Also an unexpected
    /// exception in one of the gateway's own tasks (<see cref="RunGuarded"/>), after which it goes on reconnecting.
    /// </summary>
    public Exception? Fault => _fault ?? _tasks.Fault;

    private readonly GuardedTasks _tasks;

    /// <summary>Runs one of the gateway's own tasks; an exception it does not expect becomes <see cref="Fault"/> (<see cref="GuardedTasks"/>).</summary>
    private void RunGuarded(Func<Task> work, string what) => _tasks.Run(work, what);

    /// <summary>
    /// While order entry is reconnecting: why the last attempt (a connection, or the reconciliation after it) failed,
    /// or null once order entry is up again. The host reports each new reason once.
    /// </summary>
    public Exception? LastConnectError => _lastConnectError;

    /// <summary>A refusal of the credentials themselves (see <see cref="Fault"/>), as opposed to the venue being busy or away.</summary>
    internal static bool IsCredentialRefusal(Exception ex) => ex is BinanceRestException { Local: false, Code: -2015 or -2014 or -1022 };

    /// <summary>True while commands go over a logged-on WS API connection (or REST, when configured REST-only).</summary>
    public bool IsReady => _wsReady || (_started && _options.RestOnly);

    public RestWeightLimiter Limiter => _limiter;

    /// <summary>
    /// The clock re-syncs after a refused timestamp that failed: the failure in force, the last one and the count. The
    /// host reports them (<c>OrderEntryWatch</c>).
    /// </summary>
    public ClockSyncRecord ClockSync { get; } = new();

    /// <summary>Server time minus local time, as last measured (ms); added to every request timestamp.</summary>
    public long ClockOffsetMs => Interlocked.Read(ref _clockOffsetMs);

    // Counters (read from any thread; written with Interlocked).
    private long _sentWs, _sentRest, _timeouts, _disconnects, _reconnects, _timeSyncs, _lateResponses, _foreignReports,
        _accountPositions, _balanceUpdates, _malformed, _localRejects, _reconciledOrders, _reconciledFills, _queueFull,
        _rotations, _duplicateEvents, _shutdownNotices, _reconcileFailures, _queriedFills;
    public long CommandsSentWs => Interlocked.Read(ref _sentWs);
    public long CommandsSentRest => Interlocked.Read(ref _sentRest);
    public long Timeouts => Interlocked.Read(ref _timeouts);
    public long Disconnects => Interlocked.Read(ref _disconnects);
    public long Reconnects => Interlocked.Read(ref _reconnects);
    public long TimeSyncs => Interlocked.Read(ref _timeSyncs);
    /// <summary>Answers that came after their request was reported timed out (still delivered: they are venue facts).</summary>
    public long LateResponses => Interlocked.Read(ref _lateResponses);
    public long ForeignReports => Interlocked.Read(ref _foreignReports);
    public long AccountPositionEvents => Interlocked.Read(ref _accountPositions);
    public long BalanceUpdateEvents => Interlocked.Read(ref _balanceUpdates);
    public long MalformedFrames => Interlocked.Read(ref _malformed);
    /// <summary>Commands refused before sending (rate-limit back-off, order budget, unknown instrument, full queue).</summary>
    public long LocalRejects => Interlocked.Read(ref _localRejects);
    public long ReconciledOrders => Interlocked.Read(ref _reconciledOrders);
    public long ReconciledFills => Interlocked.Read(ref _reconciledFills);
    /// <summary>Fills read with myTrades?orderId= because a status query answered with executed quantity.</summary>
    public long QueriedFills => Interlocked.Read(ref _queriedFills);
    /// <summary>Reconciliation passes after a reconnect that failed and were retried (order entry stays reported down meanwhile).</summary>
    public long ReconcileFailures => Interlocked.Read(ref _reconcileFailures);
    /// <summary>Planned connection replacements (age limit, serverShutdown, eventStreamTerminated), overlapping the old connection.</summary>
    public long Rotations => Interlocked.Read(ref _rotations);
    /// <summary>User data events seen twice while two connections were subscribed (a rotation overlap) and dropped.</summary>
    public long DuplicateEventsDropped => Interlocked.Read(ref _duplicateEvents);
    /// <summary><c>serverShutdown</c> / <c>eventStreamTerminated</c> notices received (each starts a rotation).</summary>
    public long ShutdownNotices => Interlocked.Read(ref _shutdownNotices);

    /// <summary>ORDERS count of the current 10 s window, as the venue last reported it.</summary>
    public int OrderCount10s => Volatile.Read(ref _orderCount10s);

    public async Task StartAsync(CancellationToken cancel)
    {
        if (_started)
            ThrowHelper.ThrowInvalidOperation("already started");
        _sessionStartMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _sendThread = new Thread(SendLoop) { IsBackground = true, Name = "binance-order-send" };
        _sendThread.Start();
        _sweepTimer = _time.CreateTimer(static s => ((BinanceOrderGateway)s!).Sweep(), this, _options.SweepPeriod, _options.SweepPeriod);
        if (_options.RestOnly)
            await SyncTimeRestAsync(cancel).ConfigureAwait(false);
        else
            await ConnectAsync(cancel).ConfigureAwait(false);
        long epoch = DownEpoch();
        await LoadMetadataAsync(cancel).ConfigureAwait(false); // reports every instrument's status first
        StartMetadataRefresh();
        _started = true;
        if (!_options.RestOnly && _ws is null)
            _ = ReconnectLoopAsync(); // dropped while starting: the reconnect reconciles and reports order entry up
        else
            TryReportOrderEntryUp(epoch); // a drop from here on starts the reconnect loop itself (started is set)
    }

    /// <summary>Queues the command for the send thread; never blocks and never throws for a venue outcome.</summary>
    public void Send(in OrderCommand command) => Send(command, 0);

    /// <inheritdoc />
    public long Send(in OrderCommand command, long triggerStampNs)
    {
        if (_options.InlineSend && TrySendInline(command, triggerStampNs, out long handedNs))
            return handedNs;
        if (!_ring.TryWrite(new QueuedCommand(command, triggerStampNs)))
        {
            Interlocked.Increment(ref _queueFull);
            LocalReject(command, RejectReason.RateLimited, 0, "gateway queue full");
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
        _metadataTimer?.Dispose();
        Wake();
        var link = _ws;
        if (link is not null)
        {
            var ws = link.Socket;
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
            }
            ws.Abort();
        }
        _sendThread?.Join(TimeSpan.FromSeconds(2));
        _encoder.Dispose();
    }

    /// <summary>Local UTC ms corrected by the measured server offset: what goes into <c>timestamp</c>.</summary>
    private long VenueNowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds() + Interlocked.Read(ref _clockOffsetMs);

    private long LocalNowNs() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    private int IndexOfSymbol(ReadOnlySpan<byte> symbol)
    {
        for (int i = 0; i < _symbolBytes.Length; i++)
            if (symbol.SequenceEqual(_symbolBytes[i]))
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
}
