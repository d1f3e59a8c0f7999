using System.Net.WebSockets;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Binance;

public sealed partial class BinanceOrderGateway
{
    private async Task ReceiveLoopAsync(WsLink link)
    {
        var ws = link.Socket;
        byte[] buffer = new byte[64 * 1024];
        int length = 0;
        try
        {
            while (ws.State == WebSocketState.Open)
            {
                if (length == buffer.Length)
                    Array.Resize(ref buffer, buffer.Length * 2);
                var r = await ws.ReceiveAsync(buffer.AsMemory(length), _stop.Token).ConfigureAwait(false);
                if (r.MessageType == WebSocketMessageType.Close)
                    break;
                length += r.Count;
                if (!r.EndOfMessage)
                    continue;
                Volatile.Write(ref link.LastReceiveNs, _monotonic.NowNanos()); // liveness: the connection delivers
                HandleFrame(link, buffer.AsSpan(0, length));
                length = 0;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        OnConnectionLost(link);
    }

    /// <summary>A WS API frame as if it came on no particular connection (tests inject venue notices here).</summary>
    internal void HandleFrame(ReadOnlySpan<byte> frame) => HandleFrame(null, frame);

    /// <summary>One WS API frame from <paramref name="link"/>: an answer <c>{id,status,result|error,rateLimits}</c> or a user data event <c>{subscriptionId,event}</c>.</summary>
    private void HandleFrame(WsLink? link, ReadOnlySpan<byte> frame)
    {
        var s = new JsonScanner(frame);
        if (!s.BeginObject())
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        long id = -1;
        int status = 0;
        int bodyStart = -1, bodyEnd = -1, eventStart = -1, eventEnd = -1, limitsStart = -1, limitsEnd = -1;
        bool first = true;
        bool shutdown = false;
        while (s.NextProperty(ref first, out var name))
        {
            if (name.SequenceEqual("e"u8))
            {
                var e = JsonFields.ReadValue(ref s, frame);
                shutdown = e.SequenceEqual("serverShutdown"u8) || e.SequenceEqual("eventStreamTerminated"u8);
            }
            else if (name.SequenceEqual("id"u8))
            {
                byte p = s.Peek();
                if (p == (byte)'"' || (p >= (byte)'0' && p <= (byte)'9'))
                    id = JsonFields.Long(JsonFields.ReadValue(ref s, frame), -1);
                else
                    s.SkipValue();
            }
            else if (name.SequenceEqual("status"u8))
            {
                status = (int)JsonFields.Long(JsonFields.ReadValue(ref s, frame));
            }
            else if (name.SequenceEqual("result"u8) || name.SequenceEqual("error"u8))
            {
                s.Peek();
                bodyStart = s.Position;
                s.SkipValue();
                bodyEnd = s.Position;
            }
            else if (name.SequenceEqual("event"u8))
            {
                s.Peek();
                eventStart = s.Position;
                s.SkipValue();
                eventEnd = s.Position;
            }
            else if (name.SequenceEqual("rateLimits"u8))
            {
                s.Peek();
                limitsStart = s.Position;
                s.SkipValue();
                limitsEnd = s.Position;
            }
            else
            {
                s.SkipValue();
            }
        }
        if (!s.Ok)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        if (shutdown)
        {
            OnShutdownNotice();
            return;
        }
        if (limitsStart >= 0)
            ApplyRateLimits(frame[limitsStart..limitsEnd]);
        if (eventStart >= 0)
        {
            HandleUserEvent(frame[eventStart..eventEnd]);
            return;
        }
        if (id < 0)
            return; // e.g. {"id":null,"status":401}: key revoked; the connection is about to close
        ReadOnlySpan<byte> body = bodyStart >= 0 ? frame[bodyStart..bodyEnd] : default;
        if (TryCompleteProbe(link, id, status, body))
            return;
        if (TryTakePending(id, out var command, out bool late, out long handedNs, out long triggerNs))
        {
            if (late)
                Interlocked.Increment(ref _lateResponses);
            else if (link is not null && command.Kind != CommandKind.Query)
                RecordAnswerLatency(Volatile.Read(ref link.LastReceiveNs), handedNs, triggerNs);
            Complete(command, status, body, RetryAfterFromWsError(status, body));
            return;
        }
        CompleteControl(id, status, body);
    }

    /// <summary>
    /// Command-to-ack (frame handed to the socket → the answer's frame read) and tick-to-ack (the triggering
    /// frame's read stamp → the same), on the receive thread, from the stamp the receive loop took for this frame.
    /// </summary>
    private void RecordAnswerLatency(long readNs, long handedNs, long triggerNs)
    {
        if (CommandToAck is { } commandToAck && handedNs > 0)
            commandToAck.RecordValue(Math.Clamp(readNs - handedNs, 1, commandToAck.HighestTrackableValue));
        if (TickToAck is { } tickToAck && triggerNs > 0)
            tickToAck.RecordValue(Math.Clamp(readNs - triggerNs, 1, tickToAck.HighestTrackableValue));
    }

    private TimeSpan? RetryAfterFromWsError(int status, ReadOnlySpan<byte> error)
    {
        if (status is not (429 or 418))
            return null;
        if (JsonFields.TryGet(error, "data"u8, out var data) && JsonFields.TryGet(data, "retryAfter"u8, out var ra))
        {
            long ms = JsonFields.Long(ra) - VenueNowMs();
            return TimeSpan.FromMilliseconds(Math.Max(0, ms));
        }
        return null;
    }

    private void ApplyRateLimits(ReadOnlySpan<byte> array)
    {
        var s = new JsonScanner(array);
        if (!s.BeginArray())
            return;
        bool first = true;
        while (s.NextElement(ref first))
        {
            var item = JsonFields.ReadValue(ref s, array);
            if (!JsonFields.TryGet(item, "rateLimitType"u8, out var type) || !JsonFields.TryGet(item, "interval"u8, out var interval)
                || !JsonFields.TryGet(item, "count"u8, out var countText))
                continue;
            int count = (int)JsonFields.Long(countText);
            int limit = JsonFields.TryGet(item, "limit"u8, out var limitText) ? (int)JsonFields.Long(limitText) : 0;
            long num = JsonFields.TryGet(item, "intervalNum"u8, out var numText) ? JsonFields.Long(numText) : 1;
            if (type.SequenceEqual("REQUEST_WEIGHT"u8) && interval.SequenceEqual("MINUTE"u8) && num == 1)
            {
                _limiter.OnUsedWeight(count);
                if (limit > 0 && limit != _limiter.WeightPerMinute)
                    _limiter.WeightPerMinute = limit;
            }
            else if (type.SequenceEqual("ORDERS"u8) && interval.SequenceEqual("SECOND"u8) && num == 10)
            {
                OnOrderCount10s(count, limit);
            }
        }
    }

    /// <summary>
    /// Maps one answer (WS API result/error or REST body) to reports. 200 → Ack/Canceled/Amended/OrderStatus;
    /// 5xx, -1006, -1007 → StatusUnknown (never a reject); 429/418 → back-off and Reject(RateLimited);
    /// -1021 → Reject and a clock re-sync; everything else → Reject with the normalized reason.
    /// </summary>
    private void Complete(in OrderCommand c, int status, ReadOnlySpan<byte> body, TimeSpan? retryAfter)
    {
        if (status == 200)
        {
            CompleteSuccess(c, body);
            return;
        }
        int code = JsonFields.TryGet(body, "code"u8, out var codeText) ? (int)JsonFields.Long(codeText) : 0;
        JsonFields.TryGet(body, "msg"u8, out var msg);
        if (status == 0 || BinanceErrorMap.IsStatusUnknown(status, code))
        {
            ReportUnknown(c, UnknownCause.ServerError);
            return;
        }
        if (status is 429 or 418)
            _limiter.OnRateLimited(status, retryAfter);
        if (code == -1021)
            RequestTimeSync();
        long now = LocalNowNs();
        if (c.Kind == CommandKind.Query && code == -2013)
        {
            Emit(new OrderStatusReport(c.InstrumentId, c.OrigClientOrderId, VenueOrderStatus.NotFound, 0, default, now));
            return;
        }
        if (c.Kind == CommandKind.CancelReplace && code is -2021 or -2022 && JsonFields.TryGet(body, "data"u8, out var data))
        {
            CompleteCancelReplaceFailure(c, data, now);
            return;
        }
        EmitReject(c, Target(c), c.Kind, status, code, msg, now, retryAfter);
    }

    /// <summary>-2022: the cancel failed, the new order was not attempted. -2021: one leg failed (ours: the new order).</summary>
    private void CompleteCancelReplaceFailure(in OrderCommand c, ReadOnlySpan<byte> data, long now)
    {
        bool cancelOk = JsonFields.TryGet(data, "cancelResult"u8, out var cr) && cr.SequenceEqual("SUCCESS"u8);
        JsonFields.TryGet(data, "cancelResponse"u8, out var cancelResponse);
        JsonFields.TryGet(data, "newOrderResponse"u8, out var newResponse);
        if (cancelOk)
        {
            Emit(new CanceledReport(c.InstrumentId, c.OrigClientOrderId, TransactNs(cancelResponse, now)));
            int code = JsonFields.TryGet(newResponse, "code"u8, out var t) ? (int)JsonFields.Long(t) : 0;
            JsonFields.TryGet(newResponse, "msg"u8, out var msg);
            EmitReject(c, c.NewClientOrderId, CommandKind.CancelReplace, 400, code, msg, now);
        }
        else
        {
            int code = JsonFields.TryGet(cancelResponse, "code"u8, out var t) ? (int)JsonFields.Long(t) : 0;
            JsonFields.TryGet(cancelResponse, "msg"u8, out var msg);
            EmitReject(c, c.OrigClientOrderId, CommandKind.CancelReplace, 400, code, msg, now);
        }
    }

    private void EmitReject(in OrderCommand c, ClientOrderId target, CommandKind kind, int status, int code, ReadOnlySpan<byte> msg, long now,
        TimeSpan? retryAfter = null)
    {
        var reason = BinanceErrorMap.Map(status, code, msg);
        // The venue's text is built here, on the reject (cold) path.
        string text = System.Text.Encoding.UTF8.GetString(msg);
        // The core holds every command for the venue's Retry-After; a given one (even 0) wins over the core's ban default.
        long retryAfterNs = status is 429 or 418 && retryAfter is { } wait ? Math.Max(1, wait.Ticks * TimeSpan.NanosecondsPerTick) : 0;
        var report = new RejectReport(c.InstrumentId, target, kind, reason, code, text, now, retryAfterNs);
        lock (_reportGate)
            _sink.OnReject(report);
    }

    private void CompleteSuccess(in OrderCommand c, ReadOnlySpan<byte> result)
    {
        long now = LocalNowNs();
        switch (c.Kind)
        {
            case CommandKind.Place:
            {
                long orderId = JsonFields.TryGet(result, "orderId"u8, out var oid) ? JsonFields.Long(oid) : 0;
                Emit(new AckReport(c.InstrumentId, c.ClientOrderId, orderId, TransactNs(result, now)), orderId);
                break;
            }
            case CommandKind.Cancel:
                Emit(new CanceledReport(c.InstrumentId, c.OrigClientOrderId, TransactNs(result, now)));
                break;
            case CommandKind.CancelReplace:
            {
                JsonFields.TryGet(result, "cancelResponse"u8, out var cancel);
                JsonFields.TryGet(result, "newOrderResponse"u8, out var placed);
                Emit(new CanceledReport(c.InstrumentId, c.OrigClientOrderId, TransactNs(cancel, now)));
                long orderId = JsonFields.TryGet(placed, "orderId"u8, out var oid) ? JsonFields.Long(oid) : 0;
                Emit(new AckReport(c.InstrumentId, c.NewClientOrderId, orderId, TransactNs(placed, now)), orderId);
                break;
            }
            case CommandKind.AmendQty:
            {
                Qty qty = c.Qty;
                if (JsonFields.TryGet(result, "amendedOrder"u8, out var amended) && JsonFields.TryGet(amended, "qty"u8, out var q))
                    qty = new Qty(JsonFields.Decimal8(q));
                var report = new AmendedReport(c.InstrumentId, c.OrigClientOrderId, c.ClientOrderId, qty, TransactNs(result, now));
                lock (_reportGate)
                    _sink.OnAmended(report);
                break;
            }
            case CommandKind.Query:
            {
                JsonFields.TryGet(result, "status"u8, out var st);
                long orderId = JsonFields.TryGet(result, "orderId"u8, out var oid) ? JsonFields.Long(oid) : 0;
                long executed = JsonFields.TryGet(result, "executedQty"u8, out var ex) ? JsonFields.Decimal8(ex) : 0;
                long time = JsonFields.TryGet(result, "updateTime"u8, out var ut) ? JsonFields.Long(ut) * 1_000_000 : now;
                // The id the venue holds the order under now: an amend renames it (see OrderStatusReport).
                ClientOrderId current = JsonFields.TryGet(result, "clientOrderId"u8, out var cid)
                    && _ids.TryParse(cid, out var parsed) == ClientOrderIdParse.Ours ? parsed : default;
                var report = new OrderStatusReport(c.InstrumentId, c.OrigClientOrderId, ParseStatus(st), orderId, new Qty(executed), time, current);
                if (executed > 0 && orderId != 0)
                    RunGuarded(() => EmitOrderTradesThenStatusAsync(report), "a query's trades"); // the position needs the trades, not the status
                else
                    Emit(report);
                break;
            }
        }
    }

    internal static VenueOrderStatus ParseStatus(ReadOnlySpan<byte> status)
    {
        if (status.SequenceEqual("NEW"u8)) return VenueOrderStatus.New;
        if (status.SequenceEqual("PARTIALLY_FILLED"u8)) return VenueOrderStatus.PartiallyFilled;
        if (status.SequenceEqual("FILLED"u8)) return VenueOrderStatus.Filled;
        if (status.SequenceEqual("CANCELED"u8) || status.SequenceEqual("PENDING_CANCEL"u8)) return VenueOrderStatus.Canceled;
        if (status.SequenceEqual("REJECTED"u8)) return VenueOrderStatus.Rejected;
        if (status.SequenceEqual("EXPIRED"u8) || status.SequenceEqual("EXPIRED_IN_MATCH"u8)) return VenueOrderStatus.Expired;
        return VenueOrderStatus.New; // PENDING_NEW (order-list legs)
    }

    private static long TransactNs(ReadOnlySpan<byte> json, long fallback) =>
        JsonFields.TryGet(json, "transactTime"u8, out var t) ? JsonFields.Long(t) * 1_000_000 : fallback;

    private void Emit(in AckReport report, long venueOrderId)
    {
        lock (_reportGate)
        {
            RememberOrder(venueOrderId, report.ClientOrderId);
            _sink.OnAck(report);
        }
    }

    private void Emit(in CanceledReport report)
    {
        lock (_reportGate)
            _sink.OnCanceled(report);
    }

    private void Emit(in OrderStatusReport report)
    {
        lock (_reportGate)
            _sink.OnOrderStatus(report);
    }

    // ---------------------------------------------------------------- user data

    private void HandleUserEvent(ReadOnlySpan<byte> ev)
    {
        ReadOnlySpan<byte> e = default, sym = default, c = default, orig = default, x = default, st = default, side = default,
            l = default, z = default, price = default, n = default, asset = default, q = default, maker = default;
        long orderId = 0, time = 0, tradeId = -1, executionId = -1;
        var s = new JsonScanner(ev);
        if (!s.BeginObject())
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        bool first = true;
        while (s.NextProperty(ref first, out var name))
        {
            var v = JsonFields.ReadValue(ref s, ev);
            if (name.Length != 1)
                continue;
            switch (name[0])
            {
                case (byte)'e': e = v; break;
                case (byte)'s': sym = v; break;
                case (byte)'c': c = v; break;
                case (byte)'C': orig = v; break;
                case (byte)'x': x = v; break;
                case (byte)'X': st = v; break;
                case (byte)'S': side = v; break;
                case (byte)'l': l = v; break;
                case (byte)'z': z = v; break;
                case (byte)'L': price = v; break;
                case (byte)'n': n = v; break;
                case (byte)'N': asset = v; break;
                case (byte)'q': q = v; break;
                case (byte)'m': maker = v; break;
                case (byte)'i': orderId = JsonFields.Long(v); break;
                case (byte)'T': time = JsonFields.Long(v); break;
                case (byte)'t': tradeId = JsonFields.Long(v, -1); break;
                case (byte)'I': executionId = JsonFields.Long(v, -1); break;
            }
        }
        if (!s.Ok)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        if (e.SequenceEqual("serverShutdown"u8) || e.SequenceEqual("eventStreamTerminated"u8))
        {
            OnShutdownNotice();
            return;
        }
        if (e.SequenceEqual("outboundAccountPosition"u8))
        {
            Interlocked.Increment(ref _accountPositions);
            return;
        }
        if (e.SequenceEqual("balanceUpdate"u8))
        {
            Interlocked.Increment(ref _balanceUpdates);
            return;
        }
        if (!e.SequenceEqual("executionReport"u8))
            return;
        int index = IndexOfSymbol(sym);
        if (index < 0 || _ids.TryParse(c, out var id) != ClientOrderIdParse.Ours)
        {
            Interlocked.Increment(ref _foreignReports);
            return;
        }
        if (!FirstSighting(index, executionId))
            return; // the same event from the other connection of a rotation overlap
        var instrument = _instruments[index];
        long ns = time * 1_000_000;
        if (x.SequenceEqual("NEW"u8))
        {
            Emit(new AckReport(instrument.InstrumentId, id, orderId, ns), orderId);
        }
        else if (x.SequenceEqual("TRADE"u8))
        {
            var fill = BuildFill(index, id, orderId, tradeId, side.SequenceEqual("BUY"u8) ? OrderSide.Buy : OrderSide.Sell,
                JsonFields.Decimal8(price), JsonFields.Decimal8(l), JsonFields.Decimal8(z), JsonFields.Decimal8(n), asset, JsonFields.IsTrue(maker), ns);
            EmitFill(index, fill);
        }
        else if (x.SequenceEqual("CANCELED"u8))
        {
            // c is the cancel's own id, C the order's (empty when the venue cancelled it itself).
            var target = id;
            if (!orig.IsEmpty && _ids.TryParse(orig, out var o) == ClientOrderIdParse.Ours)
                target = o;
            Emit(new CanceledReport(instrument.InstrumentId, target, ns));
        }
        else if (x.SequenceEqual("EXPIRED"u8) || (x.SequenceEqual("TRADE_PREVENTION"u8) && st.SequenceEqual("EXPIRED_IN_MATCH"u8)))
        {
            var report = new ExpiredReport(instrument.InstrumentId, id, ns);
            lock (_reportGate)
                _sink.OnExpired(report);
        }
        else if (x.SequenceEqual("REPLACED"u8))
        {
            var from = id;
            if (!orig.IsEmpty && _ids.TryParse(orig, out var o) == ClientOrderIdParse.Ours)
                from = o;
            var report = new AmendedReport(instrument.InstrumentId, from, id, new Qty(JsonFields.Decimal8(q)), ns);
            lock (_reportGate)
            {
                RememberOrder(orderId, id);
                _sink.OnAmended(report);
            }
        }
        else if (x.SequenceEqual("REJECTED"u8))
        {
            var report = new RejectReport(instrument.InstrumentId, id, CommandKind.Place, RejectReason.Other, 0, "REJECTED on the user stream", ns);
            lock (_reportGate)
                _sink.OnReject(report);
        }
    }

    /// <summary>
    /// A fill with its fee in quote value: commission in the quote asset is the fee; in the base asset it is
    /// also <see cref="FillReport.FeeQty"/> and valued at the fill price; any other asset (BNB) is not
    /// valued here (fee 0) and counted.
    /// </summary>
    private FillReport BuildFill(int index, ClientOrderId id, long orderId, long tradeId, OrderSide side, long price, long qty, long cumulative,
        long commission, ReadOnlySpan<byte> commissionAsset, bool isMaker, long ns)
    {
        var instrument = _instruments[index];
        long fee = 0, feeQty = 0;
        if (commission != 0)
        {
            if (AssetIs(commissionAsset, instrument.QuoteAsset))
            {
                fee = commission;
            }
            else if (AssetIs(commissionAsset, instrument.BaseAsset))
            {
                feeQty = commission;
                fee = FixedPoint.Rescale(FixedPoint.Multiply(commission, price), 2 * BinanceSymbol.WireDecimals, BinanceSymbol.WireDecimals);
            }
        }
        return new FillReport(instrument.InstrumentId, id, orderId, tradeId, side, new Price(price), new Qty(qty), new Qty(cumulative),
            fee, new Qty(feeQty), isMaker, ns);
    }

    private static bool AssetIs(ReadOnlySpan<byte> utf8, string asset)
    {
        if (utf8.Length != asset.Length)
            return false;
        for (int i = 0; i < utf8.Length; i++)
            if (utf8[i] != asset[i])
                return false;
        return true;
    }

    /// <summary>
    /// A query answer with executed quantity: the order's trades (<c>GET /api/v3/myTrades?orderId=</c>, through
    /// the weight limiter) go to the sink as fills first, then the status, so the core's position comes to
    /// agree with the status; the core de-duplicates the fills it already had by trade id. When the trades
    /// cannot be read the status still goes (execution keeps the order Unknown and queries again while the
    /// status claims more than the fills it has seen).
    /// </summary>
    private async Task EmitOrderTradesThenStatusAsync(OrderStatusReport report)
    {
        int index = IndexOfInstrument(report.InstrumentId);
        try
        {
            if (index >= 0)
            {
                lock (_reportGate)
                    RememberOrder(report.VenueOrderId, report.ClientOrderId);
                string q = "symbol=" + Uri.EscapeDataString(_instruments[index].Symbol.ToUpperInvariant())
                    + "&orderId=" + report.VenueOrderId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var (status, body) = await RestAsync(HttpMethod.Get, "/api/v3/myTrades", q, signed: true, 5, _stop.Token).ConfigureAwait(false);
                if (status == 200)
                {
                    foreach (var fill in await ParseTradesAsync(index, body, _stop.Token).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref _queriedFills);
                        // Not EmitFill: one order's trades say nothing about the account's trade ids before
                        // them, so the reconnect's fromId high-water mark must not move past those.
                        lock (_reportGate)
                            _sink.OnFill(fill);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping)
        {
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or TimeoutException or IOException or System.Text.Json.JsonException)
        {
            // The status alone still goes: execution does not finish the order on it (see above).
        }
        Emit(report);
    }

    private void EmitFill(int index, in FillReport fill)
    {
        lock (_reportGate)
        {
            if (fill.TradeId > _lastTradeId[index])
                _lastTradeId[index] = fill.TradeId;
            RememberOrder(fill.VenueOrderId, fill.ClientOrderId);
            _sink.OnFill(fill);
        }
    }

    // venue order id → our client id, for trades recovered through myTrades (which carry no client id).
    private readonly Dictionary<long, ClientOrderId> _orderIds = new(4096);

    private void RememberOrder(long venueOrderId, ClientOrderId id)
    {
        if (venueOrderId <= 0)
            return;
        if (_orderIds.Count >= 1_000_000)
            _orderIds.Clear(); // bound memory; a miss costs one order query during reconciliation
        _orderIds[venueOrderId] = id;
    }
}
