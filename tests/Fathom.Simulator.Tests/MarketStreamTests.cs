using System.Net;
using System.Text.Json;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>Market streams over real WebSockets on loopback: diff chaining against REST snapshots, bookTicker, trades, control, pings, serverShutdown.</summary>
public sealed class MarketStreamTests
{
    private const string Demo2Key = "fathomDemoHmacKey2000000000000000000000000000000000000000000002";
    private const string Demo2Secret = "fathomDemoSecret2000000000000000000000000000000000000000000002";

    internal static async Task WaitForAsync(Func<bool> condition, string what, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? WsClient.Patience);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    private static decimal D(JsonElement e) => decimal.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task CombinedStream_DepthDiffsChainOnTheRestSnapshot_AndRebuildTheFinalBook()
    {
        await using var h = await SimulatorHarness.StartAsync(c => c.SeedLevels = 5);
        await using var ws = await h.ConnectAsync("/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker/btcusdt@trade/btcusdt@aggTrade");
        await WaitForAsync(() => h.Sim.Streams.MarketConnections == 1, "the subscription");

        Assert.Equal(HttpStatusCode.OK, (await h.SignedAsync(HttpMethod.Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=59990")).Status);
        h.PublishDepth();
        var snapshot = (await h.SendAsync(HttpMethod.Get, "/api/v3/depth?symbol=BTCUSDT&limit=1000")).Json;
        // After the snapshot: a sweep through two bid levels (trades), a new level, a cancel.
        var sweep = await h.SignedAsync(HttpMethod.Post, "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=IOC&quantity=0.5&price=59900", Demo2Key, Demo2Secret);
        Assert.Equal(HttpStatusCode.OK, sweep.Status);
        int fills = sweep.Json.GetProperty("fills").GetArrayLength();
        Assert.True(fills >= 2);
        h.PublishDepth();
        var resting = await h.SignedAsync(HttpMethod.Post, "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.02&price=60100");
        await h.SignedAsync(HttpMethod.Post, "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.03&price=60200");
        await h.SignedAsync(HttpMethod.Delete, "/api/v3/order", $"symbol=BTCUSDT&orderId={resting.Json.GetProperty("orderId").GetInt64()}");
        h.PublishDepth();
        var final = (await h.SendAsync(HttpMethod.Get, "/api/v3/depth?symbol=BTCUSDT&limit=1000")).Json;
        long finalId = final.GetProperty("lastUpdateId").GetInt64();

        await ws.NextAsync(f => f.GetProperty("stream").GetString() == "btcusdt@depth@100ms" && f.GetProperty("data").GetProperty("u").GetInt64() == finalId);
        var diffs = ws.All().Where(f => f.GetProperty("stream").GetString() == "btcusdt@depth@100ms").Select(f => f.GetProperty("data")).ToList();
        Assert.Equal(3, diffs.Count);
        Assert.Equal(1, diffs[0].GetProperty("U").GetInt64()); // the seeded book is the first diff
        for (int i = 1; i < diffs.Count; i++)
            Assert.Equal(diffs[i - 1].GetProperty("u").GetInt64() + 1, diffs[i].GetProperty("U").GetInt64());

        // Binance's procedure (EXCHANGES.md §1.5) on the snapshot rebuilds the final book exactly.
        long last = snapshot.GetProperty("lastUpdateId").GetInt64();
        var bids = snapshot.GetProperty("bids").EnumerateArray().ToDictionary(l => D(l[0]), l => D(l[1]));
        var asks = snapshot.GetProperty("asks").EnumerateArray().ToDictionary(l => D(l[0]), l => D(l[1]));
        bool first = true;
        foreach (var d in diffs)
        {
            long U = d.GetProperty("U").GetInt64(), u = d.GetProperty("u").GetInt64();
            if (u <= last)
                continue;
            Assert.True(first ? U <= last + 1 && last + 1 <= u : U == last + 1, $"diff [{U},{u}] after {last}");
            first = false;
            foreach (var (side, book) in new[] { ("b", bids), ("a", asks) })
                foreach (var l in d.GetProperty(side).EnumerateArray())
                    if (D(l[1]) == 0) book.Remove(D(l[0])); else book[D(l[0])] = D(l[1]);
            last = u;
        }
        Assert.Equal(finalId, last);
        Assert.Equal(final.GetProperty("bids").EnumerateArray().Select(l => (D(l[0]), D(l[1]))), bids.OrderByDescending(kv => kv.Key).Select(kv => (kv.Key, kv.Value)));
        Assert.Equal(final.GetProperty("asks").EnumerateArray().Select(l => (D(l[0]), D(l[1]))), asks.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value)));

        // bookTicker: real time, u from the same counter, the last one equals the final top.
        var ticker = ws.All().Where(f => f.GetProperty("stream").GetString() == "btcusdt@bookTicker").Select(f => f.GetProperty("data")).Last();
        Assert.False(ticker.TryGetProperty("e", out _));
        Assert.True(ticker.GetProperty("u").GetInt64() <= finalId);
        Assert.Equal(D(final.GetProperty("bids")[0][0]), D(ticker.GetProperty("b")));
        Assert.Equal(D(final.GetProperty("asks")[0][0]), D(ticker.GetProperty("a")));
        Assert.Equal(D(final.GetProperty("asks")[0][1]), D(ticker.GetProperty("A")));

        // One trade event per fill; the aggTrades merge them per price, covering the same ids and quantity.
        var trades = ws.All().Where(f => f.GetProperty("stream").GetString() == "btcusdt@trade").Select(f => f.GetProperty("data")).ToList();
        var aggs = ws.All().Where(f => f.GetProperty("stream").GetString() == "btcusdt@aggTrade").Select(f => f.GetProperty("data")).ToList();
        Assert.Equal(fills, trades.Count);
        Assert.All(trades, t => Assert.True(t.GetProperty("m").GetBoolean())); // the buyers rested: buyer is maker
        Assert.Equal(trades.Select(t => t.GetProperty("t").GetInt64()), Enumerable.Range(1, fills).Select(i => (long)i));
        Assert.Equal(trades.Sum(t => D(t.GetProperty("q"))), aggs.Sum(a => D(a.GetProperty("q"))));
        Assert.Equal(trades.Select(t => D(t.GetProperty("p"))).Distinct().Count(), aggs.Count);
        Assert.Equal(1, aggs[0].GetProperty("f").GetInt64());
        Assert.Equal(fills, aggs[^1].GetProperty("l").GetInt64());
    }

    [Fact]
    public async Task RawStream_ControlMessages_SubscribeListAndUnwrappedPayloads()
    {
        await using var h = await SimulatorHarness.StartAsync(c => c.SeedLevels = 2);
        await using var ws = await h.ConnectAsync("/ws/BTCUSDT@trade");
        await ws.SendAsync("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\"],\"id\":1}");
        var ack = await ws.NextAsync(f => f.TryGetProperty("id", out _));
        Assert.Equal(JsonValueKind.Null, ack.GetProperty("result").ValueKind);
        Assert.Equal(1, ack.GetProperty("id").GetInt32());
        await ws.SendAsync("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":\"x\"}");
        var list = await ws.NextAsync(f => f.TryGetProperty("id", out _));
        Assert.Equal(["btcusdt@bookTicker", "btcusdt@trade"], list.GetProperty("result").EnumerateArray().Select(e => e.GetString()!).ToArray());

        await h.SignedAsync(HttpMethod.Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=59999");
        var ticker = await ws.NextAsync(f => f.TryGetProperty("u", out _));
        Assert.False(ticker.TryGetProperty("stream", out _));
        Assert.Equal("59999.00000000", ticker.GetProperty("b").GetString());
        Assert.Equal(h.Sim.Engine.Book("BTCUSDT").UpdateId, ticker.GetProperty("u").GetInt64());
    }

    [Fact]
    public async Task ServerPings_ClientThatNeverAnswersIsDropped_OneThatReadsStays()
    {
        await using var h = await SimulatorHarness.StartAsync(beforeStart: s =>
        {
            // Generous against a loaded 2-core CI machine: a reader that is descheduled for a moment
            // must not miss its pong, or both connections drop and the test measures the wrong thing.
            s.Streams.PingInterval = TimeSpan.FromMilliseconds(200);
            s.Streams.PongTimeout = TimeSpan.FromMilliseconds(2000);
        });
        await using var reader = await h.ConnectAsync("/ws/btcusdt@trade");
        await using var deaf = await WsClient.ConnectAsync(h.WsUri("/ws/btcusdt@trade"), receive: false);
        await WaitForAsync(() => h.Sim.Streams.MarketConnections == 2, "two connections");
        // The deaf client never reads, so never pongs: the server gives up on it; pongs keep the reader.
        await WaitForAsync(() => h.Sim.Streams.MarketConnections <= 1, "the silent client to be dropped", TimeSpan.FromSeconds(20));
        Assert.False(reader.Closed, "the reader answered pings and must not be dropped");
        Assert.Equal(1, h.Sim.Streams.MarketConnections);
        await Task.Delay(2500);
        Assert.Equal(1, h.Sim.Streams.MarketConnections);
        Assert.False(reader.Closed);
    }

    [Fact]
    public async Task ServerShutdown_IsSentOnRawAndCombinedStreams_ThenTheyClose()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var raw = await h.ConnectAsync("/ws/btcusdt@depth");
        await using var combined = await h.ConnectAsync("/stream?streams=btcusdt@depth");
        await WaitForAsync(() => h.Sim.Streams.MarketConnections == 2, "two connections");
        lock (h.Sim.Api.Gate)
            h.Sim.Streams.SendServerShutdown(TimeSpan.FromMilliseconds(100));
        var r = await raw.NextAsync();
        Assert.Equal("serverShutdown", r.GetProperty("e").GetString());
        var c = await combined.NextAsync();
        Assert.Equal("!serverShutdown", c.GetProperty("stream").GetString());
        Assert.Equal("serverShutdown", c.GetProperty("data").GetProperty("e").GetString());
        await raw.WaitClosedAsync(WsClient.Patience);
        await combined.WaitClosedAsync(WsClient.Patience);
        Assert.True(raw.Closed && combined.Closed);
    }

    [Fact]
    public async Task DepthTimer_OnVirtualTime_Publishes100msAnd1000msStreamsEachChained()
    {
        await using var h = await SimulatorHarness.StartAsync(c => c.SeedLevels = 3);
        await using var ws = await h.ConnectAsync("/stream?streams=btcusdt@depth@100ms/btcusdt@depth");
        await WaitForAsync(() => h.Sim.Streams.MarketConnections == 1, "the subscription");
        for (int i = 0; i < 10; i++)
        {
            await h.SignedAsync(HttpMethod.Post, "/api/v3/order", $"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price={59000 + i}");
            h.Time.Advance(TimeSpan.FromMilliseconds(100));
        }
        long id = h.Sim.Engine.Book("BTCUSDT").UpdateId;
        await ws.NextAsync(f => f.GetProperty("stream").GetString() == "btcusdt@depth" && f.GetProperty("data").GetProperty("u").GetInt64() == id);
        await ws.NextAsync(f => f.GetProperty("stream").GetString() == "btcusdt@depth@100ms" && f.GetProperty("data").GetProperty("u").GetInt64() == id);
        foreach (string stream in new[] { "btcusdt@depth@100ms", "btcusdt@depth" })
        {
            var d = ws.All().Where(f => f.GetProperty("stream").GetString() == stream).Select(f => f.GetProperty("data")).ToList();
            Assert.Equal(1, d[0].GetProperty("U").GetInt64());
            for (int i = 1; i < d.Count; i++)
                Assert.Equal(d[i - 1].GetProperty("u").GetInt64() + 1, d[i].GetProperty("U").GetInt64());
            Assert.Equal(stream == "btcusdt@depth" ? 1 : 10, d.Count);
        }
    }

    [Fact]
    public async Task DepthInterval_SetWhileRunning_ReschedulesTheDiffTimer()
    {
        // What fathom sim --replay --speed 10 does: a diff per 10 ms of exchange time (100 ms of recorded time).
        await using var h = await SimulatorHarness.StartAsync(c => c.SeedLevels = 3);
        h.Sim.Streams.DepthInterval = TimeSpan.FromMilliseconds(10);
        await using var ws = await h.ConnectAsync("/stream?streams=btcusdt@depth@100ms/btcusdt@depth");
        await WaitForAsync(() => h.Sim.Streams.MarketConnections == 1, "the subscription");
        for (int i = 0; i < 10; i++)
        {
            await h.SignedAsync(HttpMethod.Post, "/api/v3/order", $"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price={59000 + i}");
            h.Time.Advance(TimeSpan.FromMilliseconds(10));
        }
        long id = h.Sim.Engine.Book("BTCUSDT").UpdateId;
        await ws.NextAsync(f => f.GetProperty("stream").GetString() == "btcusdt@depth" && f.GetProperty("data").GetProperty("u").GetInt64() == id);
        await ws.NextAsync(f => f.GetProperty("stream").GetString() == "btcusdt@depth@100ms" && f.GetProperty("data").GetProperty("u").GetInt64() == id);
        // 100 ms of exchange time: ten @depth@100ms diffs (one per order) and one @depth (every tenth tick), not one and none.
        Assert.Equal(10, ws.All().Count(f => f.GetProperty("stream").GetString() == "btcusdt@depth@100ms"));
        Assert.Equal(1, ws.All().Count(f => f.GetProperty("stream").GetString() == "btcusdt@depth"));
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Sim.Streams.DepthInterval = TimeSpan.Zero);
    }
}
