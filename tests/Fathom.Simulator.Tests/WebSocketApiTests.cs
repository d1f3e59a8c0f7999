using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NSec.Cryptography;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>The WebSocket API (/ws-api/v3) and user data events, with signatures computed here from the Binance docs.</summary>
public sealed class WebSocketApiTests
{
    private const string Demo2Key = "fathomDemoHmacKey2000000000000000000000000000000000000000000002";
    private const string Demo2Secret = "fathomDemoSecret2000000000000000000000000000000000000000000002";

    /// <summary>Signs the WS API way (EXCHANGES.md §5.2): params sorted by name, k=v joined by &amp;, not percent-encoded.</summary>
    private static Dictionary<string, object> SignHmac(Dictionary<string, object> p, string secret = SimulatorHarness.HmacSecret)
    {
        string payload = string.Join('&', p.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
        p["signature"] = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(payload)));
        return p;
    }

    private static async Task LogonEd25519Async(SimulatorHarness h, WsClient ws)
    {
        var demo = SimulatorConfig.Demo().Accounts[0].Keys[1];
        using var key = Key.Import(SignatureAlgorithm.Ed25519, Convert.FromBase64String(demo.Ed25519PrivateKey!), KeyBlobFormat.RawPrivateKey);
        var p = new Dictionary<string, object> { ["apiKey"] = demo.ApiKey, ["timestamp"] = h.NowMs };
        string payload = string.Join('&', p.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
        p["signature"] = Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(payload)));
        var r = await ws.RequestAsync("logon", "session.logon", p);
        Assert.Equal(200, r.GetProperty("status").GetInt32());
        Assert.Equal(demo.ApiKey, r.GetProperty("result").GetProperty("apiKey").GetString());
    }

    private static Dictionary<string, object> Order(SimulatorHarness h, string side, string qty, string price, string? clientId = null)
    {
        var p = new Dictionary<string, object> { ["symbol"] = "BTCUSDT", ["side"] = side, ["type"] = "LIMIT", ["timeInForce"] = "GTC", ["quantity"] = qty, ["price"] = price, ["timestamp"] = h.NowMs };
        if (clientId is not null)
            p["newClientOrderId"] = clientId;
        return p;
    }

    private static Dictionary<string, object> With(Dictionary<string, object> p, string key, object value)
    {
        p[key] = value;
        return p;
    }

    [Fact]
    public void SignedPayload_OfWsParams_IsSortedUnencoded_AndMatchesTheDocVectorW1()
    {
        string json = """{"symbol":"BTCUSDT","side":"SELL","type":"LIMIT","timeInForce":"GTC","quantity":"0.01000000","price":"52000.00","recvWindow":100,"timestamp":1645423376532,"apiKey":"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A","signature":"aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"}""";
        var p = RequestParameters.FromJson(JsonDocument.Parse(json).RootElement);
        Assert.Equal("apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT",
            Encoding.UTF8.GetString(p.SignedPayload));
        var engine = new MatchingEngine([], new Fathom.Core.MonotonicClock(new Fathom.Core.ManualTimeProvider()));
        var key = ApiKey.Hmac(SimulatorHarness.HmacKey, engine.CreateAccount("a"), SimulatorHarness.HmacSecret);
        Assert.True(key.Verify(p.SignedPayload, p.Signature!));
    }

    [Fact]
    public async Task RoundTrips_PlaceStatusOpenOrdersCancelReplaceCancelAll_WithEnvelopesAndRateLimits()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectAsync("/ws-api/v3");

        var placed = await ws.RequestAsync("1", "order.place", SignHmac(new(Order(h, "BUY", "0.01", "50000", "wsA")) { ["apiKey"] = SimulatorHarness.HmacKey }));
        Assert.Equal(200, placed.GetProperty("status").GetInt32());
        var result = placed.GetProperty("result");
        Assert.Equal("NEW", result.GetProperty("status").GetString());
        Assert.Equal("wsA", result.GetProperty("clientOrderId").GetString());
        long orderId = result.GetProperty("orderId").GetInt64();
        var limits = placed.GetProperty("rateLimits").EnumerateArray().ToList();
        Assert.Contains(limits, l => l.GetProperty("rateLimitType").GetString() == "REQUEST_WEIGHT" && l.GetProperty("count").GetInt32() >= 1);
        Assert.Contains(limits, l => l.GetProperty("rateLimitType").GetString() == "ORDERS" && l.GetProperty("interval").GetString() == "SECOND" && l.GetProperty("intervalNum").GetInt32() == 10 && l.GetProperty("count").GetInt32() == 1);

        var status = await ws.RequestAsync("2", "order.status", SignHmac(new() { ["symbol"] = "BTCUSDT", ["orderId"] = orderId, ["apiKey"] = SimulatorHarness.HmacKey, ["timestamp"] = h.NowMs }));
        Assert.Equal(orderId, status.GetProperty("result").GetProperty("orderId").GetInt64());
        Assert.DoesNotContain(status.GetProperty("rateLimits").EnumerateArray(), l => l.GetProperty("rateLimitType").GetString() == "ORDERS");

        var open = await ws.RequestAsync("3", "openOrders.status", SignHmac(new() { ["symbol"] = "BTCUSDT", ["apiKey"] = SimulatorHarness.HmacKey, ["timestamp"] = h.NowMs }));
        Assert.Equal(1, open.GetProperty("result").GetArrayLength());

        var replaced = await ws.RequestAsync("4", "order.cancelReplace", SignHmac(new(Order(h, "BUY", "0.02", "50001", "wsB"))
        { ["cancelReplaceMode"] = "STOP_ON_FAILURE", ["cancelOrderId"] = orderId, ["apiKey"] = SimulatorHarness.HmacKey }));
        Assert.Equal(200, replaced.GetProperty("status").GetInt32());
        Assert.Equal("SUCCESS", replaced.GetProperty("result").GetProperty("cancelResult").GetString());

        var unknown = await ws.RequestAsync("5", "order.cancel", SignHmac(new() { ["symbol"] = "BTCUSDT", ["orderId"] = orderId, ["apiKey"] = SimulatorHarness.HmacKey, ["timestamp"] = h.NowMs }));
        Assert.Equal(400, unknown.GetProperty("status").GetInt32());
        Assert.Equal(-2011, unknown.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("Unknown order sent.", unknown.GetProperty("error").GetProperty("msg").GetString());

        var badSig = await ws.RequestAsync("6", "order.place", SignHmac(new(Order(h, "BUY", "0.01", "50000")) { ["apiKey"] = SimulatorHarness.HmacKey }, "wrong-secret"));
        Assert.Equal(-1022, badSig.GetProperty("error").GetProperty("code").GetInt32());

        var all = await ws.RequestAsync("7", "openOrders.cancelAll", SignHmac(new() { ["symbol"] = "BTCUSDT", ["apiKey"] = SimulatorHarness.HmacKey, ["timestamp"] = h.NowMs }));
        Assert.Equal("wsB", all.GetProperty("result")[0].GetProperty("origClientOrderId").GetString());
        Assert.Equal(0, h.Sim.Engine.Accounts[0].OpenOrderCount(h.Sim.Engine.Book("BTCUSDT")));

        // Numeric ids are echoed as numbers; returnRateLimits=false hides them.
        await ws.SendAsync("""{"id":42,"method":"time","params":{"returnRateLimits":false}}""");
        var time = await ws.NextAsync(f => f.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number);
        Assert.Equal(h.NowMs, time.GetProperty("result").GetProperty("serverTime").GetInt64());
        Assert.False(time.TryGetProperty("rateLimits", out _));
    }

    [Fact]
    public async Task PingAndTime_AnswerAsBinance_WithWeightOneEach()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectAsync("/ws-api/v3");
        static int Weight(JsonElement answer) => answer.GetProperty("rateLimits").EnumerateArray()
            .Single(l => l.GetProperty("rateLimitType").GetString() == "REQUEST_WEIGHT").GetProperty("count").GetInt32();

        // {"id":..,"status":200,"result":{},"rateLimits":[REQUEST_WEIGHT MINUTE 1]} and nothing else.
        var ping = await ws.RequestAsync("ping-1", "ping");
        Assert.Equal(["id", "status", "result", "rateLimits"], ping.EnumerateObject().Select(p => p.Name).ToList());
        Assert.Equal("ping-1", ping.GetProperty("id").GetString());
        Assert.Equal(200, ping.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Object, ping.GetProperty("result").ValueKind);
        Assert.Empty(ping.GetProperty("result").EnumerateObject());
        var limit = Assert.Single(ping.GetProperty("rateLimits").EnumerateArray());
        Assert.Equal("MINUTE", limit.GetProperty("interval").GetString());
        Assert.Equal(1, limit.GetProperty("intervalNum").GetInt32());
        Assert.Equal(6000, limit.GetProperty("limit").GetInt32());

        var ping2 = await ws.RequestAsync("ping-2", "ping");
        Assert.Equal(Weight(ping) + 1, Weight(ping2));

        var time = await ws.RequestAsync("time-1", "time");
        Assert.Equal(200, time.GetProperty("status").GetInt32());
        Assert.Equal(["serverTime"], time.GetProperty("result").EnumerateObject().Select(p => p.Name).ToList());
        Assert.Equal(h.NowMs, time.GetProperty("result").GetProperty("serverTime").GetInt64());
        Assert.Equal(Weight(ping2) + 1, Weight(time));

        // serverTime is the exchange's clock: it moves with it.
        h.Time.Advance(TimeSpan.FromMilliseconds(1234));
        var later = await ws.RequestAsync("time-2", "time");
        Assert.Equal(time.GetProperty("result").GetProperty("serverTime").GetInt64() + 1234, later.GetProperty("result").GetProperty("serverTime").GetInt64());

        // A numeric id is echoed as a number.
        await ws.SendAsync("""{"id":7,"method":"ping"}""");
        var numeric = await ws.NextAsync(f => f.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number);
        Assert.Equal(7, numeric.GetProperty("id").GetInt32());
        Assert.Equal(200, numeric.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task SessionLogon_Ed25519Only_ThenRequestsNeedNoSignature()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectAsync("/ws-api/v3");
        var hmac = await ws.RequestAsync("h", "session.logon", SignHmac(new() { ["apiKey"] = SimulatorHarness.HmacKey, ["timestamp"] = h.NowMs }));
        Assert.Equal(400, hmac.GetProperty("status").GetInt32());
        var unsigned = await ws.RequestAsync("u", "order.place", Order(h, "BUY", "0.01", "50000"));
        Assert.Equal(-2014, unsigned.GetProperty("error").GetProperty("code").GetInt32()); // no session, no key

        await LogonEd25519Async(h, ws);
        var placed = await ws.RequestAsync("p", "order.place", Order(h, "BUY", "0.01", "50000"));
        Assert.Equal(200, placed.GetProperty("status").GetInt32());
        var stale = await ws.RequestAsync("s", "order.place", With(Order(h, "BUY", "0.01", "50000"), "timestamp", h.NowMs - 60_000));
        Assert.Equal(-1021, stale.GetProperty("error").GetProperty("code").GetInt32());
    }

    private static bool Exec(JsonElement f, string x, string? X = null) =>
        f.TryGetProperty("event", out var e) && e.GetProperty("e").GetString() == "executionReport" &&
        e.GetProperty("x").GetString() == x && (X is null || e.GetProperty("X").GetString() == X);

    private static bool Position(JsonElement f) => f.TryGetProperty("event", out var e) && e.GetProperty("e").GetString() == "outboundAccountPosition";

    [Fact]
    public async Task UserData_NewPartialFillFillCancelAndStpExpiry_ArriveInTheSubscriptionEnvelope()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectAsync("/ws-api/v3");
        var notYet = await ws.RequestAsync("0", "userDataStream.subscribe");
        Assert.Equal(401, notYet.GetProperty("status").GetInt32());
        await LogonEd25519Async(h, ws);
        var sub = await ws.RequestAsync("1", "userDataStream.subscribe");
        Assert.Equal(0, sub.GetProperty("result").GetProperty("subscriptionId").GetInt32());

        var placed = await ws.RequestAsync("2", "order.place", Order(h, "SELL", "0.01", "60000", "maker1"));
        long orderId = placed.GetProperty("result").GetProperty("orderId").GetInt64();
        var newEvent = await ws.NextAsync(f => Exec(f, "NEW"));
        Assert.Equal(0, newEvent.GetProperty("subscriptionId").GetInt32());
        var e = newEvent.GetProperty("event");
        foreach (string field in new[] { "E", "s", "c", "S", "o", "f", "q", "p", "P", "F", "g", "C", "x", "X", "r", "i", "l", "z", "L", "n", "N", "T", "t", "I", "w", "m", "M", "O", "Z", "Y", "Q", "W", "V" })
            Assert.True(e.TryGetProperty(field, out _), $"executionReport lacks {field}: {e}");
        Assert.Equal("maker1", e.GetProperty("c").GetString());
        Assert.Equal(orderId, e.GetProperty("i").GetInt64());
        Assert.True(e.GetProperty("w").GetBoolean());
        Assert.Equal(JsonValueKind.Null, e.GetProperty("N").ValueKind);
        var pos = (await ws.NextAsync(Position)).GetProperty("event");
        Assert.Contains(pos.GetProperty("B").EnumerateArray(), b => b.GetProperty("a").GetString() == "BTC" && b.GetProperty("l").GetString() == "0.01000000");

        // demo2 takes 0.004 then 0.006: PARTIALLY_FILLED then FILLED, maker side, commission in USDT.
        await h.SignedAsync(HttpMethod.Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.004&price=60000", Demo2Key, Demo2Secret);
        var partial = (await ws.NextAsync(f => Exec(f, "TRADE", "PARTIALLY_FILLED"))).GetProperty("event");
        Assert.Equal("0.00400000", partial.GetProperty("l").GetString());
        Assert.Equal("60000.00000000", partial.GetProperty("L").GetString());
        Assert.Equal("240.00000000", partial.GetProperty("Y").GetString());
        Assert.Equal("0.24000000", partial.GetProperty("n").GetString());
        Assert.Equal("USDT", partial.GetProperty("N").GetString());
        Assert.True(partial.GetProperty("m").GetBoolean());
        Assert.Equal(1, partial.GetProperty("t").GetInt64());
        await ws.NextAsync(Position);
        await h.SignedAsync(HttpMethod.Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.006&price=60000", Demo2Key, Demo2Secret);
        var filled = (await ws.NextAsync(f => Exec(f, "TRADE", "FILLED"))).GetProperty("event");
        Assert.Equal("0.01000000", filled.GetProperty("z").GetString());
        Assert.Equal("600.00000000", filled.GetProperty("Z").GetString());
        Assert.False(filled.GetProperty("w").GetBoolean());

        // Cancel: c is the cancel's own id, C the order's.
        await ws.RequestAsync("3", "order.place", Order(h, "SELL", "0.01", "61000", "toCancel"));
        await h.SignedAsync(HttpMethod.Delete, "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=toCancel&newClientOrderId=myCancel");
        var canceled = (await ws.NextAsync(f => Exec(f, "CANCELED", "CANCELED"))).GetProperty("event");
        Assert.Equal("myCancel", canceled.GetProperty("c").GetString());
        Assert.Equal("toCancel", canceled.GetProperty("C").GetString());

        // STP: our own resting sell meets our buy with EXPIRE_MAKER: the maker expires in match.
        var resting = await ws.RequestAsync("4", "order.place", Order(h, "SELL", "0.01", "62000", "stpMaker"));
        long restingId = resting.GetProperty("result").GetProperty("orderId").GetInt64();
        var taker = await ws.RequestAsync("5", "order.place", With(Order(h, "BUY", "0.01", "62000", "stpTaker"), "selfTradePreventionMode", "EXPIRE_MAKER"));
        long takerId = taker.GetProperty("result").GetProperty("orderId").GetInt64();
        var stp = (await ws.NextAsync(f => Exec(f, "TRADE_PREVENTION", "EXPIRED_IN_MATCH"))).GetProperty("event");
        Assert.Equal("stpMaker", stp.GetProperty("c").GetString());
        Assert.Equal(restingId, stp.GetProperty("i").GetInt64());
        Assert.Equal(takerId, stp.GetProperty("U").GetInt64());
        Assert.Equal("0.01000000", stp.GetProperty("B").GetString());
        Assert.Equal(0, stp.GetProperty("v").GetInt64()); // the symbol's first prevented match
        // EXPIRE_TAKER: the taker expires instead.
        await ws.RequestAsync("6", "order.place", With(Order(h, "SELL", "0.01", "50000", "stpTaker2"), "selfTradePreventionMode", "EXPIRE_TAKER"));
        var stpTaker = (await ws.NextAsync(f => Exec(f, "TRADE_PREVENTION") && f.GetProperty("event").GetProperty("c").GetString() == "stpTaker2")).GetProperty("event");
        Assert.Equal(1, stpTaker.GetProperty("v").GetInt64()); // prevented matches are numbered per symbol, not by order id
        Assert.Equal(takerId, stpTaker.GetProperty("U").GetInt64()); // the resting order it would have traded with
        Assert.Equal("0.01000000", stpTaker.GetProperty("A").GetString());

        // IOC remainder: EXPIRED with its reason.
        await ws.RequestAsync("7", "order.place", With(Order(h, "BUY", "0.01", "59000", "ioc"), "timeInForce", "IOC"));
        var expired = (await ws.NextAsync(f => Exec(f, "EXPIRED", "EXPIRED"))).GetProperty("event");
        Assert.Equal("UNFILLED_IOC_QUANTITY_EXPIRED", expired.GetProperty("eR").GetString());

        // A second account on the same connection by signature (HMAC allowed), and a deposit's balanceUpdate.
        var sub2 = await ws.RequestAsync("8", "userDataStream.subscribe.signature", SignHmac(new() { ["apiKey"] = Demo2Key, ["timestamp"] = h.NowMs }, Demo2Secret));
        Assert.Equal(1, sub2.GetProperty("result").GetProperty("subscriptionId").GetInt32());
        h.Sim.Deposit("demo2", "ETH", 5 * Assets.One);
        var deposit = await ws.NextAsync(f => f.TryGetProperty("event", out var ev) && ev.GetProperty("e").GetString() == "balanceUpdate");
        Assert.Equal(1, deposit.GetProperty("subscriptionId").GetInt32());
        Assert.Equal("5.00000000", deposit.GetProperty("event").GetProperty("d").GetString());
        var pos2 = await ws.NextAsync(f => Position(f) && f.GetProperty("subscriptionId").GetInt32() == 1);
        Assert.Equal("105.00000000", pos2.GetProperty("event").GetProperty("B")[0].GetProperty("f").GetString());
    }
}
