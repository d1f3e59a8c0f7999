using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Fathom.Core;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>
/// The delay faults (issue 14): a slow venue (<see cref="SimulatorFaults.VenueDelay"/>), a slow API path
/// (<see cref="SimulatorFaults.RequestDelay"/>) and lagging market data (<see cref="SimulatorFaults.MarketDataLag"/>),
/// observed by real clients on loopback. Orderings are asserted by holding requests with a delay no test
/// waits out (an hour) and then restoring the venue; durations only as lower bounds.
/// </summary>
public sealed class DelayFaultTests
{
    private static readonly TimeSpan Forever = TimeSpan.FromHours(1);

    private static int OpenOrders(SimulatorHarness h)
    {
        lock (h.Sim.Api.Gate)
            return h.Sim.Engine.Accounts[0].OpenOrderCount(h.Sim.Engine.Book("BTCUSDT"));
    }

    /// <summary>Both frames arrived, <paramref name="first"/> before <paramref name="second"/>.</summary>
    private static void AssertBefore(List<JsonElement> frames, Func<JsonElement, bool> first, Func<JsonElement, bool> second)
    {
        int a = frames.FindIndex(f => first(f)), b = frames.FindIndex(f => second(f));
        Assert.True(a >= 0 && b >= 0 && a < b, $"expected two frames in order, found them at {a} and {b}");
    }

    [Fact]
    public async Task VenueDelay_WsApi_HoldsOrdersBeforeMatching_PingsAndOtherConnectionsStayPrompt_ThenAnswersAndUserDataInVenueOrder()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectUserDataAsync();
        await using var other = await h.ConnectAsync("/ws-api/v3");
        h.Sim.Faults.VenueDelay = Forever;

        await ws.SendRequestAsync("place", "order.place", h.LimitOrder("BUY", "0.01", "50000", "v1"));
        await ws.SendRequestAsync("cancel", "order.cancel", new Dictionary<string, object> { ["symbol"] = "BTCUSDT", ["origClientOrderId"] = "v1", ["timestamp"] = h.NowMs });
        await ws.SendRequestAsync("ping", "ping");
        await ws.SendRequestAsync("time", "time");

        // Sent after the held orders on the same connection, ping and time are answered (in order) while
        // the orders still wait; so are another connection's ping and a REST query.
        var ping = await ws.ResponseAsync("ping");
        Assert.Equal(200, ping.GetProperty("status").GetInt32());
        await ws.ResponseAsync("time");
        AssertBefore(ws.All(), f => WsClient.IsResponse(f, "ping"), f => WsClient.IsResponse(f, "time"));
        Assert.Equal(200, (await other.RequestAsync("other-ping", "ping")).GetProperty("status").GetInt32());
        var query = await h.SignedAsync(HttpMethod.Get, "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=v1");
        Assert.Equal(-2013, query.Code); // the order has not reached the matching engine
        Assert.Equal(0, OpenOrders(h));
        Assert.DoesNotContain(ws.All(), f => WsClient.IsResponse(f, "place") || WsClient.IsResponse(f, "cancel") || f.TryGetProperty("event", out _));

        h.Sim.Faults.VenueDelay = TimeSpan.Zero; // releases the held requests
        await MarketStreamTests.WaitForAsync(() => ws.All().Count(f => WsClient.IsEvent(f, "outboundAccountPosition")) == 2, "both balance updates");
        // The venue's order: place answered, then its NEW and balances; only then the cancel, its answer, CANCELED and balances.
        var sequence = ws.All().Select(Describe).Where(d => d is not null).ToList();
        Assert.Equal(["response place 200", "executionReport NEW", "outboundAccountPosition", "response cancel 200", "executionReport CANCELED", "outboundAccountPosition"], sequence);
        Assert.Equal(0, OpenOrders(h));
    }

    private static string? Describe(JsonElement f)
    {
        if (WsClient.IsResponse(f, "place") || WsClient.IsResponse(f, "cancel"))
            return $"response {f.GetProperty("id").GetString()} {f.GetProperty("status").GetInt32()}";
        if (f.TryGetProperty("event", out var e))
            return e.GetProperty("e").GetString() == "executionReport" ? "executionReport " + e.GetProperty("x").GetString() : e.GetProperty("e").GetString();
        return null;
    }

    [Fact]
    public async Task VenueDelay_WsApi_AnswerAndExecutionReportBothComeAfterTheDelay_AnswerFirst()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectUserDataAsync();
        var delay = TimeSpan.FromMilliseconds(800);
        h.Sim.Faults.VenueDelay = delay;
        var sent = Stopwatch.StartNew();
        await ws.SendRequestAsync("late", "order.place", h.LimitOrder("BUY", "0.01", "50000", "late1"));
        var answer = await ws.NextAsync(f => WsClient.IsResponse(f, "late"));
        var answerElapsed = sent.Elapsed;
        var report = await ws.NextAsync(f => WsClient.IsEvent(f, "executionReport", "NEW", "late1"));
        var reportElapsed = sent.Elapsed;

        Assert.Equal(200, answer.GetProperty("status").GetInt32());
        Assert.True(answerElapsed >= delay, $"answer after {answerElapsed}, delay {delay}");
        Assert.True(reportElapsed >= delay, $"executionReport after {reportElapsed}, delay {delay}");
        // The answer before the order's executionReport, as without the fault.
        AssertBefore(ws.All(), f => WsClient.IsResponse(f, "late"), f => WsClient.IsEvent(f, "executionReport", "NEW", "late1"));
        // Matched after the wait: the exchange's own times are those of the matching, and the order rests.
        Assert.Equal(answer.GetProperty("result").GetProperty("transactTime").GetInt64(), report.GetProperty("event").GetProperty("T").GetInt64());
        Assert.Equal(1, OpenOrders(h));
    }

    [Fact]
    public async Task VenueDelay_HoldsEveryEngineMethod_ButNotOrderTestOrQueries()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectUserDataAsync();
        Assert.Equal(200, (await ws.RequestAsync("seed1", "order.place", h.LimitOrder("BUY", "0.02", "50000", "s1"))).GetProperty("status").GetInt32());
        Assert.Equal(200, (await ws.RequestAsync("seed2", "order.place", h.LimitOrder("BUY", "0.01", "50000", "s2"))).GetProperty("status").GetInt32());
        h.Sim.Faults.VenueDelay = Forever;
        Dictionary<string, object> P(params (string Key, object Value)[] extra)
        {
            var p = new Dictionary<string, object> { ["symbol"] = "BTCUSDT", ["timestamp"] = h.NowMs };
            foreach (var (k, v) in extra)
                p[k] = v;
            return p;
        }
        string[] held = ["amend", "replace", "cancelAll"];
        await ws.SendRequestAsync("amend", "order.amend.keepPriority", P(("origClientOrderId", "s1"), ("newQty", "0.01")));
        var replace = h.LimitOrder("BUY", "0.01", "49000", "s3");
        replace["cancelReplaceMode"] = "STOP_ON_FAILURE";
        replace["cancelOrigClientOrderId"] = "s2";
        await ws.SendRequestAsync("replace", "order.cancelReplace", replace);
        await ws.SendRequestAsync("cancelAll", "openOrders.cancelAll", P());
        // Not engine requests: answered at once, in their order, while the three above wait.
        Assert.Equal(200, (await ws.RequestAsync("test", "order.test", h.LimitOrder("BUY", "0.01", "50000", "t1"))).GetProperty("status").GetInt32());
        Assert.Equal(2, (await ws.RequestAsync("open", "openOrders.status", P())).GetProperty("result").GetArrayLength());
        Assert.Equal(200, (await ws.RequestAsync("account", "account.status", P())).GetProperty("status").GetInt32());
        Assert.DoesNotContain(ws.All(), f => held.Any(id => WsClient.IsResponse(f, id)));

        h.Sim.Faults.VenueDelay = TimeSpan.Zero;
        foreach (string id in held)
            Assert.Equal(200, (await ws.ResponseAsync(id)).GetProperty("status").GetInt32());
        var all = ws.All();
        AssertBefore(all, f => WsClient.IsResponse(f, "amend"), f => WsClient.IsResponse(f, "replace"));
        AssertBefore(all, f => WsClient.IsResponse(f, "replace"), f => WsClient.IsResponse(f, "cancelAll"));
        Assert.Equal(0, OpenOrders(h));
    }

    [Fact]
    public async Task VenueDelay_Rest_HoldsOrderRequests_NotQueriesOrPing_AndRestoringReleasesThem()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.Sim.Faults.VenueDelay = Forever;
        var placing = h.SignedAsync(HttpMethod.Post, "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000&newClientOrderId=r1");

        // Other connections (HttpClient opens a new one while the first is busy) are answered meanwhile.
        Assert.Equal(HttpStatusCode.OK, (await h.SendAsync(HttpMethod.Get, "/api/v3/ping")).Status);
        Assert.Equal(-2013, (await h.SignedAsync(HttpMethod.Get, "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=r1")).Code);
        Assert.False(placing.IsCompleted);
        Assert.Equal(0, OpenOrders(h));

        h.Sim.Faults.VenueDelay = TimeSpan.Zero;
        var placed = await placing.WaitAsync(WsClient.Patience);
        Assert.Equal(HttpStatusCode.OK, placed.Status);
        Assert.Equal("NEW", placed.Str("status"));
        Assert.Equal(1, OpenOrders(h));

        var delay = TimeSpan.FromMilliseconds(500);
        h.Sim.Faults.VenueDelay = delay;
        var sent = Stopwatch.StartNew();
        var canceled = await h.SignedAsync(HttpMethod.Delete, "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=r1");
        Assert.True(sent.Elapsed >= delay, $"cancel answered after {sent.Elapsed}");
        Assert.Equal("CANCELED", canceled.Str("status"));
    }

    [Fact]
    public async Task VenueDelay_OrderSentBeforeAHaltButMatchedAfterIt_IsRefused()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectUserDataAsync();
        h.Sim.Faults.VenueDelay = Forever;
        await ws.SendRequestAsync("before-halt", "order.place", h.LimitOrder("BUY", "0.01", "50000", "h1"));
        await ws.RequestAsync("ping", "ping"); // the place is in the pipeline, not yet matched
        h.Sim.SetSymbolStatus("BTCUSDT", SymbolStatus.Halt);
        h.Sim.Faults.VenueDelay = TimeSpan.Zero;
        var answer = await ws.ResponseAsync("before-halt");
        Assert.Equal(-2010, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("Market is closed.", answer.GetProperty("error").GetProperty("msg").GetString());
    }

    [Fact]
    public async Task RequestDelay_HoldsPingAndTimeOnBothApis_InOrder_AndRestoringAnswersAtOnce()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectAsync("/ws-api/v3");
        h.Sim.Faults.RequestDelay = Forever;
        await ws.SendRequestAsync("p", "ping");
        await ws.SendRequestAsync("t", "time");
        var rest = h.SendAsync(HttpMethod.Get, "/api/v3/ping");
        await ws.AssertNoneAsync(f => f.TryGetProperty("id", out _), TimeSpan.FromMilliseconds(300));
        Assert.False(rest.IsCompleted);

        h.Sim.Faults.RequestDelay = TimeSpan.Zero;
        await ws.ResponseAsync("t");
        AssertBefore(ws.All(), f => WsClient.IsResponse(f, "p"), f => WsClient.IsResponse(f, "t"));
        Assert.Equal(HttpStatusCode.OK, (await rest.WaitAsync(WsClient.Patience)).Status);

        // A measured round trip: at least the delay, on both APIs.
        var delay = TimeSpan.FromMilliseconds(400);
        h.Sim.Faults.RequestDelay = delay;
        var sent = Stopwatch.StartNew();
        await ws.RequestAsync("p2", "ping");
        Assert.True(sent.Elapsed >= delay, $"WS API ping took {sent.Elapsed}");
        sent.Restart();
        await h.SendAsync(HttpMethod.Get, "/api/v3/time");
        Assert.True(sent.Elapsed >= delay, $"REST time took {sent.Elapsed}");
    }

    [Fact]
    public async Task RequestDelay_WithVenueDelay_OrdersWaitForBoth_AndNeverOvertakeEarlierRequests()
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectUserDataAsync();
        h.Sim.Faults.VenueDelay = Forever;
        await ws.SendRequestAsync("place1", "order.place", h.LimitOrder("BUY", "0.01", "50000", "o1"));
        await ws.SendRequestAsync("status", "order.status", new Dictionary<string, object> { ["symbol"] = "BTCUSDT", ["origClientOrderId"] = "o1", ["timestamp"] = h.NowMs });
        await ws.SendRequestAsync("place2", "order.place", h.LimitOrder("BUY", "0.01", "50001", "o2"));
        // The query overtakes the held place (it is no engine request) and finds nothing yet.
        var status = await ws.ResponseAsync("status");
        Assert.Equal(-2013, status.GetProperty("error").GetProperty("code").GetInt32());

        h.Sim.Faults.RequestDelay = Forever;
        h.Sim.Faults.VenueDelay = TimeSpan.Zero; // the engine requests are still held by RequestDelay
        await ws.AssertNoneAsync(f => WsClient.IsResponse(f, "place1") || WsClient.IsResponse(f, "place2"), TimeSpan.FromMilliseconds(300));
        h.Sim.Faults.RequestDelay = TimeSpan.Zero;
        await ws.ResponseAsync("place2");
        await ws.NextAsync(f => WsClient.IsEvent(f, "executionReport", "NEW", "o2")); // comes after its answer
        var all = ws.All();
        AssertBefore(all, f => WsClient.IsResponse(f, "place1"), f => WsClient.IsResponse(f, "place2"));
        AssertBefore(all, f => WsClient.IsEvent(f, "executionReport", "NEW", "o1"), f => WsClient.IsEvent(f, "executionReport", "NEW", "o2"));
    }

    [Fact]
    public async Task MarketDataLag_TradesAndDiffsArriveAtLeastTheLagAfterTheirEventTime_EventTimesUnchanged_InOrder()
    {
        // Wall-clock exchange time, so event times and receive times are on one clock.
        var config = SimulatorConfig.Demo();
        config.SeedLevels = 0;
        using var sim = ExchangeSimulator.Create(config, TimeProvider.System);
        await using var server = await SimulatorServer.StartAsync(sim.Api);
        var uri = new Uri(new UriBuilder(server.BaseAddress) { Scheme = "ws" }.Uri, "/stream?streams=btcusdt@trade/btcusdt@depth@100ms");
        await using var ws = await WsClient.ConnectAsync(uri);
        await MarketStreamTests.WaitForAsync(() => sim.Streams.MarketConnections == 1, "the subscription");
        var maker = sim.Engine.Accounts[0];
        var taker = sim.Engine.Accounts.First(a => a.Name == "demo2");
        var book = sim.Engine.Book("BTCUSDT");
        long price = SimulatorConfig.Parse("50000", 2, "price"), qty = SimulatorConfig.Parse("0.01", 5, "qty");
        (long Before, long After) Trade()
        {
            long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            sim.Api.Run(e =>
            {
                e.Place(maker, new NewOrder(book, OrderSide.Sell, OrderType.Limit, TimeInForce.Gtc, price, qty));
                e.Place(taker, new NewOrder(book, OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc, price, qty));
            });
            return (before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }
        static bool IsTrade(JsonElement f) => f.GetProperty("stream").GetString() == "btcusdt@trade";

        Trade();
        await ws.NextAsync(IsTrade); // flowing without lag

        // Held as long as the lag lasts; lowering it releases the frames.
        sim.Faults.MarketDataLag = Forever;
        Trade();
        await ws.AssertNoneAsync(IsTrade, TimeSpan.FromMilliseconds(300));
        sim.Faults.MarketDataLag = TimeSpan.Zero;
        await ws.NextAsync(IsTrade);

        var lag = TimeSpan.FromMilliseconds(700);
        long lagSetMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        sim.Faults.MarketDataLag = lag;
        var produced = new List<(long Before, long After)>();
        for (int i = 0; i < 3; i++)
            produced.Add(Trade());
        long lastId = 0;
        // Wall clock against the monotonic hold: allow a few ms for clock slewing.
        var tolerance = TimeSpan.FromMilliseconds(5);
        for (int i = 0; i < 3; i++)
        {
            var (frame, receivedAt) = await ws.NextTimedAsync(IsTrade);
            var data = frame.GetProperty("data");
            long e = data.GetProperty("E").GetInt64();
            Assert.InRange(e, produced[i].Before, produced[i].After); // the time it was produced, not sent
            // T is the trade's time, E the event's (stamped when it was published, in the same call): T <= E, both
            // in the window the trade was produced in, never the later time the lag released the frame.
            Assert.InRange(data.GetProperty("T").GetInt64(), produced[i].Before, e);
            Assert.True(receivedAt - DateTimeOffset.FromUnixTimeMilliseconds(e) >= lag - tolerance, $"trade received {receivedAt - DateTimeOffset.FromUnixTimeMilliseconds(e)} after E");
            long id = data.GetProperty("t").GetInt64();
            Assert.True(id > lastId, "trades in order");
            lastId = id;
        }
        var (diff, diffReceivedAt) = await ws.NextTimedAsync(f => f.GetProperty("stream").GetString() == "btcusdt@depth@100ms" && f.GetProperty("data").GetProperty("E").GetInt64() > lagSetMs);
        long diffE = diff.GetProperty("data").GetProperty("E").GetInt64();
        Assert.True(diffReceivedAt - DateTimeOffset.FromUnixTimeMilliseconds(diffE) >= lag - tolerance, $"diff received {diffReceivedAt - DateTimeOffset.FromUnixTimeMilliseconds(diffE)} after E");
    }
}
