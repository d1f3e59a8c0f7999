using System.Net.WebSockets;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Okx;

/// <summary>Which request of a command a pending slot or queued item is.</summary>
internal enum RequestLeg : byte
{
    /// <summary>The command's only request (place, cancel, amend).</summary>
    Single = 0,
    /// <summary>A cancel-replace's cancel of the old order (goes first).</summary>
    ReplaceCancel,
    /// <summary>A cancel-replace's new order (sent only after the cancel succeeded).</summary>
    ReplacePlace,
}

public sealed partial class OkxOrderGateway
{
    private const int PendingCapacity = 4096;

    /// <summary>One trade op awaiting its answer; the slot is <c>id &amp; (capacity − 1)</c>.</summary>
    private struct PendingSlot
    {
        public long Id;
        public OrderCommand Command;
        public RequestLeg Leg;
        public long SentTimestamp;
        public long HandedNs;
        /// <summary>The triggering market-data frame's read stamp (tick-to-ack starts here), 0 when none.</summary>
        public long TriggerNs;
        public bool TimedOut;
        public WsLink? Link;
    }

    private readonly PendingSlot[] _pending;
    private readonly Lock _pendingGate = new();
    private readonly (OrderCommand Command, RequestLeg Leg)[] _expired = new (OrderCommand, RequestLeg)[PendingCapacity];
    private int _sweeping;

    private static readonly string s_localRate = "local: OKX order-op limit (60 per 2 s per instrument) reached";
    private static readonly string s_localBackoff = "local: venue rate-limit back-off in force";
    private static readonly string s_unknownInstrument = "local: instrument not configured in the gateway";
    private static readonly string s_unencodable = "local: command cannot be encoded (unsupported type, non-positive price or size, id out of range)";

    /// <summary>The send thread: drains control frames (ping, cancel-all), then commands; sleeps when idle.</summary>
    private void SendLoop()
    {
        while (!_stopping)
        {
            Volatile.Write(ref _wakeRequested, 0);
            while (_controlFrames.TryDequeue(out var control))
                SendControlFrame(control.Link, control.Frame);
            while (_ring.TryRead(out var queued))
                Dispatch(queued.Command, queued.Leg, queued.TriggerStampNs);
            if (Volatile.Read(ref _wakeRequested) == 0)
                _signal.Wait(100);
        }
    }

    private void SendControlFrame(WsLink link, byte[] frame)
    {
        if (link.Lost)
            return;
        try
        {
            WriteFrame(link, frame);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException or OperationCanceledException)
        {
            link.Socket.Abort();
        }
    }

    /// <summary>Writes one text frame and waits until the socket took it (the send thread only; a full socket blocks only it).</summary>
    private void WriteFrame(WsLink link, ReadOnlyMemory<byte> frame)
    {
        var pending = link.Socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
        if (pending.IsCompleted)
            pending.GetAwaiter().GetResult();
        else
            pending.AsTask().GetAwaiter().GetResult();
        Volatile.Write(ref link.LastSendTimestamp, _time.GetTimestamp());
    }

    private void Dispatch(in OrderCommand command, RequestLeg leg, long triggerStampNs)
    {
        if (command.Kind is CommandKind.None || !_encoder.Knows(command.InstrumentId))
        {
            LocalReject(command, leg, RejectReason.InvalidRequest, 0, s_unknownInstrument, 0);
            return;
        }
        if (command.Kind == CommandKind.Query)
        {
            // OKX has no WebSocket order query: the read goes over signed REST (and never counts as an order op).
            var copy = command;
            RunGuarded(() => QueryOrderAsync(copy), "an order query");
            return;
        }
        bool isCancel = command.Kind == CommandKind.Cancel || leg == RequestLeg.ReplaceCancel;
        // A cancel is never held back by the gateway (risk never blocks one either); new orders and amends are.
        if (!isCancel)
        {
            TimeSpan wait = _limiter.TryAcquire(command.InstrumentId);
            if (wait > TimeSpan.Zero)
            {
                bool backoff = _limiter.BackoffRemaining() > TimeSpan.Zero;
                LocalReject(command, leg, RejectReason.RateLimited, 50011, backoff ? s_localBackoff : s_localRate, (long)(wait.TotalMilliseconds * 1_000_000));
                return;
            }
        }
        var link = _ws;
        if (!_ready || link is null || link.Lost)
        {
            SendRest(command, leg);
            return;
        }
        long id = Interlocked.Increment(ref _nextRequestId);
        if (!TryEncodeWs(command, leg, id, out int length))
        {
            LocalReject(command, leg, RejectReason.InvalidRequest, 0, s_unencodable, 0);
            return;
        }
        PostOnlySent(command, leg);
        RegisterPending(id, command, leg, link, triggerStampNs);
        try
        {
            WriteFrame(link, _frame.AsMemory(0, length));
            Interlocked.Increment(ref _sentWs);
            if (triggerStampNs > 0 && TickToWireQueued is { } tickToWire)
                tickToWire.RecordValue(Math.Clamp(_monotonic.NowNanos() - triggerStampNs, 1, tickToWire.HighestTrackableValue));
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException or OperationCanceledException)
        {
            // The frame may or may not have left: the receive loop reports the pending request
            // StatusUnknown(Disconnected) when the connection goes; it is never resent.
            link.Socket.Abort();
        }
    }

    private bool TryEncodeWs(in OrderCommand c, RequestLeg leg, long id, out int length)
    {
        switch (c.Kind)
        {
            case CommandKind.Place:
                return _encoder.TryEncodePlace(id, c.InstrumentId, c.ClientOrderId, c.Side, c.Type, c.Price, c.Qty, _frame, out length);
            case CommandKind.Cancel:
                return _encoder.TryEncodeCancel(id, c.InstrumentId, c.VenueOrderId, WireId(c.OrigClientOrderId), _frame, out length);
            case CommandKind.AmendQty:
                return _encoder.TryEncodeAmendSize(id, c.InstrumentId, c.VenueOrderId, WireId(c.OrigClientOrderId), c.ClientOrderId, c.Qty, _frame, out length);
            case CommandKind.CancelReplace when leg == RequestLeg.ReplaceCancel:
                return _encoder.TryEncodeCancel(id, c.InstrumentId, c.VenueOrderId, WireId(c.OrigClientOrderId), _frame, out length);
            case CommandKind.CancelReplace:
                return _encoder.TryEncodePlace(id, c.InstrumentId, c.NewClientOrderId, c.Side, c.Type, c.Price, c.Qty, _frame, out length);
        }
        length = 0;
        return false;
    }

    /// <summary>
    /// Records the request in flight on <paramref name="link"/>. The send thread read the link before this; if the
    /// connection went meanwhile, its drop may already have failed everything pending on it and missed this one, which
    /// would then wait for <see cref="OkxOrderGatewayOptions.RequestTimeout"/>: a link found lost here (under the same
    /// lock the drop's sweep takes, after setting it lost) is swept again, so the request is reported unknown at once.
    /// </summary>
    internal void RegisterPending(long id, in OrderCommand command, RequestLeg leg, WsLink link, long triggerStampNs)
    {
        long handedNs = _monotonic.NowNanos();
        (OrderCommand Command, RequestLeg Leg) evicted = default;
        bool evict = false;
        bool lost;
        lock (_pendingGate)
        {
            ref var slot = ref _pending[id & (PendingCapacity - 1)];
            if (slot.Id != 0 && !slot.TimedOut)
            {
                // More than PendingCapacity requests in flight: the oldest gives up now (it is not resent).
                evicted = (slot.Command, slot.Leg);
                evict = true;
            }
            slot.Id = id;
            slot.Command = command;
            slot.Leg = leg;
            slot.SentTimestamp = _time.GetTimestamp();
            slot.HandedNs = handedNs;
            slot.TriggerNs = triggerStampNs;
            slot.TimedOut = false;
            slot.Link = link;
            lost = link.Lost;
        }
        if (evict)
            ReportUnknown(evicted.Command, evicted.Leg, UnknownCause.Timeout);
        if (lost)
            FailAllPending(link);
    }

    private bool TryTakePending(long id, out OrderCommand command, out RequestLeg leg, out bool late, out long handedNs, out long triggerNs)
    {
        lock (_pendingGate)
        {
            ref var slot = ref _pending[id & (PendingCapacity - 1)];
            if (slot.Id == id && id != 0)
            {
                command = slot.Command;
                leg = slot.Leg;
                late = slot.TimedOut;
                handedNs = slot.HandedNs;
                triggerNs = slot.TriggerNs;
                slot = default;
                return true;
            }
        }
        command = default;
        leg = default;
        late = false;
        handedNs = triggerNs = 0;
        return false;
    }

    /// <summary>Timer: timeouts (StatusUnknown, the slot waits for a late answer), then the keep-alive and liveness.</summary>
    private void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
            return;
        try
        {
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
                        _expired[count++] = (slot.Command, slot.Leg);
                    }
                }
            }
            for (int i = 0; i < count; i++)
            {
                Interlocked.Increment(ref _timeouts);
                ReportUnknown(_expired[i].Command, _expired[i].Leg, UnknownCause.Timeout);
            }
            KeepAlive(now);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private static readonly byte[] s_ping = "ping"u8.ToArray();

    /// <summary>
    /// Sends a text <c>ping</c> when nothing went out for <see cref="OkxOrderGatewayOptions.PingInterval"/> (OKX drops a
    /// connection silent for 30 s); a ping unanswered for <see cref="OkxOrderGatewayOptions.LivenessTimeout"/> means
    /// the connection is stalled: it is aborted, which reports order entry down and reconnects.
    /// </summary>
    private void KeepAlive(long now)
    {
        var link = _ws;
        if (link is null || link.Lost || _options.PingInterval <= TimeSpan.Zero || _options.PingInterval == Timeout.InfiniteTimeSpan)
            return;
        long pingAt = Volatile.Read(ref link.PingSentTimestamp);
        if (pingAt != 0)
        {
            if (_options.LivenessTimeout > TimeSpan.Zero && _time.GetElapsedTime(pingAt, now) >= _options.LivenessTimeout)
                link.Socket.Abort(); // no pong: the receive loop ends and the drop is handled there
            return;
        }
        long lastSend = Volatile.Read(ref link.LastSendTimestamp);
        if (_time.GetElapsedTime(lastSend, now) < _options.PingInterval)
            return;
        Volatile.Write(ref link.PingSentTimestamp, now);
        Volatile.Write(ref link.PingSentNs, _monotonic.NowNanos());
        Interlocked.Increment(ref _pings);
        _controlFrames.Enqueue((link, s_ping));
        Wake();
    }

    /// <summary>The connection went: every request on it is unknown (the venue may have acted on it).</summary>
    private void FailAllPending(WsLink link)
    {
        var failed = new List<(OrderCommand, RequestLeg)>();
        lock (_pendingGate)
        {
            for (int i = 0; i < _pending.Length; i++)
            {
                ref var slot = ref _pending[i];
                if (slot.Id == 0 || slot.Link != link)
                    continue;
                if (!slot.TimedOut)
                    failed.Add((slot.Command, slot.Leg));
                slot = default;
            }
        }
        foreach (var (c, leg) in failed)
            ReportUnknown(c, leg, UnknownCause.Disconnected);
    }

    private void LocalReject(in OrderCommand command, RequestLeg leg, RejectReason reason, int code, string message, long retryAfterNs)
    {
        PostOnlySettled(command, leg);
        Interlocked.Increment(ref _localRejects);
        Emit(new RejectReport(command.InstrumentId, Target(command, leg), command.Kind, reason, code, message, LocalNowNs(), retryAfterNs));
    }

    private void ReportUnknown(in OrderCommand command, RequestLeg leg, UnknownCause cause)
    {
        PostOnlySettled(command, leg);
        Emit(new StatusUnknownReport(command.InstrumentId, Target(command, leg), command.Kind, cause, LocalNowNs()));
    }

    /// <summary>
    /// The order a request is about: a place names its own id; a cancel or amend the order acted on; a
    /// cancel-replace's cancel the old order and its new order the new id (the engine tells the legs apart by it).
    /// </summary>
    private static ClientOrderId Target(in OrderCommand command, RequestLeg leg) => command.Kind switch
    {
        CommandKind.Place => command.ClientOrderId,
        CommandKind.CancelReplace when leg == RequestLeg.ReplacePlace => command.NewClientOrderId,
        _ => command.OrigClientOrderId,
    };

    // ---------------------------------------------------------------- amend aliases

    // OKX keeps an order's clOrdId through an amend (the amend's own id travels as reqId), while the engine knows
    // the order by the amend's id from then on (AmendQtyCommand). Two maps, under one lock, keep both directions:
    // engine id → the clOrdId the venue knows, and that clOrdId → the engine's current id. Entries go when the
    // order closes. Only amended orders are in them, so the common path is one failed lookup.
    private readonly Dictionary<ClientOrderId, ClientOrderId> _wireOf = [];
    private readonly Dictionary<ClientOrderId, ClientOrderId> _engineOf = [];
    private readonly Lock _aliasGate = new();

    /// <summary>The clOrdId the venue knows the engine's order <paramref name="engineId"/> by.</summary>
    private ClientOrderId WireId(ClientOrderId engineId)
    {
        lock (_aliasGate)
            return _wireOf.TryGetValue(engineId, out var wire) ? wire : engineId;
    }

    /// <summary>The engine's current id of the order the venue calls <paramref name="wireId"/>.</summary>
    private ClientOrderId EngineId(ClientOrderId wireId)
    {
        lock (_aliasGate)
            return _engineOf.TryGetValue(wireId, out var current) ? current : wireId;
    }

    private void AddAlias(ClientOrderId previousEngineId, ClientOrderId newEngineId)
    {
        lock (_aliasGate)
        {
            var wire = _wireOf.TryGetValue(previousEngineId, out var w) ? w : previousEngineId;
            _wireOf.Remove(previousEngineId);
            _wireOf[newEngineId] = wire;
            _engineOf[wire] = newEngineId;
        }
    }

    private void DropAlias(ClientOrderId wireId)
    {
        lock (_aliasGate)
        {
            if (_engineOf.Remove(wireId, out var current))
                _wireOf.Remove(current);
        }
    }

    // ---------------------------------------------------------------- fill de-duplication

    private const int SeenFillCapacity = 8192;
    private readonly FillKeyWindow[] _seenFills;

    /// <summary>
    /// The last <c>capacity</c> fills seen on one instrument, by (tradeId, ordId): a self-trade has one trade id for
    /// two orders. Pushes repeat after a reconnect (reconciliation re-reads fills) and OKX may push one twice.
    /// Allocation-free after construction; guarded by the caller.
    /// </summary>
    private sealed class FillKeyWindow(int capacity)
    {
        private readonly HashSet<(long, long)> _keys = new(capacity);
        private readonly (long, long)[] _order = new (long, long)[capacity];
        private int _next;
        private int _count;

        /// <summary>True the first time a key is offered (and remembers it); false for a repeat.</summary>
        public bool Add(long tradeId, long orderId)
        {
            var key = (tradeId, orderId);
            if (!_keys.Add(key))
                return false;
            if (_count == _order.Length)
                _keys.Remove(_order[_next]);
            else
                _count++;
            _order[_next] = key;
            _next = (_next + 1) % _order.Length;
            return true;
        }
    }

    /// <summary>Delivers a fill unless (instrument, tradeId, ordId) was delivered before; tracks the highest trade id.</summary>
    private bool EmitFill(int index, in FillReport fill)
    {
        lock (_seenFills[index])
        {
            if (!_seenFills[index].Add(fill.TradeId, fill.VenueOrderId))
            {
                Interlocked.Increment(ref _duplicateFills);
                return false;
            }
            if (fill.TradeId > _lastTradeId[index])
                _lastTradeId[index] = fill.TradeId;
        }
        lock (_reportGate)
            _sink.OnFill(fill);
        return true;
    }
}
