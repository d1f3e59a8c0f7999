using System.Net.WebSockets;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Binance;

public sealed partial class BinanceOrderGateway
{
    private const int PendingCapacity = 4096;

    /// <summary>One WS API request awaiting its answer; the slot is <c>id &amp; (capacity − 1)</c>.</summary>
    private struct PendingSlot
    {
        public long Id;
        public OrderCommand Command;
        public long SentTimestamp;
        /// <summary>Monotonic ns when the frame was handed to the socket (command-to-ack starts here).</summary>
        public long HandedNs;
        /// <summary>The triggering frame's read stamp (tick-to-ack starts here), 0 when none.</summary>
        public long TriggerNs;
        /// <summary>Reported StatusUnknown(Timeout) already; kept so a late answer is still delivered.</summary>
        public bool TimedOut;
        /// <summary>The connection it went out on (a rotation retires the old one once its answers are in).</summary>
        public WsLink? Link;
    }

    private readonly PendingSlot[] _pending;
    private readonly Lock _pendingGate = new();
    private readonly OrderCommand[] _expired = new OrderCommand[PendingCapacity];

    private static readonly string s_localBackoff = "local: rate-limit back-off in force (Retry-After)";
    private static readonly string s_orderBudget = "local: order count budget for the 10 s window is used up";
    private static readonly string s_unknownInstrument = "local: instrument not configured in the gateway";

    // One writer at a time on the socket, the encoder and the frame buffer: the send thread, or a
    // caller sending inline. 1 while owned.
    private int _sendOwner;

    // A write the socket did not complete at once, started inline and left to finish in the background.
    // Only the owner of _sendOwner reads or writes it. Until it completes nothing else may be written
    // (one outstanding send per WebSocket) and _frame, which it may still be reading, must not change.
    private Task? _deferredWrite;
    private WsLink? _deferredLink;

    /// <summary>
    /// Sends on the calling thread when the WS API is up, nothing is queued and no one else is writing. Never waits.
    /// <paramref name="handedNs"/>: when the frame was handed to the socket (0 when it went another way or not at all).
    /// </summary>
    private bool TrySendInline(in OrderCommand command, long triggerStampNs, out long handedNs)
    {
        handedNs = 0;
        if (!_wsReady || _ws is null || _options.RestOnly || _ring.Count > 0 || !_controlFrames.IsEmpty)
            return false;
        if (Interlocked.CompareExchange(ref _sendOwner, 1, 0) != 0)
            return false;
        try
        {
            // Re-checked as the owner: a command queued meanwhile must go first, so this one queues behind it.
            if (_ring.Count > 0 || !_wsReady)
                return false;
            // An earlier inline write is still on its way out (a full socket): the send thread, which may
            // wait, takes this one.
            if (_deferredWrite is { } deferred)
            {
                if (!deferred.IsCompleted)
                    return false;
                ObserveDeferredWrite(deferred);
            }
            handedNs = Dispatch(command, triggerStampNs, inline: true);
            Interlocked.Increment(ref _sentInline);
            return true;
        }
        finally
        {
            Volatile.Write(ref _sendOwner, 0);
        }
    }

    /// <summary>
    /// The inline send path for <paramref name="command"/> without the send (see <see cref="IOrderEntry.Rehearse"/>): as
    /// the owner of the socket and frame buffer, and only when an inline send could run now (WS API up, a logged-on
    /// session, nothing queued, no write still reading the buffer), the command is encoded into the frame buffer a real
    /// send writes, and the request slot it would take is read. No request id is taken, no rate limit or budget is
    /// charged, nothing is registered, recorded or written. Core thread only (as <see cref="Send(in OrderCommand)"/>).
    /// </summary>
    public void Rehearse(in OrderCommand command)
    {
        if (!_options.InlineSend || _options.RestOnly || !_wsReady || !_sessionLoggedOn || _ring.Count > 0 || !_encoder.Knows(command.InstrumentId))
            return;
        if (Interlocked.CompareExchange(ref _sendOwner, 1, 0) != 0)
            return;
        try
        {
            if (_deferredWrite is { IsCompleted: false })
                return; // the socket may still be reading _frame
            long id = Volatile.Read(ref _nextRequestId) + 1;
            _encoder.TryEncodeWs(command, id, VenueNowMs(), sessionLoggedOn: true, _frame, out _);
            _rehearsalTouch = _pending[id & (PendingCapacity - 1)].Id; // read outside the lock: only its cache line matters
            _rehearsals++;
        }
        finally
        {
            Volatile.Write(ref _sendOwner, 0);
        }
    }

    private long _rehearsalTouch;
    private long _rehearsals;
    /// <summary>Rehearsals that encoded a frame (<see cref="Rehearse"/>); none is ever sent.</summary>
    internal long Rehearsals => _rehearsals;

    /// <summary>
    /// Tick-to-wire samples of inline sends not yet in <see cref="TickToWire"/>: recording into the histogram costs a
    /// few hundred ns on a cold cache, and a frame's later commands would wait for it, so the samples wait here until
    /// the engine has handed over the frame's last command (<see cref="CommandsHandedOver"/>). Core thread only.
    /// </summary>
    private readonly long[] _inlineWireSamples = new long[32];
    private int _inlineWireSampleCount;

    private void RecordInlineTickToWire(long ns)
    {
        if (_inlineWireSampleCount == _inlineWireSamples.Length)
            CommandsHandedOver();
        _inlineWireSamples[_inlineWireSampleCount++] = ns;
    }

    /// <summary>The engine handed over its last command of an input: inline tick-to-wire samples go into <see cref="TickToWire"/>.</summary>
    public void CommandsHandedOver()
    {
        int n = _inlineWireSampleCount;
        if (n == 0)
            return;
        _inlineWireSampleCount = 0;
        if (TickToWire is { } histogram)
            for (int i = 0; i < n; i++)
                histogram.RecordValue(_inlineWireSamples[i]);
    }

    private long _sentInline;
    /// <summary>Commands written on the caller's thread (see <see cref="BinanceOrderGatewayOptions.InlineSend"/>).</summary>
    public long SentInline => Interlocked.Read(ref _sentInline);

    /// <summary>The send thread: drains control frames, then commands; sleeps on the semaphore when idle.</summary>
    private void SendLoop()
    {
        var spin = new SpinWait();
        while (!_stopping)
        {
            Volatile.Write(ref _wakeRequested, 0);
            if (!_controlFrames.IsEmpty || _ring.Count > 0)
            {
                if (Interlocked.CompareExchange(ref _sendOwner, 1, 0) != 0)
                {
                    spin.SpinOnce(); // an inline send is writing: it takes microseconds
                    continue;
                }
                spin.Reset();
                try
                {
                    if (_deferredWrite is { } deferred)
                        ObserveDeferredWrite(deferred); // waits here, on the send thread, never on the caller's
                    while (_controlFrames.TryDequeue(out var control))
                        SendControlFrame(control.Link, control.Frame);
                    while (_ring.TryRead(out var queued))
                        Dispatch(queued.Command, queued.TriggerStampNs, inline: false);
                }
                finally
                {
                    Volatile.Write(ref _sendOwner, 0);
                }
            }
            if (Volatile.Read(ref _wakeRequested) == 0)
                _signal.Wait(100);
        }
    }

    /// <summary>A control request on its own connection (which may not be the published one yet).</summary>
    private static void SendControlFrame(WsLink link, byte[] frame)
    {
        var ws = link.Socket;
        if (link.Lost)
            return; // the control request failed with the connection
        try
        {
            SendFrame(ws, frame);
        }
        // An abort (stall, disconnect) fails a write in progress with OperationCanceledException.
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException or OperationCanceledException)
        {
            ws.Abort();
        }
    }

    /// <summary>Writes one frame; waits until the socket took it (the send thread only).</summary>
    private static void SendFrame(ClientWebSocket ws, ReadOnlyMemory<byte> frame)
    {
        var pending = ws.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
        if (pending.IsCompleted)
            pending.GetAwaiter().GetResult();
        else
            pending.AsTask().GetAwaiter().GetResult(); // socket buffer full: wait here, on the send thread
    }

    /// <summary>
    /// Writes one frame without ever waiting (the inline path, on the caller's thread): a write the socket
    /// does not complete at once is kept in <see cref="_deferredWrite"/> and finishes in the background.
    /// </summary>
    private void SendFrameNoWait(WsLink link, ReadOnlyMemory<byte> frame)
    {
        var pending = link.Socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
        if (pending.IsCompleted)
        {
            pending.GetAwaiter().GetResult();
            return;
        }
        _deferredWrite = pending.AsTask();
        _deferredLink = link;
        Interlocked.Increment(ref _deferredWrites);
    }

    /// <summary>
    /// Waits for the deferred write (returns at once when it is done) and clears it. A failed write means
    /// a broken socket: it is aborted, and the request it carried goes StatusUnknown(Disconnected) with the
    /// connection, like any write that failed synchronously.
    /// </summary>
    private void ObserveDeferredWrite(Task deferred)
    {
        WsLink? link = _deferredLink;
        _deferredWrite = null;
        _deferredLink = null;
        try
        {
            deferred.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException or OperationCanceledException)
        {
            link?.Socket.Abort();
        }
    }

    /// <summary>Sends one command (WS API, or REST while the WS API is down); returns when its WS frame was handed to the socket, else 0.</summary>
    private long Dispatch(in OrderCommand command, long triggerStampNs, bool inline)
    {
        if (!_encoder.Knows(command.InstrumentId) || command.Kind == CommandKind.None)
        {
            LocalReject(command, RejectReason.InvalidRequest, 0, s_unknownInstrument);
            return 0;
        }
        if (RefusedByFilters(command))
            return 0;
        // Risk never blocks a cancel, and neither does the gateway: a cancel always goes out.
        if (command.Kind != CommandKind.Cancel)
        {
            if (_limiter.TryAcquire(BinanceOrderEncoder.Weight(command.Kind)) > TimeSpan.Zero)
            {
                LocalReject(command, RejectReason.RateLimited, -1003, s_localBackoff);
                return 0;
            }
            if (command.Kind is CommandKind.Place or CommandKind.CancelReplace && OrderBudgetExhausted())
            {
                LocalReject(command, RejectReason.RateLimited, -1015, s_orderBudget);
                return 0;
            }
        }
        var link = _ws;
        if (_wsReady && link is not null && !_options.RestOnly)
        {
            var ws = link.Socket;
            long id = Interlocked.Increment(ref _nextRequestId);
            if (!_encoder.TryEncodeWs(command, id, VenueNowMs(), _sessionLoggedOn, _frame, out int length))
            {
                LocalReject(command, RejectReason.InvalidRequest, 0, s_unknownInstrument);
                return 0;
            }
            long handedNs = RegisterPending(id, command, link, triggerStampNs);
            try
            {
                if (inline)
                    SendFrameNoWait(link, _frame.AsMemory(0, length));
                else
                    SendFrame(ws, _frame.AsMemory(0, length));
                Interlocked.Increment(ref _sentWs);
                if (triggerStampNs > 0 && (inline ? TickToWire : TickToWireQueued) is { } tickToWire)
                {
                    long ns = Math.Clamp(_monotonic.NowNanos() - triggerStampNs, 1, tickToWire.HighestTrackableValue);
                    if (inline)
                        RecordInlineTickToWire(ns);
                    else
                        tickToWire.RecordValue(ns);
                }
            }
            // An abort (stall, disconnect) fails a write in progress with OperationCanceledException.
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException or OperationCanceledException)
            {
                // The frame may or may not have left: the receive loop reports the pending command
                // StatusUnknown(Disconnected) when the connection goes; it is never resent.
                ws.Abort();
            }
            return handedNs;
        }
        SendRest(command);
        return 0;
    }

    /// <summary>
    /// Records the request in flight on <paramref name="link"/>. The send thread read the link before this; if the
    /// connection went meanwhile, its drop may already have failed everything pending on it and missed this one, which
    /// would then wait for the request timeout: a link found lost here (under the same lock the drop's sweep takes,
    /// after setting it lost) is swept again, so the request is reported unknown at once. Returns the "handed to the
    /// socket" stamp it took (command-to-ack starts there; an inline send's tick-to-order ends there).
    /// </summary>
    internal long RegisterPending(long id, in OrderCommand command, WsLink link, long triggerStampNs)
    {
        // Taken before the lock and right before the write: "handed to the socket" (the lock is uncontended
        // here; the receive thread holds it only to take a slot).
        long handedNs = _monotonic.NowNanos();
        OrderCommand evicted = default;
        bool evict = false;
        bool lost;
        lock (_pendingGate)
        {
            ref var slot = ref _pending[id & (PendingCapacity - 1)];
            if (slot.Id != 0 && !slot.TimedOut)
            {
                // More than PendingCapacity requests in flight: the oldest gives up now (it is not resent).
                evicted = slot.Command;
                evict = true;
            }
            slot.Id = id;
            slot.Command = command;
            slot.SentTimestamp = _time.GetTimestamp();
            slot.HandedNs = handedNs;
            slot.TriggerNs = triggerStampNs;
            slot.TimedOut = false;
            slot.Link = link;
            lost = link.Lost;
        }
        if (evict)
            ReportUnknown(evicted, UnknownCause.Timeout);
        if (lost)
            FailAllPending(UnknownCause.Disconnected, link);
        return handedNs;
    }

    private bool TryTakePending(long id, out OrderCommand command, out bool late, out long handedNs, out long triggerNs)
    {
        lock (_pendingGate)
        {
            ref var slot = ref _pending[id & (PendingCapacity - 1)];
            if (slot.Id == id)
            {
                command = slot.Command;
                late = slot.TimedOut;
                handedNs = slot.HandedNs;
                triggerNs = slot.TriggerNs;
                slot = default;
                return true;
            }
        }
        command = default;
        late = false;
        handedNs = triggerNs = 0;
        return false;
    }

    /// <summary>
    /// Timer: requests older than RequestTimeout go StatusUnknown(Timeout) (the slot waits for a late
    /// answer); then the published connection's liveness (stall, probe due).
    /// </summary>
    private void Sweep()
    {
        // A system timer fires again while a slow callback still runs (a loaded machine): one sweep at a
        // time, since _expired is shared and the liveness check must not report a stall twice.
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
            return;
        try
        {
            SweepOnce();
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private int _sweeping;

    private void SweepOnce()
    {
        CheckConnectionAge();
        int count = 0;
        long now = _time.GetTimestamp();
        WsLink? current = _ws;
        long oldestOnCurrent = long.MaxValue;
        lock (_pendingGate)
        {
            for (int i = 0; i < _pending.Length; i++)
            {
                ref var slot = ref _pending[i];
                if (slot.Id == 0)
                    continue;
                // Timed out or not, a request on the current connection without an answer is liveness evidence.
                if (slot.Link == current && slot.SentTimestamp < oldestOnCurrent)
                    oldestOnCurrent = slot.SentTimestamp;
                if (slot.TimedOut)
                    continue;
                if (_time.GetElapsedTime(slot.SentTimestamp, now) >= _options.RequestTimeout)
                {
                    slot.TimedOut = true;
                    _expired[count++] = slot.Command;
                }
            }
        }
        for (int i = 0; i < count; i++)
        {
            Interlocked.Increment(ref _timeouts);
            ReportUnknown(_expired[i], UnknownCause.Timeout);
        }
        CheckLiveness(current, oldestOnCurrent);
    }

    /// <summary>Requests sent on <paramref name="link"/> still waiting for an answer (timed-out ones excluded).</summary>
    private bool HasPendingOn(WsLink link)
    {
        lock (_pendingGate)
        {
            for (int i = 0; i < _pending.Length; i++)
                if (_pending[i].Id != 0 && !_pending[i].TimedOut && _pending[i].Link == link)
                    return true;
        }
        return false;
    }

    /// <summary>The connection went: every request on it is unknown (the venue may have acted on it).</summary>
    private void FailAllPending(UnknownCause cause, WsLink link)
    {
        var failed = new List<OrderCommand>();
        lock (_pendingGate)
        {
            for (int i = 0; i < _pending.Length; i++)
            {
                ref var slot = ref _pending[i];
                if (slot.Id == 0 || slot.Link != link)
                    continue;
                if (!slot.TimedOut)
                    failed.Add(slot.Command);
                slot = default;
            }
        }
        foreach (var c in failed)
            ReportUnknown(c, cause);
    }

    private void LocalReject(in OrderCommand command, RejectReason reason, int code, string message)
    {
        Interlocked.Increment(ref _localRejects);
        var report = new RejectReport(command.InstrumentId, Target(command), command.Kind, reason, code, message, LocalNowNs());
        lock (_reportGate)
            _sink.OnReject(report);
    }

    private void ReportUnknown(in OrderCommand command, UnknownCause cause)
    {
        var report = new StatusUnknownReport(command.InstrumentId, Target(command), command.Kind, cause, LocalNowNs());
        lock (_reportGate)
            _sink.OnStatusUnknown(report);
    }

    /// <summary>The order a command is about: a place names its own id, everything else the order acted on.</summary>
    private static ClientOrderId Target(in OrderCommand command) =>
        command.Kind == CommandKind.Place ? command.ClientOrderId : command.OrigClientOrderId;

    // ---------------------------------------------------------------- order-count budget (ORDERS 10 s)

    private int _orderCount10s, _orderLimit10s;
    private long _orderWindow10s = -1;

    private bool OrderBudgetExhausted()
    {
        long window = VenueNowMs() / 10_000;
        if (window != Interlocked.Read(ref _orderWindow10s))
            return false; // a new wall-clock window: the venue's count restarted
        int limit = Volatile.Read(ref _orderLimit10s);
        return limit > 0 && Volatile.Read(ref _orderCount10s) >= limit;
    }

    private void OnOrderCount10s(int count, int limit)
    {
        Volatile.Write(ref _orderCount10s, count);
        if (limit > 0)
            Volatile.Write(ref _orderLimit10s, limit);
        Interlocked.Exchange(ref _orderWindow10s, VenueNowMs() / 10_000);
    }
}
