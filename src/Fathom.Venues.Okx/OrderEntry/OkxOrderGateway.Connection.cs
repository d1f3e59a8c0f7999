using System.Net.WebSockets;
using System.Text;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Okx;

public sealed partial class OkxOrderGateway
{
    private long _sessionStartMs;

    /// <summary>
    /// Opens the private WebSocket, logs in (re-measuring the clock once if the timestamp is refused), subscribes
    /// to the <c>orders</c> channel, then publishes the connection. A refused login throws <see cref="OkxLoginException"/>
    /// with the venue's code, whatever the reason: the caller decides whether it heals.
    /// </summary>
    private async Task ConnectAsync(CancellationToken cancel)
    {
        if (_sessionStartMs == 0)
            _sessionStartMs = VenueNowMs();
        // The per-IP attempt window is shared with the market-data feed: after an outage both reconnect at once.
        if (_options.ConnectGate is { } gate)
            await gate.WaitToConnectAsync(() => Interlocked.Increment(ref _connectsThrottled), cancel).ConfigureAwait(false);
        var ws = new ClientWebSocket();
        using (var timeout = new CancellationTokenSource(_options.ControlTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancel))
        {
            try
            {
                await ws.ConnectAsync(_options.PrivateWsUrl, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancel.IsCancellationRequested)
            {
                ws.Dispose();
                throw new TimeoutException($"OKX WebSocket handshake took longer than {_options.ControlTimeout.TotalMilliseconds:F0} ms");
            }
            catch
            {
                ws.Dispose();
                throw;
            }
        }
        var link = new WsLink(ws, _time.GetTimestamp());
        _ = Task.Run(() => ReceiveLoopAsync(link), CancellationToken.None);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                var (code, message) = await ControlAsync(link, OkxOrderEncoder.LoginFrame(_credentials, _signer, VenueNowMs() / 1000), cancel).ConfigureAwait(false);
                if (code == 0)
                    break;
                if (OkxErrorMap.IsTimestampRejected(code) && attempt == 0)
                {
                    await SyncTimeAsync(cancel).ConfigureAwait(false); // clock skew: measure the offset and sign again
                    continue;
                }
                // The venue's code and message only: never the login frame (it holds the key, passphrase and signature).
                throw new OkxLoginException($"OKX login refused: code {code}, {message}", code);
            }
            var (subCode, subMessage) = await ControlAsync(link, OkxOrderEncoder.SubscribeOrdersFrame, cancel).ConfigureAwait(false);
            if (subCode != 0)
                throw new OkxTradeRestException($"OKX orders channel subscribe refused: code {subCode}, {subMessage}", 0, subCode);
            lock (_connectGate)
            {
                if (link.Lost || _stopping || _ws is not null)
                    throw new WebSocketException("OKX private WebSocket lost while connecting");
                _ws = link;
            }
        }
        catch
        {
            ws.Abort();
            throw;
        }
    }

    /// <summary>
    /// Sends a login or subscribe frame on a connection not yet published (so the send thread does not write to it)
    /// and waits for its event (<c>login</c>, <c>subscribe</c>, or <c>error</c> with the code).
    /// </summary>
    private async Task<(int Code, string Message)> ControlAsync(WsLink link, string frame, CancellationToken cancel)
    {
        var reply = WsLink.NewControl();
        link.Control = reply;
        if (link.Lost)
            throw new WebSocketException("OKX private WebSocket connection lost");
        using var timeout = new CancellationTokenSource(_options.ControlTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancel);
        await link.Socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, linked.Token).ConfigureAwait(false);
        Volatile.Write(ref link.LastSendTimestamp, _time.GetTimestamp());
        try
        {
            return await reply.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            throw new TimeoutException("OKX login/subscribe got no answer in time");
        }
    }

    /// <summary>
    /// Reconnects after a pause that grows with each failed attempt (<see cref="ReconnectBackoff"/>: from
    /// <see cref="OkxOrderGatewayOptions.ReconnectDelay"/>, doubling, capped at
    /// <see cref="OkxOrderGatewayOptions.ReconnectDelayMax"/>, jittered), then reconciles over REST and, once that
    /// reached the sink, reports order entry up. A login refused for good (<see cref="OkxErrorMap.IsLoginFailure"/>:
    /// the credentials, their permissions, the account's state) stops it: <see cref="Fault"/> is set and order entry
    /// stays down. Any other refusal is retried like a dropped handshake, with <see cref="LastConnectError"/> saying
    /// why order entry is still down.
    /// </summary>
    private async Task ReconnectLoopAsync()
    {
        if (Interlocked.Exchange(ref _reconnecting, 1) == 1)
            return;
        long lostAtMs = VenueNowMs();
        long epoch = 0;
        // Consecutive failed attempts of this loop; the loop ends at the first connection logged on and subscribed,
        // so the next drop starts the back-off over.
        int failures = 0;
        try
        {
            while (!_stopping)
            {
                try
                {
                    await Task.Delay(_backoff.Delay(failures), _time, _stop.Token).ConfigureAwait(false);
                    await ConnectAsync(_stop.Token).ConfigureAwait(false);
                    epoch = Interlocked.Read(ref _downEpoch);
                    Interlocked.Increment(ref _reconnects);
                    _lastConnectError = null;
                    break;
                }
                catch (OperationCanceledException) when (_stopping)
                {
                    return;
                }
                catch (OkxLoginException ex) when (OkxErrorMap.IsLoginFailure(ex.Code))
                {
                    // A wrong key, passphrase, signature or IP, a blocked or restricted account: does not heal without a
                    // person. Stop, visibly (order entry stays reported down).
                    _fault = ex;
                    return;
                }
                catch (Exception ex) when (ex is OkxLoginException or WebSocketException or OkxTradeRestException or TimeoutException
                    or OperationCanceledException or HttpRequestException or IOException)
                {
                    // The venue busy or failing inside (50001, 50013, 63999), a timestamp still refused after the re-sync,
                    // the network: may heal, so try again after a longer pause; order entry stays down meanwhile.
                    _lastConnectError = ex;
                    failures++;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _reconnecting, 0);
        }
        if (_stopping)
            return;
        if (_ws is null)
        {
            _ = ReconnectLoopAsync();
            return;
        }
        // Order entry stays reported down (risk: cancels only) until the core has seen what it missed, so a failed
        // reconciliation is retried while this connection lasts, backing off as the reconnects do (a venue answering
        // 50011 or 5xx is not asked again every 250 ms), with LastConnectError saying why; a drop hands over to the
        // next loop.
        int reconcileFailures = 0;
        while (!_stopping && Interlocked.Read(ref _downEpoch) == epoch)
        {
            try
            {
                await ReconcileAsync(lostAtMs, _stop.Token).ConfigureAwait(false);
                _lastConnectError = null;
                TryReportOrderEntryUp(epoch);
                return;
            }
            catch (OkxTradeRestException ex) when (OkxErrorMap.IsLoginFailure(ex.Code))
            {
                // The key refused over REST while the WebSocket session still stands (deleted, frozen, its IP or
                // permissions changed): retrying cannot heal it. Stop, visibly: order entry stays down, the host halts.
                Interlocked.Increment(ref _reconcileFailures);
                _fault = ex;
                return;
            }
            catch (Exception ex) when (ex is OkxTradeRestException or HttpRequestException or OperationCanceledException or TimeoutException or IOException)
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

    /// <summary>
    /// After a reconnect: our open orders (an <see cref="OrderStatusReport"/> each) and our fills since the last trade
    /// seen per instrument (as fills, de-duplicated), so nothing the push carried while we were away is lost.
    /// Throws when a query fails (the caller retries the whole pass).
    /// </summary>
    private async Task ReconcileAsync(long lostAtMs, CancellationToken cancel)
    {
        // Post-only places answered over REST while the WebSocket was down: their pushes went to no connection.
        ReportPostOnlyUnheard();
        for (int index = 0; index < _instruments.Length; index++)
        {
            var instrument = _instruments[index];
            foreach (var open in await ReadOpenOrdersAsync(index, cancel).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _reconciledOrders);
                Emit(open.Status);
            }
            long last;
            lock (_seenFills[index])
                last = _lastTradeId[index];
            // Without a fill seen this session, look back from the session start (or the drop, less a margin).
            long beginMs = last > 0 ? 0 : Math.Min(_sessionStartMs, lostAtMs - 60_000);
            foreach (var fill in await ReadFillsAsync(index, last, beginMs, 0, cancel).ConfigureAwait(false))
                if (EmitFill(index, fill))
                    Interlocked.Increment(ref _reconciledFills);
        }
    }

    // ---------------------------------------------------------------- clock offset (timestamps refused must not repeat)

    private int _timeSyncRunning;

    private void RequestTimeSync()
    {
        if (Interlocked.Exchange(ref _timeSyncRunning, 1) == 1)
            return;
        RunGuarded(async () =>
        {
            try
            {
                await SyncTimeAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is OkxTradeRestException or TimeoutException or OperationCanceledException or HttpRequestException or IOException)
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

    /// <summary><c>GET /api/v5/public/time</c>: the offset is server time minus the round trip's local midpoint.</summary>
    private async Task SyncTimeAsync(CancellationToken cancel)
    {
        long t0 = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var (status, body, _) = await RestAsync(HttpMethod.Get, "/api/v5/public/time", null, signed: false, _options.ControlTimeout, cancel).ConfigureAwait(false);
        long t1 = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long serverMs = ServerTime(body);
        if (status != 200 || serverMs <= 0)
            throw new OkxTradeRestException($"server time query failed: status {status}", status, ErrorCode(body));
        Interlocked.Exchange(ref _clockOffsetMs, serverMs - (t0 + t1) / 2);
        Interlocked.Increment(ref _timeSyncs);
        ClockSync.Succeeded();
    }

    private static long ServerTime(byte[] body) =>
        OkxJson.TryGet(body, "data"u8, out var data) && OkxJson.TryElement(data, 0, out var first) && OkxJson.TryGet(first, "ts"u8, out var ts)
            ? OkxJson.Long(ts) : 0;

    private static int ErrorCode(byte[] body) =>
        OkxJson.TryGet(body, "code"u8, out var code) ? (int)OkxJson.Long(code, -1) : 0;
}
