using System.Net;
using System.Text.Json;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.Testing;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// <c>GET /orders</c> and the position gauge of <c>/metrics</c> over real HTTP: what an operator (and the crash
/// chaos test) reads to compare the engine with the venue. Both are read under the core lock and exact.
/// </summary>
public sealed class LiveOrdersEndpointTests
{
    [Fact]
    public async Task Orders_ListsEveryLiveOrderWithItsClientAndVenueIds_AndMetricsCarryTheExactPosition()
    {
        var rig = new CoreRig(CoreRig.Setup([Specs.Btc], CoreRig.Maker(0)));
        rig.Market(10_000, 10_010, 1);
        OrderCommand buy = rig.Gateway.Sent.Single(c => c.Side == OrderSide.Buy);
        OrderCommand sell = rig.Gateway.Sent.Single(c => c.Side == OrderSide.Sell);
        // The venue acknowledges the buy (venue id 4242) and fills 0.00003 of it; the sell is still unanswered.
        rig.Engine.OnAck(new AckReport(0, buy.ClientOrderId, 4242, rig.Now));
        rig.Engine.OnFill(new FillReport(0, buy.ClientOrderId, 4242, 77, OrderSide.Buy, buy.Price, new Qty(3_000), new Qty(3_000), 0, Qty.Zero, true, rig.Now));

        var format = new ClientOrderIdFormat("fx");
        await using var server = await MetricsServer.StartAsync(rig.CoreLock, rig.Engine, rig.Books, 0, CancellationToken.None, idFormat: format);
        using var http = new HttpClient();
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.Address, "/orders")));
        var orders = json.RootElement.GetProperty("orders").EnumerateArray().ToDictionary(o => o.GetProperty("origClientOrderId").GetString()!);
        Fathom.Execution.LiveOrderView[] views;
        lock (rig.CoreLock)
        {
            views = new Fathom.Execution.LiveOrderView[rig.Engine.Execution.LiveOrderCount(0)];
            Assert.Equal(views.Length, rig.Engine.Execution.LiveOrderViews(0, views));
        }
        // Exactly the engine's live orders (the fill may have made the maker requote: whatever it holds now).
        Assert.Equal(views.Length, orders.Count);
        foreach (var v in views)
        {
            var o = orders[format.Format(v.ClientId)];
            Assert.Equal(format.Format(v.CurrentClientId), o.GetProperty("clientOrderId").GetString());
            Assert.Equal(v.VenueOrderId, o.GetProperty("venueOrderId").GetInt64());
            Assert.Equal(v.Order.State.ToString(), o.GetProperty("state").GetString());
            Assert.Equal(FixedPoint.ToTrimmedString(v.Order.Price.Raw, 8), o.GetProperty("price").GetString());
        }

        var b = orders[format.Format(buy.ClientOrderId)];
        Assert.Equal("BTCUSDT", b.GetProperty("symbol").GetString());
        Assert.Equal(4242, b.GetProperty("venueOrderId").GetInt64());
        Assert.Equal("BUY", b.GetProperty("side").GetString());
        Assert.Equal(FixedPoint.ToTrimmedString(buy.Price.Raw, 8), b.GetProperty("price").GetString());
        Assert.Equal("0.0001", b.GetProperty("qty").GetString());
        Assert.Equal("0.00003", b.GetProperty("filled").GetString());
        Assert.True(b.GetProperty("quote").GetBoolean());
        var s = orders[format.Format(sell.ClientOrderId)];
        Assert.Equal(0, s.GetProperty("venueOrderId").GetInt64()); // not acknowledged yet
        Assert.Equal("SELL", s.GetProperty("side").GetString());
        Assert.Equal("PendingNew", s.GetProperty("state").GetString());

        string metrics = await http.GetStringAsync(new Uri(server.Address, "/metrics"));
        Assert.Contains("fathom_position{symbol=\"BTCUSDT\"} 0.00003\n", metrics);
    }

    [Fact]
    public async Task Orders_WithoutAnIdFormat_IsNotServed()
    {
        var rig = new CoreRig(CoreRig.Setup([Specs.Btc], CoreRig.Maker(0)));
        await using var server = await MetricsServer.StartAsync(rig.CoreLock, rig.Engine, rig.Books, 0, CancellationToken.None);
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(server.Address, "/orders"))).StatusCode);
        Assert.Contains("fathom_position{symbol=\"BTCUSDT\"} 0\n", await http.GetStringAsync(new Uri(server.Address, "/metrics")));
    }
}
