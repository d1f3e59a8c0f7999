using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Okx;

public sealed partial class OkxOrderGateway
{
    // ---------------------------------------------------------------- signed REST

    /// <summary>
    /// One REST call. Signed calls carry OK-ACCESS-KEY/SIGN/TIMESTAMP/PASSPHRASE with
    /// <c>sign = Base64(HMAC-SHA256(secret, timestamp + METHOD + path?query + body))</c> and, in demo trading,
    /// <c>x-simulated-trading: 1</c>. Bounded by <paramref name="timeout"/>; transport failures and timeouts throw.
    /// </summary>
    private async Task<(int Status, byte[] Body, TimeSpan? RetryAfter)> RestAsync(HttpMethod method, string pathAndQuery, string? body, bool signed,
        TimeSpan timeout, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(method, new Uri(_options.RestBase, pathAndQuery));
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (signed)
        {
            string timestamp = OkxSigner.IsoTimestamp(VenueNowMs());
            request.Headers.Add("OK-ACCESS-KEY", _credentials.ApiKey);
            request.Headers.Add("OK-ACCESS-SIGN", _signer.SignRest(timestamp, method.Method, pathAndQuery, body ?? ""));
            request.Headers.Add("OK-ACCESS-TIMESTAMP", timestamp);
            request.Headers.Add("OK-ACCESS-PASSPHRASE", _credentials.Passphrase);
        }
        if (_options.SimulatedTrading)
            request.Headers.Add("x-simulated-trading", "1");
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancel);
        using var response = await _http.SendAsync(request, linked.Token).ConfigureAwait(false);
        byte[] bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
        return ((int)response.StatusCode, bytes, response.Headers.RetryAfter?.Delta);
    }

    /// <summary>
    /// A signed read that must succeed (<c>code "0"</c>): a refused timestamp re-measures the clock and retries once
    /// (a read changes nothing); a rate limit starts the back-off; anything else throws <see cref="OkxTradeRestException"/>.
    /// </summary>
    private async Task<byte[]> ReadAsync(string pathAndQuery, string what, CancellationToken cancel)
    {
        for (int attempt = 0; ; attempt++)
        {
            var (status, body, retryAfter) = await RestAsync(HttpMethod.Get, pathAndQuery, null, signed: true, _options.ControlTimeout, cancel).ConfigureAwait(false);
            int code = ErrorCode(body);
            if (status == 200 && code == 0)
                return body;
            if (OkxErrorMap.IsTimestampRejected(code) && attempt == 0)
            {
                await SyncTimeAsync(cancel).ConfigureAwait(false);
                continue;
            }
            if (OkxErrorMap.IsRateLimit(status, code))
            {
                Interlocked.Increment(ref _venueRateLimits);
                _limiter.BackOff(retryAfter is { } ra && ra > TimeSpan.Zero ? ra : _options.VenueBackoff);
            }
            throw new OkxTradeRestException($"{what} failed: status {status}, code {code}", status, code);
        }
    }

    private static readonly Dictionary<CommandKind, string> s_restPaths = new()
    {
        [CommandKind.Place] = "/api/v5/trade/order",
        [CommandKind.Cancel] = "/api/v5/trade/cancel-order",
        [CommandKind.AmendQty] = "/api/v5/trade/amend-order",
    };

    /// <summary>While the WebSocket is down (reconnecting): the same op as a signed REST request (cold path: allocates).</summary>
    private void SendRest(in OrderCommand command, RequestLeg leg)
    {
        byte[] buffer = new byte[OkxOrderEncoder.MaxFrameLength];
        var c = command;
        bool ok;
        int length;
        string path;
        if (c.Kind == CommandKind.Place || leg == RequestLeg.ReplacePlace)
        {
            var id = leg == RequestLeg.ReplacePlace ? c.NewClientOrderId : c.ClientOrderId;
            ok = _encoder.TryEncodePlaceBody(c.InstrumentId, id, c.Side, c.Type, c.Price, c.Qty, buffer, out length);
            path = s_restPaths[CommandKind.Place];
        }
        else if (c.Kind == CommandKind.AmendQty)
        {
            ok = _encoder.TryEncodeAmendBody(c.InstrumentId, c.VenueOrderId, WireId(c.OrigClientOrderId), c.ClientOrderId, c.Qty, buffer, out length);
            path = s_restPaths[CommandKind.AmendQty];
        }
        else
        {
            ok = _encoder.TryEncodeCancelBody(c.InstrumentId, c.VenueOrderId, WireId(c.OrigClientOrderId), buffer, out length);
            path = s_restPaths[CommandKind.Cancel];
        }
        if (!ok)
        {
            LocalReject(command, leg, RejectReason.InvalidRequest, 0, s_unencodable, 0);
            return;
        }
        Interlocked.Increment(ref _sentRest);
        PostOnlySent(c, leg);
        string body = Encoding.ASCII.GetString(buffer, 0, length);
        RunGuarded(() => RestCommandAsync(c, leg, path, body), "a REST command");
    }

    private async Task RestCommandAsync(OrderCommand command, RequestLeg leg, string path, string body)
    {
        int status;
        byte[] answer;
        TimeSpan? retryAfter;
        try
        {
            (status, answer, retryAfter) = await RestAsync(HttpMethod.Post, path, body, signed: true, _options.RequestTimeout, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_stopping)
        {
            Interlocked.Increment(ref _timeouts);
            ReportUnknown(command, leg, UnknownCause.Timeout);
            return;
        }
        catch (OperationCanceledException)
        {
            ReportUnknown(command, leg, UnknownCause.Disconnected);
            return;
        }
        catch (HttpRequestException)
        {
            ReportUnknown(command, leg, UnknownCause.Disconnected); // it may have left before the connection broke
            return;
        }
        Complete(command, leg, answer, status, retryAfter, late: false);
    }

    // ---------------------------------------------------------------- order query (the Query command)

    /// <summary>
    /// <c>GET /api/v5/trade/order?instId&amp;clOrdId</c> → <see cref="OrderStatusReport"/>; 51603 → NotFound. When the order
    /// has executed quantity its fills are read first (<c>GET /api/v5/trade/fills?ordId</c>) and delivered as fills,
    /// so the core's position agrees with the status (it applies each trade once).
    /// </summary>
    private async Task QueryOrderAsync(OrderCommand command)
    {
        int index = IndexOfInstrument(command.InstrumentId);
        var instrument = _instruments[index];
        string query = "/api/v5/trade/order?instId=" + Uri.EscapeDataString(instrument.InstId) + "&clOrdId=" + _ids.Format(WireId(command.OrigClientOrderId));
        int status;
        byte[] body;
        TimeSpan? retryAfter;
        try
        {
            (status, body, retryAfter) = await RestAsync(HttpMethod.Get, query, null, signed: true, _options.RequestTimeout, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_stopping)
        {
            ReportUnknown(command, RequestLeg.Single, UnknownCause.Timeout);
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            ReportUnknown(command, RequestLeg.Single, UnknownCause.Disconnected);
            return;
        }
        int code = ErrorCode(body);
        if (status == 200 && code == 51603 || status == 200 && code == 0 && !HasFirstElement(body))
        {
            Emit(new OrderStatusReport(command.InstrumentId, command.OrigClientOrderId, VenueOrderStatus.NotFound, 0, default, LocalNowNs()));
            return;
        }
        if (status != 200 || code != 0)
        {
            Complete(command, RequestLeg.Single, body, status, retryAfter, late: false);
            return;
        }
        var report = ParseOrderStatus(index, command.OrigClientOrderId, body);
        if (report.CumulativeQty.Raw > 0)
        {
            try
            {
                foreach (var fill in await ReadFillsAsync(index, 0, 0, report.VenueOrderId, _stop.Token).ConfigureAwait(false))
                    EmitFill(index, fill);
            }
            catch (Exception ex) when (ex is OkxTradeRestException or HttpRequestException or OperationCanceledException or TimeoutException)
            {
                // The status goes alone: the core keeps the order Unknown until the fills add up.
            }
        }
        Emit(report);
    }

    private static bool HasFirstElement(byte[] body) => OkxJson.TryGet(body, "data"u8, out var data) && OkxJson.TryElement(data, 0, out _);

    private OrderStatusReport ParseOrderStatus(int index, ClientOrderId id, byte[] body)
    {
        var instrument = _instruments[index];
        OkxJson.TryGet(body, "data"u8, out var data);
        OkxJson.TryElement(data, 0, out var o);
        OkxJson.TryGet(o, "state"u8, out var state);
        OkxJson.TryGet(o, "ordType"u8, out var ordType);
        OkxJson.TryGet(o, "ordId"u8, out var ordId);
        OkxJson.TryGet(o, "accFillSz"u8, out var acc);
        long timeNs = OkxJson.TryGet(o, "uTime"u8, out var u) && OkxJson.Long(u) > 0 ? OkxJson.Long(u) * 1_000_000 : LocalNowNs();
        return new OrderStatusReport(instrument.InstrumentId, id, StatusOf(state, ordType), OkxJson.Long(ordId),
            new Qty(OkxJson.Decimal(acc, instrument.QtyDecimals)), timeNs);
    }

    /// <summary>OKX <c>state</c> → the contract's status; a cancelled IOC/FOK remainder is Expired, as on the push.</summary>
    internal static VenueOrderStatus StatusOf(ReadOnlySpan<byte> state, ReadOnlySpan<byte> ordType)
    {
        if (state.SequenceEqual("live"u8))
            return VenueOrderStatus.New;
        if (state.SequenceEqual("partially_filled"u8))
            return VenueOrderStatus.PartiallyFilled;
        if (state.SequenceEqual("filled"u8))
            return VenueOrderStatus.Filled;
        if (ordType.SequenceEqual("ioc"u8) || ordType.SequenceEqual("fok"u8) || ordType.SequenceEqual("optimal_limit_ioc"u8))
            return VenueOrderStatus.Expired;
        return VenueOrderStatus.Canceled; // canceled, mmp_canceled
    }

    // ---------------------------------------------------------------- IVenueQueries

    public async Task<IReadOnlyList<VenueOpenOrder>> GetOpenOrdersAsync(int instrumentId, CancellationToken cancel)
    {
        int index = IndexOfInstrument(instrumentId);
        if (index < 0)
            throw new ArgumentOutOfRangeException(nameof(instrumentId), instrumentId, "instrument not configured in the OKX gateway");
        return await ReadOpenOrdersAsync(index, cancel).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<FillReport>> GetTradesAsync(int instrumentId, long fromTradeIdExclusive, CancellationToken cancel)
    {
        int index = IndexOfInstrument(instrumentId);
        if (index < 0)
            throw new ArgumentOutOfRangeException(nameof(instrumentId), instrumentId, "instrument not configured in the OKX gateway");
        return await ReadFillsAsync(index, fromTradeIdExclusive, 0, 0, cancel).ConfigureAwait(false);
    }

    /// <summary><c>GET /api/v5/account/balance</c>: each currency's available and frozen balance at 8 decimals, zeros omitted.</summary>
    public async Task<IReadOnlyList<VenueBalance>> GetBalancesAsync(CancellationToken cancel)
    {
        byte[] body = await ReadAsync("/api/v5/account/balance", "balance", cancel).ConfigureAwait(false);
        return ParseBalances(body);
    }

    internal static List<VenueBalance> ParseBalances(byte[] body)
    {
        var balances = new List<VenueBalance>();
        if (!OkxJson.TryGet(body, "data"u8, out var data) || !OkxJson.TryElement(data, 0, out var account) || !OkxJson.TryGet(account, "details"u8, out var details))
            return balances;
        for (int i = 0; OkxJson.TryElement(details, i, out var d); i++)
        {
            OkxJson.TryGet(d, "ccy"u8, out var ccy);
            OkxJson.TryGet(d, "availBal"u8, out var avail);
            OkxJson.TryGet(d, "frozenBal"u8, out var frozen);
            long free = OkxJson.DecimalTruncated(avail, VenueBalance.Decimals), locked = OkxJson.DecimalTruncated(frozen, VenueBalance.Decimals);
            if (free != 0 || locked != 0)
                balances.Add(new VenueBalance(Encoding.ASCII.GetString(ccy), free, locked));
        }
        return balances;
    }

    /// <summary><c>GET /api/v5/trade/orders-pending</c>, paged by <c>after</c> (ordId) while pages are full; ours only.</summary>
    private async Task<List<VenueOpenOrder>> ReadOpenOrdersAsync(int index, CancellationToken cancel)
    {
        var result = new List<VenueOpenOrder>();
        string after = "";
        while (true)
        {
            byte[] body = await ReadAsync("/api/v5/trade/orders-pending?instType=SPOT&instId=" + Uri.EscapeDataString(_instruments[index].InstId)
                + "&limit=100" + after, "orders-pending", cancel).ConfigureAwait(false);
            var (count, lastOrdId) = ParseOpenOrders(index, body, result, foreign: null);
            if (count < 100 || lastOrdId == 0)
                return result;
            after = "&after=" + lastOrdId.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Adds our orders of one page to <paramref name="ours"/> (and every order's id to <paramref name="foreign"/> when given).</summary>
    private (int Count, long LastOrdId) ParseOpenOrders(int index, byte[] body, List<VenueOpenOrder>? ours, List<long>? foreign)
    {
        var instrument = _instruments[index];
        OkxJson.TryGet(body, "data"u8, out var data);
        int count = 0;
        long last = 0;
        for (; OkxJson.TryElement(data, count, out var o); count++)
        {
            OkxJson.TryGet(o, "ordId"u8, out var ordIdText);
            long ordId = OkxJson.Long(ordIdText);
            last = ordId;
            if (!OkxJson.TryGet(o, "clOrdId"u8, out var cl) || _ids.TryParse(cl, out var wire) != ClientOrderIdParse.Ours)
            {
                Interlocked.Increment(ref _foreignReports);
                foreign?.Add(ordId);
                continue;
            }
            OkxJson.TryGet(o, "state"u8, out var state);
            OkxJson.TryGet(o, "ordType"u8, out var ordType);
            OkxJson.TryGet(o, "side"u8, out var side);
            OkxJson.TryGet(o, "px"u8, out var px);
            OkxJson.TryGet(o, "sz"u8, out var sz);
            OkxJson.TryGet(o, "accFillSz"u8, out var acc);
            long timeNs = OkxJson.TryGet(o, "uTime"u8, out var u) && OkxJson.Long(u) > 0 ? OkxJson.Long(u) * 1_000_000 : LocalNowNs();
            var status = new OrderStatusReport(instrument.InstrumentId, EngineId(wire), StatusOf(state, ordType), ordId,
                new Qty(OkxJson.Decimal(acc, instrument.QtyDecimals)), timeNs);
            var type = ordType.SequenceEqual("post_only"u8) ? OrderType.LimitMaker : ordType.SequenceEqual("ioc"u8) ? OrderType.LimitIoc : OrderType.Limit;
            ours?.Add(new VenueOpenOrder(status, side.SequenceEqual("sell"u8) ? OrderSide.Sell : OrderSide.Buy, type,
                new Price(OkxJson.Decimal(px, instrument.PriceDecimals)), new Qty(OkxJson.Decimal(sz, instrument.QtyDecimals))));
        }
        return (count, last);
    }

    /// <summary>
    /// Our fills on the instrument with trade id above <paramref name="fromTradeIdExclusive"/>, oldest first. OKX's
    /// <c>GET /api/v5/trade/fills</c> (last 3 days) answers newest first, at most <c>limit</c> per page; older pages
    /// follow with <c>after</c> = the page's last <c>billId</c>, until a page comes back short or reaches the bound.
    /// Optional filters: <paramref name="beginMs"/> (fill time), <paramref name="ordId"/> (one order).
    /// </summary>
    private async Task<List<FillReport>> ReadFillsAsync(int index, long fromTradeIdExclusive, long beginMs, long ordId, CancellationToken cancel)
    {
        var fills = new List<FillReport>();
        int limit = _options.FillsPageLimit;
        string basePath = "/api/v5/trade/fills?instType=SPOT&instId=" + Uri.EscapeDataString(_instruments[index].InstId)
            + "&limit=" + limit.ToString(CultureInfo.InvariantCulture)
            + (ordId > 0 ? "&ordId=" + ordId.ToString(CultureInfo.InvariantCulture) : "")
            + (beginMs > 0 ? "&begin=" + beginMs.ToString(CultureInfo.InvariantCulture) : "");
        string after = "";
        while (true)
        {
            byte[] body = await ReadAsync(basePath + after, "fills", cancel).ConfigureAwait(false);
            var (count, lastBillId, minTradeId) = ParseFills(index, body, fromTradeIdExclusive, fills);
            if (count < limit || lastBillId == 0 || minTradeId <= fromTradeIdExclusive)
                break;
            after = "&after=" + lastBillId.ToString(CultureInfo.InvariantCulture);
        }
        fills.Sort(static (a, b) => a.TradeId != b.TradeId ? a.TradeId.CompareTo(b.TradeId) : a.VenueOrderId.CompareTo(b.VenueOrderId));
        return fills;
    }

    private (int Count, long LastBillId, long MinTradeId) ParseFills(int index, byte[] body, long fromTradeIdExclusive, List<FillReport> fills)
    {
        OkxJson.TryGet(body, "data"u8, out var data);
        int count = 0;
        long lastBill = 0, minTrade = long.MaxValue;
        for (; OkxJson.TryElement(data, count, out var f); count++)
        {
            OkxJson.TryGet(f, "billId"u8, out var bill);
            OkxJson.TryGet(f, "tradeId"u8, out var tradeText);
            lastBill = OkxJson.Long(bill);
            long tradeId = OkxJson.Long(tradeText);
            minTrade = Math.Min(minTrade, tradeId);
            if (tradeId <= fromTradeIdExclusive)
                continue;
            if (!OkxJson.TryGet(f, "clOrdId"u8, out var cl) || _ids.TryParse(cl, out var wire) != ClientOrderIdParse.Ours)
            {
                Interlocked.Increment(ref _foreignReports);
                continue;
            }
            OkxJson.TryGet(f, "ordId"u8, out var ordId);
            OkxJson.TryGet(f, "fillPx"u8, out var px);
            OkxJson.TryGet(f, "fillSz"u8, out var sz);
            OkxJson.TryGet(f, "side"u8, out var side);
            OkxJson.TryGet(f, "execType"u8, out var execType);
            OkxJson.TryGet(f, "fee"u8, out var fee);
            OkxJson.TryGet(f, "feeCcy"u8, out var feeCcy);
            long timeNs = OkxJson.TryGet(f, "fillTime"u8, out var ft) && OkxJson.Long(ft) > 0 ? OkxJson.Long(ft) * 1_000_000
                : OkxJson.TryGet(f, "ts"u8, out var ts) ? OkxJson.Long(ts) * 1_000_000 : LocalNowNs();
            // CumulativeQty is 0: the fills endpoint does not give it.
            fills.Add(BuildFill(index, EngineId(wire), OkxJson.Long(ordId), tradeId, side, px, OkxJson.Decimal(sz, _instruments[index].QtyDecimals), 0,
                fee, feeCcy, execType, timeNs));
        }
        return (count, lastBill, count == 0 ? 0 : minTrade);
    }

    // ---------------------------------------------------------------- cancel-all

    private readonly Dictionary<long, (TaskCompletionSource<byte[]> Reply, WsLink Link)> _controls = [];

    private bool TryCompleteControl(long id, ReadOnlySpan<byte> frame)
    {
        TaskCompletionSource<byte[]>? reply = null;
        lock (_pendingGate)
        {
            if (_controls.Remove(id, out var entry))
                reply = entry.Reply;
        }
        reply?.TrySetResult(frame.ToArray());
        return reply is not null;
    }

    private void FailControls(WsLink link)
    {
        List<TaskCompletionSource<byte[]>> failed = [];
        lock (_pendingGate)
        {
            foreach (var (id, entry) in _controls.Where(c => c.Value.Link == link).ToList())
            {
                failed.Add(entry.Reply);
                _controls.Remove(id);
            }
        }
        foreach (var f in failed)
            f.TrySetException(new WebSocketException("OKX private WebSocket connection lost"));
    }

    /// <summary>
    /// Cancels every open order of the account on the instrument: lists them (<c>orders-pending</c>), then cancels
    /// them by venue id in batches of 20 (<c>batch-cancel-orders</c> on the WebSocket, <c>cancel-batch-orders</c> on
    /// REST while it is down). Each cancelled order of ours → Canceled; the first refusal → one Reject naming
    /// <paramref name="cancelId"/>; an open outcome → one StatusUnknown naming it. Never held back, never resent.
    /// </summary>
    public void CancelAll(int instrumentId, ClientOrderId cancelId) => RunGuarded(() => CancelAllAsync(instrumentId, cancelId), "a cancel-all");

    private async Task CancelAllAsync(int instrumentId, ClientOrderId cancelId)
    {
        int index = IndexOfInstrument(instrumentId);
        if (index < 0)
        {
            Interlocked.Increment(ref _localRejects);
            Emit(new RejectReport(instrumentId, cancelId, CommandKind.Cancel, RejectReason.InvalidRequest, 0, s_unknownInstrument, LocalNowNs()));
            return;
        }
        var ours = new List<VenueOpenOrder>();
        var foreign = new List<long>();
        try
        {
            string after = "";
            while (true)
            {
                byte[] page = await ReadAsync("/api/v5/trade/orders-pending?instType=SPOT&instId=" + Uri.EscapeDataString(_instruments[index].InstId)
                    + "&limit=100" + after, "orders-pending", _stop.Token).ConfigureAwait(false);
                var (count, last) = ParseOpenOrders(index, page, ours, foreign);
                if (count < 100 || last == 0)
                    break;
                after = "&after=" + last.ToString(CultureInfo.InvariantCulture);
            }
        }
        catch (Exception ex) when (ex is OkxTradeRestException or HttpRequestException or OperationCanceledException or TimeoutException)
        {
            // Nothing was cancelled: the listing failed before any cancel left.
            int code = ex is OkxTradeRestException r ? r.Code : 0;
            Emit(new RejectReport(instrumentId, cancelId, CommandKind.Cancel, ex is OkxTradeRestException re ? OkxErrorMap.Map(re.HttpStatus, re.Code) : RejectReason.Other,
                code, "cancel-all: listing open orders failed: " + ex.Message, LocalNowNs()));
            return;
        }
        var all = new List<long>(ours.Count + foreign.Count);
        all.AddRange(ours.Select(o => o.VenueOrderId));
        all.AddRange(foreign);
        if (all.Count == 0)
        {
            Emit(new RejectReport(instrumentId, cancelId, CommandKind.Cancel, RejectReason.UnknownOrder, 51405,
                "Cancellation failed as you do not have any pending orders", LocalNowNs()));
            return;
        }
        var byVenueId = ours.ToDictionary(o => o.VenueOrderId, o => o.ClientOrderId);
        RejectReport? refusal = null;
        for (int start = 0; start < all.Count; start += OkxOrderEncoder.MaxBatch)
        {
            var batch = all.GetRange(start, Math.Min(OkxOrderEncoder.MaxBatch, all.Count - start)).ToArray();
            byte[] body;
            int status;
            try
            {
                (status, body) = await BatchCancelAsync(index, batch).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
            {
                Emit(new StatusUnknownReport(instrumentId, cancelId, CommandKind.Cancel, UnknownCause.Timeout, LocalNowNs()));
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or WebSocketException)
            {
                Emit(new StatusUnknownReport(instrumentId, cancelId, CommandKind.Cancel, UnknownCause.Disconnected, LocalNowNs()));
                return;
            }
            if (ApplyBatchCancel(index, cancelId, status, body, byVenueId, ref refusal))
                return; // an open outcome was reported
        }
        if (refusal is { } r2)
            Emit(r2);
    }

    private async Task<(int Status, byte[] Body)> BatchCancelAsync(int index, long[] venueOrderIds)
    {
        var link = _ws;
        if (_ready && link is not null && !link.Lost)
        {
            long id = Interlocked.Increment(ref _nextRequestId);
            byte[] frame = new byte[OkxOrderEncoder.MaxFrameLength];
            if (!_encoder.TryEncodeBatchCancel(id, _instruments[index].InstrumentId, venueOrderIds, frame, out int length))
                throw new InvalidOperationException("batch cancel frame did not encode");
            var reply = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_pendingGate)
                _controls[id] = (reply, link);
            _controlFrames.Enqueue((link, frame[..length]));
            Wake();
            try
            {
                return (200, await reply.Task.WaitAsync(_options.RequestTimeout, _time, _stop.Token).ConfigureAwait(false));
            }
            catch (TimeoutException)
            {
                lock (_pendingGate)
                    _controls.Remove(id);
                throw;
            }
        }
        var sb = new StringBuilder("[");
        foreach (long ordId in venueOrderIds)
            sb.Append(sb.Length > 1 ? "," : "").Append("{\"instId\":\"").Append(_instruments[index].InstId).Append("\",\"ordId\":\"")
              .Append(ordId.ToString(CultureInfo.InvariantCulture)).Append("\"}");
        sb.Append(']');
        var (status, body, _) = await RestAsync(HttpMethod.Post, "/api/v5/trade/cancel-batch-orders", sb.ToString(), signed: true, _options.RequestTimeout, _stop.Token)
            .ConfigureAwait(false);
        return (status, body);
    }

    /// <summary>Reports one batch's outcome; true when it was open (reported StatusUnknown: stop there).</summary>
    private bool ApplyBatchCancel(int index, ClientOrderId cancelId, int status, byte[] body, Dictionary<long, ClientOrderId> ours, ref RejectReport? refusal)
    {
        int instrumentId = _instruments[index].InstrumentId;
        int code = ErrorCode(body);
        if (OkxErrorMap.IsStatusUnknown(status, code))
        {
            Emit(new StatusUnknownReport(instrumentId, cancelId, CommandKind.Cancel, UnknownCause.ServerError, LocalNowNs()));
            return true;
        }
        bool any = false;
        if (OkxJson.TryGet(body, "data"u8, out var data))
        {
            for (int i = 0; OkxJson.TryElement(data, i, out var o); i++)
            {
                any = true;
                OkxJson.TryGet(o, "ordId"u8, out var ordIdText);
                int sCode = OkxJson.TryGet(o, "sCode"u8, out var s) ? (int)OkxJson.Long(s, -1) : code;
                if (sCode == 0)
                {
                    if (ours.TryGetValue(OkxJson.Long(ordIdText), out var id))
                        Emit(new CanceledReport(instrumentId, id, LocalNowNs()));
                    else
                        Interlocked.Increment(ref _foreignReports);
                }
                else if (refusal is null)
                {
                    string msg = OkxJson.TryGet(o, "sMsg"u8, out var m) ? Encoding.UTF8.GetString(m) : "";
                    refusal = new RejectReport(instrumentId, cancelId, CommandKind.Cancel, OkxErrorMap.Map(status, sCode), sCode, msg, LocalNowNs());
                }
            }
        }
        if (!any && (status != 200 || code != 0) && refusal is null)
        {
            string msg = OkxJson.TryGet(body, "msg"u8, out var m) ? Encoding.UTF8.GetString(m) : $"HTTP {status}";
            refusal = new RejectReport(instrumentId, cancelId, CommandKind.Cancel, OkxErrorMap.Map(status, code), code, msg, LocalNowNs());
        }
        return false;
    }
}
