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

    /// <summary>Sends on the calling thread when the WS API is up, nothing is queued and no one else is writing.</summary>
    private bool TrySendInline(in OrderCommand command, long triggerStampNs)
    {
        if (!_wsReady || _ws is null || _options.RestOnly || _ring.Count > 0 || !_controlFrames.IsEmpty)
            return false;
        if (Interlocked.CompareExchange(ref _sendOwner, 1, 0) != 0)
            return false;
        try
        {
            // Re-checked as the owner: a command queued meanwhile must go first, so this one queues behind it.
            if (_ring.Count > 0 || !_wsReady)
                return false;
            Dispatch(command, triggerStampNs, inline: true);
            Interlocked.Increment(ref _sentInline);
            return true;
        }
        finally
        {
            Volatile.Write(ref _sendOwner, 0);
        }
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
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            ws.Abort();
        }
    }

    private static void SendFrame(ClientWebSocket ws, ReadOnlyMemory<byte> frame)
    {
        var pending = ws.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
        if (!pending.IsCompletedSuccessfully)
            pending.AsTask().GetAwaiter().GetResult(); // socket buffer full: wait here, on the send thread
    }

    private void Dispatch(in OrderCommand command, long triggerStampNs, bool inline)
    {
        if (!_encoder.Knows(command.InstrumentId) || command.Kind == CommandKind.None)
        {
            LocalReject(command, RejectReason.InvalidRequest, 0, s_unknownInstrument);
            return;
        }
        if (RefusedByFilters(command))
            return;
        // Risk never blocks a cancel, and neither does the gateway: a cancel always goes out.
        if (command.Kind != CommandKind.Cancel)
        {
            if (_limiter.TryAcquire(BinanceOrderEncoder.Weight(command.Kind)) > TimeSpan.Zero)
            {
                LocalReject(command, RejectReason.RateLimited, -1003, s_localBackoff);
                return;
            }
            if (command.Kind is CommandKind.Place or CommandKind.CancelReplace && OrderBudgetExhausted())
            {
                LocalReject(command, RejectReason.RateLimited, -1015, s_orderBudget);
                return;
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
                return;
            }
            RegisterPending(id, command, link);
            try
            {
                SendFrame(ws, _frame.AsMemory(0, length));
                Interlocked.Increment(ref _sentWs);
                if (triggerStampNs > 0 && (inline ? TickToWire : TickToWireQueued) is { } tickToWire)
                    tickToWire.RecordValue(Math.Clamp(_monotonic.NowNanos() - triggerStampNs, 1, tickToWire.HighestTrackableValue));
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException)
            {
                // The frame may or may not have left: the receive loop reports the pending command
                // StatusUnknown(Disconnected) when the connection goes; it is never resent.
                ws.Abort();
            }
            return;
        }
        SendRest(command);
    }

    private void RegisterPending(long id, in OrderCommand command, WsLink link)
    {
        OrderCommand evicted = default;
        bool evict = false;
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
            slot.TimedOut = false;
            slot.Link = link;
        }
        if (evict)
            ReportUnknown(evicted, UnknownCause.Timeout);
    }

    private bool TryTakePending(long id, out OrderCommand command, out bool late)
    {
        lock (_pendingGate)
        {
            ref var slot = ref _pending[id & (PendingCapacity - 1)];
            if (slot.Id == id)
            {
                command = slot.Command;
                late = slot.TimedOut;
                slot = default;
                return true;
            }
        }
        command = default;
        late = false;
        return false;
    }

    /// <summary>Timer: requests older than RequestTimeout go StatusUnknown(Timeout); the slot waits for a late answer.</summary>
    private void Sweep()
    {
        CheckConnectionAge();
        int count = 0;
        long now = _time.GetTimestamp();
        lock (_pendingGate)
        {
            for (int i = 0; i < _pending.Length; i++)
            {
                ref var slot = ref _pending[i];
                if (slot.Id == 0 || slot.TimedOut)
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
