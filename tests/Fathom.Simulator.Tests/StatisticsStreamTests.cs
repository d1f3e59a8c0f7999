using System.Text.Json;
using Xunit;
using static Fathom.Simulator.Tests.MarketStatisticsTests;

namespace Fathom.Simulator.Tests;

/// <summary>
/// Kline, ticker and avgPrice streams over a real WebSocket, cross-checked against the REST answers
/// and the simulator's own trades.
/// </summary>
public sealed class StatisticsStreamTests
{
    private static void AdvanceOneSecond(SimulatorHarness h)
    {
        for (int i = 0; i < 10; i++)
            h.Time.Advance(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task KlineAndTickerStreams_AgreeWithRestAndTrades()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectAsync("/stream?streams=btcusdt@kline_1m/btcusdt@kline_1s/btcusdt@ticker/btcusdt@miniTicker/!ticker@arr/!miniTicker@arr/btcusdt@avgPrice");
        await MarketStreamTests.WaitForAsync(() => h.Sim.Streams.MarketConnections == 1, "the subscription");
        var trades = await TradeAsync(h, steps: 40, seed: 5, maxStepMs: 20_000);
        AdvanceOneSecond(h);
        AdvanceOneSecond(h); // every 1s kline has closed and the last second's tickers went out
        long lastId = trades[^1].Id;
        await ws.NextAsync(f => f.GetProperty("stream").GetString() == "btcusdt@ticker" && f.GetProperty("data").GetProperty("L").GetInt64() == lastId);
        await ws.NextAsync(f => f.GetProperty("stream").GetString() == "btcusdt@avgPrice" && f.GetProperty("data").GetProperty("T").GetInt64() == trades[^1].Time);
        string volume = (await h.SendAsync(HttpMethod.Get, "/api/v3/ticker/24hr?symbol=BTCUSDT")).Str("volume");
        // The arrays go out after every symbol's own events.
        await ws.NextAsync(f => f.GetProperty("stream").GetString() == "!miniTicker@arr"
            && f.GetProperty("data").EnumerateArray().Any(t => t.GetProperty("v").GetString() == volume));
        var frames = ws.All();
        List<JsonElement> Data(string stream) => frames.Where(f => f.GetProperty("stream").GetString() == stream).Select(f => f.GetProperty("data")).ToList();

        // Klines: every closed 1m/1s kline is announced once with x=true and equals the REST kline and the trades inside it.
        foreach (string interval in (string[])["1m", "1s"])
        {
            var rest = (await h.SendAsync(HttpMethod.Get, $"/api/v3/klines?symbol=BTCUSDT&interval={interval}&limit=1000")).Json.EnumerateArray().ToDictionary(k => k[0].GetInt64());
            var events = Data("btcusdt@kline_" + interval).Select(d => d.GetProperty("k")).ToList();
            Assert.All(events, k => Assert.Equal(interval, k.GetProperty("i").GetString()));
            var closed = events.Where(k => k.GetProperty("x").GetBoolean()).ToList();
            Assert.Equal(closed.Select(k => k.GetProperty("t").GetInt64()).Distinct().Count(), closed.Count);
            long lastOpen = rest.Keys.Max();
            if (interval == "1s")
                Assert.Equal(rest.Count, closed.Count); // two seconds passed after the last trade: all closed
            foreach (var k in closed)
            {
                var r = rest[k.GetProperty("t").GetInt64()];
                var inside = trades.Where(t => t.Time >= k.GetProperty("t").GetInt64() && t.Time <= k.GetProperty("T").GetInt64()).ToList();
                Assert.Equal((Dec(r[1]), Dec(r[2]), Dec(r[3]), Dec(r[4]), Dec(r[5]), r[8].GetInt64()),
                    (Dec(k.GetProperty("o")), Dec(k.GetProperty("h")), Dec(k.GetProperty("l")), Dec(k.GetProperty("c")), Dec(k.GetProperty("v")), k.GetProperty("n").GetInt64()));
                Assert.Equal(inside.Sum(t => t.Qty), Dec(k.GetProperty("v")));
                Assert.Equal((inside[0].Id, inside[^1].Id), (k.GetProperty("f").GetInt64(), k.GetProperty("L").GetInt64()));
            }
            // The open kline updates with each trade: its last event carries every trade in it so far.
            var open = events.Last(k => k.GetProperty("t").GetInt64() == lastOpen);
            Assert.Equal(Dec(rest[lastOpen][5]), Dec(open.GetProperty("v")));
            Assert.Equal(rest[lastOpen][8].GetInt64(), open.GetProperty("n").GetInt64());
        }

        // Tickers: the last event equals the REST 24 h ticker (no trade since).
        var ticker = Data("btcusdt@ticker")[^1];
        var restTicker = (await h.SendAsync(HttpMethod.Get, "/api/v3/ticker/24hr?symbol=BTCUSDT")).Json;
        Assert.Equal("24hrTicker", ticker.GetProperty("e").GetString());
        foreach (var (ev, rest) in new[] { ("v", "volume"), ("q", "quoteVolume"), ("o", "openPrice"), ("h", "highPrice"), ("l", "lowPrice"), ("c", "lastPrice"), ("w", "weightedAvgPrice"), ("P", "priceChangePercent") })
            Assert.Equal(restTicker.GetProperty(rest).GetString(), ticker.GetProperty(ev).GetString());
        Assert.Equal(trades.Sum(t => t.Qty), Dec(ticker.GetProperty("v")));
        Assert.Equal((trades[0].Id, lastId, trades.Count), (ticker.GetProperty("F").GetInt64(), ticker.GetProperty("L").GetInt64(), ticker.GetProperty("n").GetInt32()));
        var miniTicker = Data("btcusdt@miniTicker")[^1];
        Assert.Equal(("24hrMiniTicker", ticker.GetProperty("v").GetString()), (miniTicker.GetProperty("e").GetString(), miniTicker.GetProperty("v").GetString()));
        var arr = Data("!ticker@arr")[^1];
        Assert.Equal(JsonValueKind.Array, arr.ValueKind);
        Assert.Equal(ticker.GetRawText(), arr.EnumerateArray().Single(t => t.GetProperty("s").GetString() == "BTCUSDT").GetRawText());
        Assert.Contains(Data("!miniTicker@arr")[^1].EnumerateArray(), t => t.GetProperty("v").GetString() == ticker.GetProperty("v").GetString());

        var avg = Data("btcusdt@avgPrice")[^1];
        var restAvg = (await h.SendAsync(HttpMethod.Get, "/api/v3/avgPrice?symbol=BTCUSDT")).Json;
        Assert.Equal(("5m", restAvg.GetProperty("price").GetString()), (avg.GetProperty("i").GetString(), avg.GetProperty("w").GetString()));
    }

    [Fact]
    public async Task WebSocketApi_StatisticsMethods_AnswerWhatRestAnswers()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var trades = await TradeAsync(h, steps: 30, seed: 9, maxStepMs: 30_000);
        await using var ws = await h.ConnectAsync("/ws-api/v3");
        var calls = new (string Method, string Params, string RestPath)[]
        {
            ("ticker.24hr", """{"symbol":"BTCUSDT"}""", "/api/v3/ticker/24hr?symbol=BTCUSDT"),
            ("ticker.24hr", """{"symbols":["BTCUSDT","ETHUSDT"],"type":"MINI"}""", "/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D&type=MINI"),
            ("ticker", """{"symbol":"BTCUSDT","windowSize":"15m"}""", "/api/v3/ticker?symbol=BTCUSDT&windowSize=15m"),
            ("ticker", """{"symbols":["BTCUSDT","ETHUSDT"],"type":"MINI"}""", "/api/v3/ticker?symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D&type=MINI"),
            ("ticker.price", """{"symbol":"BTCUSDT"}""", "/api/v3/ticker/price?symbol=BTCUSDT"),
            ("avgPrice", """{"symbol":"BTCUSDT"}""", "/api/v3/avgPrice?symbol=BTCUSDT"),
            ("trades.aggregate", """{"symbol":"BTCUSDT","fromId":3,"limit":5}""", "/api/v3/aggTrades?symbol=BTCUSDT&fromId=3&limit=5"),
            ("klines", """{"symbol":"BTCUSDT","interval":"5m","limit":4}""", "/api/v3/klines?symbol=BTCUSDT&interval=5m&limit=4"),
            ("uiKlines", """{"symbol":"BTCUSDT","interval":"1h"}""", "/api/v3/uiKlines?symbol=BTCUSDT&interval=1h"),
        };
        for (int i = 0; i < calls.Length; i++)
        {
            var (method, parameters, rest) = calls[i];
            await ws.SendAsync($$"""{"id":"c{{i}}","method":"{{method}}","params":{{parameters}}}""");
            var answer = await ws.ResponseAsync("c" + i);
            Assert.Equal(200, answer.GetProperty("status").GetInt32());
            var expected = (await h.SendAsync(HttpMethod.Get, rest)).Json;
            Assert.Equal(expected.GetRawText(), answer.GetProperty("result").GetRawText());
        }
        Assert.Equal(trades[^1].Price, Dec((await h.SendAsync(HttpMethod.Get, "/api/v3/ticker/price?symbol=BTCUSDT")).Json.GetProperty("price")));

        await ws.SendAsync("""{"id":"bad","method":"klines","params":{"symbol":"BTCUSDT","interval":"7m"}}""");
        var bad = await ws.ResponseAsync("bad");
        Assert.Equal((400, -1120), (bad.GetProperty("status").GetInt32(), bad.GetProperty("error").GetProperty("code").GetInt32()));
    }
}
