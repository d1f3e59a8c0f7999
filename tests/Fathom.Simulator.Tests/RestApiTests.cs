using System.Net;
using System.Text;
using Fathom.Simulator;
using NSec.Cryptography;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>The REST API through a real HttpClient against Kestrel on a free loopback port.</summary>
public sealed class RestApiTests
{
    private static readonly HttpMethod Get = HttpMethod.Get, Post = HttpMethod.Post, Delete = HttpMethod.Delete;

    [Theory]
    [InlineData("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")]
    [InlineData("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
        "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3")]
    public void Verify_ExchangesVectorsR1R2_AcceptsDocumentedSignatureOnly(string payload, string signature)
    {
        var engine = new EngineFixture().Engine;
        var key = ApiKey.Hmac(SimulatorHarness.HmacKey, engine.Accounts[0], SimulatorHarness.HmacSecret);
        var p = new RequestParameters(payload + "&signature=" + signature, "");
        Assert.Equal(payload, Encoding.UTF8.GetString(p.SignedPayload));
        Assert.True(key.Verify(p.SignedPayload, p.Signature!));
        Assert.True(key.Verify(p.SignedPayload, signature.ToUpperInvariant())); // hex is case-insensitive
        Assert.False(key.Verify(p.SignedPayload, signature[..63] + (signature[63] == '0' ? '1' : '0')));
        Assert.False(key.Verify(Encoding.UTF8.GetBytes(payload.Replace("quantity=1", "quantity=2")), signature));
    }

    [Fact]
    public async Task PublicEndpoints_AnswerBinanceShapes()
    {
        await using var h = await SimulatorHarness.StartAsync();
        Assert.Empty((await h.SendAsync(Get, "/api/v3/ping")).Json.EnumerateObject());
        var time = await h.SendAsync(Get, "/api/v3/time");
        Assert.Equal(h.NowMs, time.Json.GetProperty("serverTime").GetInt64());
        Assert.True(time.Headers.ContainsKey("X-MBX-USED-WEIGHT-1M"));

        var info = await h.SendAsync(Get, "/api/v3/exchangeInfo?symbol=BTCUSDT");
        var sym = info.Json.GetProperty("symbols")[0];
        Assert.Equal("TRADING", sym.GetProperty("status").GetString());
        var filters = sym.GetProperty("filters").EnumerateArray().ToDictionary(f => f.GetProperty("filterType").GetString()!);
        Assert.Equal("0.01000000", filters["PRICE_FILTER"].GetProperty("tickSize").GetString());
        Assert.Equal("0.00001000", filters["LOT_SIZE"].GetProperty("stepSize").GetString());
        Assert.Equal("5.00000000", filters["NOTIONAL"].GetProperty("minNotional").GetString());
        Assert.Contains("PERCENT_PRICE_BY_SIDE", filters.Keys);
        Assert.Contains("MAX_NUM_ORDERS", filters.Keys);

        var bad = await h.SendAsync(Get, "/api/v3/depth?symbol=NOPE");
        Assert.Equal((HttpStatusCode.BadRequest, -1121, "Invalid symbol."), (bad.Status, bad.Code, bad.Msg));
        var missing = await h.SendAsync(Get, "/api/v3/depth");
        Assert.Equal((-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."), (missing.Code, missing.Msg));
    }

    [Fact]
    public async Task Orders_PlaceMatchQueryCancel_ThroughHttp()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var sell = await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.5&price=60000&newClientOrderId=my-sell-1");
        Assert.Equal(HttpStatusCode.OK, sell.Status);
        Assert.Equal("NEW", sell.Str("status"));
        Assert.Equal("my-sell-1", sell.Str("clientOrderId"));
        Assert.Equal(1, sell.Json.GetProperty("orderId").GetInt64());
        Assert.Equal("1", sell.Headers["X-MBX-ORDER-COUNT-10S"]);

        var dup = await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.5&price=60000&newClientOrderId=my-sell-1");
        Assert.Equal((-2010, "Duplicate order sent."), (dup.Code, dup.Msg));

        // The second demo account takes 0.2 with a MARKET buy: FULL response by default.
        var buy = await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.2",
            "fathomDemoHmacKey2000000000000000000000000000000000000000000002", "fathomDemoSecret2000000000000000000000000000000000000000000002");
        Assert.Equal("FILLED", buy.Str("status"));
        var fill = buy.Json.GetProperty("fills")[0];
        Assert.Equal(("60000.00000000", "0.20000000", "0.00020000", "BTC"),
            (fill.GetProperty("price").GetString(), fill.GetProperty("qty").GetString(), fill.GetProperty("commission").GetString(), fill.GetProperty("commissionAsset").GetString()));
        Assert.Equal("12000.00000000", buy.Str("cummulativeQuoteQty"));

        var depth = await h.SendAsync(Get, "/api/v3/depth?symbol=BTCUSDT&limit=5");
        Assert.Equal("0.30000000", depth.Json.GetProperty("asks")[0][1].GetString());
        var ticker = await h.SendAsync(Get, "/api/v3/ticker/bookTicker?symbol=BTCUSDT");
        Assert.Equal("60000.00000000", ticker.Str("askPrice"));
        var trades = await h.SendAsync(Get, "/api/v3/trades?symbol=BTCUSDT");
        Assert.False(trades.Json[0].GetProperty("isBuyerMaker").GetBoolean());

        var query = await h.SignedAsync(Get, "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=my-sell-1");
        Assert.Equal(("PARTIALLY_FILLED", "0.20000000"), (query.Str("status"), query.Str("executedQty")));
        var open = await h.SignedAsync(Get, "/api/v3/openOrders", "symbol=BTCUSDT");
        Assert.Equal(1, open.Json.GetArrayLength());

        var account = await h.SignedAsync(Get, "/api/v3/account", "");
        var btc = account.Json.GetProperty("balances").EnumerateArray().First(b => b.GetProperty("asset").GetString() == "BTC");
        Assert.Equal(("9.50000000", "0.30000000"), (btc.GetProperty("free").GetString(), btc.GetProperty("locked").GetString()));
        var myTrades = await h.SignedAsync(Get, "/api/v3/myTrades", "symbol=BTCUSDT");
        Assert.Equal("12.00000000", myTrades.Json[0].GetProperty("commission").GetString());
        Assert.True(myTrades.Json[0].GetProperty("isMaker").GetBoolean());

        var cancel = await h.SignedAsync(Delete, "/api/v3/order", "symbol=BTCUSDT&orderId=1&newClientOrderId=cxl-1");
        Assert.Equal(("CANCELED", "my-sell-1", "cxl-1"), (cancel.Str("status"), cancel.Str("origClientOrderId"), cancel.Str("clientOrderId")));
        var again = await h.SignedAsync(Delete, "/api/v3/order", "symbol=BTCUSDT&orderId=1");
        Assert.Equal((-2011, "Unknown order sent."), (again.Code, again.Msg));
        var none = await h.SignedAsync(Get, "/api/v3/order", "symbol=BTCUSDT&orderId=99");
        Assert.Equal((-2013, "Order does not exist."), (none.Code, none.Msg));
    }

    [Fact]
    public async Task AllOrders_EveryOrderOfTheAccountOnTheSymbol_OpenOrNot_OldestFirst()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var demo2 = SimulatorConfig.Demo().Accounts[1].Keys[0];
        // Ours: a resting sell (later partly filled), a cancelled buy, an IOC that expires unfilled; demo2 takes from the sell.
        await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.5&price=60000&newClientOrderId=a-1");
        await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.1&price=50000&newClientOrderId=a-2");
        await h.SignedAsync(Delete, "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=a-2");
        await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.1&price=40000&newClientOrderId=a-3");
        var take = await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.2&newClientOrderId=b-1", demo2.ApiKey, demo2.Secret!);
        Assert.Equal("FILLED", take.Str("status"));
        var eth = await h.SignedAsync(Post, "/api/v3/order", "symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=2000&newClientOrderId=a-eth");

        var all = await h.SignedAsync(Get, "/api/v3/allOrders", "symbol=BTCUSDT");
        Assert.Equal(HttpStatusCode.OK, all.Status);
        Assert.Equal(int.Parse(eth.Headers["X-MBX-USED-WEIGHT-1M"], System.Globalization.CultureInfo.InvariantCulture) + 20,
            int.Parse(all.Headers["X-MBX-USED-WEIGHT-1M"], System.Globalization.CultureInfo.InvariantCulture)); // weight 20
        var rows = all.Json.EnumerateArray().Select(o => (Id: o.GetProperty("orderId").GetInt64(), Client: o.GetProperty("clientOrderId").GetString(),
            Status: o.GetProperty("status").GetString(), Executed: o.GetProperty("executedQty").GetString())).ToList();
        Assert.Equal([(1, "a-1", "PARTIALLY_FILLED", "0.20000000"), (2, "a-2", "CANCELED", "0.00000000"), (3, "a-3", "EXPIRED", "0.00000000")], rows);
        Assert.Equal("BTCUSDT", all.Json[0].GetProperty("symbol").GetString());
        Assert.Equal("0.50000000", all.Json[0].GetProperty("origQty").GetString());

        // From an order id on; the most recent with a limit; a time window; another account sees only its own.
        Assert.Equal([2L, 3L], (await h.SignedAsync(Get, "/api/v3/allOrders", "symbol=BTCUSDT&orderId=2")).Json.EnumerateArray().Select(o => o.GetProperty("orderId").GetInt64()));
        Assert.Equal([2L], (await h.SignedAsync(Get, "/api/v3/allOrders", "symbol=BTCUSDT&orderId=2&limit=1")).Json.EnumerateArray().Select(o => o.GetProperty("orderId").GetInt64()));
        Assert.Equal([2L, 3L], (await h.SignedAsync(Get, "/api/v3/allOrders", "symbol=BTCUSDT&limit=2")).Json.EnumerateArray().Select(o => o.GetProperty("orderId").GetInt64()));
        Assert.Empty((await h.SignedAsync(Get, "/api/v3/allOrders", $"symbol=BTCUSDT&startTime={h.NowMs + 1}")).Json.EnumerateArray());
        Assert.Equal(3, (await h.SignedAsync(Get, "/api/v3/allOrders", $"symbol=BTCUSDT&startTime={h.NowMs}&endTime={h.NowMs}")).Json.GetArrayLength());
        var theirs = await h.SignedAsync(Get, "/api/v3/allOrders", "symbol=BTCUSDT", demo2.ApiKey, demo2.Secret!);
        Assert.Equal(["b-1"], theirs.Json.EnumerateArray().Select(o => o.GetProperty("clientOrderId").GetString()));
        Assert.Equal(["a-eth"], (await h.SignedAsync(Get, "/api/v3/allOrders", "symbol=ETHUSDT")).Json.EnumerateArray().Select(o => o.GetProperty("clientOrderId").GetString()));

        // The symbol is required; the limit is 1..1000; unsigned is refused.
        Assert.Equal(-1102, (await h.SignedAsync(Get, "/api/v3/allOrders", "")).Code);
        Assert.Equal(-1130, (await h.SignedAsync(Get, "/api/v3/allOrders", "symbol=BTCUSDT&limit=1001")).Code);
        Assert.Equal(-1130, (await h.SignedAsync(Get, "/api/v3/allOrders", "symbol=BTCUSDT&limit=0")).Code);
        Assert.Equal(-2014, (await h.SendAsync(Get, "/api/v3/allOrders?symbol=BTCUSDT")).Code);
    }

    /// <summary>
    /// STP as Binance's stp_faq.md shows it: the expired order is EXPIRED_IN_MATCH with the prevented match's
    /// id (per symbol, from 0) and its whole expired remainder; an order without a mode takes the symbol's
    /// default (EXPIRE_MAKER); every STP expiry is counted, in total and per account, and shown by the console.
    /// </summary>
    [Fact]
    public async Task AllOrders_StpExpired_ExpiredInMatchWithPreventedMatch_AndCounted()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.01&price=60000&newClientOrderId=m-1");
        var taker = await h.SignedAsync(Post, "/api/v3/order",
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.03&price=60000&newClientOrderId=t-1&selfTradePreventionMode=EXPIRE_TAKER");
        Assert.Equal("EXPIRED_IN_MATCH", taker.Str("status"));
        Assert.Empty(taker.Json.GetProperty("fills").EnumerateArray());
        // No mode: the symbol's defaultSelfTradePreventionMode, EXPIRE_MAKER, expires the resting m-1 and t-2 rests.
        var byDefault = await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.02&price=60000&newClientOrderId=t-2");
        Assert.Equal(("NEW", "EXPIRE_MAKER"), (byDefault.Str("status"), byDefault.Str("selfTradePreventionMode")));
        Assert.False(byDefault.Json.TryGetProperty("preventedMatchId", out _)); // the EXPIRE_MAKER taker lost nothing

        var all = (await h.SignedAsync(Get, "/api/v3/allOrders", "symbol=BTCUSDT")).Json.EnumerateArray().ToDictionary(o => o.GetProperty("clientOrderId").GetString()!);
        var t1 = all["t-1"];
        Assert.Equal(("EXPIRED_IN_MATCH", "EXPIRE_TAKER", "0.00000000"), (t1.GetProperty("status").GetString(), t1.GetProperty("selfTradePreventionMode").GetString(), t1.GetProperty("executedQty").GetString()));
        Assert.Equal((0L, "0.03000000"), (t1.GetProperty("preventedMatchId").GetInt64(), t1.GetProperty("preventedQuantity").GetString()));
        var m1 = all["m-1"];
        Assert.Equal("EXPIRED_IN_MATCH", m1.GetProperty("status").GetString());
        Assert.Equal((1L, "0.01000000"), (m1.GetProperty("preventedMatchId").GetInt64(), m1.GetProperty("preventedQuantity").GetString()));
        Assert.Equal("NEW", all["t-2"].GetProperty("status").GetString());
        Assert.False(all["t-2"].TryGetProperty("preventedMatchId", out _));

        var demo = h.Sim.Engine.Accounts.Single(a => a.Name == "demo");
        Assert.Equal(2, h.Sim.Engine.StpExpiredOrders);
        Assert.Equal(2, demo.StpExpiredOrders);
        Assert.All(h.Sim.Engine.Accounts.Where(a => a != demo), a => Assert.Equal(0, a.StpExpiredOrders));
        Assert.EndsWith("; stp-expired 2 (demo 2)", new FaultConsole(h.Sim).Execute("show"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signature_InFormBody_IsAccepted_AndBadSignatureIsRejected()
    {
        await using var h = await SimulatorHarness.StartAsync();
        string body = $"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000&newOrderRespType=ACK&timestamp={h.NowMs}";
        var ok = await h.SendAsync(Post, "/api/v3/order", SimulatorHarness.HmacKey,
            new StringContent(body + "&signature=" + SimulatorHarness.Sign(body), Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.False(ok.Json.TryGetProperty("status", out _)); // ACK has no status

        // Query + body, signed as their concatenation (EXCHANGES.md §5.1).
        string q = "symbol=BTCUSDT&side=BUY";
        string rest = $"type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000&timestamp={h.NowMs}";
        var split = await h.SendAsync(Post, $"/api/v3/order?{q}&signature={SimulatorHarness.Sign(q + rest)}", SimulatorHarness.HmacKey,
            new StringContent(rest, Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.OK, split.Status);

        var bad = await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000", secret: "wrong");
        Assert.Equal((HttpStatusCode.BadRequest, -1022, "Signature for this request is not valid."), (bad.Status, bad.Code, bad.Msg));
        var noSig = await h.SendAsync(Get, $"/api/v3/account?timestamp={h.NowMs}", SimulatorHarness.HmacKey);
        Assert.Equal(-1102, noSig.Code);
        var noKey = await h.SignedAsync(Get, "/api/v3/account", "", apiKey: "");
        Assert.Equal((HttpStatusCode.Unauthorized, -2014, "API-key format invalid."), (noKey.Status, noKey.Code, noKey.Msg));
        var unknownKey = await h.SignedAsync(Get, "/api/v3/account", "", apiKey: "abc123");
        Assert.Equal((HttpStatusCode.Unauthorized, -2015), (unknownKey.Status, unknownKey.Code));
    }

    [Fact]
    public async Task Timestamp_OutsideRecvWindowOrAhead_IsRejectedWith1021()
    {
        await using var h = await SimulatorHarness.StartAsync();
        long sent = h.NowMs;
        h.Time.Advance(TimeSpan.FromMilliseconds(5001));
        var stale = await h.SignedAsync(Get, "/api/v3/account", "", timestamp: sent);
        Assert.Equal((-1021, "Timestamp for this request is outside of the recvWindow."), (stale.Code, stale.Msg));
        var wider = await h.SignedAsync(Get, "/api/v3/account", "recvWindow=6000", timestamp: sent);
        Assert.Equal(HttpStatusCode.OK, wider.Status);
        var ahead = await h.SignedAsync(Get, "/api/v3/account", "", timestamp: h.NowMs + 1000);
        Assert.Equal((-1021, "Timestamp for this request was 1000ms ahead of the server's time."), (ahead.Code, ahead.Msg));
        var justInside = await h.SignedAsync(Get, "/api/v3/account", "", timestamp: h.NowMs + 999);
        Assert.Equal(HttpStatusCode.OK, justInside.Status);
        var micros = await h.SignedAsync(Get, "/api/v3/account", "", timestamp: h.NowMs * 1000);
        Assert.Equal(HttpStatusCode.OK, micros.Status);
        var tooWide = await h.SignedAsync(Get, "/api/v3/account", "recvWindow=60001");
        Assert.Equal(-1131, tooWide.Code);
    }

    [Theory]
    [InlineData("price=60000.000000001&quantity=0.1", -1111, "Parameter 'price' has too much precision.")]
    [InlineData("price=60000.005&quantity=0.1", -1013, "Filter failure: PRICE_FILTER")]
    [InlineData("price=60000&quantity=0.000001", -1013, "Filter failure: LOT_SIZE")]
    [InlineData("price=60000&quantity=0.00001", -1013, "Filter failure: NOTIONAL")]
    [InlineData("price=60000&quantity=100", -2010, "Account has insufficient balance for requested action.")]
    [InlineData("price=abc&quantity=1", -1100, "Illegal characters found in parameter 'price'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.")]
    public async Task NewOrder_Violation_AnsweredWithBinanceCodeAndMessage(string values, int code, string msg)
    {
        await using var h = await SimulatorHarness.StartAsync();
        var r = await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&" + values);
        Assert.Equal((HttpStatusCode.BadRequest, code, msg), (r.Status, r.Code, r.Msg));
    }

    [Theory]
    [InlineData("side=HOLD&type=LIMIT&timeInForce=GTC&quantity=1&price=1", -1117, "Invalid side.")]
    [InlineData("side=BUY&type=FANCY&quantity=1&price=1", -1116, "Invalid orderType.")]
    [InlineData("side=BUY&type=LIMIT&timeInForce=DAY&quantity=1&price=1", -1115, "Invalid timeInForce.")]
    [InlineData("side=BUY&type=LIMIT&quantity=1&price=1", -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.")]
    [InlineData("side=BUY&type=MARKET", -1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!")]
    [InlineData("side=BUY&type=LIMIT_MAKER&quantity=1&price=70000", -2010, "Order would immediately match and take.")]
    public async Task NewOrder_BadParameters_AnsweredWithBinanceCodeAndMessage(string values, int code, string msg)
    {
        await using var h = await SimulatorHarness.StartAsync();
        await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.1&price=60000");
        var r = await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&" + values);
        Assert.Equal((code, msg), (r.Code, r.Msg));
    }

    [Fact]
    public async Task RequestWeight_OverLimit_Returns429ThenBan418_WithRetryAfter()
    {
        await using var h = await SimulatorHarness.StartAsync(c => c.RateLimits = new RateLimitSettings { RequestWeightPerMinute = 25, RejectionsBeforeBan = 1 });
        h.Time.Advance(TimeSpan.FromMilliseconds(60_000 - h.NowMs % 60_000)); // start of a minute
        var first = await h.SendAsync(Get, "/api/v3/exchangeInfo");
        Assert.Equal(("20"), first.Headers["X-MBX-USED-WEIGHT-1M"]);
        h.Time.Advance(TimeSpan.FromSeconds(15));
        var over = await h.SendAsync(Get, "/api/v3/exchangeInfo");
        Assert.Equal((HttpStatusCode.TooManyRequests, -1003), (over.Status, over.Code));
        Assert.StartsWith("Too much request weight used; current limit is 25 request weight per 1 MINUTE.", over.Msg);
        Assert.Equal("45", over.Headers["Retry-After"]);
        var banned = await h.SendAsync(Get, "/api/v3/ping");
        Assert.Equal((HttpStatusCode)418, banned.Status);
        Assert.StartsWith("Way too much request weight used; IP banned until ", banned.Msg);
        Assert.Equal("120", banned.Headers["Retry-After"]);
        h.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, (await h.SendAsync(Get, "/api/v3/ping")).Status);
    }

    [Fact]
    public async Task OrderCount_OverTenSecondLimit_Returns429With1015()
    {
        await using var h = await SimulatorHarness.StartAsync(c => c.RateLimits = new RateLimitSettings { OrdersPer10Seconds = 2 });
        h.Time.Advance(TimeSpan.FromMilliseconds(10_000 - h.NowMs % 10_000));
        const string order = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000";
        Assert.Equal(HttpStatusCode.OK, (await h.SignedAsync(Post, "/api/v3/order", order)).Status);
        var second = await h.SignedAsync(Post, "/api/v3/order", order);
        Assert.Equal("2", second.Headers["X-MBX-ORDER-COUNT-10S"]);
        Assert.Equal("2", second.Headers["X-MBX-ORDER-COUNT-1D"]);
        var third = await h.SignedAsync(Post, "/api/v3/order", order);
        Assert.Equal((HttpStatusCode.TooManyRequests, -1015, "Too many new orders; current limit is 2 orders per 10 SECOND."), (third.Status, third.Code, third.Msg));
        Assert.Equal("10", third.Headers["Retry-After"]);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, (await h.SignedAsync(Post, "/api/v3/order", order)).Status);
        Assert.Equal(3, h.Sim.Engine.Book("BTCUSDT").OpenOrdersOf(h.Sim.Engine.Accounts[0]).Count());
    }

    [Fact]
    public async Task Ed25519_SignedRequest_IsVerifiedWithThePublicKey()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var demo = SimulatorConfig.Demo().Accounts[0].Keys[1];
        using var key = Key.Import(SignatureAlgorithm.Ed25519, Convert.FromBase64String(demo.Ed25519PrivateKey!), KeyBlobFormat.RawPrivateKey);
        string query = $"symbol=BTCUSDT&timestamp={h.NowMs}";
        string sig = Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(query)));
        var ok = await h.SendAsync(Get, $"/api/v3/openOrders?{query}&signature={Uri.EscapeDataString(sig)}", demo.ApiKey);
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        var tampered = await h.SendAsync(Get, $"/api/v3/openOrders?symbol=ETHUSDT&timestamp={h.NowMs}&signature={Uri.EscapeDataString(sig)}", demo.ApiKey);
        Assert.Equal(-1022, tampered.Code);
    }

    [Fact]
    public async Task CancelReplace_SuccessAndStopOnFailure_MatchBinanceShapes()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000&newClientOrderId=q1");
        var ok = await h.SignedAsync(Post, "/api/v3/order/cancelReplace",
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50001&cancelReplaceMode=STOP_ON_FAILURE&cancelOrigClientOrderId=q1&newClientOrderId=q2");
        Assert.Equal(("SUCCESS", "SUCCESS"), (ok.Str("cancelResult"), ok.Str("newOrderResult")));
        Assert.Equal("CANCELED", ok.Json.GetProperty("cancelResponse").GetProperty("status").GetString());
        Assert.Equal("q2", ok.Json.GetProperty("newOrderResponse").GetProperty("clientOrderId").GetString());

        var fail = await h.SignedAsync(Post, "/api/v3/order/cancelReplace",
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50001&cancelReplaceMode=STOP_ON_FAILURE&cancelOrigClientOrderId=missing");
        Assert.Equal((HttpStatusCode.BadRequest, -2022, "Order cancel-replace failed."), (fail.Status, fail.Code, fail.Msg));
        var data = fail.Json.GetProperty("data");
        Assert.Equal(("FAILURE", "NOT_ATTEMPTED"), (data.GetProperty("cancelResult").GetString(), data.GetProperty("newOrderResult").GetString()));
        Assert.Equal(-2011, data.GetProperty("cancelResponse").GetProperty("code").GetInt32());

        var partial = await h.SignedAsync(Post, "/api/v3/order/cancelReplace",
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=100&price=50001&cancelReplaceMode=STOP_ON_FAILURE&cancelOrigClientOrderId=q2");
        Assert.Equal((HttpStatusCode.Conflict, -2021), (partial.Status, partial.Code));
        Assert.Equal("Account has insufficient balance for requested action.",
            partial.Json.GetProperty("data").GetProperty("newOrderResponse").GetProperty("msg").GetString());
    }

    [Fact]
    public async Task FaultInjection_UnknownStatus_AnswersMinus1007AfterTheOrderWasAccepted()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.Sim.Api.UnknownStatusEveryNthOrder = 1;
        var r = await h.SignedAsync(Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000&newClientOrderId=lost");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, -1007), (r.Status, r.Code));
        var q = await h.SignedAsync(Get, "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=lost");
        Assert.Equal("NEW", q.Str("status"));
    }
}

