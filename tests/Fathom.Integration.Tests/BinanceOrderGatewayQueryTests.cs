using Fathom.Gateway.Abstractions;
using Fathom.Venues.Binance;
using Xunit;
using Side = Fathom.Core.OrderSide;

namespace Fathom.Integration.Tests;

/// <summary>
/// <see cref="BinanceOrderGateway"/> cancel-all and read-only venue state (open orders, trades, balances)
/// against the simulator on loopback. Real time; every wait is bounded.
/// </summary>
public sealed class BinanceOrderGatewayQueryTests
{
    private const long Qty = 100_000;                       // 0.001 BTC
    private const long Passive = 50_000 * GatewayRig.Px;    // far below the house bids: rests
    private const long Aggressive = 61_000 * GatewayRig.Px; // above the house asks: trades

    private static async Task<(ClientOrderId Id, long VenueOrderId)[]> RestAsync(GatewayRig rig, int count)
    {
        var ids = new ClientOrderId[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = rig.NextId();
            rig.Gateway.Send(rig.Place(ids[i], Side.Buy, Passive - i * GatewayRig.Px, Qty));
        }
        var result = new (ClientOrderId, long)[count];
        for (int i = 0; i < count; i++)
        {
            var id = ids[i];
            var ack = await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == id, $"ack {i}");
            result[i] = (id, ack.VenueOrderId);
        }
        return result;
    }

    private static async Task AssertCancelAllAsync(GatewayRig rig)
    {
        var resting = await RestAsync(rig, 3);
        rig.Gateway.CancelAll(GatewayRig.Btc, rig.NextId());
        foreach (var (id, _) in resting)
            await rig.Sink.WaitForAsync<CanceledReport>(c => c.ClientOrderId == id && c.InstrumentId == GatewayRig.Btc, $"canceled {id}");
        foreach (var (id, _) in resting)
            Assert.Equal(0, rig.VenueOrdersWithClientId(id));
        Assert.Empty(await rig.Gateway.GetOpenOrdersAsync(GatewayRig.Btc, CancellationToken.None));
        Assert.Empty(rig.Sink.All<RejectReport>());
        Assert.Empty(rig.Sink.All<StatusUnknownReport>());
    }

    [Fact]
    public async Task CancelAll_WsApiHmac_EveryRestingOrderCanceled()
    {
        await using var rig = await GatewayRig.StartAsync();
        await AssertCancelAllAsync(rig);
        Assert.Equal(0, rig.Gateway.CommandsSentRest);
    }

    [Fact]
    public async Task CancelAll_WsApiEd25519Session_EveryRestingOrderCanceled()
    {
        await using var rig = await GatewayRig.StartAsync(ed25519: true);
        await AssertCancelAllAsync(rig);
        Assert.Equal(0, rig.Gateway.CommandsSentRest);
    }

    [Fact]
    public async Task CancelAll_RestOnly_EveryRestingOrderCanceled()
    {
        await using var rig = await GatewayRig.StartAsync(options: o => new BinanceOrderGatewayOptions
        {
            RestBase = o.RestBase, WsApiUrl = o.WsApiUrl, RequestTimeout = TimeSpan.FromSeconds(3), ControlTimeout = o.ControlTimeout, RestOnly = true,
        });
        await AssertCancelAllAsync(rig);
        Assert.True(rig.Gateway.CommandsSentRest > 0);
    }

    [Fact]
    public async Task CancelAll_NothingOpen_RejectNamedByCancelId()
    {
        await using var rig = await GatewayRig.StartAsync();
        var cancelId = rig.NextId();
        rig.Gateway.CancelAll(GatewayRig.Btc, cancelId);
        var reject = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == cancelId, "cancel-all reject");
        Assert.Equal(CommandKind.Cancel, reject.Command);
        Assert.Equal(RejectReason.UnknownOrder, reject.Reason);
        Assert.Equal(GatewayRig.Btc, reject.InstrumentId);
        Assert.Empty(rig.Sink.All<CanceledReport>());
    }

    [Fact]
    public async Task CancelAll_UnknownInstrument_LocalReject()
    {
        await using var rig = await GatewayRig.StartAsync();
        var cancelId = rig.NextId();
        rig.Gateway.CancelAll(7, cancelId);
        var reject = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == cancelId, "local reject");
        Assert.Equal(RejectReason.InvalidRequest, reject.Reason);
        Assert.Equal(1, rig.Gateway.LocalRejects);
    }

    [Fact]
    public async Task GetOpenOrders_ListsRestingOrdersWithOurClientIds()
    {
        await using var rig = await GatewayRig.StartAsync();
        var resting = await RestAsync(rig, 3);
        var open = await rig.Gateway.GetOpenOrdersAsync(GatewayRig.Btc, CancellationToken.None);
        Assert.Equal(resting.Select(r => r.Id.Sequence).Order(), open.Select(o => o.ClientOrderId.Sequence).Order());
        for (int i = 0; i < resting.Length; i++)
        {
            var (id, venueOrderId) = resting[i];
            var o = Assert.Single(open, o => o.ClientOrderId == id);
            Assert.Equal(venueOrderId, o.VenueOrderId);
            Assert.Equal(VenueOrderStatus.New, o.Status.Status);
            Assert.Equal(0, o.Filled.Raw);
            Assert.Equal(GatewayRig.Btc, o.InstrumentId);
            // The terms a restart adopts the order with, as the venue holds them.
            Assert.Equal(Side.Buy, o.Side);
            Assert.Equal(OrderType.Limit, o.Type);
            Assert.Equal(Passive - i * GatewayRig.Px, o.Price.Raw);
            Assert.Equal(Qty, o.Qty.Raw);
            Assert.True(o.UpdatedNs > 0);
        }
        Assert.Empty(await rig.Gateway.GetOpenOrdersAsync(1, CancellationToken.None)); // ETHUSDT: none
        Assert.Empty(rig.Sink.All<OrderStatusReport>()); // read-only: nothing went to the sink
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => rig.Gateway.GetOpenOrdersAsync(7, CancellationToken.None));
    }

    [Fact]
    public async Task GetTrades_ReturnsFillAfterAggressiveOrder_AndRespectsFromExclusive()
    {
        await using var rig = await GatewayRig.StartAsync();
        Assert.Empty(await rig.Gateway.GetTradesAsync(GatewayRig.Btc, 0, CancellationToken.None));
        var first = rig.NextId();
        rig.Gateway.Send(rig.Place(first, Side.Buy, Aggressive, Qty, OrderType.LimitIoc));
        var streamed = await rig.Sink.WaitForAsync<FillReport>(f => f.ClientOrderId == first, "first fill");

        var trades = await rig.Gateway.GetTradesAsync(GatewayRig.Btc, 0, CancellationToken.None);
        var fill = Assert.Single(trades);
        Assert.Equal(first, fill.ClientOrderId);
        Assert.Equal(streamed.TradeId, fill.TradeId);
        Assert.Equal(streamed.VenueOrderId, fill.VenueOrderId);
        Assert.Equal(streamed.Price, fill.Price);
        Assert.Equal(streamed.Qty, fill.Qty);
        Assert.Equal(Side.Buy, fill.Side);
        Assert.False(fill.IsMaker);

        var second = rig.NextId();
        rig.Gateway.Send(rig.Place(second, Side.Buy, Aggressive, Qty, OrderType.LimitIoc));
        await rig.Sink.WaitForAsync<FillReport>(f => f.ClientOrderId == second, "second fill");
        var after = await rig.Gateway.GetTradesAsync(GatewayRig.Btc, fill.TradeId, CancellationToken.None);
        Assert.NotEmpty(after);
        Assert.All(after, f => Assert.True(f.TradeId > fill.TradeId));
        Assert.All(after, f => Assert.Equal(second, f.ClientOrderId));
        var both = await rig.Gateway.GetTradesAsync(GatewayRig.Btc, fill.TradeId - 1, CancellationToken.None);
        Assert.Equal(after.Count + 1, both.Count); // the bound is exclusive: fill.TradeId itself is back in
        Assert.Equal(fill.TradeId, both[0].TradeId);
        Assert.Empty(await rig.Gateway.GetTradesAsync(GatewayRig.Btc, after.Max(f => f.TradeId), CancellationToken.None));
    }

    [Fact]
    public async Task QueryAnswersFilled_TheOrdersTradesComeFirstAsFills()
    {
        await using var rig = await GatewayRig.StartAsync();
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Aggressive, Qty, OrderType.LimitIoc));
        var streamed = await rig.Sink.WaitForAsync<FillReport>(f => f.ClientOrderId == id, "streamed fill");
        int before = rig.Sink.Count;
        rig.Gateway.Send(OrderCommand.From(new QueryOrderCommand(GatewayRig.Btc, id), 0));
        int status = await rig.Sink.WaitForIndexAsync<OrderStatusReport>(s => s.ClientOrderId == id, before, "query answer");
        Assert.Equal(VenueOrderStatus.Filled, ((OrderStatusReport)rig.Sink.Snapshot()[status]).Status);
        // The same trade again (the core de-duplicates it by trade id), delivered before the status.
        int fill = rig.Sink.IndexOf<FillReport>(f => f.ClientOrderId == id && f.TradeId == streamed.TradeId, before);
        Assert.InRange(fill, before, status - 1);
        Assert.True(rig.Gateway.QueriedFills >= 1);
    }

    /// <summary>
    /// A query's answer with executed quantity is delivered from a task of its own (its trades first). An exception
    /// there that the gateway does not expect (here the sink breaks on the status) used to end that task unobserved,
    /// with the answer. Now it is the gateway's fault: the host halts trading with it. Order entry itself goes on.
    /// </summary>
    [Fact]
    public async Task UnexpectedExceptionInAQuerysTask_BecomesTheGatewaysFault_AndOrderEntryGoesOn()
    {
        await using var rig = await GatewayRig.StartAsync();
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Aggressive, Qty, OrderType.LimitIoc));
        await rig.Sink.WaitForAsync<FillReport>(f => f.ClientOrderId == id, "streamed fill");
        Assert.Null(rig.Gateway.Fault);
        rig.Sink.Breaks = r => r is OrderStatusReport;
        rig.Gateway.Send(OrderCommand.From(new QueryOrderCommand(GatewayRig.Btc, id), 0));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (rig.Gateway.Fault is null && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.NotNull(rig.Gateway.Fault);
        Assert.Equal("a query's trades failed unexpectedly: InvalidOperationException: the sink broke on OrderStatusReport", rig.Gateway.Fault!.Message);
        rig.Sink.Breaks = null;
        var next = rig.NextId();
        rig.Gateway.Send(rig.Place(next, Side.Buy, Passive, Qty));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == next, "an ack after the fault");
    }

    [Fact]
    public async Task GetBalances_DemoAccount_LockedFundsForRestingOrder()
    {
        await using var rig = await GatewayRig.StartAsync();
        var before = await rig.Gateway.GetBalancesAsync(CancellationToken.None);
        var usdt = Assert.Single(before, b => b.Asset == "USDT");
        Assert.Equal(1_000_000L * 100_000_000, usdt.Free);
        Assert.Equal(0, usdt.Locked);
        Assert.Equal(10L * 100_000_000, Assert.Single(before, b => b.Asset == "BTC").Free);
        Assert.Equal(100L * 100_000_000, Assert.Single(before, b => b.Asset == "ETH").Free);

        await RestAsync(rig, 1); // buy 0.001 BTC at 50 000: 50 USDT locked
        var after = await rig.Gateway.GetBalancesAsync(CancellationToken.None);
        var locked = Assert.Single(after, b => b.Asset == "USDT");
        Assert.Equal(50L * 100_000_000, locked.Locked);
        Assert.Equal(usdt.Total, locked.Total);
        Assert.Equal(usdt.Free - locked.Locked, locked.Free);
    }
}
