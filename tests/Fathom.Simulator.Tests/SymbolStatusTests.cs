using System.Net;
using System.Text.Json;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>
/// Symbol status changes announced the Binance way (issue 14): exchangeInfo <c>status</c> changes at once,
/// new orders on a non-trading symbol get -2010 "Market is closed.", cancels go through, TRADING restores.
/// </summary>
public sealed class SymbolStatusTests
{
    private const string NewOrder = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000";

    private static async Task<string> StatusOf(SimulatorHarness h, string symbol)
    {
        var info = await h.SendAsync(HttpMethod.Get, "/api/v3/exchangeInfo?symbol=" + symbol);
        return info.Json.GetProperty("symbols")[0].GetProperty("status").GetString()!;
    }

    private static async Task<List<string>> ListedWith(SimulatorHarness h, string status)
    {
        var info = await h.SendAsync(HttpMethod.Get, "/api/v3/exchangeInfo?symbolStatus=" + status);
        Assert.Equal(HttpStatusCode.OK, info.Status);
        return [.. info.Json.GetProperty("symbols").EnumerateArray().Select(s => s.GetProperty("symbol").GetString()!)];
    }

    [Theory]
    [InlineData(SymbolStatus.Halt, "HALT")]
    [InlineData(SymbolStatus.Break, "BREAK")]
    [InlineData(SymbolStatus.EndOfDay, "END_OF_DAY")]
    [InlineData(SymbolStatus.CancelOnly, "CANCEL_ONLY")]
    public async Task SetSymbolStatus_NotTrading_ShowsInExchangeInfo_RefusesNewOrders_AllowsCancels_ThenTradingRestores(SymbolStatus status, string wire)
    {
        await using var h = await SimulatorHarness.StartAsync();
        await using var ws = await h.ConnectUserDataAsync();
        var resting = await h.SignedAsync(HttpMethod.Post, "/api/v3/order", NewOrder + "&newClientOrderId=rest1");
        var resting2 = await h.SignedAsync(HttpMethod.Post, "/api/v3/order", NewOrder + "&newClientOrderId=rest2");
        Assert.Equal(HttpStatusCode.OK, resting2.Status);
        Assert.Equal("TRADING", await StatusOf(h, "BTCUSDT"));

        Assert.Equal(SymbolStatus.Trading, h.Sim.SetSymbolStatus("BTCUSDT", status));
        Assert.Equal(status, h.Sim.GetSymbolStatus("BTCUSDT"));
        Assert.Equal(wire, await StatusOf(h, "BTCUSDT"));
        Assert.Equal("TRADING", await StatusOf(h, "ETHUSDT")); // only that symbol
        Assert.Equal(["BTCUSDT"], await ListedWith(h, wire));
        Assert.Equal(["ETHUSDT"], await ListedWith(h, "TRADING"));
        var wsInfo = await ws.RequestAsync("info", "exchangeInfo", new Dictionary<string, object> { ["symbol"] = "BTCUSDT" });
        Assert.Equal(wire, wsInfo.GetProperty("result").GetProperty("symbols")[0].GetProperty("status").GetString());

        // New orders: -2010 "Market is closed." on REST and the WS API; no order, no user data event.
        var refused = await h.SignedAsync(HttpMethod.Post, "/api/v3/order", NewOrder);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(-2010, refused.Code);
        Assert.Equal("Market is closed.", refused.Msg);
        var wsRefused = await ws.RequestAsync("place", "order.place", h.LimitOrder("BUY", "0.01", "50000", "refused1"));
        Assert.Equal(400, wsRefused.GetProperty("status").GetInt32());
        Assert.Equal(-2010, wsRefused.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("Market is closed.", wsRefused.GetProperty("error").GetProperty("msg").GetString());
        Assert.DoesNotContain(ws.All(), f => WsClient.IsEvent(f, "executionReport", c: "refused1"));

        // Cancels go through (REST and WS API); a cancel-replace cancels and refuses the new half (409 -2021).
        var canceled = await h.SignedAsync(HttpMethod.Delete, "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=rest1");
        Assert.Equal("CANCELED", canceled.Str("status"));
        var replaced = await h.SignedAsync(HttpMethod.Post, "/api/v3/order/cancelReplace",
            NewOrder + "&cancelReplaceMode=STOP_ON_FAILURE&cancelOrigClientOrderId=rest2&newClientOrderId=repl1");
        Assert.Equal(HttpStatusCode.Conflict, replaced.Status);
        Assert.Equal(-2021, replaced.Code);
        var data = replaced.Json.GetProperty("data");
        Assert.Equal("SUCCESS", data.GetProperty("cancelResult").GetString());
        Assert.Equal("FAILURE", data.GetProperty("newOrderResult").GetString());
        Assert.Equal("Market is closed.", data.GetProperty("newOrderResponse").GetProperty("msg").GetString());
        Assert.Equal(0, h.Sim.Engine.Accounts[0].OpenOrderCount(h.Sim.Engine.Book("BTCUSDT")));

        // Another symbol trades on.
        Assert.Equal(HttpStatusCode.OK, (await h.SignedAsync(HttpMethod.Post, "/api/v3/order", "symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.1&price=3000")).Status);

        // Back to TRADING: exchangeInfo says so and new orders are accepted again.
        Assert.Equal(status, h.Sim.SetSymbolStatus("BTCUSDT", SymbolStatus.Trading));
        Assert.Equal("TRADING", await StatusOf(h, "BTCUSDT"));
        var again = await ws.RequestAsync("again", "order.place", h.LimitOrder("BUY", "0.01", "50000", "again1"));
        Assert.Equal(200, again.GetProperty("status").GetInt32());
        await ws.NextAsync(f => WsClient.IsEvent(f, "executionReport", "NEW", "again1"));
    }

    [Fact]
    public async Task SymbolStatusParameter_FiltersExchangeInfo_ChecksDepthAndBookTicker_AndIsValidated()
    {
        await using var h = await SimulatorHarness.StartAsync();
        h.Sim.HaltSymbol("BTCUSDT");

        var depthMismatch = await h.SendAsync(HttpMethod.Get, "/api/v3/depth?symbol=BTCUSDT&symbolStatus=TRADING");
        Assert.Equal(-1220, depthMismatch.Code);
        Assert.Equal(HttpStatusCode.OK, (await h.SendAsync(HttpMethod.Get, "/api/v3/depth?symbol=BTCUSDT&symbolStatus=HALT")).Status);
        Assert.Equal(HttpStatusCode.OK, (await h.SendAsync(HttpMethod.Get, "/api/v3/depth?symbol=BTCUSDT")).Status); // market data stays available

        Assert.Equal(-1220, (await h.SendAsync(HttpMethod.Get, "/api/v3/ticker/bookTicker?symbol=BTCUSDT&symbolStatus=TRADING")).Code);
        var trading = await h.SendAsync(HttpMethod.Get, "/api/v3/ticker/bookTicker?symbolStatus=TRADING");
        Assert.Equal(["ETHUSDT"], trading.Json.EnumerateArray().Select(t => t.GetProperty("symbol").GetString()).ToList());

        var bogus = await h.SendAsync(HttpMethod.Get, "/api/v3/exchangeInfo?symbolStatus=CLOSED");
        Assert.Equal(-1122, bogus.Code);
        var combined = await h.SendAsync(HttpMethod.Get, "/api/v3/exchangeInfo?symbol=BTCUSDT&symbolStatus=HALT");
        Assert.Equal(-1128, combined.Code);
        Assert.Empty((await h.SendAsync(HttpMethod.Get, "/api/v3/exchangeInfo?symbolStatus=BREAK")).Json.GetProperty("symbols").EnumerateArray());
    }

    [Fact]
    public void SetSymbolStatus_UnknownSymbol_Throws()
    {
        using var sim = ExchangeSimulator.Create(SimulatorConfig.Demo(), new Fathom.Core.ManualTimeProvider());
        Assert.Throws<ArgumentException>(() => sim.SetSymbolStatus("NOPEUSDT", SymbolStatus.Halt));
    }
}
