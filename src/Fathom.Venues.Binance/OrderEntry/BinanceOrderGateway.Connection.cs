using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Binance;

public sealed partial class BinanceOrderGateway
{
    private readonly record struct ControlReply(int Status, byte[] Body);

    private readonly Dictionary<long, (TaskCompletionSource<ControlReply> Tcs, WsLink Link)> _control = [];

    /// <summary>Connect, measure the clock offset, log on (Ed25519), subscribe to user data, then publish: commands go over this connection.</summary>
    private async Task ConnectAsync(CancellationToken cancel)
    {
        var link = await OpenAsync(cancel).ConfigureAwait(false);
        if (!TryPublish(link, expected: null))
        {
            link.Socket.Abort();
            throw new WebSocketException("WS API connection lost while connecting");
        }
    }

    /// <summary>
    /// A new, fully set-up connection (time, logon, user data subscription) that is not yet the one
    /// commands use. Its receive loop runs already, so user data it carries is processed.
    /// </summary>
    private async Task<WsLink> OpenAsync(CancellationToken cancel)
    {
        var ws = new ClientWebSocket();
        try
        {
            // Bounded: a venue (or a stalled path) that takes the TCP connection but never answers the
            // upgrade must not hold the reconnect loop forever.
            using var timeout = new CancellationTokenSource(_options.ControlTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancel);
            try
            {
                await ws.ConnectAsync(_options.WsApiUrl, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancel.IsCancellationRequested)
            {
                throw new TimeoutException($"WS API handshake took longer than {_options.ControlTimeout.TotalMilliseconds:F0} ms");
            }
        }
        catch
        {
            ws.Dispose();
            throw;
        }
        var link = new WsLink(ws, _time.GetTimestamp(), _monotonic.NowNanos());
        _ = Task.Run(() => ReceiveLoopAsync(link), CancellationToken.None);
        try
        {
            await SyncTimeWsAsync(link, cancel).ConfigureAwait(false);
            bool loggedOn = false;
            if (_credentials.HasEd25519)
            {
                var logon = await ControlAsync(link, "session.logon", SignedControlParams(ed25519: true), cancel).ConfigureAwait(false);
                EnsureOk(logon, "session.logon");
                loggedOn = true;
            }
            var subscribe = loggedOn
                ? await ControlAsync(link, "userDataStream.subscribe", null, cancel).ConfigureAwait(false)
                : await ControlAsync(link, "userDataStream.subscribe.signature", SignedControlParams(ed25519: false), cancel).ConfigureAwait(false);
            EnsureOk(subscribe, "userDataStream.subscribe");
            link.LoggedOn = loggedOn;
            return link;
        }
        catch
        {
            ws.Abort();
            throw;
        }
    }

    /// <summary>Makes <paramref name="link"/> the connection commands use, if the current one is still <paramref name="expected"/> and the new one is alive.</summary>
    private bool TryPublish(WsLink link, WsLink? expected)
    {
        lock (_connectGate)
        {
            // A stalled connection is not rotated away from: order entry was reported down for it, and only
            // a reconnect (which reconciles what the stall may have hidden) reports it up again.
            if (link.Lost || _stopping || _ws != expected || (expected is not null && Volatile.Read(ref expected.Stalled) != 0))
                return false;
            _sessionLoggedOn = link.LoggedOn;
            _ws = link;
            _wsReady = true;
            return true;
        }
    }

    /// <summary>{apiKey, timestamp, signature} for session.logon / userDataStream.subscribe.signature (sorted, unencoded payload).</summary>
    private string SignedControlParams(bool ed25519)
    {
        long ts = VenueNowMs();
        string payload = $"apiKey={_credentials.ApiKey}&timestamp={ts.ToString(CultureInfo.InvariantCulture)}";
        string signature = _encoder.SignControl(payload, ed25519);
        return $"{{\"apiKey\":\"{_credentials.ApiKey}\",\"timestamp\":{ts.ToString(CultureInfo.InvariantCulture)},\"signature\":\"{signature}\"}}";
    }

    private static void EnsureOk(ControlReply reply, string what)
    {
        if (reply.Status == 200)
            return;
        // The venue's code and message only: never the request (it holds the key and signature).
        throw new BinanceRestException($"{what} failed: status {reply.Status}, {Encoding.UTF8.GetString(reply.Body)}", reply.Status, ErrorCode(reply.Body), null);
    }

    private static int ErrorCode(byte[] body) =>
        JsonFields.TryGet(body, "code"u8, out var code) ? (int)JsonFields.Long(code) : 0;

    private async Task<ControlReply> ControlAsync(WsLink link, string method, string? paramsJson, CancellationToken cancel)
    {
        long id = Interlocked.Increment(ref _nextRequestId);
        var tcs = new TaskCompletionSource<ControlReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pendingGate)
            _control[id] = (tcs, link);
        string idText = id.ToString(CultureInfo.InvariantCulture);
        string frame = paramsJson is null
            ? $"{{\"id\":{idText},\"method\":\"{method}\"}}"
            : $"{{\"id\":{idText},\"method\":\"{method}\",\"params\":{paramsJson}}}";
        _controlFrames.Enqueue((link, Encoding.UTF8.GetBytes(frame)));
        Wake();
        try
        {
            return await tcs.Task.WaitAsync(_options.ControlTimeout, _time, cancel).ConfigureAwait(false);
        }
        finally
        {
            lock (_pendingGate)
                _control.Remove(id);
        }
    }

    private void CompleteControl(long id, int status, ReadOnlySpan<byte> body)
    {
        (TaskCompletionSource<ControlReply> Tcs, WsLink Link) entry;
        bool found;
        lock (_pendingGate)
            found = _control.Remove(id, out entry);
        if (found)
            entry.Tcs.TrySetResult(new ControlReply(status, body.ToArray()));
    }

    private void OnConnectionLost(WsLink link)
    {
        bool current;
        lock (_connectGate)
        {
            link.Lost = true;
            current = _ws == link;
            if (current)
            {
                _ws = null;
                _wsReady = false;
                _sessionLoggedOn = false;
            }
        }
        link.Socket.Dispose();
        if (current)
        {
            Interlocked.Increment(ref _disconnects);
            // Before the in-flight requests go unknown: the core learns order entry is down first.
            ReportOrderEntryDown();
        }
        // Whatever was still in flight on this connection (current, retired by a rotation, or being opened) is unknown.
        FailAllPending(UnknownCause.Disconnected, link);
        List<TaskCompletionSource<ControlReply>> controls = [];
        lock (_pendingGate)
        {
            foreach (var (id, entry) in _control.Where(c => c.Value.Link == link).ToList())
            {
                controls.Add(entry.Tcs);
                _control.Remove(id);
            }
        }
        foreach (var c in controls)
            c.TrySetException(new WebSocketException("WS API connection lost"));
        if (current && !_stopping && _started)
            _ = ReconnectLoopAsync();
        OnLinkClosed(link);
    }

    /// <summary>
    /// Reconnects after a pause that doubles with each failed attempt (jittered, from
    /// <see cref="BinanceOrderGatewayOptions.ReconnectDelay"/> up to <see cref="BinanceOrderGatewayOptions.ReconnectDelayMax"/>);
    /// then re-subscribes (in ConnectAsync), reconciles over REST (a failure retried with the same back-off) and,
    /// once the reconciliation reached the sink, reports order entry up.
    /// </summary>
    private async Task ReconnectLoopAsync()
    {
        if (_fault is not null || Interlocked.Exchange(ref _reconnecting, 1) == 1)
            return;
        long lostAtMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long epoch = 0;
        int failures = 0;
        try
        {
            while (!_stopping)
            {
                try
                {
                    await Task.Delay(_backoff.Delay(failures), _time, _stop.Token).ConfigureAwait(false);
                    await ConnectAsync(_stop.Token).ConfigureAwait(false);
                    // Read after the publish: a drop of this connection from here on changes it, and its "up" is void.
                    epoch = DownEpoch();
                    Interlocked.Increment(ref _reconnects);
                    _lastConnectError = null;
                    break;
                }
                catch (OperationCanceledException) when (_stopping)
                {
                    return;
                }
                catch (BinanceRestException ex) when (IsCredentialRefusal(ex))
                {
                    // The key refused (deleted, its IP or permissions changed, a wrong secret): does not heal without a
                    // person. Stop, visibly: order entry stays reported down and the host halts on Fault.
                    _fault = ex;
                    return;
                }
                catch (Exception ex) when (ex is WebSocketException or BinanceRestException or TimeoutException or OperationCanceledException or HttpRequestException or IOException)
                {
                    _lastConnectError = ex;
                    failures++; // try again after a longer pause
                }
            }
        }
        finally
        {
            Volatile.Write(ref _reconnecting, 0);
        }
        if (_stopping)
            return;
        // A second drop while reconnecting is handled by the loop above; a drop after it starts a new one.
        if (_ws is null)
        {
            _ = ReconnectLoopAsync();
            return;
        }
        // Order entry stays reported down (risk: cancels only) until the core has seen what it missed, so a
        // failed reconciliation is retried while this connection lasts; a drop hands over to the next loop.
        int reconcileFailures = 0;
        while (!_stopping && DownEpoch() == epoch)
        {
            try
            {
                await ReconcileAsync(lostAtMs, _stop.Token).ConfigureAwait(false);
                _lastConnectError = null;
                TryReportOrderEntryUp(epoch);
                return;
            }
            catch (BinanceRestException ex) when (IsCredentialRefusal(ex))
            {
                Interlocked.Increment(ref _reconcileFailures);
                _fault = ex;
                return;
            }
            catch (Exception ex) when (ex is BinanceRestException or HttpRequestException or OperationCanceledException or JsonException
                or TimeoutException or IOException)
            {
                Interlocked.Increment(ref _reconcileFailures);
                if (!_stopping)
                    _lastConnectError = new IOException($"reconciliation after the reconnect failed: {ex.Message}", ex);
            }
            try
            {
                await Task.Delay(_backoff.Delay(reconcileFailures++), _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- clock offset (-1021 must not repeat)

    private void RequestTimeSync()
    {
        if (Interlocked.Exchange(ref _timeSyncRunning, 1) == 1)
            return;
        RunGuarded(async () =>
        {
            try
            {
                if (_wsReady && _ws is { } link)
                    await SyncTimeWsAsync(link, _stop.Token).ConfigureAwait(false);
                else
                    await SyncTimeRestAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is WebSocketException or BinanceRestException or TimeoutException or OperationCanceledException or HttpRequestException or IOException)
            {
                // Kept and reported (the host prints and logs each new reason); the next refused timestamp tries again.
                ClockSync.Failed(ex);
            }
            finally
            {
                Volatile.Write(ref _timeSyncRunning, 0);
            }
        }, "a clock re-sync");
    }

    private async Task SyncTimeWsAsync(WsLink link, CancellationToken cancel)
    {
        long t0 = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var reply = await ControlAsync(link, "time", null, cancel).ConfigureAwait(false);
        long t1 = _time.GetUtcNow().ToUnixTimeMilliseconds();
        EnsureOk(reply, "time");
        if (TryServerTime(reply.Body, out long serverMs))
            SetOffset(serverMs, t0, t1);
    }

    // Span-reading helpers stay out of async methods: a Debug build hoists every local of an async
    // method to the heap, where a span cannot live, even when it never crosses an await.
    private static bool TryServerTime(ReadOnlySpan<byte> body, out long serverMs)
    {
        serverMs = JsonFields.TryGet(body, "serverTime"u8, out var st) ? JsonFields.Long(st) : 0;
        return serverMs != 0;
    }

    private bool TryOurClientId(ReadOnlySpan<byte> order, out ClientOrderId id)
    {
        id = default;
        return JsonFields.TryGet(order, "clientOrderId"u8, out var cidText) && _ids.TryParse(cidText, out id) == ClientOrderIdParse.Ours;
    }

    private async Task SyncTimeRestAsync(CancellationToken cancel)
    {
        long t0 = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var (status, body) = await RestAsync(HttpMethod.Get, "/api/v3/time", "", signed: false, 1, cancel).ConfigureAwait(false);
        long t1 = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (status == 200 && TryServerTime(body, out long serverMs))
            SetOffset(serverMs, t0, t1);
    }

    private void SetOffset(long serverMs, long t0, long t1)
    {
        // The server read its clock about halfway through the round trip.
        Interlocked.Exchange(ref _clockOffsetMs, serverMs - (t0 + t1) / 2);
        Interlocked.Increment(ref _timeSyncs);
        ClockSync.Succeeded();
    }

    // ---------------------------------------------------------------- REST (fallback and reconciliation)

    /// <summary>Fallback while the WS API is down: the same command as a signed, percent-encoded REST request.</summary>
    private void SendRest(in OrderCommand command)
    {
        byte[] buffer = new byte[BinanceOrderEncoder.MaxFrameLength];
        if (!_encoder.TryEncodeRest(command, VenueNowMs(), buffer, out int length))
        {
            LocalReject(command, RejectReason.InvalidRequest, 0, s_unknownInstrument);
            return;
        }
        Interlocked.Increment(ref _sentRest);
        var (method, path) = BinanceOrderEncoder.RestRoute(command.Kind);
        string query = Encoding.ASCII.GetString(buffer, 0, length);
        var copy = command;
        RunGuarded(() => RestCommandAsync(copy, method, path, query), "a REST command");
    }

    private async Task RestCommandAsync(OrderCommand command, HttpMethod method, string path, string signedQuery)
    {
        int status;
        byte[] body;
        TimeSpan? retryAfter;
        try
        {
            using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
            (status, body, retryAfter) = await SendRestRawAsync(method, path + "?" + signedQuery, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _timeouts);
            ReportUnknown(command, UnknownCause.Timeout);
            return;
        }
        catch (HttpRequestException)
        {
            // The connection broke after the request may have left: unknown, not rejected.
            ReportUnknown(command, UnknownCause.Disconnected);
            return;
        }
        Complete(command, status, body, retryAfter);
    }

    private async Task<(int Status, byte[] Body, TimeSpan? RetryAfter)> SendRestRawAsync(HttpMethod method, string pathAndQuery, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(method, new Uri(_options.RestBase, pathAndQuery));
        request.Headers.Add("X-MBX-APIKEY", _credentials.ApiKey);
        using var response = await _http.SendAsync(request, cancel).ConfigureAwait(false);
        if (response.Headers.TryGetValues("X-MBX-USED-WEIGHT-1M", out var weight) && int.TryParse(weight.FirstOrDefault(), out int used))
            _limiter.OnUsedWeight(used);
        if (response.Headers.TryGetValues("X-MBX-ORDER-COUNT-10S", out var orders) && int.TryParse(orders.FirstOrDefault(), out int count))
            OnOrderCount10s(count, 0);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancel).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        TimeSpan? retryAfter = response.Headers.RetryAfter?.Delta;
        return (status, body, retryAfter);
    }

    /// <summary>A signed (or public) REST call for reconciliation and time; parameters already percent-encoded.</summary>
    private async Task<(int Status, byte[] Body)> RestAsync(HttpMethod method, string path, string query, bool signed, int weight, CancellationToken cancel)
    {
        TimeSpan wait = _limiter.TryAcquire(weight);
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait, _time, cancel).ConfigureAwait(false);
        string pathAndQuery = path;
        if (signed)
        {
            // The caller's pairs are already percent-encoded; recvWindow and timestamp follow, then the signature over all of it.
            string unsigned = (query.Length > 0 ? query + "&" : "") + "recvWindow=" + _options.RecvWindowMs.ToString(CultureInfo.InvariantCulture)
                + "&timestamp=" + VenueNowMs().ToString(CultureInfo.InvariantCulture);
            pathAndQuery += "?" + _encoder.SignRestQuery(unsigned);
        }
        else if (query.Length > 0)
        {
            pathAndQuery += "?" + query;
        }
        using var timeout = new CancellationTokenSource(_options.ControlTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancel);
        var (status, body, retryAfter) = await SendRestRawAsync(method, pathAndQuery, linked.Token).ConfigureAwait(false);
        if (status is 429 or 418)
            _limiter.OnRateLimited(status, retryAfter);
        return (status, body);
    }

    /// <summary>
    /// After a reconnect: open orders (status of each of ours) and trades since the last fill seen per
    /// instrument (as fills; the core de-duplicates by trade id and order id), so nothing the stream
    /// carried while we were away is lost. Throws when a query fails (the caller retries the whole pass;
    /// the core ignores what it already applied).
    /// </summary>
    private async Task ReconcileAsync(long lostAtMs, CancellationToken cancel)
    {
        for (int index = 0; index < _instruments.Length; index++)
        {
            var instrument = _instruments[index];
            string symbol = Uri.EscapeDataString(instrument.Symbol.ToUpperInvariant());
            var (status, body) = await RestAsync(HttpMethod.Get, "/api/v3/openOrders", "symbol=" + symbol, signed: true, 6, cancel).ConfigureAwait(false);
            EnsureReconciled(status, body, "openOrders");
            ReportOpenOrders(instrument, body);
            long last;
            lock (_reportGate)
                last = _lastTradeId[index];
            // Without a fill seen on this session, look back from when the session started (or the drop, minus a margin).
            string range = last > 0
                ? "fromId=" + (last + 1).ToString(CultureInfo.InvariantCulture)
                : "startTime=" + Math.Min(_sessionStartMs, lostAtMs - 60_000).ToString(CultureInfo.InvariantCulture);
            // One page holds at most TradesPageLimit trades: page on with fromId until a short page, or a
            // long disconnection (or a busy market maker) loses every trade past the first page.
            while (true)
            {
                (status, body) = await RestAsync(HttpMethod.Get, "/api/v3/myTrades", "symbol=" + symbol + "&" + range + "&limit=" + PageLimit,
                    signed: true, 20, cancel).ConfigureAwait(false);
                EnsureReconciled(status, body, "myTrades");
                await ReportTradesAsync(index, body, cancel).ConfigureAwait(false);
                if (!TryNextTradePage(body, _options.TradesPageLimit, out long nextFromId))
                    break;
                range = "fromId=" + nextFromId.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    private string PageLimit => _options.TradesPageLimit.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A full page (as many trades as asked for) may have more behind it: the next page starts after its
    /// highest trade id (foreign trades included: the id orders the account's trades, whoever's order).
    /// </summary>
    internal static bool TryNextTradePage(byte[] body, int limit, out long nextFromId)
    {
        nextFromId = 0;
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.GetArrayLength() < limit)
            return false;
        long max = 0;
        foreach (var t in doc.RootElement.EnumerateArray())
            max = Math.Max(max, t.GetProperty("id").GetInt64());
        nextFromId = max + 1;
        return max > 0;
    }

    /// <summary>A reconciliation query that did not answer 200 did not deliver what it should have: the pass is retried.</summary>
    private static void EnsureReconciled(int status, byte[] body, string what)
    {
        if (status != 200)
            throw new BinanceRestException($"reconciliation {what} failed: status {status}", status, ErrorCode(body), null);
    }

    private void ReportOpenOrders(BinanceOrderInstrument instrument, byte[] body)
    {
        foreach (var order in ParseOpenOrders(instrument, body))
        {
            Interlocked.Increment(ref _reconciledOrders);
            Emit(order.Status);
        }
    }

    private async Task ReportTradesAsync(int index, byte[] body, CancellationToken cancel)
    {
        foreach (var fill in await ParseTradesAsync(index, body, cancel).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _reconciledFills);
            EmitFill(index, fill);
        }
    }

    private static long Decimal8(JsonElement e, string name) =>
        JsonFields.Decimal8(Encoding.ASCII.GetBytes(e.GetProperty(name).GetString() ?? "0"));
}
