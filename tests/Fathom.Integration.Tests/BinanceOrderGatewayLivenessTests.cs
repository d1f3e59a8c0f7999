using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Venues.Binance;
using Xunit;
using Side = Fathom.Core.OrderSide;

namespace Fathom.Integration.Tests;

/// <summary>
/// Order-entry health of <see cref="BinanceOrderGateway"/> against the simulator on loopback: status and
/// order-entry reports at start, liveness probes and their round trips, a stalled connection (open
/// socket, nothing answered: <see cref="Fathom.Testing.StallingTcpProxy"/>) reported down, replaced and
/// reported up after reconciliation, a socket whose send buffer is full (the caller never waits), and
/// symbol status changes at the metadata refresh. Where the gateway's clock decides (probe cadence,
/// round trip, stall deadline, refresh) the tests run it on virtual time; sockets are real. Every real
/// wait is a bounded wait for a condition.
/// </summary>
public sealed class BinanceOrderGatewayLivenessTests
{
    private const long Qty = 100_000;                    // 0.001 BTC
    private const long Passive = 50_000 * GatewayRig.Px; // far below the house bids: rests
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static bool Is(object r, VenueHealthKind kind) => r is VenueHealthReport h && h.Kind == kind;

    /// <summary>The gateway's clock for virtual-time tests: wall time stays near real time (the simulator checks request timestamps on its own clock).</summary>
    private static ManualTimeProvider VirtualClock() => new(DateTimeOffset.UtcNow);

    private static void Advance(ManualTimeProvider time, TimeSpan by)
    {
        time.Advance(by);
        time.SetUtcNow(DateTimeOffset.UtcNow); // only the monotonic stamp (timers, timeouts, round trips) is virtual
    }

    /// <summary>
    /// Moves virtual time in <paramref name="step"/>s until <paramref name="done"/>, letting real I/O run for at
    /// least as long between steps: virtual time never runs ahead of real time, so a slow machine cannot make
    /// a real answer look late to the gateway's clock.
    /// </summary>
    private static async Task PumpUntilAsync(ManualTimeProvider time, TimeSpan step, Func<bool> done, string what, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {what}. {diagnostics()}");
            Advance(time, step);
            await Task.Delay(step);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> done, string what, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {what}. {diagnostics()}");
            await Task.Delay(10);
        }
    }

    private static string Describe(GatewayRig rig) =>
        $"gateway: ready {rig.Gateway.IsReady}, probes {rig.Gateway.ProbesSent}/{rig.Gateway.ProbeAnswers}, stalls {rig.Gateway.Stalls}, " +
        $"disconnects {rig.Gateway.Disconnects}, reconnects {rig.Gateway.Reconnects}, reconcile failures {rig.Gateway.ReconcileFailures}, " +
        $"deferred writes {rig.Gateway.DeferredWrites}; reports: {string.Join(" | ", rig.Sink.Snapshot().TakeLast(12))}";

    private static List<VenueHealthReport> Health(GatewayRig rig, VenueHealthKind kind) =>
        [.. rig.Sink.All<VenueHealthReport>().Where(h => h.Kind == kind)];

    [Fact]
    public async Task Start_ReportsEveryInstrumentStatus_ThenOrderEntryUpOnce()
    {
        await using var rig = await GatewayRig.StartAsync(options: o => o with { ProbeInterval = TimeSpan.Zero });
        var reports = rig.Sink.Snapshot();
        int up = reports.FindIndex(r => Is(r, VenueHealthKind.OrderEntryUp));
        Assert.True(up >= 0, "no OrderEntryUp after start");
        var statuses = reports.Take(up).OfType<VenueHealthReport>().Where(h => h.Kind == VenueHealthKind.InstrumentStatus).ToList();
        Assert.Equal(new[] { (GatewayRig.Btc, InstrumentStatus.Trading), (1, InstrumentStatus.Trading) }, statuses.Select(h => (h.InstrumentId, h.Status)).Order());
        Assert.Single(reports, r => Is(r, VenueHealthKind.OrderEntryUp));
        Assert.DoesNotContain(reports, r => Is(r, VenueHealthKind.OrderEntryDown));
        Assert.True(rig.Gateway.OrderEntryReportedUp);
    }

    [Fact]
    public async Task RestOnly_Start_ReportsOrderEntryUp_AndSendsNoProbes()
    {
        await using var rig = await GatewayRig.StartAsync(options: o => o with { RestOnly = true, ProbeInterval = TimeSpan.FromMilliseconds(100) });
        Assert.Single(Health(rig, VenueHealthKind.OrderEntryUp));
        await Task.Delay(300); // several probe intervals: none may go out (there is no WS API connection)
        Assert.Equal(0, rig.Gateway.ProbesSent);
    }

    [Fact]
    public async Task Probes_OnVirtualTime_OnePerInterval_RoundTripOnTheInjectedClock()
    {
        var time = VirtualClock();
        await using var rig = await GatewayRig.StartAsync(proxyWsApi: true, time: time,
            options: o => o with { ProbeInterval = TimeSpan.FromSeconds(1), LivenessTimeout = TimeSpan.FromSeconds(5), SweepPeriod = TimeSpan.FromMilliseconds(50) });
        var proxy = rig.Proxy!;
        long nowMs = 0; // virtual ms since the gateway started (the connection opened then; time stood still meanwhile)
        void Step(int ms)
        {
            Advance(time, TimeSpan.FromMilliseconds(ms));
            nowMs += ms;
        }

        for (int k = 1; k <= 3; k++)
        {
            // The proxy holds the probe and its answer while virtual time moves on: the round trip is exactly what passed.
            proxy.Stall();
            while (rig.Gateway.ProbesSent < k)
            {
                Assert.True(nowMs < k * 1000, $"probe {k} not sent by {nowMs} ms");
                Step(50);
            }
            Assert.Equal(k * 1000, nowMs); // exactly one interval after the previous one (the first: after connecting)
            Step(10 * k);
            Assert.Equal(k, rig.Gateway.ProbesSent); // one at a time
            proxy.Resume();
            await WaitUntilAsync(() => Health(rig, VenueHealthKind.ProbeRoundTrip).Count == k, $"probe answer {k}", () => Describe(rig));
            var probe = Health(rig, VenueHealthKind.ProbeRoundTrip)[k - 1];
            Assert.Equal(10L * k * 1_000_000, probe.Value);
            Assert.Equal(-1, probe.InstrumentId);
            Step(50 - 10 * k); // back onto the sweep timer's 50 ms grid
        }
        Assert.Equal(3, rig.Gateway.ProbeAnswers);
        Assert.Equal(30_000_000, rig.Gateway.LastProbeRoundTripNs);
        Assert.DoesNotContain(rig.Sink.Snapshot(), r => Is(r, VenueHealthKind.OrderEntryDown));
    }

    [Fact]
    public async Task ProbeRoundTrip_RealTime_CarriesThePathLatency()
    {
        await using var rig = await GatewayRig.StartAsync(proxyWsApi: true,
            options: o => o with { ProbeInterval = TimeSpan.FromMilliseconds(100), LivenessTimeout = TimeSpan.FromSeconds(10) });
        await WaitUntilAsync(() => rig.Gateway.ProbeAnswers >= 2, "two probe answers", () => Describe(rig));
        Assert.All(Health(rig, VenueHealthKind.ProbeRoundTrip), p => Assert.True(p.Value > 0, $"round trip {p.Value} ns"));

        rig.Proxy!.Latency = TimeSpan.FromMilliseconds(40); // each way
        long sentBefore = rig.Gateway.ProbesSent;
        // A probe sent after the change crosses the proxy twice: its round trip is never below 80 ms.
        await WaitUntilAsync(() => rig.Gateway.ProbeAnswers >= sentBefore + 3, "three probes after the latency change", () => Describe(rig));
        var late = Health(rig, VenueHealthKind.ProbeRoundTrip).Skip((int)sentBefore + 1).ToList();
        Assert.True(late.Count >= 2);
        Assert.All(late, p => Assert.True(p.Value >= 80_000_000, $"round trip {p.Value / 1e6:F1} ms under the proxy's 2 x 40 ms"));
        Assert.DoesNotContain(rig.Sink.Snapshot(), r => Is(r, VenueHealthKind.OrderEntryDown));
    }

    [Fact]
    public async Task StalledConnection_OnVirtualTime_DownAtTheLivenessDeadline_ReplacedAndUpOnlyAfterReconciliation()
    {
        var time = VirtualClock();
        await using var rig = await GatewayRig.StartAsync(proxyWsApi: true, time: time, options: o => o with
        {
            ProbeInterval = TimeSpan.FromSeconds(1),
            LivenessTimeout = TimeSpan.FromSeconds(3),
            SweepPeriod = TimeSpan.FromMilliseconds(50),
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            ControlTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(30),
        });
        // A resting order: the reconciliation after the reconnect must report it before order entry is up again.
        var resting = rig.NextId();
        rig.Gateway.Send(rig.Place(resting, Side.Buy, Passive, Qty));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == resting, "ack of the resting order");
        Assert.True(rig.Gateway.OrderEntryReportedUp);

        int mark = rig.Sink.Count;
        var proxy = rig.Proxy!;
        proxy.Stall(); // both ways, socket open: no FIN, no RST
        long nowMs = 0;
        // The probe goes at 1 s and gets no answer: stalled LivenessTimeout later, at 4 s, and not one sweep earlier.
        while (rig.Sink.IndexOf<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryDown, mark) < 0)
        {
            Assert.True(nowMs < 4000, $"not reported down by {nowMs} ms. {Describe(rig)}");
            Advance(time, TimeSpan.FromMilliseconds(50));
            nowMs += 50;
        }
        Assert.Equal(4000, nowMs);
        Assert.Equal(1, rig.Gateway.ProbesSent);
        Assert.Equal(1, rig.Gateway.Stalls);
        Assert.False(rig.Gateway.OrderEntryReportedUp);

        // While the path stays stalled the replacement cannot get through its handshake: nothing is reported up.
        for (int i = 0; i < 20; i++)
        {
            Advance(time, TimeSpan.FromMilliseconds(50));
            await Task.Delay(5);
        }
        Assert.Equal(-1, rig.Sink.IndexOf<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp, mark));

        proxy.Resume();
        await PumpUntilAsync(time, TimeSpan.FromMilliseconds(50),
            () => rig.Sink.IndexOf<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp, mark) >= 0, "order entry up again", () => Describe(rig));
        int down = rig.Sink.IndexOf<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryDown, mark);
        int reconciled = rig.Sink.IndexOf<OrderStatusReport>(r => r.ClientOrderId == resting && r.Status == VenueOrderStatus.New, down);
        int up = rig.Sink.IndexOf<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp, down);
        Assert.True(down < reconciled && reconciled < up, $"down {down}, reconciled {reconciled}, up {up}");
        Assert.Single(rig.Sink.Snapshot().Skip(mark), r => Is(r, VenueHealthKind.OrderEntryDown));
        Assert.True(rig.Gateway.Reconnects >= 1);
        Assert.True(rig.Gateway.IsReady);

        // The replacement carries probes and orders.
        long sent = rig.Gateway.ProbesSent, answered = rig.Gateway.ProbeAnswers;
        await PumpUntilAsync(time, TimeSpan.FromMilliseconds(50), () => rig.Gateway.ProbesSent > sent, "a probe on the new connection", () => Describe(rig));
        await WaitUntilAsync(() => rig.Gateway.ProbeAnswers > answered, "its answer", () => Describe(rig));
        var next = rig.NextId();
        rig.Gateway.Send(rig.Place(next, Side.Buy, Passive, Qty));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == next, "ack on the new connection");
        Assert.Equal(1, rig.VenueOrdersWithClientId(resting));
    }

    [Fact]
    public async Task StalledConnection_RealTime_ReportedDown_ReplacedAfterResume_OrdersFlowAgain()
    {
        await using var rig = await GatewayRig.StartAsync(proxyWsApi: true, options: o => o with
        {
            ProbeInterval = TimeSpan.FromMilliseconds(100),
            LivenessTimeout = TimeSpan.FromSeconds(1),
            ControlTimeout = TimeSpan.FromSeconds(2),
            RequestTimeout = TimeSpan.FromSeconds(10),
        });
        await WaitUntilAsync(() => rig.Gateway.ProbeAnswers >= 1, "a probe answer", () => Describe(rig));
        int mark = rig.Sink.Count;
        rig.Proxy!.Stall();
        int down = await rig.Sink.WaitForIndexAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryDown, mark, "order entry down", 20_000);
        Assert.True(rig.Gateway.Stalls >= 1);
        // A command while down goes over REST (the WS API is not ready) and is answered.
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == id, "REST ack while down", 10_000);
        Assert.True(rig.Gateway.CommandsSentRest >= 1);

        rig.Proxy.Resume();
        int up = await rig.Sink.WaitForIndexAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp, down, "order entry up after the stall", 20_000);
        Assert.True(rig.Sink.IndexOf<OrderStatusReport>(r => r.ClientOrderId == id, down) is var reconciled && reconciled > down && reconciled < up,
            "the order placed while down was reconciled before order entry came up");
        Assert.True(rig.Gateway.Reconnects >= 1);
        var next = rig.NextId();
        rig.Gateway.Send(rig.Place(next, Side.Buy, Passive, Qty));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == next, "ack after the replacement");
        Assert.True(rig.Gateway.CommandsSentWs >= 1);
    }

    [Fact]
    public async Task SymbolStatus_OnVirtualTime_ChangeReportedAtTheNextMetadataRefresh_Once()
    {
        var time = VirtualClock();
        var period = TimeSpan.FromMilliseconds(200);
        await using var rig = await GatewayRig.StartAsync(time: time, options: o => o with { MetadataRefreshPeriod = period, ProbeInterval = TimeSpan.Zero });
        List<(int Id, InstrumentStatus Status)> Statuses() =>
            [.. Health(rig, VenueHealthKind.InstrumentStatus).Select(h => (h.InstrumentId, h.Status))];
        Assert.Equal(2, Statuses().Count); // the first load reports every instrument

        async Task RefreshAsync()
        {
            // A period passes on the gateway's clock; its timer starts a reload (skipped while one still runs).
            long loads = rig.Gateway.MetadataLoads;
            await PumpUntilAsync(time, period, () => rig.Gateway.MetadataLoads > loads, "a metadata refresh", () => $"failures {rig.Gateway.MetadataFailures}. {Describe(rig)}");
        }

        await RefreshAsync();
        Assert.Equal(2, Statuses().Count); // nothing changed: nothing reported
        rig.Sim.HaltSymbol("BTCUSDT");
        // The venue has no status event: the halt is seen when a refresh (virtual time passing) reloads exchangeInfo.
        await PumpUntilAsync(time, period, () => Statuses().Count >= 3, "the halt reported", () => Describe(rig));
        Assert.Equal((GatewayRig.Btc, InstrumentStatus.Halt), Statuses()[2]);
        await RefreshAsync();
        await RefreshAsync();
        Assert.Equal(3, Statuses().Count); // still halted: not repeated
        rig.Sim.ResumeSymbol("BTCUSDT");
        await PumpUntilAsync(time, period, () => Statuses().Count >= 4, "the resume reported", () => Describe(rig));
        Assert.Equal(
            new[] { (GatewayRig.Btc, InstrumentStatus.Trading), (1, InstrumentStatus.Trading), (GatewayRig.Btc, InstrumentStatus.Halt), (GatewayRig.Btc, InstrumentStatus.Trading) },
            Statuses().Take(2).Order().Concat(Statuses().Skip(2)));
    }

    /// <summary>
    /// A WS API endpoint that answers what the gateway needs to go ready (time, user data subscription,
    /// ping; any other request: -2011) until told to stop reading a connection: then it never reads it
    /// again and its receive buffer is tiny, so the client's writes back up into a full socket. New
    /// connections are served normally.
    /// </summary>
    private sealed class BackPressureWsApi : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<(TcpClient Client, TaskCompletionSource Stalled)> _connections = [];
        private int _accepted;

        public BackPressureWsApi()
        {
            _listener.Server.ReceiveBufferSize = 4096; // inherited by accepted sockets; fixed size (no autotuning)
            _listener.Start();
            _ = Task.Run(AcceptLoopAsync);
        }

        public Uri Url => new($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/ws-api/v3");
        public int Accepted => Volatile.Read(ref _accepted);

        /// <summary>Stops reading every connection open now.</summary>
        public void StopReading()
        {
            lock (_connections)
                foreach (var c in _connections)
                    c.Stalled.TrySetResult();
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                Interlocked.Increment(ref _accepted);
                var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                lock (_connections)
                    _connections.Add((client, stalled));
                _ = Task.Run(() => ServeAsync(client, stalled.Task));
            }
        }

        private async Task ServeAsync(TcpClient client, Task stalled)
        {
            try
            {
                var stream = client.GetStream();
                var head = new byte[8192];
                int n = 0;
                while (n < 4 || !head.AsSpan(0, n).EndsWith("\r\n\r\n"u8))
                {
                    int r = await stream.ReadAsync(head.AsMemory(n), _stop.Token);
                    if (r == 0)
                        return;
                    n += r;
                }
                string request = Encoding.ASCII.GetString(head, 0, n);
                string key = request.Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))["Sec-WebSocket-Key:".Length..].Trim();
                string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"), _stop.Token);
                using var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
                var buffer = new byte[64 * 1024];
                while (ws.State == WebSocketState.Open)
                {
                    if (stalled.IsCompleted)
                    {
                        await Task.Delay(Timeout.Infinite, _stop.Token); // never read again
                        return;
                    }
                    int length = 0;
                    ValueWebSocketReceiveResult r;
                    do
                    {
                        r = await ws.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                        length += r.Count;
                    }
                    while (!r.EndOfMessage);
                    if (r.MessageType == WebSocketMessageType.Close)
                        return;
                    if (stalled.IsCompleted)
                        continue;
                    using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
                    string id = doc.RootElement.GetProperty("id").GetRawText();
                    string answer = doc.RootElement.GetProperty("method").GetString() switch
                    {
                        "time" => $$$"""{"id":{{{id}}},"status":200,"result":{"serverTime":{{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}}}}""",
                        "userDataStream.subscribe" or "userDataStream.subscribe.signature" => $$$"""{"id":{{{id}}},"status":200,"result":{"subscriptionId":0}}""",
                        "ping" => $$$"""{"id":{{{id}}},"status":200,"result":{}}""",
                        _ => $$$"""{"id":{{{id}}},"status":400,"error":{"code":-2011,"msg":"Unknown order sent."}}""",
                    };
                    await ws.SendAsync(Encoding.UTF8.GetBytes(answer), WebSocketMessageType.Text, true, _stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException or SocketException)
            {
            }
            finally
            {
                client.Dispose();
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_connections)
                foreach (var c in _connections)
                    c.Client.Dispose();
        }
    }

    [Fact]
    public async Task InlineSend_SocketBufferFull_CallerNeverWaits_SendThreadTakesOver_StallReplaced()
    {
        // Virtual time: nothing can unblock a waiting caller (no stall detection runs until the test moves
        // the clock), so a caller that waited for the socket would hang here for good.
        var time = VirtualClock();
        using var venue = new BackPressureWsApi();
        await using var rig = await GatewayRig.StartAsync(time: time, options: o => o with
        {
            WsApiUrl = venue.Url, // order entry to the stub; REST (metadata, reconciliation, fallback) to the simulator
            InlineSend = true,
            ProbeInterval = TimeSpan.FromSeconds(1),
            LivenessTimeout = TimeSpan.FromSeconds(3),
            SweepPeriod = TimeSpan.FromMilliseconds(50),
            RequestTimeout = TimeSpan.FromSeconds(30),
            ControlTimeout = TimeSpan.FromSeconds(5),
        });
        Assert.True(rig.Gateway.OrderEntryReportedUp);
        var first = rig.NextId();
        rig.Gateway.Send(OrderCommand.From(new CancelOrderCommand(GatewayRig.Btc, rig.NextId(), first, 0), 0));
        await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == first && r.Reason == RejectReason.UnknownOrder, "the stub answers");
        Assert.Equal(1, rig.Gateway.SentInline);

        int mark = rig.Sink.Count;
        venue.StopReading();
        // Cancels are never held back (no weight, no order budget): keep sending until the socket does not
        // take a frame at once, then some more (they queue for the send thread, which is stuck on the socket).
        int sent = 0, afterDeferral = 0;
        var caller = Task.Run(() =>
        {
            while (afterDeferral < 50 && sent < 2_000_000)
            {
                rig.Gateway.Send(OrderCommand.From(new CancelOrderCommand(GatewayRig.Btc, rig.NextId(), rig.NextId(), 0), 0));
                sent++;
                if (rig.Gateway.DeferredWrites > 0)
                    afterDeferral++;
            }
        });
        await caller.WaitAsync(TimeSpan.FromSeconds(120)); // a deadlock detector, not a latency bound
        Assert.True(rig.Gateway.DeferredWrites >= 1, $"the socket took all {sent} frames at once");
        Assert.Equal(-1, rig.Sink.IndexOf<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryDown, mark));

        // Unanswered, the connection is stalled: down at once, aborted (the send thread's stuck write fails),
        // replaced by a fresh connection to the stub, reconciled over REST, up again.
        await PumpUntilAsync(time, TimeSpan.FromMilliseconds(50),
            () => rig.Sink.IndexOf<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryDown, mark) >= 0, "order entry down", () => Describe(rig));
        int down = rig.Sink.IndexOf<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryDown, mark);
        await PumpUntilAsync(time, TimeSpan.FromMilliseconds(50),
            () => rig.Sink.IndexOf<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp, down) >= 0, "order entry up on a new connection", () => Describe(rig));
        Assert.Equal(1, rig.Gateway.Stalls);
        Assert.True(venue.Accepted >= 2);
        Assert.Contains(rig.Sink.All<StatusUnknownReport>(), u => u.Cause == UnknownCause.Disconnected); // in flight on the stalled socket
        var after = rig.NextId();
        rig.Gateway.Send(OrderCommand.From(new CancelOrderCommand(GatewayRig.Btc, rig.NextId(), after, 0), 0));
        await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == after && r.Reason == RejectReason.UnknownOrder, "answered on the new connection", 20_000);
    }
}
