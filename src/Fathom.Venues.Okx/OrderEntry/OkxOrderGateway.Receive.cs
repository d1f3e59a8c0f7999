using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Okx;

/// <summary>One private WebSocket connection and what its receive loop and keep-alive track.</summary>
internal sealed class WsLink(ClientWebSocket socket, long openedTimestamp)
{
    public ClientWebSocket Socket { get; } = socket;
    public volatile bool Lost;
    public long LastSendTimestamp = openedTimestamp;
    /// <summary>When the outstanding <c>ping</c> went out (TimeProvider timestamp), 0 when none is outstanding.</summary>
    public long PingSentTimestamp;
    public long PingSentNs;
    /// <summary>The answer to login, then to subscribe: (code, msg). Replaced before each request.</summary>
    public TaskCompletionSource<(int Code, string Message)> Control = NewControl();

    public static TaskCompletionSource<(int Code, string Message)> NewControl() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public sealed partial class OkxOrderGateway
{
    private async Task ReceiveLoopAsync(WsLink link)
    {
        byte[] buffer = new byte[64 * 1024];
        int used = 0;
        try
        {
            while (!_stopping)
            {
                if (used == buffer.Length)
                    Array.Resize(ref buffer, buffer.Length * 2);
                var result = await link.Socket.ReceiveAsync(buffer.AsMemory(used), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                    break;
                used += result.Count;
                if (!result.EndOfMessage)
                    continue;
                HandleFrame(link, buffer.AsSpan(0, used));
                used = 0;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException or InvalidOperationException)
        {
        }
        OnLinkLost(link);
    }

    /// <summary>One complete frame: <c>pong</c>, an event (login, subscribe, error), a trade-op answer or a push.</summary>
    internal void HandleFrame(WsLink link, ReadOnlySpan<byte> frame)
    {
        if (frame.SequenceEqual("pong"u8))
        {
            long sentNs = Interlocked.Exchange(ref link.PingSentNs, 0);
            Volatile.Write(ref link.PingSentTimestamp, 0);
            if (sentNs != 0)
                Emit(VenueHealthReport.Probe(Math.Max(1, _monotonic.NowNanos() - sentNs), LocalNowNs()));
            return;
        }
        if (OkxJson.TryGet(frame, "event"u8, out var evt))
        {
            HandleEvent(link, frame, evt);
            return;
        }
        if (OkxJson.TryGet(frame, "op"u8, out _) && OkxJson.TryGet(frame, "id"u8, out var idText))
        {
            HandleReply(frame, OkxJson.Long(idText));
            return;
        }
        if (OkxJson.TryGet(frame, "data"u8, out var data) && OkxJson.TryGet(frame, "arg"u8, out var arg)
            && OkxJson.TryGet(arg, "channel"u8, out var channel) && channel.SequenceEqual("orders"u8))
        {
            for (int i = 0; OkxJson.TryElement(data, i, out var order); i++)
                HandleOrderUpdate(order);
            return;
        }
        Interlocked.Increment(ref _malformed);
    }

    private void HandleEvent(WsLink link, ReadOnlySpan<byte> frame, ReadOnlySpan<byte> evt)
    {
        int code = OkxJson.TryGet(frame, "code"u8, out var c) ? (int)OkxJson.Long(c, -1) : 0;
        if (evt.SequenceEqual("login"u8) || evt.SequenceEqual("subscribe"u8) || evt.SequenceEqual("error"u8))
        {
            string message = OkxJson.TryGet(frame, "msg"u8, out var m) ? Encoding.UTF8.GetString(m) : "";
            if (!link.Control.TrySetResult((code, message)) && evt.SequenceEqual("error"u8))
                Interlocked.Increment(ref _malformed); // an error about nothing we asked for
        }
        // "notice" (service upgrade: the connection will be closed and re-established) and
        // "channel-conn-count" need nothing: a close is handled as any drop.
    }

    /// <summary>An answer to a trade op: a cancel-all's goes to its waiter, an order command's to <see cref="Complete"/>.</summary>
    private void HandleReply(ReadOnlySpan<byte> frame, long id)
    {
        if (TryCompleteControl(id, frame))
            return;
        if (!TryTakePending(id, out var command, out var leg, out bool late, out long handedNs, out long triggerNs))
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        if (late)
            Interlocked.Increment(ref _lateResponses);
        else
        {
            long nowNs = _monotonic.NowNanos();
            if (CommandToAck is { } commandToAck)
                commandToAck.RecordValue(Math.Clamp(nowNs - handedNs, 1, commandToAck.HighestTrackableValue));
            if (triggerNs > 0 && TickToAck is { } tickToAck)
                tickToAck.RecordValue(Math.Clamp(nowNs - triggerNs, 1, tickToAck.HighestTrackableValue));
        }
        if (VenueProcessingMicros is { } venue && OkxJson.TryGet(frame, "inTime"u8, out var inTime) && OkxJson.TryGet(frame, "outTime"u8, out var outTime))
        {
            long micros = OkxJson.Long(outTime) - OkxJson.Long(inTime);
            if (micros >= 0)
                venue.RecordValue(Math.Clamp(micros, 1, venue.HighestTrackableValue));
        }
        Complete(command, leg, frame, 200, null, late);
    }

    /// <summary>
    /// Maps an answer (WebSocket reply or REST response: the same shape) to reports. The per-order <c>sCode</c>
    /// decides when present, else the top-level <c>code</c>. Codes that leave the outcome open are StatusUnknown.
    /// </summary>
    private void Complete(in OrderCommand command, RequestLeg leg, ReadOnlySpan<byte> body, int httpStatus, TimeSpan? retryAfter, bool late)
    {
        int code = OkxJson.TryGet(body, "code"u8, out var codeText) ? (int)OkxJson.Long(codeText, -1) : (httpStatus == 200 ? -1 : 0);
        ReadOnlySpan<byte> order = default;
        if (OkxJson.TryGet(body, "data"u8, out var data))
            OkxJson.TryElement(data, 0, out order);
        int effective = !order.IsEmpty && OkxJson.TryGet(order, "sCode"u8, out var sCode) ? (int)OkxJson.Long(sCode, -1) : code;
        if (OkxErrorMap.IsStatusUnknown(httpStatus, effective) || (httpStatus == 200 && effective == -1))
        {
            // A 5xx-style code (or an answer we cannot read) does not mean refused: the venue may have acted.
            if (effective == -1)
                Interlocked.Increment(ref _malformed);
            ReportUnknown(command, leg, UnknownCause.ServerError);
            return;
        }
        if (httpStatus == 200 && effective == 0)
        {
            Succeeded(command, leg, order, late);
            return;
        }
        var reason = OkxErrorMap.Map(httpStatus, effective);
        long retryAfterNs = 0;
        if (OkxErrorMap.IsRateLimit(httpStatus, effective))
        {
            Interlocked.Increment(ref _venueRateLimits);
            TimeSpan hold = retryAfter is { } ra && ra > TimeSpan.Zero ? ra : _options.VenueBackoff;
            _limiter.BackOff(hold);
            retryAfterNs = (long)(hold.TotalMilliseconds * 1_000_000);
        }
        if (OkxErrorMap.IsTimestampRejected(effective))
            RequestTimeSync();
        // Cold path: the venue's message as text.
        string message = !order.IsEmpty && OkxJson.TryGet(order, "sMsg"u8, out var sMsg) && !sMsg.IsEmpty ? Encoding.UTF8.GetString(sMsg)
            : OkxJson.TryGet(body, "msg"u8, out var msg) ? Encoding.UTF8.GetString(msg) : $"HTTP {httpStatus}";
        PostOnlySettled(command, leg);
        Emit(new RejectReport(command.InstrumentId, Target(command, leg), command.Kind, reason, effective == 0 ? httpStatus : effective,
            message, LocalNowNs(), retryAfterNs));
    }

    private void Succeeded(in OrderCommand command, RequestLeg leg, ReadOnlySpan<byte> order, bool late)
    {
        long ordId = OkxJson.TryGet(order, "ordId"u8, out var o) ? OkxJson.Long(o) : 0;
        long timeNs = OkxJson.TryGet(order, "ts"u8, out var ts) && OkxJson.Long(ts) > 0 ? OkxJson.Long(ts) * 1_000_000 : LocalNowNs();
        switch (command.Kind)
        {
            case CommandKind.Place:
            case CommandKind.CancelReplace when leg == RequestLeg.ReplacePlace:
                // A post-only order is acked by the orders push ("live"), not by its answer: OKX accepts one that would
                // take (sCode 0) and then cancels it (cancelSource 31), which must reach the core as a reject (WouldTake),
                // and the core's order table has no reject after an ack.
                if (command.Type != OrderType.LimitMaker)
                    Emit(new AckReport(command.InstrumentId, Target(command, leg), ordId, timeNs));
                else
                    PostOnlyAnswered(command, leg);
                break;
            case CommandKind.Cancel:
                Emit(new CanceledReport(command.InstrumentId, command.OrigClientOrderId, timeNs));
                break;
            case CommandKind.AmendQty:
                AddAlias(command.OrigClientOrderId, command.ClientOrderId);
                Emit(new AmendedReport(command.InstrumentId, command.OrigClientOrderId, command.ClientOrderId, command.Qty, timeNs));
                break;
            case CommandKind.CancelReplace:
                Emit(new CanceledReport(command.InstrumentId, command.OrigClientOrderId, timeNs));
                // The new order goes only now the cancel is confirmed (Binance's STOP_ON_FAILURE), and never after the
                // cancel was already reported unknown: the core holds both legs Unknown and resolves them by query.
                if (late)
                    break;
                if (!_ring.TryWrite(new QueuedCommand(command, RequestLeg.ReplacePlace, 0)))
                {
                    Interlocked.Increment(ref _queueFull);
                    LocalReject(command, RequestLeg.ReplacePlace, RejectReason.RateLimited, 0, "local: gateway queue full", 0);
                    break;
                }
                Wake();
                break;
        }
    }

    /// <summary>
    /// One element of an <c>orders</c> push: a fill (de-duplicated by tradeId and ordId) and the order's state.
    /// live → Ack (the ack of a post-only order; a duplicate of the answer's otherwise); canceled → Canceled, or
    /// Expired for an IOC/FOK remainder or a self-trade prevention cancel, or Reject(WouldTake) for a post-only order
    /// OKX cancelled because it would have taken, unless a live push acked it before.
    /// </summary>
    private void HandleOrderUpdate(ReadOnlySpan<byte> order)
    {
        int index = OkxJson.TryGet(order, "instId"u8, out var instId) ? IndexOfInstId(instId) : -1;
        ClientOrderId wireId = default;
        if (index < 0 || !OkxJson.TryGet(order, "clOrdId"u8, out var clOrdId) || _ids.TryParse(clOrdId, out wireId) != ClientOrderIdParse.Ours)
        {
            Interlocked.Increment(ref _foreignReports);
            return;
        }
        var instrument = _instruments[index];
        var id = EngineId(wireId);
        long ordId = OkxJson.TryGet(order, "ordId"u8, out var o) ? OkxJson.Long(o) : 0;
        long timeNs = OkxJson.TryGet(order, "uTime"u8, out var u) && OkxJson.Long(u) > 0 ? OkxJson.Long(u) * 1_000_000 : LocalNowNs();
        OkxJson.TryGet(order, "ordType"u8, out var ordType);
        OkxJson.TryGet(order, "accFillSz"u8, out var accText);
        long accFill = OkxJson.Decimal(accText, instrument.QtyDecimals);

        if (OkxJson.TryGet(order, "tradeId"u8, out var tradeText) && OkxJson.Long(tradeText) is var tradeId && tradeId > 0
            && OkxJson.TryGet(order, "fillSz"u8, out var fillSzText) && OkxJson.Decimal(fillSzText, instrument.QtyDecimals) is var fillSz && fillSz > 0)
        {
            OkxJson.TryGet(order, "fillPx"u8, out var fillPx);
            OkxJson.TryGet(order, "fillFee"u8, out var fee);
            OkxJson.TryGet(order, "fillFeeCcy"u8, out var feeCcy);
            OkxJson.TryGet(order, "side"u8, out var side);
            OkxJson.TryGet(order, "execType"u8, out var execType);
            long fillNs = OkxJson.TryGet(order, "fillTime"u8, out var ft) && OkxJson.Long(ft) > 0 ? OkxJson.Long(ft) * 1_000_000 : timeNs;
            var fill = BuildFill(index, id, ordId, tradeId, side, fillPx, fillSz, accFill, fee, feeCcy, execType, fillNs);
            EmitFill(index, fill);
        }

        OkxJson.TryGet(order, "state"u8, out var state);
        if (ordType.SequenceEqual("post_only"u8))
        {
            lock (_aliasGate)
                _postOnlyUnheard.Remove(id);
        }
        if (state.SequenceEqual("live"u8))
        {
            if (OkxJson.TryGet(order, "amendResult"u8, out var amendResult) && !amendResult.IsEmpty)
            {
                // The push that follows an amend: the amend was reported from its answer (sCode 0).
                if (amendResult.SequenceEqual("-1"u8))
                    Interlocked.Increment(ref _amendFailedAfterAccept);
                return;
            }
            // The ack of a post-only order (the first of a limit or IOC order, whose answer acked it already).
            if (ordType.SequenceEqual("post_only"u8))
                PostOnlyLive(wireId);
            Emit(new AckReport(instrument.InstrumentId, id, ordId, timeNs));
        }
        else if (state.SequenceEqual("canceled"u8) || state.SequenceEqual("mmp_canceled"u8))
        {
            DropAlias(wireId);
            OkxJson.TryGet(order, "cancelSource"u8, out var cancelSource);
            bool postOnly = ordType.SequenceEqual("post_only"u8);
            bool ackedBefore = postOnly && PostOnlyClosed(wireId);
            if (postOnly && accFill == 0 && cancelSource.SequenceEqual(PostOnlyWouldTakeSource) && !ackedBefore)
            {
                Emit(new RejectReport(instrument.InstrumentId, id, CommandKind.Place, RejectReason.WouldTake, 0,
                    "post_only order cancelled by OKX: it would have taken liquidity (cancelSource 31)", timeNs));
            }
            else if (ordType.SequenceEqual("ioc"u8) || ordType.SequenceEqual("fok"u8) || ordType.SequenceEqual("optimal_limit_ioc"u8)
                || cancelSource.SequenceEqual(SelfTradePreventionSource))
                Emit(new ExpiredReport(instrument.InstrumentId, id, timeNs));
            else
                Emit(new CanceledReport(instrument.InstrumentId, id, timeNs));
        }
        else if (state.SequenceEqual("filled"u8))
        {
            DropAlias(wireId);
            if (ordType.SequenceEqual("post_only"u8))
                PostOnlyClosed(wireId);
        }
    }

    // Post-only orders a "live" push acked. A post-only order that would take is cancelled at once (cancelSource
    // 31): without a live push before it, that is Reject(WouldTake) (Binance's reason for its -2010); after one (the
    // simulator's OKX front pushes live, then canceled) it is reported Canceled: the state is right, the reason is
    // lost, since the core's order table has no reject after an ack. Guarded by _aliasGate; cleared when the
    // connection goes (a 31-cancel follows its live push on the same connection, or never comes).
    private readonly HashSet<ClientOrderId> _postOnlyAcked = [];

    // Post-only places sent and not yet heard of on the orders channel, by the engine's id. OKX answers a post-only
    // order sCode 0 before it is known to rest (its live or canceled push decides), so the answer acks nothing. When
    // the connection goes between the answer and the push, or the order was placed over REST while the WebSocket was
    // down (its push went to no connection), nothing would ever settle it: the core would hold it PendingNew for good
    // and a stop would wait on it while it rests at the venue. An answered entry still here when the connection goes,
    // or when a reconnect reconciles, is reported StatusUnknown(Disconnected): the core queries it, and the
    // reconciliation's listing that follows settles it. Guarded by _aliasGate; pre-sized, so no allocation per order.
    private readonly Dictionary<ClientOrderId, (OrderCommand Command, RequestLeg Leg, bool Answered)> _postOnlyUnheard = new(256);

    private static bool IsPostOnlyPlace(in OrderCommand command, RequestLeg leg) =>
        command.Type == OrderType.LimitMaker
        && (command.Kind == CommandKind.Place || (command.Kind == CommandKind.CancelReplace && leg == RequestLeg.ReplacePlace));

    /// <summary>A post-only place is about to go out (WebSocket or REST).</summary>
    private void PostOnlySent(in OrderCommand command, RequestLeg leg)
    {
        if (!IsPostOnlyPlace(command, leg))
            return;
        lock (_aliasGate)
            _postOnlyUnheard[Target(command, leg)] = (command, leg, false);
    }

    /// <summary>Its answer said sCode 0: from now on only a push (or a query) can settle it.</summary>
    private void PostOnlyAnswered(in OrderCommand command, RequestLeg leg)
    {
        if (!IsPostOnlyPlace(command, leg))
            return;
        lock (_aliasGate)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_postOnlyUnheard, Target(command, leg));
            if (!Unsafe.IsNullRef(ref entry))
                entry.Answered = true;
        }
    }

    /// <summary>Its request was refused or reported unknown: that report settles it.</summary>
    private void PostOnlySettled(in OrderCommand command, RequestLeg leg)
    {
        if (!IsPostOnlyPlace(command, leg))
            return;
        lock (_aliasGate)
            _postOnlyUnheard.Remove(Target(command, leg));
    }

    /// <summary>
    /// The connection went, or a reconnect reconciles: every post-only place answered without a push since is
    /// reported StatusUnknown(Disconnected). Those whose request is still unanswered wait for that answer (or its
    /// timeout, or the drop's own StatusUnknown).
    /// </summary>
    private void ReportPostOnlyUnheard()
    {
        List<(OrderCommand Command, RequestLeg Leg)>? unheard = null;
        lock (_aliasGate)
        {
            foreach (var (id, entry) in _postOnlyUnheard)
            {
                if (!entry.Answered)
                    continue;
                (unheard ??= []).Add((entry.Command, entry.Leg));
                _postOnlyUnheard.Remove(id);
            }
        }
        if (unheard is null)
            return;
        foreach (var (command, leg) in unheard)
        {
            Interlocked.Increment(ref _postOnlyUnheardCount);
            ReportUnknown(command, leg, UnknownCause.Disconnected);
        }
    }

    private long _postOnlyUnheardCount;

    /// <summary>Post-only places answered but never pushed before their connection went (reported StatusUnknown).</summary>
    internal long PostOnlyUnheard => Interlocked.Read(ref _postOnlyUnheardCount);

    /// <summary>Post-only places answered and not yet pushed (what a drop now would report).</summary>
    internal int PostOnlyAnsweredUnheard
    {
        get
        {
            lock (_aliasGate)
                return _postOnlyUnheard.Values.Count(e => e.Answered);
        }
    }

    private void PostOnlyLive(ClientOrderId wireId)
    {
        lock (_aliasGate)
            _postOnlyAcked.Add(wireId);
    }

    /// <summary>A post-only order closed: true when a live push had acked it.</summary>
    private bool PostOnlyClosed(ClientOrderId wireId)
    {
        lock (_aliasGate)
            return _postOnlyAcked.Remove(wireId);
    }

    /// <summary>
    /// OKX's <c>cancelSource</c> for "the post-only order will take liquidity in taker orders" (OKX docs, orders
    /// channel push data, <c>cancelSource</c> table).
    /// </summary>
    internal static ReadOnlySpan<byte> PostOnlyWouldTakeSource => "31"u8;

    /// <summary>
    /// <c>cancelSource</c> for a self-trade prevention cancel: reported Expired, as Binance's EXPIRED_IN_MATCH is
    /// (the simulator's OKX front uses the same codes: 1 user, 14 IOC/FOK remainder, 31 post-only, 32 STP).
    /// </summary>
    internal static ReadOnlySpan<byte> SelfTradePreventionSource => "32"u8;

    /// <summary>
    /// A fill in the contract's terms. OKX fees are signed (negative: charged, positive: rebate), in
    /// <paramref name="feeCcy"/>: charged in quote → <c>Fee</c>; in base → <c>FeeQty</c> (taken out of the bought
    /// quantity) and <c>Fee</c> its value at the fill price; any other currency → both 0. Finer-than-lot fee digits are cut.
    /// </summary>
    private FillReport BuildFill(int index, ClientOrderId id, long ordId, long tradeId, ReadOnlySpan<byte> side, ReadOnlySpan<byte> fillPx,
        long fillSz, long accFill, ReadOnlySpan<byte> fee, ReadOnlySpan<byte> feeCcy, ReadOnlySpan<byte> execType, long timeNs)
    {
        var instrument = _instruments[index];
        long price = OkxJson.Decimal(fillPx, instrument.PriceDecimals);
        long feeQuote = 0, feeBase = 0;
        if (Ascii.EqualsIgnoreCase(feeCcy, instrument.QuoteCcy))
            feeQuote = -OkxJson.DecimalTruncated(fee, instrument.PriceDecimals);
        else if (Ascii.EqualsIgnoreCase(feeCcy, instrument.BaseCcy))
        {
            feeBase = -OkxJson.DecimalTruncated(fee, instrument.QtyDecimals);
            feeQuote = FixedPoint.Notional(new Price(price), new Qty(feeBase), instrument.PriceDecimals, instrument.QtyDecimals, instrument.PriceDecimals);
        }
        return new FillReport(instrument.InstrumentId, id, ordId, tradeId, side.SequenceEqual("sell"u8) ? OrderSide.Sell : OrderSide.Buy,
            new Price(price), new Qty(fillSz), new Qty(accFill), feeQuote, new Qty(feeBase), execType.SequenceEqual("M"u8), timeNs);
    }

    /// <summary>The connection ended: order entry down (if it was the published one), in-flight requests unknown, reconnect.</summary>
    private void OnLinkLost(WsLink link)
    {
        link.Lost = true;
        link.Control.TrySetException(new WebSocketException("OKX private WebSocket connection lost"));
        bool current;
        lock (_connectGate)
        {
            current = _ws == link;
            if (current)
            {
                _ws = null;
                _ready = false;
                Interlocked.Increment(ref _downEpoch);
            }
        }
        if (current)
        {
            Interlocked.Increment(ref _disconnects);
            ReportOrderEntry(up: false); // before the unknowns: the core learns order entry is down first
        }
        if (current)
        {
            lock (_aliasGate)
                _postOnlyAcked.Clear();
        }
        FailAllPending(link);
        if (current)
            ReportPostOnlyUnheard();
        FailControls(link);
        link.Socket.Dispose();
        if (current && !_stopping && _started)
            _ = ReconnectLoopAsync();
    }
}
