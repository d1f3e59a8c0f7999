using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Binance;

/// <summary>Cancel-all and the read-only venue state (open orders, trades, balances): cold paths, allocating.</summary>
public sealed partial class BinanceOrderGateway
{
    // ---------------------------------------------------------------- cancel-all

    /// <summary>
    /// <c>openOrders.cancelAll</c> on the WS API (signed REST <c>DELETE /api/v3/openOrders</c> while it is down),
    /// run on a thread-pool task. Every cancelled order of ours → <see cref="CanceledReport"/>; foreign ones are
    /// counted (<see cref="ForeignReports"/>). Binance has no client id for this request, so
    /// <paramref name="cancelId"/> only names a reject or unknown outcome.
    /// </summary>
    public void CancelAll(int instrumentId, ClientOrderId cancelId)
    {
        int index = IndexOfInstrument(instrumentId);
        if (index < 0)
        {
            Interlocked.Increment(ref _localRejects);
            var reject = new RejectReport(instrumentId, cancelId, CommandKind.Cancel, RejectReason.InvalidRequest, 0, s_unknownInstrument, LocalNowNs());
            lock (_reportGate)
                _sink.OnReject(reject);
            return;
        }
        RunGuarded(() => CancelAllAsync(index, cancelId), "a cancel-all");
    }

    private async Task CancelAllAsync(int index, ClientOrderId cancelId)
    {
        var instrument = _instruments[index];
        string symbol = instrument.Symbol.ToUpperInvariant();
        int status;
        byte[] body;
        TimeSpan? retryAfter = null;
        try
        {
            var link = _ws;
            bool loggedOn = _sessionLoggedOn;
            if (_wsReady && link is not null && !_options.RestOnly && (loggedOn || _credentials.HasHmac))
            {
                Interlocked.Increment(ref _sentWs);
                var reply = await ControlAsync(link, "openOrders.cancelAll", CancelAllParams(symbol, loggedOn), _stop.Token).ConfigureAwait(false);
                (status, body) = (reply.Status, reply.Body);
                retryAfter = WsRetryAfter(status, body);
            }
            else
            {
                // Not through RestAsync: a cancel is never held back by the weight limiter.
                Interlocked.Increment(ref _sentRest);
                string unsigned = "symbol=" + Uri.EscapeDataString(symbol) + "&recvWindow=" + _options.RecvWindowMs.ToString(CultureInfo.InvariantCulture)
                    + "&timestamp=" + VenueNowMs().ToString(CultureInfo.InvariantCulture);
                using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
                (status, body, retryAfter) = await SendRestRawAsync(HttpMethod.Delete, "/api/v3/openOrders?" + _encoder.SignRestQuery(unsigned), linked.Token)
                    .ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping)
        {
            return;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Interlocked.Increment(ref _timeouts);
            ReportCancelAllUnknown(instrument.InstrumentId, cancelId, UnknownCause.Timeout);
            return;
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException)
        {
            // The request may have left before the connection broke: unknown, never resent.
            ReportCancelAllUnknown(instrument.InstrumentId, cancelId, UnknownCause.Disconnected);
            return;
        }
        CompleteCancelAll(instrument.InstrumentId, cancelId, status, body, retryAfter);
    }

    /// <summary>WS params: logged on → symbol, recvWindow, timestamp; else + apiKey and the HMAC over the sorted, unencoded params.</summary>
    private string CancelAllParams(string symbol, bool loggedOn)
    {
        string ts = VenueNowMs().ToString(CultureInfo.InvariantCulture);
        string recv = _options.RecvWindowMs.ToString(CultureInfo.InvariantCulture);
        if (loggedOn)
            return $"{{\"symbol\":\"{symbol}\",\"recvWindow\":{recv},\"timestamp\":{ts}}}";
        string payload = $"apiKey={_credentials.ApiKey}&recvWindow={recv}&symbol={symbol}&timestamp={ts}";
        string signature = _encoder.SignControl(payload, ed25519: false);
        return $"{{\"apiKey\":\"{_credentials.ApiKey}\",\"recvWindow\":{recv},\"symbol\":\"{symbol}\",\"timestamp\":{ts},\"signature\":\"{signature}\"}}";
    }

    private TimeSpan? WsRetryAfter(int status, byte[] body) => RetryAfterFromWsError(status, body);

    private void ReportCancelAllUnknown(int instrumentId, ClientOrderId cancelId, UnknownCause cause)
    {
        var report = new StatusUnknownReport(instrumentId, cancelId, CommandKind.Cancel, cause, LocalNowNs());
        lock (_reportGate)
            _sink.OnStatusUnknown(report);
    }

    private void CompleteCancelAll(int instrumentId, ClientOrderId cancelId, int status, byte[] body, TimeSpan? retryAfter)
    {
        long now = LocalNowNs();
        if (status == 200)
        {
            EmitCancelAllResult(instrumentId, body, now);
            return;
        }
        int code = ErrorCode(body);
        if (status == 0 || BinanceErrorMap.IsStatusUnknown(status, code))
        {
            ReportCancelAllUnknown(instrumentId, cancelId, UnknownCause.ServerError);
            return;
        }
        if (status is 429 or 418)
            _limiter.OnRateLimited(status, retryAfter);
        if (code == -1021)
            RequestTimeSync();
        var c = OrderCommand.From(new CancelOrderCommand(instrumentId, cancelId, cancelId, 0), 0);
        EmitReject(c, cancelId, CommandKind.Cancel, status, code, ErrorMessage(body), now, retryAfter);
    }

    private static ReadOnlySpan<byte> ErrorMessage(ReadOnlySpan<byte> body) =>
        JsonFields.TryGet(body, "msg"u8, out var msg) ? msg : default;

    /// <summary>The answer is an array of cancelled orders (order lists carry theirs in <c>orderReports</c>).</summary>
    private void EmitCancelAllResult(int instrumentId, byte[] body, long now)
    {
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            return;
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            if (item.TryGetProperty("orderReports", out var legs) && legs.ValueKind == JsonValueKind.Array)
            {
                foreach (var leg in legs.EnumerateArray())
                    EmitCanceledItem(instrumentId, leg, now);
            }
            else
            {
                EmitCanceledItem(instrumentId, item, now);
            }
        }
    }

    private void EmitCanceledItem(int instrumentId, JsonElement order, long now)
    {
        // origClientOrderId is the order's id; clientOrderId is the cancel's (venue-generated here).
        string? cid = order.TryGetProperty("origClientOrderId", out var c) ? c.GetString() : null;
        if (cid is null || _ids.TryParse(cid, out var id) != ClientOrderIdParse.Ours)
        {
            Interlocked.Increment(ref _foreignReports);
            return;
        }
        long time = order.TryGetProperty("transactTime", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() * 1_000_000 : now;
        Emit(new CanceledReport(instrumentId, id, time));
    }

    // ---------------------------------------------------------------- read-only venue state

    /// <summary><c>GET /api/v3/openOrders?symbol=</c>: our open orders with their terms; foreign ones skipped and counted.</summary>
    public async Task<IReadOnlyList<VenueOpenOrder>> GetOpenOrdersAsync(int instrumentId, CancellationToken cancel)
    {
        var instrument = _instruments[RequireInstrument(instrumentId)];
        string symbol = Uri.EscapeDataString(instrument.Symbol.ToUpperInvariant());
        var (status, body) = await RestAsync(HttpMethod.Get, "/api/v3/openOrders", "symbol=" + symbol, signed: true, 6, cancel).ConfigureAwait(false);
        EnsureRestOk(status, body, "GET /api/v3/openOrders");
        return ParseOpenOrders(instrument, body);
    }

    /// <summary>An openOrders item's terms: side, type (LIMIT, LIMIT_MAKER; an IOC limit is LimitIoc), price and original quantity.</summary>
    private static (OrderSide Side, OrderType Type, Price Price, Qty Qty) Terms(JsonElement o)
    {
        var side = o.TryGetProperty("side", out var s) && s.GetString() == "SELL" ? OrderSide.Sell : OrderSide.Buy;
        string? type = o.TryGetProperty("type", out var t) ? t.GetString() : null;
        string? tif = o.TryGetProperty("timeInForce", out var f) ? f.GetString() : null;
        var orderType = type == "LIMIT_MAKER" ? OrderType.LimitMaker : tif is "IOC" or "FOK" ? OrderType.LimitIoc : OrderType.Limit;
        return (side, orderType, new Price(Decimal8(o, "price")), new Qty(Decimal8(o, "origQty")));
    }

    /// <summary>
    /// <c>GET /api/v3/myTrades?fromId=from+1&amp;limit=1000</c>, paged on with <c>fromId</c> until a page comes
    /// back short (each page goes through the REST weight limiter): our fills (client id from the venue-id
    /// map, else <c>GET /api/v3/order</c>); <see cref="FillReport.CumulativeQty"/> is 0 (myTrades does not give it).
    /// </summary>
    public async Task<IReadOnlyList<FillReport>> GetTradesAsync(int instrumentId, long fromTradeIdExclusive, CancellationToken cancel)
    {
        int index = RequireInstrument(instrumentId);
        string symbol = Uri.EscapeDataString(_instruments[index].Symbol.ToUpperInvariant());
        long fromId = Math.Max(0, fromTradeIdExclusive) + 1;
        var fills = new List<FillReport>();
        while (true)
        {
            var (status, body) = await RestAsync(HttpMethod.Get, "/api/v3/myTrades",
                "symbol=" + symbol + "&fromId=" + fromId.ToString(CultureInfo.InvariantCulture) + "&limit=" + PageLimit, signed: true, 20, cancel).ConfigureAwait(false);
            EnsureRestOk(status, body, "GET /api/v3/myTrades");
            fills.AddRange(await ParseTradesAsync(index, body, cancel).ConfigureAwait(false));
            if (!TryNextTradePage(body, _options.TradesPageLimit, out long next) || next <= fromId)
                break;
            fromId = next;
        }
        // fromId is inclusive at the venue; the contract is exclusive whatever the venue does.
        fills.RemoveAll(f => f.TradeId <= fromTradeIdExclusive);
        return fills;
    }

    /// <summary><c>GET /api/v3/account?omitZeroBalances=true</c>: free and locked per asset, raw at 8 decimals.</summary>
    public async Task<IReadOnlyList<VenueBalance>> GetBalancesAsync(CancellationToken cancel)
    {
        var (status, body) = await RestAsync(HttpMethod.Get, "/api/v3/account", "omitZeroBalances=true", signed: true, 20, cancel).ConfigureAwait(false);
        EnsureRestOk(status, body, "GET /api/v3/account");
        using var doc = JsonDocument.Parse(body);
        var balances = new List<VenueBalance>();
        if (!doc.RootElement.TryGetProperty("balances", out var array) || array.ValueKind != JsonValueKind.Array)
            return balances;
        foreach (var b in array.EnumerateArray())
        {
            var balance = new VenueBalance(b.GetProperty("asset").GetString() ?? "", Decimal8(b, "free"), Decimal8(b, "locked"));
            if (balance.Free != 0 || balance.Locked != 0)
                balances.Add(balance);
        }
        return balances;
    }

    private int RequireInstrument(int instrumentId)
    {
        int index = IndexOfInstrument(instrumentId);
        if (index < 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(instrumentId), $"instrument {instrumentId} is not configured in the gateway");
        return index;
    }

    private static void EnsureRestOk(int status, byte[] body, string what)
    {
        if (status == 200)
            return;
        // The venue's code and message only: never the request (it holds the key and signature).
        throw new BinanceRestException($"{what} failed: status {status}, {Encoding.UTF8.GetString(body)}", status, ErrorCode(body), null);
    }

    private List<VenueOpenOrder> ParseOpenOrders(BinanceOrderInstrument instrument, byte[] body)
    {
        var orders = new List<VenueOpenOrder>();
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            return orders;
        foreach (var o in doc.RootElement.EnumerateArray())
        {
            string? cid = o.TryGetProperty("clientOrderId", out var c) ? c.GetString() : null;
            if (cid is null || _ids.TryParse(cid, out var id) != ClientOrderIdParse.Ours)
            {
                Interlocked.Increment(ref _foreignReports);
                continue;
            }
            long orderId = o.GetProperty("orderId").GetInt64();
            var status = ParseStatus(Encoding.ASCII.GetBytes(o.GetProperty("status").GetString() ?? ""));
            long executed = Decimal8(o, "executedQty");
            long time = o.TryGetProperty("updateTime", out var ut) ? ut.GetInt64() * 1_000_000 : LocalNowNs();
            lock (_reportGate)
                RememberOrder(orderId, id);
            var (side, type, price, qty) = Terms(o);
            orders.Add(new VenueOpenOrder(new OrderStatusReport(instrument.InstrumentId, id, status, orderId, new Qty(executed), time), side, type, price, qty));
        }
        return orders;
    }

    /// <summary>myTrades → our fills; the client id comes from the venue-id map, else one order query (cold, rare).</summary>
    private async Task<List<FillReport>> ParseTradesAsync(int index, byte[] body, CancellationToken cancel)
    {
        var instrument = _instruments[index];
        var fills = new List<FillReport>();
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            return fills;
        foreach (var t in doc.RootElement.EnumerateArray())
        {
            long orderId = t.GetProperty("orderId").GetInt64();
            ClientOrderId id;
            bool known;
            lock (_reportGate)
                known = _orderIds.TryGetValue(orderId, out id);
            if (!known)
            {
                string q = "symbol=" + Uri.EscapeDataString(instrument.Symbol.ToUpperInvariant()) + "&orderId=" + orderId.ToString(CultureInfo.InvariantCulture);
                var (status, order) = await RestAsync(HttpMethod.Get, "/api/v3/order", q, signed: true, 4, cancel).ConfigureAwait(false);
                if (status != 200 || !TryOurClientId(order, out id))
                {
                    Interlocked.Increment(ref _foreignReports);
                    continue;
                }
                lock (_reportGate)
                    RememberOrder(orderId, id);
            }
            byte[] asset = Encoding.ASCII.GetBytes(t.GetProperty("commissionAsset").GetString() ?? "");
            fills.Add(BuildFill(index, id, orderId, t.GetProperty("id").GetInt64(),
                t.GetProperty("isBuyer").GetBoolean() ? OrderSide.Buy : OrderSide.Sell,
                Decimal8(t, "price"), Decimal8(t, "qty"), 0, Decimal8(t, "commission"), asset,
                t.GetProperty("isMaker").GetBoolean(), t.GetProperty("time").GetInt64() * 1_000_000));
        }
        return fills;
    }
}
