using System.Globalization;
using System.Net;
using System.Text.Json;
using Fathom.Simulator;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>
/// Tickers, klines, aggregate trades and avgPrice over HTTP, each cross-checked against the
/// simulator's own public trades (<c>/api/v3/trades</c>) rather than against hand-computed numbers.
/// </summary>
public sealed class MarketStatisticsTests
{
    private static readonly HttpMethod Get = HttpMethod.Get;
    private const string Btc = "BTCUSDT";

    internal sealed record Trade(long Id, decimal Price, decimal Qty, decimal Quote, long Time, bool IsBuyerMaker);

    /// <summary>
    /// Seeded trading over ~25 h of virtual time: each step a maker rests two orders (same price or one
    /// tick apart) and a taker sweeps both with a MARKET order, so each step is one taker order with two
    /// fills at one or two prices. Stays under 1000 trades so <c>/api/v3/trades</c> still holds them all.
    /// </summary>
    internal static async Task<List<Trade>> TradeAsync(SimulatorHarness h, int steps, int seed, int maxStepMs = 600_000)
    {
        var rng = new Random(seed);
        h.Sim.Api.Run(e =>
        {
            foreach (var a in e.Accounts.Where(a => a.Name.StartsWith("demo", StringComparison.Ordinal)))
            {
                e.Deposit(a, "BTC", 1000 * Assets.One);
                e.Deposit(a, "USDT", 100_000_000 * Assets.One);
            }
        });
        for (int i = 0; i < steps; i++)
        {
            h.Time.Advance(TimeSpan.FromMilliseconds(rng.Next(0, maxStepMs)));
            bool takerBuys = rng.Next(2) == 0;
            long price = 6_000_000 + rng.Next(-5000, 5000);
            long second = price + (rng.Next(2) == 0 ? 0 : (takerBuys ? 1 : -1));
            long q1 = 100 + rng.Next(0, 400), q2 = 100 + rng.Next(0, 400);
            h.Sim.Api.Run(e =>
            {
                var book = e.Book(Btc);
                var maker = e.Accounts.First(a => a.Name == "demo2");
                var taker = e.Accounts.First(a => a.Name == "demo");
                var makerSide = takerBuys ? OrderSide.Sell : OrderSide.Buy;
                Assert.True(e.Place(maker, new NewOrder(book, makerSide, OrderType.Limit, TimeInForce.Gtc, price, q1)).Ok);
                Assert.True(e.Place(maker, new NewOrder(book, makerSide, OrderType.Limit, TimeInForce.Gtc, second, q2)).Ok);
                var outcome = e.Place(taker, new NewOrder(book, takerBuys ? OrderSide.Buy : OrderSide.Sell, OrderType.Market, TimeInForce.Gtc, 0, q1 + q2));
                Assert.Equal(OrderStatus.Filled, outcome.Order!.Status);
            });
        }
        var reply = await h.SendAsync(Get, $"/api/v3/trades?symbol={Btc}&limit=1000");
        var trades = reply.Json.EnumerateArray().Select(t => new Trade(t.GetProperty("id").GetInt64(), Dec(t.GetProperty("price")), Dec(t.GetProperty("qty")),
            Dec(t.GetProperty("quoteQty")), t.GetProperty("time").GetInt64(), t.GetProperty("isBuyerMaker").GetBoolean())).ToList();
        Assert.Equal(1, trades[0].Id); // nothing fell out of the trade history
        Assert.Equal(trades.Count, trades[^1].Id);
        return trades;
    }

    private static int Weight(Reply r) => int.Parse(r.Headers["X-MBX-USED-WEIGHT-1M"], CultureInfo.InvariantCulture);

    internal static decimal Dec(JsonElement e) => decimal.Parse(e.GetString()!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Klines_EveryInterval_EqualTheTradesInTheirWindow()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var trades = await TradeAsync(h, steps: 300, seed: 7);
        Assert.Equal(600, trades.Count);
        foreach (string interval in KlineInterval.Names)
        {
            foreach (string path in (string[])["klines", "uiKlines"])
            {
                var reply = await h.SendAsync(Get, $"/api/v3/{path}?symbol={Btc}&interval={interval}&limit=1000");
                Assert.Equal(HttpStatusCode.OK, reply.Status);
                var klines = reply.Json.EnumerateArray().ToList();
                long counted = 0;
                long previousClose = long.MinValue;
                foreach (var k in klines)
                {
                    long open = k[0].GetInt64(), close = k[6].GetInt64();
                    Assert.True(open > previousClose, $"{interval}: klines overlap or are out of order");
                    previousClose = close;
                    var inside = trades.Where(t => t.Time >= open && t.Time <= close).ToList();
                    Assert.NotEmpty(inside);
                    Assert.Equal(inside[0].Price, Dec(k[1]));
                    Assert.Equal(inside.Max(t => t.Price), Dec(k[2]));
                    Assert.Equal(inside.Min(t => t.Price), Dec(k[3]));
                    Assert.Equal(inside[^1].Price, Dec(k[4]));
                    Assert.Equal(inside.Sum(t => t.Qty), Dec(k[5]));
                    Assert.Equal(inside.Sum(t => t.Quote), Dec(k[7]));
                    Assert.Equal(inside.Count, k[8].GetInt64());
                    Assert.Equal(inside.Where(t => !t.IsBuyerMaker).Sum(t => t.Qty), Dec(k[9]));
                    Assert.Equal(inside.Where(t => !t.IsBuyerMaker).Sum(t => t.Quote), Dec(k[10]));
                    counted += inside.Count;
                }
                Assert.Equal(trades.Count, counted); // every trade is in exactly one kline
            }
        }

        // Hour klines: startTime/endTime select by open time, limit takes the first from startTime.
        var all = (await h.SendAsync(Get, $"/api/v3/klines?symbol={Btc}&interval=1h&limit=1000")).Json.EnumerateArray().Select(k => k[0].GetInt64()).ToList();
        Assert.True(all.Count > 5);
        var some = (await h.SendAsync(Get, $"/api/v3/klines?symbol={Btc}&interval=1h&startTime={all[2]}&endTime={all[5]}&limit=2")).Json.EnumerateArray().Select(k => k[0].GetInt64());
        Assert.Equal(all.GetRange(2, 2), some);
        var last = (await h.SendAsync(Get, $"/api/v3/klines?symbol={Btc}&interval=1h&limit=3")).Json.EnumerateArray().Select(k => k[0].GetInt64());
        Assert.Equal(all.GetRange(all.Count - 3, 3), last);
        var upTo = (await h.SendAsync(Get, $"/api/v3/klines?symbol={Btc}&interval=1h&endTime={all[4]}&limit=2")).Json.EnumerateArray().Select(k => k[0].GetInt64());
        Assert.Equal(all.GetRange(3, 2), upTo);
    }

    [Fact]
    public async Task Klines_OpenKline_GrowsWithEachTrade()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.Time.Advance(TimeSpan.FromMilliseconds(86_400_000 - h.NowMs % 86_400_000 + 1000)); // just after midnight
        await TradeAsync(h, steps: 1, seed: 1, maxStepMs: 1);
        var before = (await h.SendAsync(Get, $"/api/v3/klines?symbol={Btc}&interval=1d")).Json[0];
        Assert.Equal(2, before[8].GetInt64());
        var all = await TradeAsync(h, steps: 2, seed: 2, maxStepMs: 1000);
        var after = (await h.SendAsync(Get, $"/api/v3/klines?symbol={Btc}&interval=1d")).Json;
        Assert.Equal(1, after.GetArrayLength());
        Assert.Equal(before[0].GetInt64(), after[0][0].GetInt64());
        Assert.Equal(6, after[0][8].GetInt64());
        Assert.Equal(all.Sum(t => t.Qty), Dec(after[0][5]));
        Assert.Equal(all[^1].Price, Dec(after[0][4]));
    }

    [Fact]
    public async Task Ticker24h_VolumeAndPrices_AreTheTradesOfTheLast24Hours()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var trades = await TradeAsync(h, steps: 300, seed: 11);
        var t = await h.SendAsync(Get, $"/api/v3/ticker/24hr?symbol={Btc}");
        Assert.Equal(HttpStatusCode.OK, t.Status);
        long openTime = t.Json.GetProperty("openTime").GetInt64();
        Assert.Equal(h.NowMs, t.Json.GetProperty("closeTime").GetInt64());
        Assert.InRange(h.NowMs - 86_400_000 - openTime, 0, 59_999);
        var inside = trades.Where(x => x.Time >= openTime).ToList();
        Assert.True(inside.Count < trades.Count, "the scenario should outlast the 24 h window");
        Assert.Equal(inside.Sum(x => x.Qty), Dec(t.Json.GetProperty("volume")));
        Assert.Equal(inside.Sum(x => x.Quote), Dec(t.Json.GetProperty("quoteVolume")));
        Assert.Equal(inside.Count, t.Json.GetProperty("count").GetInt64());
        Assert.Equal(inside[0].Id, t.Json.GetProperty("firstId").GetInt64());
        Assert.Equal(inside[^1].Id, t.Json.GetProperty("lastId").GetInt64());
        Assert.Equal(inside[0].Price, Dec(t.Json.GetProperty("openPrice")));
        Assert.Equal(inside.Max(x => x.Price), Dec(t.Json.GetProperty("highPrice")));
        Assert.Equal(inside.Min(x => x.Price), Dec(t.Json.GetProperty("lowPrice")));
        Assert.Equal(trades[^1].Price, Dec(t.Json.GetProperty("lastPrice")));
        Assert.Equal(trades[^1].Qty, Dec(t.Json.GetProperty("lastQty")));
        Assert.Equal(trades.Last(x => x.Time < openTime).Price, Dec(t.Json.GetProperty("prevClosePrice")));
        Assert.Equal(trades[^1].Price - inside[0].Price, Dec(t.Json.GetProperty("priceChange")));
        Assert.Equal(Math.Round(inside.Sum(x => x.Quote) / inside.Sum(x => x.Qty), 8, MidpointRounding.AwayFromZero), Dec(t.Json.GetProperty("weightedAvgPrice")));
        Assert.Equal(Math.Round((trades[^1].Price - inside[0].Price) * 100 / inside[0].Price, 3, MidpointRounding.AwayFromZero),
            decimal.Parse(t.Json.GetProperty("priceChangePercent").GetString()!, CultureInfo.InvariantCulture));

        var mini = await h.SendAsync(Get, $"/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D&type=MINI");
        Assert.Equal(2, mini.Json.GetArrayLength());
        Assert.Equal(t.Json.GetProperty("volume").GetString(), mini.Json[0].GetProperty("volume").GetString());
        Assert.False(mini.Json[0].TryGetProperty("priceChange", out _));
        Assert.Equal(("ETHUSDT", 0L, -1L), (mini.Json[1].GetProperty("symbol").GetString(), mini.Json[1].GetProperty("count").GetInt64(), mini.Json[1].GetProperty("firstId").GetInt64()));
        var all = await h.SendAsync(Get, "/api/v3/ticker/24hr");
        Assert.Equal(h.Sim.Api.Engine.Books.Count, all.Json.GetArrayLength());
        Assert.Equal(80, Weight(all) - Weight(mini)); // every symbol: weight 80

        var price = await h.SendAsync(Get, $"/api/v3/ticker/price?symbol={Btc}");
        Assert.Equal(trades[^1].Price, Dec(price.Json.GetProperty("price")));
        Assert.Equal(2, (await h.SendAsync(Get, "/api/v3/ticker/price")).Json.GetArrayLength());

        var avg = await h.SendAsync(Get, $"/api/v3/avgPrice?symbol={Btc}");
        long since = h.NowMs - h.NowMs % 60_000 - 4 * 60_000;
        var recent = trades.Where(x => x.Time >= since).ToList();
        decimal expected = recent.Count == 0 ? trades[^1].Price : Math.Round(recent.Sum(x => x.Quote) / recent.Sum(x => x.Qty), 8, MidpointRounding.AwayFromZero);
        Assert.Equal((5, expected, trades[^1].Time), (avg.Json.GetProperty("mins").GetInt32(), Dec(avg.Json.GetProperty("price")), avg.Json.GetProperty("closeTime").GetInt64()));
    }

    [Fact]
    public async Task RollingTicker_EachWindow_IsTheTradesSinceItsMinuteAlignedOpen()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var trades = await TradeAsync(h, steps: 300, seed: 5);
        foreach (var (window, ms) in new[] { ("1m", 60_000L), ("30m", 1_800_000L), ("2h", 7_200_000L), ("23h", 82_800_000L), ("1d", 86_400_000L), ("7d", 604_800_000L) })
        {
            var t = await h.SendAsync(Get, $"/api/v3/ticker?symbol={Btc}&windowSize={window}");
            Assert.Equal(HttpStatusCode.OK, t.Status);
            long openTime = t.Json.GetProperty("openTime").GetInt64();
            Assert.Equal(h.NowMs, t.Json.GetProperty("closeTime").GetInt64());
            Assert.Equal(0, openTime % 60_000);
            Assert.InRange(h.NowMs - ms - openTime, 0, 59_999);
            var inside = trades.Where(x => x.Time >= openTime).ToList();
            Assert.Equal(inside.Count, t.Json.GetProperty("count").GetInt64());
            Assert.Equal(inside.Sum(x => x.Qty), Dec(t.Json.GetProperty("volume")));
            Assert.Equal(inside.Sum(x => x.Quote), Dec(t.Json.GetProperty("quoteVolume")));
            Assert.Equal(trades[^1].Price, Dec(t.Json.GetProperty("lastPrice")));
            Assert.False(t.Json.TryGetProperty("prevClosePrice", out _)); // the 24hr ticker's fields only
            Assert.False(t.Json.TryGetProperty("bidPrice", out _));
            if (inside.Count == 0)
            {
                Assert.Equal(-1, t.Json.GetProperty("firstId").GetInt64());
                continue;
            }
            Assert.Equal((inside[0].Id, inside[^1].Id), (t.Json.GetProperty("firstId").GetInt64(), t.Json.GetProperty("lastId").GetInt64()));
            Assert.Equal(inside[0].Price, Dec(t.Json.GetProperty("openPrice")));
            Assert.Equal(inside.Max(x => x.Price), Dec(t.Json.GetProperty("highPrice")));
            Assert.Equal(inside.Min(x => x.Price), Dec(t.Json.GetProperty("lowPrice")));
            Assert.Equal(trades[^1].Price - inside[0].Price, Dec(t.Json.GetProperty("priceChange")));
            Assert.Equal(Math.Round(inside.Sum(x => x.Quote) / inside.Sum(x => x.Qty), 8, MidpointRounding.AwayFromZero), Dec(t.Json.GetProperty("weightedAvgPrice")));
        }
        // The whole ~25 h run is inside 7 d (the 1m klines are kept for 7 days), and the default window is 1 d.
        Assert.Equal(trades.Count, (await h.SendAsync(Get, $"/api/v3/ticker?symbol={Btc}&windowSize=7d")).Json.GetProperty("count").GetInt64());
        var day = await h.SendAsync(Get, $"/api/v3/ticker/24hr?symbol={Btc}");
        var dflt = await h.SendAsync(Get, $"/api/v3/ticker?symbol={Btc}");
        Assert.Equal(day.Json.GetProperty("volume").GetString(), dflt.Json.GetProperty("volume").GetString());

        var one = await h.SendAsync(Get, $"/api/v3/ticker?symbol={Btc}&windowSize=4h");
        var mini = await h.SendAsync(Get, "/api/v3/ticker?symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D&type=MINI&windowSize=4h");
        Assert.Equal(2, mini.Json.GetArrayLength());
        Assert.False(mini.Json[0].TryGetProperty("priceChange", out _));
        Assert.Equal(one.Json.GetProperty("volume").GetString(), mini.Json[0].GetProperty("volume").GetString());
        Assert.Equal(("ETHUSDT", 0L), (mini.Json[1].GetProperty("symbol").GetString(), mini.Json[1].GetProperty("count").GetInt64()));
        Assert.Equal(8, Weight(mini) - Weight(one)); // 4 per symbol
    }

    [Fact]
    public async Task AggTrades_GroupConsecutiveFillsOfOneTakerAtOnePrice()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var trades = await TradeAsync(h, steps: 200, seed: 3, maxStepMs: 20_000);
        var aggs = (await h.SendAsync(Get, $"/api/v3/aggTrades?symbol={Btc}&fromId=1&limit=1000")).Json.EnumerateArray().ToList();
        long nextTrade = 1;
        for (int i = 0; i < aggs.Count; i++)
        {
            var a = aggs[i];
            Assert.Equal(i + 1, a.GetProperty("a").GetInt64());
            long f = a.GetProperty("f").GetInt64(), l = a.GetProperty("l").GetInt64();
            Assert.Equal(nextTrade, f); // aggregates tile the trade ids
            nextTrade = l + 1;
            var fills = trades.Where(t => t.Id >= f && t.Id <= l).ToList();
            Assert.All(fills, t => Assert.Equal(Dec(a.GetProperty("p")), t.Price));
            Assert.All(fills, t => Assert.Equal(a.GetProperty("m").GetBoolean(), t.IsBuyerMaker));
            Assert.Equal(fills.Sum(t => t.Qty), Dec(a.GetProperty("q")));
            Assert.Equal(fills[^1].Time, a.GetProperty("T").GetInt64());
            // Each step is one taker order with two fills: one aggregate when both are at one price, else two.
            Assert.True(fills.Count <= 2 && (fills.Count == 1 || f % 2 == 1));
        }
        Assert.Equal(trades.Count + 1, nextTrade);
        int samePrice = trades.Chunk(2).Count(pair => pair[0].Price == pair[1].Price);
        Assert.Equal(trades.Count - samePrice, aggs.Count);

        var recent = (await h.SendAsync(Get, $"/api/v3/aggTrades?symbol={Btc}&limit=3")).Json.EnumerateArray().Select(a => a.GetProperty("a").GetInt64());
        Assert.Equal([aggs.Count - 2, aggs.Count - 1, aggs.Count], recent);
        long start = aggs[10].GetProperty("T").GetInt64(), end = aggs[20].GetProperty("T").GetInt64();
        var window = (await h.SendAsync(Get, $"/api/v3/aggTrades?symbol={Btc}&startTime={start}&endTime={end}&limit=1000")).Json.EnumerateArray().Select(a => a.GetProperty("a").GetInt64()).ToList();
        Assert.Equal(aggs.Where(a => a.GetProperty("T").GetInt64() >= start && a.GetProperty("T").GetInt64() <= end).Select(a => a.GetProperty("a").GetInt64()), window);
        var tooWide = await h.SendAsync(Get, $"/api/v3/aggTrades?symbol={Btc}&startTime=1000&endTime={1000 + 3_600_001}");
        Assert.Equal((HttpStatusCode.BadRequest, -1127, "More than 1 hours between startTime and endTime."), (tooWide.Status, tooWide.Code, tooWide.Msg));
    }

    [Theory]
    [InlineData("/api/v3/klines?symbol=BTCUSDT&interval=2m", -1120, "Invalid interval.")]
    [InlineData("/api/v3/klines?symbol=BTCUSDT&interval=1H", -1120, "Invalid interval.")]
    [InlineData("/api/v3/uiKlines?symbol=BTCUSDT", -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.")]
    [InlineData("/api/v3/klines?symbol=NOPE&interval=1m", -1121, "Invalid symbol.")]
    [InlineData("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=0", -1130, "Data sent for parameter 'limit' is not valid.")]
    [InlineData("/api/v3/aggTrades?symbol=NOPE", -1121, "Invalid symbol.")]
    [InlineData("/api/v3/aggTrades?symbol=BTCUSDT&fromId=x", -1102, "Mandatory parameter 'fromId' was not sent, was empty/null, or malformed.")]
    [InlineData("/api/v3/avgPrice", -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")]
    [InlineData("/api/v3/ticker/24hr?symbol=BTCUSDT&symbols=%5B%22BTCUSDT%22%5D", -1128, "Combination of optional parameters invalid.")]
    [InlineData("/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22,%22BTCUSDT%22%5D", -1151, "Symbol is present multiple times in the list.")]
    [InlineData("/api/v3/ticker/24hr?symbol=BTCUSDT&type=HUGE", -1130, "Data sent for parameter 'type' is not valid.")]
    [InlineData("/api/v3/ticker/price?symbols=%5B%22NOPE%22%5D", -1121, "Invalid symbol.")]
    [InlineData("/api/v3/ticker", -1102, "Param 'symbol' or 'symbols' must be sent, but both were empty/null!")]
    [InlineData("/api/v3/ticker?symbol=BTCUSDT&windowSize=60m", -1130, "Data sent for parameter 'windowSize' is not valid.")]
    [InlineData("/api/v3/ticker?symbol=BTCUSDT&windowSize=24h", -1130, "Data sent for parameter 'windowSize' is not valid.")]
    [InlineData("/api/v3/ticker?symbol=BTCUSDT&windowSize=8d", -1130, "Data sent for parameter 'windowSize' is not valid.")]
    [InlineData("/api/v3/ticker?symbol=BTCUSDT&windowSize=0m", -1130, "Data sent for parameter 'windowSize' is not valid.")]
    [InlineData("/api/v3/ticker?symbol=BTCUSDT&windowSize=1w", -1130, "Data sent for parameter 'windowSize' is not valid.")]
    [InlineData("/api/v3/ticker?symbol=BTCUSDT&windowSize=%2B1d", -1130, "Data sent for parameter 'windowSize' is not valid.")]
    [InlineData("/api/v3/ticker?symbol=BTCUSDT&type=SMALL", -1130, "Data sent for parameter 'type' is not valid.")]
    [InlineData("/api/v3/ticker?symbol=BTCUSDT&symbols=%5B%22BTCUSDT%22%5D", -1128, "Combination of optional parameters invalid.")]
    public async Task BadParameters_AnswerBinanceErrors(string pathAndQuery, int code, string msg)
    {
        await using var h = await SimulatorHarness.StartAsync();
        var reply = await h.SendAsync(Get, pathAndQuery);
        Assert.Equal((HttpStatusCode.BadRequest, code, msg), (reply.Status, reply.Code, reply.Msg));
    }

    [Fact]
    public async Task EmptyMarket_AndSystemStatus_AnswerBinanceShapes()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var status = await h.SendAsync(Get, "/sapi/v1/system/status");
        Assert.Equal((0, "normal"), (status.Json.GetProperty("status").GetInt32(), status.Str("msg")));
        Assert.Equal(0, (await h.SendAsync(Get, $"/api/v3/klines?symbol={Btc}&interval=1m")).Json.GetArrayLength());
        Assert.Equal(0, (await h.SendAsync(Get, $"/api/v3/aggTrades?symbol={Btc}")).Json.GetArrayLength());
        var t = await h.SendAsync(Get, $"/api/v3/ticker/24hr?symbol={Btc}");
        Assert.Equal(("0.00000000", 0L, -1L, -1L), (t.Str("volume"), t.Json.GetProperty("count").GetInt64(), t.Json.GetProperty("firstId").GetInt64(), t.Json.GetProperty("lastId").GetInt64()));
        Assert.Equal("0.00000000", (await h.SendAsync(Get, $"/api/v3/avgPrice?symbol={Btc}")).Str("price"));
    }
}
