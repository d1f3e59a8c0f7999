using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Fathom.Core;
using Fathom.Simulator;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>
/// The OKX v5 front (issue 19) over real HTTP and WebSockets against a started simulator on a
/// <see cref="ManualTimeProvider"/>: signed REST order round trips and errors, the books channel's seqId
/// chain and checksum against a local book, private WS login and order ops with the orders channel, and
/// one order book shared with the Binance front.
/// </summary>
public sealed class OkxFrontTests
{
    private const string Key = SimulatorHarness.HmacKey, Secret = SimulatorHarness.HmacSecret, Passphrase = SimulatorConfig.DemoPassphrase;

    private static string IsoNow(SimulatorHarness h, double offsetSeconds = 0) =>
        h.Time.GetUtcNow().AddSeconds(offsetSeconds).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static async Task<(HttpStatusCode Status, JsonElement Json)> OkxAsync(SimulatorHarness h, HttpMethod method, string pathAndQuery,
        string body = "", string? timestamp = null, string key = Key, string secret = Secret, string passphrase = Passphrase, string? sign = null)
    {
        string ts = timestamp ?? IsoNow(h);
        using var request = new HttpRequestMessage(method, new Uri(h.Server.BaseAddress, pathAndQuery.TrimStart('/')));
        request.Headers.Add("OK-ACCESS-KEY", key);
        request.Headers.Add("OK-ACCESS-PASSPHRASE", passphrase);
        request.Headers.Add("OK-ACCESS-TIMESTAMP", ts);
        request.Headers.Add("OK-ACCESS-SIGN", sign ?? OkxFront.RestSign(secret, ts, method.Method, pathAndQuery, body));
        if (method == HttpMethod.Post)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await h.Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static async Task<JsonElement> PublicAsync(SimulatorHarness h, string pathAndQuery)
    {
        string text = await h.Http.GetStringAsync(new Uri(h.Server.BaseAddress, pathAndQuery.TrimStart('/')));
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string Code(JsonElement j) => j.GetProperty("code").GetString()!;
    private static JsonElement Data0(JsonElement j) => j.GetProperty("data")[0];
    private static string S(JsonElement j, string name) => j.GetProperty(name).GetString()!;

    [Fact]
    public async Task Rest_SignedPlaceQueryAmendCancel_RoundTrip()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var instruments = await PublicAsync(h, "/api/v5/public/instruments?instType=SPOT");
        var btc = instruments.GetProperty("data").EnumerateArray().Single(i => S(i, "instId") == "BTC-USDT");
        Assert.Equal(("BTC", "USDT", "0.01", "0.00001", "0.00001", "live"),
            (S(btc, "baseCcy"), S(btc, "quoteCcy"), S(btc, "tickSz"), S(btc, "lotSz"), S(btc, "minSz"), S(btc, "state")));
        long code = btc.GetProperty("instIdCode").GetInt64();

        // Placed by instIdCode: the code wins over a wrong instId.
        var (status, placed) = await OkxAsync(h, HttpMethod.Post, "/api/v5/trade/order",
            $$"""{"instIdCode":{{code}},"instId":"ETH-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"59000.5","sz":"0.01","clOrdId":"abc123"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("0", Code(placed));
        Assert.Equal(("0", "abc123"), (S(Data0(placed), "sCode"), S(Data0(placed), "clOrdId")));
        string ordId = S(Data0(placed), "ordId");
        Assert.Equal(1_000_000_00000000L - 59000_50000000L / 100, h.Sim.Engine.Accounts[0].Free("USDT"));

        var (_, queried) = await OkxAsync(h, HttpMethod.Get, $"/api/v5/trade/order?instId=BTC-USDT&ordId={ordId}");
        var o = Data0(queried);
        Assert.Equal(("live", "59000.5", "0.01", "limit", "buy", "abc123"), (S(o, "state"), S(o, "px"), S(o, "sz"), S(o, "ordType"), S(o, "side"), S(o, "clOrdId")));

        var (_, amended) = await OkxAsync(h, HttpMethod.Post, "/api/v5/trade/amend-order",
            $$"""{"instId":"BTC-USDT","ordId":"{{ordId}}","newPx":"59001","newSz":"0.02","reqId":"r1"}""");
        Assert.Equal(("0", "0", "r1"), (Code(amended), S(Data0(amended), "sCode"), S(Data0(amended), "reqId")));
        var (_, pending) = await OkxAsync(h, HttpMethod.Get, "/api/v5/trade/orders-pending?instId=BTC-USDT");
        var p = Data0(pending);
        Assert.Equal((ordId, "59001", "0.02"), (S(p, "ordId"), S(p, "px"), S(p, "sz")));
        Assert.Equal(59001_00L, h.Sim.Engine.Book("BTCUSDT").Level(OrderSide.Buy, 0).Price);

        var (_, canceled) = await OkxAsync(h, HttpMethod.Post, "/api/v5/trade/cancel-order", $$"""{"instId":"BTC-USDT","clOrdId":"abc123"}""");
        Assert.Equal(("0", ordId), (S(Data0(canceled), "sCode"), S(Data0(canceled), "ordId")));
        var (_, history) = await OkxAsync(h, HttpMethod.Get, "/api/v5/trade/orders-history?instType=SPOT");
        Assert.Equal(("canceled", "1"), (S(Data0(history), "state"), S(Data0(history), "cancelSource")));
        Assert.Equal(0, h.Sim.Engine.Book("BTCUSDT").BidLevels);
        Assert.Equal(1_000_000_00000000L, h.Sim.Engine.Accounts[0].Free("USDT"));

        var (_, again) = await OkxAsync(h, HttpMethod.Post, "/api/v5/trade/cancel-order", $$"""{"instId":"BTC-USDT","ordId":"{{ordId}}"}""");
        Assert.Equal(("1", "51400"), (Code(again), S(Data0(again), "sCode")));

        var (_, balance) = await OkxAsync(h, HttpMethod.Get, "/api/v5/account/balance?ccy=BTC");
        var detail = balance.GetProperty("data")[0].GetProperty("details")[0];
        Assert.Equal(("BTC", "10", "0"), (S(detail, "ccy"), S(detail, "availBal"), S(detail, "frozenBal")));
    }

    [Fact]
    public async Task Rest_AuthAndInputErrors_AnswerOkxCodes()
    {
        await using var h = await SimulatorHarness.StartAsync();
        const string path = "/api/v5/trade/orders-pending";
        Assert.Equal("50113", Code((await OkxAsync(h, HttpMethod.Get, path, sign: OkxFront.RestSign(Secret, IsoNow(h), "GET", "/other", ""))).Json));
        var (status, stale) = await OkxAsync(h, HttpMethod.Get, path, timestamp: IsoNow(h, -31));
        Assert.Equal((HttpStatusCode.Unauthorized, "50102"), (status, Code(stale)));
        Assert.Equal("0", Code((await OkxAsync(h, HttpMethod.Get, path, timestamp: IsoNow(h, -29))).Json));
        Assert.Equal("50105", Code((await OkxAsync(h, HttpMethod.Get, path, passphrase: "wrong")).Json));
        Assert.Equal("50111", Code((await OkxAsync(h, HttpMethod.Get, path, key: "nokey")).Json));
        Assert.Equal("50112", Code((await OkxAsync(h, HttpMethod.Get, path, timestamp: "yesterday")).Json));
        var (bad, malformed) = await OkxAsync(h, HttpMethod.Post, "/api/v5/trade/order", """{"instId":"BTC-USDT",""");
        Assert.Equal((HttpStatusCode.BadRequest, "50002"), (bad, Code(malformed)));

        async Task<string> SCode(string body) => S(Data0((await OkxAsync(h, HttpMethod.Post, "/api/v5/trade/order", body)).Json), "sCode");
        Assert.Equal("51008", await SCode("""{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"60000","sz":"100"}"""));
        Assert.Equal("51121", await SCode("""{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"60000","sz":"0.000001"}"""));
        Assert.Equal("51000", await SCode("""{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"60000.001","sz":"0.01"}"""));
        Assert.Equal("51000", await SCode("""{"instId":"BTC-USDT","tdMode":"isolated","side":"buy","ordType":"limit","px":"60000","sz":"0.01"}"""));
        Assert.Equal("51000", await SCode("""{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"60000","sz":"0.01","clOrdId":"has-dash"}"""));
        Assert.Equal("51001", await SCode("""{"instId":"DOGE-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"1","sz":"1"}"""));
        Assert.Equal("50014", await SCode("""{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","sz":"0.01"}"""));
    }

    [Fact]
    public async Task Rest_PostOnlyThatWouldTake_IsAcceptedThenCanceled()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.Sim.Api.Run(e => e.Place(e.Accounts[1], new NewOrder(e.Book("BTCUSDT"), OrderSide.Sell, OrderType.Limit, TimeInForce.Gtc, 60000_00, 1000)));
        var (_, placed) = await OkxAsync(h, HttpMethod.Post, "/api/v5/trade/order",
            """{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"post_only","px":"60000","sz":"0.01"}""");
        Assert.Equal("0", S(Data0(placed), "sCode"));
        var (_, order) = await OkxAsync(h, HttpMethod.Get, $"/api/v5/trade/order?instId=BTC-USDT&ordId={S(Data0(placed), "ordId")}");
        Assert.Equal(("canceled", "31", "0", ""), (S(Data0(order), "state"), S(Data0(order), "cancelSource"), S(Data0(order), "accFillSz"), S(Data0(order), "clOrdId")));
        Assert.Equal(1000, h.Sim.Engine.Book("BTCUSDT").Level(OrderSide.Sell, 0).Qty); // nothing traded
    }

    [Fact]
    public async Task Rest_OrderRateLimit_60Per2SecondsPerInstrument()
    {
        await using var h = await SimulatorHarness.StartAsync();
        string body = """{"instId":"ETH-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"100","sz":"0.1"}""";
        for (int i = 0; i < OkxFront.OrdersPerWindow; i++)
            Assert.Equal("0", Code((await OkxAsync(h, HttpMethod.Post, "/api/v5/trade/order", body)).Json));
        var (status, limited) = await OkxAsync(h, HttpMethod.Post, "/api/v5/trade/order", body);
        Assert.Equal((HttpStatusCode.TooManyRequests, "50011"), (status, Code(limited)));
        // Another instrument has its own window; the next window opens the first again.
        Assert.Equal("0", Code((await OkxAsync(h, HttpMethod.Post, "/api/v5/trade/order", body.Replace("ETH-USDT", "BTC-USDT").Replace("\"100\"", "\"59000\""))).Json));
        h.Time.Advance(OkxFront.RateWindow);
        Assert.Equal("0", Code((await OkxAsync(h, HttpMethod.Post, "/api/v5/trade/order", body)).Json));
    }

    [Fact]
    public async Task OneEngine_OkxOrderFillsAgainstBinanceOrder()
    {
        await using var h = await SimulatorHarness.StartAsync();
        // demo2 rests a sell through the Binance front.
        var binance = await h.SignedAsync(HttpMethod.Post, "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.01&price=60000",
            apiKey: "fathomDemoHmacKey2000000000000000000000000000000000000000000002", secret: "fathomDemoSecret2000000000000000000000000000000000000000000002");
        Assert.Equal(HttpStatusCode.OK, binance.Status);
        var book = await PublicAsync(h, "/api/v5/market/books?instId=BTC-USDT&sz=5");
        Assert.Equal("60000", Data0(book).GetProperty("asks")[0][0].GetString());
        // demo takes it through the OKX front.
        var (_, placed) = await OkxAsync(h, HttpMethod.Post, "/api/v5/trade/order",
            """{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"ioc","px":"60000","sz":"0.01"}""");
        var (_, order) = await OkxAsync(h, HttpMethod.Get, $"/api/v5/trade/order?instId=BTC-USDT&ordId={S(Data0(placed), "ordId")}");
        var o = Data0(order);
        Assert.Equal(("filled", "0.01", "60000", "60000", "-0.00001", "BTC"), (S(o, "state"), S(o, "accFillSz"), S(o, "avgPx"), S(o, "fillPx"), S(o, "fee"), S(o, "feeCcy")));
        var (_, fills) = await OkxAsync(h, HttpMethod.Get, "/api/v5/trade/fills?instId=BTC-USDT");
        Assert.Equal(("T", "buy", "0.01"), (S(Data0(fills), "execType"), S(Data0(fills), "side"), S(Data0(fills), "fillSz")));
        var binanceOrder = await h.SignedAsync(HttpMethod.Get, "/api/v3/order", "symbol=BTCUSDT&orderId=1",
            apiKey: "fathomDemoHmacKey2000000000000000000000000000000000000000000002", secret: "fathomDemoSecret2000000000000000000000000000000000000000000002");
        Assert.Equal("FILLED", binanceOrder.Json.GetProperty("status").GetString());
        var trades = await PublicAsync(h, "/api/v5/market/trades?instId=BTC-USDT");
        Assert.Equal(("buy", "60000"), (S(Data0(trades), "side"), S(Data0(trades), "px")));
    }

    // ---------------------------------------------------------------- books channel

    /// <summary>A local book fed only by what the channel sends, as a client keeps one.</summary>
    private sealed class LocalBook
    {
        public readonly SortedDictionary<decimal, string> Bids = new(Comparer<decimal>.Create((a, b) => b.CompareTo(a)));
        public readonly SortedDictionary<decimal, string> Asks = new();
        public readonly Dictionary<decimal, string> BidPx = [], AskPx = [];

        public void Apply(JsonElement data)
        {
            Side(data.GetProperty("bids"), Bids, BidPx);
            Side(data.GetProperty("asks"), Asks, AskPx);
        }

        private static void Side(JsonElement levels, SortedDictionary<decimal, string> side, Dictionary<decimal, string> px)
        {
            foreach (var l in levels.EnumerateArray())
            {
                decimal p = decimal.Parse(l[0].GetString()!, CultureInfo.InvariantCulture);
                if (l[1].GetString() == "0") { side.Remove(p); px.Remove(p); }
                else { side[p] = l[1].GetString()!; px[p] = l[0].GetString()!; }
            }
        }

        /// <summary>The checksum computed here, with a bitwise CRC-32 independent of the simulator's table.</summary>
        public int Checksum()
        {
            var b = Bids.Take(25).Select(kv => BidPx[kv.Key] + ":" + kv.Value).ToList();
            var a = Asks.Take(25).Select(kv => AskPx[kv.Key] + ":" + kv.Value).ToList();
            var parts = new List<string>();
            for (int i = 0; i < 25; i++)
            {
                if (i < b.Count) parts.Add(b[i]);
                if (i < a.Count) parts.Add(a[i]);
            }
            uint crc = 0xFFFFFFFF;
            foreach (byte x in Encoding.ASCII.GetBytes(string.Join(":", parts)))
            {
                crc ^= x;
                for (int k = 0; k < 8; k++)
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
            return unchecked((int)~crc);
        }
    }

    [Fact]
    public void Checksum_MatchesTheDocumentedVectors()
    {
        Assert.Equal(-1881014294, OkxChecksum.Compute([("3366.1", "7"), ("3366", "6")], [("3366.8", "9"), ("3368", "8")]));
        Assert.Equal(831078360, OkxChecksum.Compute([("3366.1", "7")], [("3366.8", "9"), ("3368", "8"), ("3372", "8")]));
    }

    [Fact]
    public async Task WsBooks_SeqIdChainUnbroken_ChecksumMatchesLocalBook_RestCoherent()
    {
        await using var h = await SimulatorHarness.StartAsync(c => c.SeedLevels = 30);
        await using var ws = await WsClient.ConnectAsync(new Uri(h.Server.BaseAddress, "ws/v5/public").ToWs());
        await ws.SendAsync("""{"id":"1","op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"}]}""");
        var ack = await ws.NextAsync(f => f.TryGetProperty("event", out _));
        Assert.Equal(("subscribe", "1"), (S(ack, "event"), S(ack, "id")));
        var snapshot = await ws.NextAsync(f => f.TryGetProperty("action", out var a) && a.GetString() == "snapshot");
        var local = new LocalBook();
        var snap = Data0(snapshot);
        local.Apply(snap);
        Assert.Equal(-1, snap.GetProperty("prevSeqId").GetInt64());
        long seq = snap.GetProperty("seqId").GetInt64();
        Assert.Equal(h.Sim.Engine.Book("BTCUSDT").UpdateId, seq);
        Assert.Equal(local.Checksum(), snap.GetProperty("checksum").GetInt32());

        var rng = new Random(7);
        var house = h.Sim.Engine.Accounts.Single(a => a.Name == "house-market-maker");
        for (int step = 0; step < 20; step++)
        {
            h.Sim.Api.Run(e =>
            {
                var book = e.Book("BTCUSDT");
                for (int k = 0; k < 3; k++)
                {
                    var side = rng.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
                    long px = 60000_00 + (side == OrderSide.Buy ? -1 : 1) * rng.Next(-5, 200) * 100;
                    e.Place(e.Accounts[rng.Next(2)], new NewOrder(book, side, OrderType.Limit, TimeInForce.Gtc, px, 100 * rng.Next(1, 20)));
                }
                if (step % 4 == 0 && book.OpenOrdersOf(house).FirstOrDefault() is { } o)
                    e.Cancel(house, book, o.OrderId, null);
            });
            h.Time.Advance(TimeSpan.FromMilliseconds(100));
            var update = Data0(await ws.NextAsync(f => f.TryGetProperty("action", out var a) && a.GetString() == "update"));
            Assert.Equal(seq, update.GetProperty("prevSeqId").GetInt64());
            seq = update.GetProperty("seqId").GetInt64();
            local.Apply(update);
            Assert.Equal(local.Checksum(), update.GetProperty("checksum").GetInt32());
        }
        // A REST snapshot carries the same seqId sequence and the same book.
        var rest = Data0(await PublicAsync(h, "/api/v5/market/books?instId=BTC-USDT&sz=400"));
        Assert.Equal(seq, rest.GetProperty("seqId").GetInt64());
        var fromRest = new LocalBook();
        fromRest.Apply(rest);
        Assert.Equal(local.Bids.ToList(), fromRest.Bids.ToList());
        Assert.Equal(local.Asks.ToList(), fromRest.Asks.ToList());

        // Nothing changes for 60 s: a heartbeat (prevSeqId == seqId, no levels).
        for (int k = 0; k < 3; k++)
        {
            // Any message keeps the connection from idling out (30 s).
            await ws.SendAsync($$"""{"id":"k{{k}}","op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"}]}""");
            await ws.NextAsync(f => f.TryGetProperty("id", out var id) && id.GetString() == $"k{k}");
            Assert.Equal(0, ws.All().Count(f => f.TryGetProperty("action", out var a) && a.GetString() == "update" && Data0(f).GetProperty("seqId").GetInt64() == seq
                && Data0(f).GetProperty("prevSeqId").GetInt64() == seq));
            h.Time.Advance(TimeSpan.FromSeconds(20));
        }
        var heartbeat = Data0(await ws.NextAsync(f => f.TryGetProperty("action", out var a) && a.GetString() == "update"));
        Assert.Equal((seq, seq, 0, 0), (heartbeat.GetProperty("prevSeqId").GetInt64(), heartbeat.GetProperty("seqId").GetInt64(),
            heartbeat.GetProperty("bids").GetArrayLength(), heartbeat.GetProperty("asks").GetArrayLength()));
    }

    [Fact]
    public async Task WsPublic_PingPong_BadRequests_AndIdleDrop()
    {
        await using var h = await SimulatorHarness.StartAsync();
        using var raw = new ClientWebSocket();
        await raw.ConnectAsync(new Uri(h.Server.BaseAddress, "ws/v5/public").ToWs(), CancellationToken.None);
        async Task<string> Roundtrip(string text)
        {
            await raw.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(WsClient.Patience);
            var r = await raw.ReceiveAsync(buffer, timeout.Token);
            return Encoding.UTF8.GetString(buffer, 0, r.Count);
        }
        Assert.Equal("pong", await Roundtrip("ping"));
        var error = JsonDocument.Parse(await Roundtrip("{not json")).RootElement;
        Assert.Equal(("error", "60012"), (S(error, "event"), S(error, "code")));
        var unknown = JsonDocument.Parse(await Roundtrip("""{"op":"subscribe","args":[{"channel":"books","instId":"NOPE-USDT"}]}""")).RootElement;
        Assert.Equal("60018", S(unknown, "code"));
        var privateChannel = JsonDocument.Parse(await Roundtrip("""{"op":"subscribe","args":[{"channel":"orders","instType":"SPOT"}]}""")).RootElement;
        Assert.Equal("60008", S(privateChannel, "code"));

        // 30 s without a message from the client: dropped.
        h.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("pong", await Roundtrip("ping"));
        h.Time.Advance(TimeSpan.FromSeconds(31));
        using var timeout = new CancellationTokenSource(WsClient.Patience);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var buffer = new byte[4096];
            while (true)
            {
                var r = await raw.ReceiveAsync(buffer, timeout.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                    throw new WebSocketException("closed");
            }
        });
        Assert.False(timeout.IsCancellationRequested);
    }

    // ---------------------------------------------------------------- private WebSocket

    private static async Task<WsClient> LoginAsync(SimulatorHarness h, string? secret = null)
    {
        var ws = await WsClient.ConnectAsync(new Uri(h.Server.BaseAddress, "ws/v5/private").ToWs());
        string ts = (h.NowMs / 1000).ToString(CultureInfo.InvariantCulture);
        await ws.SendAsync($$"""{"op":"login","args":[{"apiKey":"{{Key}}","passphrase":"{{Passphrase}}","timestamp":"{{ts}}","sign":"{{OkxFront.LoginSign(secret ?? Secret, ts)}}"}]}""");
        return ws;
    }

    [Fact]
    public async Task WsPrivate_Login_GoodAndBadSignature()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var bad = await LoginAsync(h, secret: "not-the-secret");
        var refused = await bad.NextAsync();
        Assert.Equal(("error", "60009"), (S(refused, "event"), S(refused, "code")));
        await bad.SendAsync("""{"id":"7","op":"order","args":[{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"1","sz":"1"}]}""");
        var notLogged = await bad.NextAsync();
        Assert.Equal(("7", "60011"), (S(notLogged, "id"), S(notLogged, "code")));
        Assert.Equal(0, h.Sim.Engine.Book("BTCUSDT").LastOrderId);

        await using var good = await LoginAsync(h);
        var ok = await good.NextAsync();
        Assert.Equal(("login", "0"), (S(ok, "event"), S(ok, "code")));

        // A timestamp more than 30 s old is refused even with a good signature.
        await using var stale = await WsClient.ConnectAsync(new Uri(h.Server.BaseAddress, "ws/v5/private").ToWs());
        string old = (h.NowMs / 1000 - 31).ToString(CultureInfo.InvariantCulture);
        await stale.SendAsync($$"""{"op":"login","args":[{"apiKey":"{{Key}}","passphrase":"{{Passphrase}}","timestamp":"{{old}}","sign":"{{OkxFront.LoginSign(Secret, old)}}"}]}""");
        Assert.Equal("60006", S(await stale.NextAsync(), "code"));
    }

    [Fact]
    public async Task WsPrivate_LoginWhileBusy_Refused50013UntilCleared()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.Sim.Api.Okx.LoginsBusy = true;
        await using (var busy = await LoginAsync(h))
        {
            var refused = await busy.NextAsync();
            Assert.Equal(("error", "50013"), (S(refused, "event"), S(refused, "code")));
        }
        Assert.Equal(1, h.Sim.Api.Okx.BusyLoginRefusals);

        h.Sim.Api.Okx.LoginsBusy = false;
        await using var good = await LoginAsync(h);
        var ok = await good.NextAsync();
        Assert.Equal(("login", "0"), (S(ok, "event"), S(ok, "code")));
        Assert.Equal(1, h.Sim.Api.Okx.BusyLoginRefusals);
    }

    [Fact]
    public async Task WsPrivate_OrderAmendCancel_OrdersChannelReportsEachChange()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await LoginAsync(h);
        Assert.Equal("0", S(await ws.NextAsync(), "code"));
        await ws.SendAsync("""{"id":"s1","op":"subscribe","args":[{"channel":"orders","instType":"SPOT"}]}""");
        Assert.Equal("subscribe", S(await ws.NextAsync(), "event"));
        bool IsOrders(JsonElement f) => f.TryGetProperty("arg", out var a) && S(a, "channel") == "orders";
        bool IsReply(JsonElement f, string id) => f.TryGetProperty("id", out var i) && i.GetString() == id && f.TryGetProperty("op", out _);

        long code = OkxFront.InstIdCode(h.Sim.Engine.Book("BTCUSDT"));
        await ws.SendAsync($$"""{"id":"o1","op":"order","args":[{"instIdCode":{{code}},"tdMode":"cash","side":"sell","ordType":"limit","px":"61000","sz":"0.5","clOrdId":"ws1"}]}""");
        var reply = await ws.NextAsync(f => IsReply(f, "o1"));
        Assert.Equal(("order", "0", "0"), (S(reply, "op"), S(reply, "code"), S(Data0(reply), "sCode")));
        Assert.True(long.Parse(S(reply, "outTime"), CultureInfo.InvariantCulture) >= long.Parse(S(reply, "inTime"), CultureInfo.InvariantCulture));
        string ordId = S(Data0(reply), "ordId");
        var live = Data0(await ws.NextAsync(IsOrders));
        Assert.Equal(("live", ordId, "ws1", "0"), (S(live, "state"), S(live, "ordId"), S(live, "clOrdId"), S(live, "accFillSz")));

        await ws.SendAsync($$"""{"id":"a1","op":"amend-order","args":[{"instId":"BTC-USDT","ordId":"{{ordId}}","newSz":"0.3"}]}""");
        Assert.Equal("0", S(Data0(await ws.NextAsync(f => IsReply(f, "a1"))), "sCode"));
        var amended = Data0(await ws.NextAsync(IsOrders));
        Assert.Equal(("live", "0.3", "0"), (S(amended, "state"), S(amended, "sz"), S(amended, "amendResult")));

        // Another account takes 0.1 through the Binance engine path: a partial fill, maker side.
        h.Sim.Api.Run(e => e.Place(e.Accounts[1], new NewOrder(e.Book("BTCUSDT"), OrderSide.Buy, OrderType.Limit, TimeInForce.Ioc, 61000_00, 10000)));
        var partial = Data0(await ws.NextAsync(IsOrders));
        Assert.Equal(("partially_filled", "0.1", "0.1", "61000", "M", "-6.1", "USDT"),
            (S(partial, "state"), S(partial, "fillSz"), S(partial, "accFillSz"), S(partial, "fillPx"), S(partial, "execType"), S(partial, "fee"), S(partial, "feeCcy")));
        Assert.Equal("1", S(partial, "tradeId"));

        await ws.SendAsync($$"""{"id":"c1","op":"cancel-order","args":[{"instId":"BTC-USDT","clOrdId":"ws1"}]}""");
        Assert.Equal(("0", ordId), (S(Data0(await ws.NextAsync(f => IsReply(f, "c1"))), "sCode"), S(Data0(ws.All().Last(f => IsReply(f, "c1"))), "ordId")));
        var canceled = Data0(await ws.NextAsync(IsOrders));
        Assert.Equal(("canceled", "0.1", "1"), (S(canceled, "state"), S(canceled, "accFillSz"), S(canceled, "cancelSource")));

        // An order failure: code "1" with the order's sCode; a batch with one good, one bad: code "2".
        await ws.SendAsync("""{"id":"o2","op":"order","args":[{"instId":"BTC-USDT","tdMode":"cash","side":"sell","ordType":"limit","px":"61000","sz":"20"}]}""");
        var failed = await ws.NextAsync(f => IsReply(f, "o2"));
        Assert.Equal(("1", "51008"), (S(failed, "code"), S(Data0(failed), "sCode")));
        await ws.SendAsync("""{"id":"b1","op":"batch-orders","args":[{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"50000","sz":"0.01"},{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"50000","sz":"0.000001"}]}""");
        var batch = await ws.NextAsync(f => IsReply(f, "b1"));
        Assert.Equal(("2", "0", "51121"), (S(batch, "code"), S(batch.GetProperty("data")[0], "sCode"), S(batch.GetProperty("data")[1], "sCode")));
    }
}

internal static class UriExtensions
{
    public static Uri ToWs(this Uri http) => new(http.ToString().Replace("http://", "ws://", StringComparison.Ordinal));
}
