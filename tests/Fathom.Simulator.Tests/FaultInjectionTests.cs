using System.Net;
using System.Text.Json;
using Fathom.Core;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>Each run-time fault, switched on from the test and observed the way a client would observe it.</summary>
public sealed class FaultInjectionTests
{
    private const string NewOrder = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000";

    private static int OpenOrders(SimulatorHarness h)
    {
        lock (h.Sim.Api.Gate)
            return h.Sim.Engine.Accounts[0].OpenOrderCount(h.Sim.Engine.Book("BTCUSDT"));
    }

    [Fact]
    public async Task RateLimitBurst_Answers429WithRetryAfter_ThenRecovers()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.Sim.Faults.RateLimitBurst(2);
        for (int i = 0; i < 2; i++)
        {
            var r = await h.SendAsync(HttpMethod.Get, "/api/v3/ping");
            Assert.Equal((HttpStatusCode)429, r.Status);
            Assert.Equal(-1003, r.Code);
            Assert.Equal("1", r.Headers["Retry-After"]);
        }
        Assert.Equal(HttpStatusCode.OK, (await h.SendAsync(HttpMethod.Get, "/api/v3/ping")).Status);
    }

    [Fact]
    public async Task UnknownStatusAfterAccept_Answers503_ButTheOrderExists()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.Sim.Faults.UnknownStatusAfterAccept(1);
        var r = await h.SignedAsync(HttpMethod.Post, "/api/v3/order", NewOrder + "&newClientOrderId=unknown1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Status);
        Assert.Equal(-1007, r.Code);
        var q = await h.SignedAsync(HttpMethod.Get, "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=unknown1");
        Assert.Equal("NEW", q.Str("status"));
    }

    [Fact]
    public async Task DroppedAck_AndTimeoutAfterAccept_LeaveTheClientWithoutAnswer_ButTheOrderExists()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.Sim.Faults.DropAcks(1);
        await Assert.ThrowsAsync<HttpRequestException>(() => h.SignedAsync(HttpMethod.Post, "/api/v3/order", NewOrder));
        Assert.Equal(1, OpenOrders(h));

        h.Sim.Faults.TimeoutAfterAccept(1);
        h.Sim.Faults.TimeoutHang = TimeSpan.FromSeconds(30);
        using var impatient = new HttpClient { BaseAddress = h.Server.BaseAddress, Timeout = TimeSpan.FromMilliseconds(500) };
        string query = NewOrder + "&timestamp=" + h.NowMs;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v3/order?{query}&signature={SimulatorHarness.Sign(query)}");
        request.Headers.Add("X-MBX-APIKEY", SimulatorHarness.HmacKey);
        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.SendAsync(request));
        Assert.Equal(2, OpenOrders(h));
    }

    [Fact]
    public async Task WsApi_DroppedAndDelayedAcks_UserDataStillTellsTheTruth()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectAsync("/ws-api/v3");
        var key = SimulatorConfig.Demo().Accounts[0].Keys[1];
        using var ed = NSec.Cryptography.Key.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, Convert.FromBase64String(key.Ed25519PrivateKey!), NSec.Cryptography.KeyBlobFormat.RawPrivateKey);
        long ts = h.NowMs;
        string sig = Convert.ToBase64String(NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(ed, System.Text.Encoding.UTF8.GetBytes($"apiKey={key.ApiKey}&timestamp={ts}")));
        Assert.Equal(200, (await ws.RequestAsync("l", "session.logon", new Dictionary<string, object> { ["apiKey"] = key.ApiKey, ["timestamp"] = ts, ["signature"] = sig })).GetProperty("status").GetInt32());
        await ws.RequestAsync("s", "userDataStream.subscribe");
        Dictionary<string, object> Order(string id) => new() { ["symbol"] = "BTCUSDT", ["side"] = "BUY", ["type"] = "LIMIT", ["timeInForce"] = "GTC", ["quantity"] = "0.01", ["price"] = "50000", ["newClientOrderId"] = id, ["timestamp"] = h.NowMs };

        h.Sim.Faults.DropAcks(1);
        await ws.SendAsync(JsonSerializer.Serialize(new { id = "dropped", method = "order.place", @params = Order("d1") }));
        var ev = await ws.NextAsync(f => f.TryGetProperty("event", out var e) && e.GetProperty("e").GetString() == "executionReport");
        Assert.Equal("d1", ev.GetProperty("event").GetProperty("c").GetString());
        await ws.AssertNoneAsync(f => f.TryGetProperty("id", out var i) && i.GetString() == "dropped", TimeSpan.FromMilliseconds(300));

        // Ordering, not wall-clock bounds: the user data event must arrive while the ack is still held back.
        h.Sim.Faults.AckDelay = TimeSpan.FromMilliseconds(1500);
        var sent = DateTime.UtcNow;
        await ws.SendAsync(JsonSerializer.Serialize(new { id = "late", method = "order.place", @params = Order("d2") }));
        await ws.NextAsync(f => f.TryGetProperty("event", out var e) && e.GetProperty("e").GetString() == "executionReport" && e.GetProperty("c").GetString() == "d2");
        Assert.DoesNotContain(ws.All(), f => f.TryGetProperty("id", out var i) && i.GetString() == "late");
        var late = await ws.NextAsync(f => f.TryGetProperty("id", out var i) && i.GetString() == "late");
        Assert.Equal(200, late.GetProperty("status").GetInt32());
        Assert.True(DateTime.UtcNow - sent >= TimeSpan.FromMilliseconds(1450), "the ack should be held for the configured delay");
    }

    [Fact]
    public async Task ClockSkew_MovesServerTime_AndTheRecvWindowCheck()
    {
        await using var h = await SimulatorHarness.StartAsync();
        long now = h.NowMs;
        h.Sim.Clock.Skew = TimeSpan.FromSeconds(10);
        var time = await h.SendAsync(HttpMethod.Get, "/api/v3/time");
        Assert.Equal(now + 10_000, time.Json.GetProperty("serverTime").GetInt64());
        var behind = await h.SignedAsync(HttpMethod.Post, "/api/v3/order", NewOrder, timestamp: now);
        Assert.Equal(-1021, behind.Code);
        Assert.Equal(BinanceErrors.TimestampOutsideRecvWindow.Message, behind.Msg);
        h.Sim.Clock.Skew = TimeSpan.FromSeconds(-10);
        var ahead = await h.SignedAsync(HttpMethod.Post, "/api/v3/order", NewOrder, timestamp: now);
        Assert.Equal(BinanceErrors.TimestampAhead.Message, ahead.Msg);
        h.Sim.Clock.Skew = TimeSpan.Zero;
        Assert.Equal(HttpStatusCode.OK, (await h.SignedAsync(HttpMethod.Post, "/api/v3/order", NewOrder)).Status);
    }

    [Fact]
    public async Task SymbolHalt_RejectsNewOrders_AllowsCancels_AndShowsInExchangeInfo()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var placed = await h.SignedAsync(HttpMethod.Post, "/api/v3/order", NewOrder);
        h.Sim.HaltSymbol("BTCUSDT");
        var info = await h.SendAsync(HttpMethod.Get, "/api/v3/exchangeInfo?symbol=BTCUSDT");
        Assert.Equal("HALT", info.Json.GetProperty("symbols")[0].GetProperty("status").GetString());
        var rejected = await h.SignedAsync(HttpMethod.Post, "/api/v3/order", NewOrder);
        Assert.Equal(-2010, rejected.Code);
        Assert.Equal("Market is closed.", rejected.Msg);
        var canceled = await h.SignedAsync(HttpMethod.Delete, "/api/v3/order", $"symbol=BTCUSDT&orderId={placed.Json.GetProperty("orderId").GetInt64()}");
        Assert.Equal("CANCELED", canceled.Str("status"));
        h.Sim.ResumeSymbol("BTCUSDT");
        Assert.Equal(HttpStatusCode.OK, (await h.SignedAsync(HttpMethod.Post, "/api/v3/order", NewOrder)).Status);
    }

    [Fact]
    public async Task Streams_SilentButOpen_DroppedDuplicatedReordered_AndDisconnected_AreVisibleOnTheWire()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectAsync("/ws/btcusdt@depth@100ms");
        await MarketStreamTests.WaitForAsync(() => h.Sim.Streams.MarketConnections == 1, "the subscription");
        int price = 50000;
        async Task ChangeAndPublishAsync()
        {
            await h.SignedAsync(HttpMethod.Post, "/api/v3/order", $"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price={price++}");
            h.PublishDepth();
        }
        static (long U, long u) Ids(JsonElement f) => (f.GetProperty("U").GetInt64(), f.GetProperty("u").GetInt64());

        h.Sim.Faults.SilentStreams = true;
        await ChangeAndPublishAsync();                       // ids 1
        await ws.AssertNoneAsync(_ => true, TimeSpan.FromMilliseconds(200));
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, ws.State);
        h.Sim.Faults.SilentStreams = false;

        await ChangeAndPublishAsync();                       // 2
        Assert.Equal((2L, 2L), Ids(await ws.NextAsync()));
        h.Sim.Faults.DropDepthMessages(1);
        await ChangeAndPublishAsync();                       // 3, dropped
        await ChangeAndPublishAsync();                       // 4
        Assert.Equal((4L, 4L), Ids(await ws.NextAsync()));   // a gap: U > previous u + 1
        h.Sim.Faults.DuplicateDepthMessages(1);
        await ChangeAndPublishAsync();                       // 5 twice
        Assert.Equal((5L, 5L), Ids(await ws.NextAsync()));
        Assert.Equal((5L, 5L), Ids(await ws.NextAsync()));
        h.Sim.Faults.ReorderDepthMessages(1);
        await ChangeAndPublishAsync();                       // 6 held
        await ChangeAndPublishAsync();                       // 7, then 6
        Assert.Equal((7L, 7L), Ids(await ws.NextAsync()));
        Assert.Equal((6L, 6L), Ids(await ws.NextAsync()));

        Assert.Equal(1, h.Sim.Streams.DisconnectMarketStreams());
        await ws.WaitClosedAsync(WsClient.Patience);
        Assert.True(ws.Closed);
    }
}
