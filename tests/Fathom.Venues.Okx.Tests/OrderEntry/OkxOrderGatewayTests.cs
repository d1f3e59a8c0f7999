using HdrHistogram;
using System.Globalization;
using System.Text.Json;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Xunit;
using static Fathom.Venues.Okx.Tests.OrderEntry.OkxOrderEncoderTests;

namespace Fathom.Venues.Okx.Tests.OrderEntry;

/// <summary>
/// <see cref="OkxOrderGateway"/> against <see cref="FakeOkxServer"/>: the real wire (WebSocket frames and signed REST)
/// on loopback, each exchange scripted by the test. Slow tier: waits are on conditions, with timeouts.
/// </summary>
public sealed class OkxOrderGatewayTests : IAsyncLifetime
{
    private readonly FakeOkxServer _server = new();
    private readonly RecordingSink _sink = new();
    private readonly HttpClient _http = new();
    private OkxOrderGateway? _gateway;
    private static readonly ClientOrderId Cancel1 = new(1, 2, 10);
    private static readonly ClientOrderId New1 = new(1, 2, 11);

    public async Task InitializeAsync()
    {
        await _server.StartAsync();
        _server.RestHandler = (_, path, _) => path.StartsWith("/api/v5/trade/orders-pending", StringComparison.Ordinal)
            || path.StartsWith("/api/v5/trade/fills", StringComparison.Ordinal) ? (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[]}") : null;
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
            await _gateway.DisposeAsync();
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private async Task<OkxOrderGateway> StartGatewayAsync(Func<OkxOrderGatewayOptions, OkxOrderGatewayOptions>? configure = null)
    {
        var options = _server.Options();
        if (configure is not null)
            options = configure(options);
        _gateway = new OkxOrderGateway([BtcUsdt], FakeOkxServer.Credentials(), Ids, _sink, options, _http);
        await _gateway.StartAsync(CancellationToken.None);
        return _gateway;
    }

    private static OrderCommand Place(ClientOrderId id, OrderType type = OrderType.Limit, long price = 650_001, long qty = 200_000) =>
        OrderCommand.From(new PlaceOrderCommand(0, id, OrderSide.Buy, type, new Price(price), new Qty(qty)), 0);

    private static string Cl(ClientOrderId id) => Ids.Format(id);

    private static string OrderData(ClientOrderId id, long ordId, string state, string ordType = "limit", string tradeId = "", string fillSz = "0",
        string fillPx = "", string accFillSz = "0", string fillFee = "0", string fillFeeCcy = "", string execType = "", string cancelSource = "",
        string amendResult = "", string instId = "BTC-USDT") =>
        $"{{\"instType\":\"SPOT\",\"instId\":\"{instId}\",\"ordId\":\"{ordId}\",\"clOrdId\":\"{Cl(id)}\",\"px\":\"65000.1\",\"sz\":\"0.002\",\"ordType\":\"{ordType}\","
        + $"\"side\":\"buy\",\"state\":\"{state}\",\"tradeId\":\"{tradeId}\",\"fillSz\":\"{fillSz}\",\"fillPx\":\"{fillPx}\",\"accFillSz\":\"{accFillSz}\","
        + $"\"fillFee\":\"{fillFee}\",\"fillFeeCcy\":\"{fillFeeCcy}\",\"execType\":\"{execType}\",\"cancelSource\":\"{cancelSource}\",\"amendResult\":\"{amendResult}\","
        + "\"reqId\":\"\",\"fillTime\":\"1700000000123\",\"uTime\":\"1700000000124\",\"cTime\":\"1700000000000\"}";

    private static JsonElement Args(JsonElement op) => op.GetProperty("args")[0];

    [Fact]
    public async Task Start_GoodLogin_SignatureVerifiedSubscribedAndOrderEntryUp()
    {
        var gateway = await StartGatewayAsync();
        var up = await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp);
        Assert.True(gateway.IsReady);
        Assert.Equal(1, _server.Logins);
        Assert.Equal(0, _server.SignatureFailures);
        Assert.Equal(1, gateway.TimeSyncs);
        Assert.NotEqual(0, up.TimeNs);
    }

    [Fact]
    public async Task Start_LoginRefused60009_ThrowsFaultSetOrderEntryDownNoRetry()
    {
        _server.LoginCode = "60009";
        var gateway = new OkxOrderGateway([BtcUsdt], FakeOkxServer.Credentials(), Ids, _sink, _server.Options(), _http);
        _gateway = gateway;
        var ex = await Assert.ThrowsAsync<OkxLoginException>(() => gateway.StartAsync(CancellationToken.None));
        Assert.Equal(60009, ex.Code);
        Assert.DoesNotContain(FakeOkxServer.Secret, ex.Message);
        Assert.DoesNotContain(FakeOkxServer.Passphrase, ex.Message);
        Assert.Same(ex, gateway.Fault);
        Assert.False(gateway.IsReady);
        await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryDown);
        await Task.Delay(300); // a reconnect attempt would log in again within ReconnectDelay (50 ms)
        Assert.Equal(1, _server.Logins);
    }

    [Fact]
    public async Task Start_WrongSecret_ServerRefusesLogin()
    {
        var gateway = new OkxOrderGateway([BtcUsdt], new OkxCredentials(FakeOkxServer.ApiKey, "other-secret", FakeOkxServer.Passphrase), Ids, _sink,
            _server.Options(), _http);
        _gateway = gateway;
        await Assert.ThrowsAsync<OkxLoginException>(() => gateway.StartAsync(CancellationToken.None));
        Assert.Equal(1, _server.SignatureFailures);
    }

    [Fact]
    public async Task Start_ClockSkew_LoginSignedWithServerTime()
    {
        _server.ServerTimeOffsetMs = 120_000; // the venue's clock is 2 min ahead: a local timestamp would be refused (60006)
        var gateway = await StartGatewayAsync();
        await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp);
        Assert.InRange(gateway.ClockOffsetMs, 115_000, 125_000);
        Assert.Equal(1, _server.Logins);
    }

    [Fact]
    public async Task Place_AckPartialFillFill_DuplicateFillPushIgnored()
    {
        var gateway = await StartGatewayAsync();
        gateway.Send(Place(Order1));
        var (socket, op) = await _server.NextOpAsync();
        Assert.Equal("order", op.GetProperty("op").GetString());
        var a = Args(op);
        Assert.Equal(10_001, a.GetProperty("instIdCode").GetInt64());
        Assert.Equal("cash", a.GetProperty("tdMode").GetString());
        Assert.Equal("limit", a.GetProperty("ordType").GetString());
        Assert.Equal("65000.1", a.GetProperty("px").GetString());
        Assert.Equal("0.00200000", a.GetProperty("sz").GetString());
        Assert.Equal(Cl(Order1), a.GetProperty("clOrdId").GetString());
        Assert.Equal("cancel_maker", a.GetProperty("stpMode").GetString());
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 0, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"555\",\"ts\":\"1700000000001\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        var ack = await _sink.WaitForAsync<AckReport>();
        Assert.Equal(new AckReport(0, Order1, 555, 1_700_000_000_001_000_000), ack);

        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Order1, 555, "live")));
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Order1, 555, "partially_filled", tradeId: "9001", fillSz: "0.0005", fillPx: "65000.1",
            accFillSz: "0.0005", fillFee: "-0.0000005", fillFeeCcy: "BTC", execType: "M")));
        string last = FakeOkxServer.OrdersPush(OrderData(Order1, 555, "filled", tradeId: "9002", fillSz: "0.0015", fillPx: "64999.9",
            accFillSz: "0.002", fillFee: "-0.09", fillFeeCcy: "USDT", execType: "T"));
        await _server.PushAsync(last);
        await _server.PushAsync(last); // OKX may repeat a push; a reconnect re-reads fills: applied once
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Order1, 556, "live", instId: "ETH-USDT"))); // not ours to know
        await _sink.WaitForAsync<FillReport>(f => f.TradeId == 9002);
        await WaitUntilAsync(() => gateway.DuplicateFillsDropped == 1 && gateway.ForeignReports == 1);

        var fills = _sink.Of<FillReport>();
        Assert.Equal(2, fills.Count);
        Assert.Equal(new FillReport(0, Order1, 555, 9001, OrderSide.Buy, new Price(650_001), new Qty(50_000), new Qty(50_000),
            Fee: 0 /* 0.0000005 BTC × 65000.1 = 0.0325 USDT: 0.0 at the price's 1 decimal */, FeeQty: new Qty(50), IsMaker: true, TimeNs: 1_700_000_000_123_000_000), fills[0]);
        Assert.Equal(new FillReport(0, Order1, 555, 9002, OrderSide.Buy, new Price(649_999), new Qty(150_000), new Qty(200_000),
            Fee: 0 /* 0.09 USDT: 0.0 at 1 decimal */, FeeQty: default, IsMaker: false, TimeNs: 1_700_000_000_123_000_000), fills[1]);
        Assert.Equal(2, _sink.Of<AckReport>().Count); // the reply's and the push's (the core counts the second as a duplicate)
    }

    [Fact]
    public async Task Latency_TickToWireCommandToAckTickToAckAndVenueTime_Recorded()
    {
        var gateway = await StartGatewayAsync();
        HdrHistogram.LongHistogram Histogram() => new(60_000_000_000, 3);
        gateway.TickToWireQueued = Histogram();
        gateway.TickToAck = Histogram();
        gateway.CommandToAck = Histogram();
        gateway.VenueProcessingMicros = Histogram();
        long trigger = new MonotonicClock(TimeProvider.System).NowNanos();
        gateway.Send(Place(Order1), trigger);
        var (socket, op) = await _server.NextOpAsync();
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 0, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"555\",\"ts\":\"1\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        await _sink.WaitForAsync<AckReport>();
        Assert.Equal(1, gateway.TickToWireQueued.TotalCount);
        Assert.Equal(1, gateway.TickToAck.TotalCount);
        Assert.Equal(1, gateway.CommandToAck.TotalCount);
        Assert.True(gateway.TickToAck.GetMaxValue() >= gateway.CommandToAck.GetMaxValue());
        Assert.Equal(250, gateway.VenueProcessingMicros.GetMaxValue()); // outTime − inTime of the reply
    }

    [Fact]
    public async Task Fill_FeeInQuote_IsChargedPositiveAtPriceDecimals()
    {
        var gateway = await StartGatewayAsync();
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Order1, 555, "filled", tradeId: "1", fillSz: "0.002", fillPx: "65000.1",
            accFillSz: "0.002", fillFee: "-1.23", fillFeeCcy: "USDT", execType: "T")));
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Order1, 555, "filled", tradeId: "2", fillSz: "0.002", fillPx: "65000.1",
            accFillSz: "0.002", fillFee: "0.5", fillFeeCcy: "USDT", execType: "M"))); // a maker rebate
        await _sink.WaitForAsync<FillReport>(f => f.TradeId == 2);
        var fills = _sink.Of<FillReport>();
        Assert.Equal(12, fills[0].Fee);  // 1.2 USDT charged (1.23 cut to the price's 1 decimal)
        Assert.Equal(-5, fills[1].Fee);  // 0.5 USDT received
        Assert.True(gateway.IsReady);
    }

    [Fact]
    public async Task Place_TimestampRefused_ReSyncFails_ReasonKeptAndCounted_UntilTheNextRefusalsSyncSucceeds()
    {
        var gateway = await StartGatewayAsync();
        long syncs = gateway.TimeSyncs;
        _server.FailTimeRequests = 1;
        async Task RefuseTimestampAsync(ClientOrderId id)
        {
            gateway.Send(Place(id));
            var (socket, op) = await _server.NextOpAsync();
            await _server.SendAsync(socket, FakeOkxServer.Reply(op, 1,
                $"{{\"clOrdId\":\"{Cl(id)}\",\"ordId\":\"\",\"ts\":\"1\",\"sCode\":\"50102\",\"sMsg\":\"Timestamp request expired\"}}", "All operations failed"));
            Assert.Equal(50102, (await _sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == id)).VenueCode);
        }

        await RefuseTimestampAsync(Order1);
        await WaitUntilAsync(() => gateway.ClockSync.Failures == 1);
        Assert.Contains("status 503", gateway.ClockSync.Error?.Message);
        Assert.Same(gateway.ClockSync.Error, gateway.ClockSync.LastFailure);
        Assert.Equal(syncs, gateway.TimeSyncs);

        _server.ServerTimeOffsetMs = -3_000;
        await RefuseTimestampAsync(New1); // the next refusal syncs again, and that one succeeds
        await WaitUntilAsync(() => gateway.TimeSyncs > syncs);
        Assert.InRange(gateway.ClockOffsetMs, -3_500, -2_500);
        Assert.Null(gateway.ClockSync.Error);
        Assert.Equal(1, gateway.ClockSync.Failures);
        Assert.Contains("status 503", gateway.ClockSync.LastFailure?.Message);
    }

    [Fact]
    public async Task Place_RejectedWithSCode_MapsToReasonAndCarriesVenueCode()
    {
        var gateway = await StartGatewayAsync();
        gateway.Send(Place(Order1));
        var (socket, op) = await _server.NextOpAsync();
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 1,
            $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"\",\"ts\":\"1\",\"sCode\":\"51008\",\"sMsg\":\"Order failed. Insufficient USDT balance in account.\"}}", "All operations failed"));
        var reject = await _sink.WaitForAsync<RejectReport>();
        Assert.Equal(Order1, reject.ClientOrderId);
        Assert.Equal(CommandKind.Place, reject.Command);
        Assert.Equal(RejectReason.InsufficientBalance, reject.Reason);
        Assert.Equal(51008, reject.VenueCode);
        Assert.Contains("Insufficient USDT balance", reject.VenueMessage);
        Assert.Empty(_sink.Of<AckReport>());
    }

    [Fact]
    public async Task Place_TopLevelBusyCode_IsStatusUnknownNotReject()
    {
        var gateway = await StartGatewayAsync();
        gateway.Send(Place(Order1));
        var (socket, op) = await _server.NextOpAsync();
        await _server.SendAsync(socket, $"{{\"id\":\"{op.GetProperty("id").GetString()}\",\"op\":\"order\",\"code\":\"50013\",\"msg\":\"System is busy\",\"data\":[]}}");
        var unknown = await _sink.WaitForAsync<StatusUnknownReport>();
        Assert.Equal(new StatusUnknownReport(0, Order1, CommandKind.Place, UnknownCause.ServerError, unknown.TimeNs), unknown);
        Assert.Empty(_sink.Of<RejectReport>());
        Assert.True(await _server.NoOpWithinAsync(TimeSpan.FromMilliseconds(300))); // never resent
    }

    [Fact]
    public async Task PostOnly_WouldTake_AcceptedThenCancelled31_WouldTakeRejectAndNoAck()
    {
        var gateway = await StartGatewayAsync();
        gateway.Send(Place(Order1, OrderType.LimitMaker));
        var (socket, op) = await _server.NextOpAsync();
        Assert.Equal("post_only", Args(op).GetProperty("ordType").GetString());
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 0, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"777\",\"ts\":\"1\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Order1, 777, "canceled", ordType: "post_only", cancelSource: "31")));
        var reject = await _sink.WaitForAsync<RejectReport>();
        Assert.Equal((Order1, CommandKind.Place, RejectReason.WouldTake), (reject.ClientOrderId, reject.Command, reject.Reason));
        Assert.Empty(_sink.Of<AckReport>()); // the core goes PendingNew → Rejected; an ack before it would make the reject illegal there
        Assert.Empty(_sink.Of<CanceledReport>());
        Assert.Equal(0, gateway.MalformedFrames);
    }

    [Fact]
    public async Task PostOnly_WouldTake_LivePushFirst_AckThenCanceled()
    {
        var gateway = await StartGatewayAsync();
        gateway.Send(Place(Order1, OrderType.LimitMaker));
        var (socket, op) = await _server.NextOpAsync();
        // As the simulator's OKX front does it: live, then canceled.
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Order1, 777, "live", ordType: "post_only")));
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 0, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"777\",\"ts\":\"1\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Order1, 777, "canceled", ordType: "post_only", cancelSource: "31")));
        Assert.Equal(Order1, (await _sink.WaitForAsync<CanceledReport>()).ClientOrderId);
        Assert.Single(_sink.Of<AckReport>());
        Assert.Empty(_sink.Of<RejectReport>()); // Accepted → Canceled: the core's table has no reject after an ack
        Assert.True(gateway.IsReady);
    }

    [Fact]
    public async Task PostOnly_Resting_AckedByTheLivePush_IocRemainderAndStpExpire_UserCancelCanceled()
    {
        var gateway = await StartGatewayAsync();
        gateway.Send(Place(Order1, OrderType.LimitMaker));
        var (socket, op) = await _server.NextOpAsync();
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 0, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"777\",\"ts\":\"1\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Order1, 777, "live", ordType: "post_only")));
        Assert.Equal(777, (await _sink.WaitForAsync<AckReport>()).VenueOrderId);
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(New1, 778, "canceled", ordType: "ioc", cancelSource: "14")));
        Assert.Equal(New1, (await _sink.WaitForAsync<ExpiredReport>()).ClientOrderId);
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Amend1, 779, "canceled", cancelSource: "32"))); // self-trade prevention
        Assert.Equal(Amend1, (await _sink.WaitForAsync<ExpiredReport>(e => e.ClientOrderId == Amend1)).ClientOrderId);
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Cancel1, 780, "canceled", cancelSource: "1")));
        Assert.Equal(Cancel1, (await _sink.WaitForAsync<CanceledReport>()).ClientOrderId);
        Assert.Single(_sink.Of<AckReport>()); // the answer acks nothing for a post-only order; its live push does
        Assert.Empty(_sink.Of<RejectReport>());
    }

    [Fact]
    public async Task Cancel_ByVenueId_CanceledReportForTheOrder()
    {
        var gateway = await StartGatewayAsync();
        gateway.Send(OrderCommand.From(new CancelOrderCommand(0, Cancel1, Order1, 555), 0));
        var (socket, op) = await _server.NextOpAsync();
        Assert.Equal("cancel-order", op.GetProperty("op").GetString());
        Assert.Equal("555", Args(op).GetProperty("ordId").GetString());
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 0, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"555\",\"ts\":\"2\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        Assert.Equal(Order1, (await _sink.WaitForAsync<CanceledReport>()).ClientOrderId);
    }

    [Fact]
    public async Task Cancel_AlreadyFilled51402_RejectUnknownOrderNamingTheOrder()
    {
        var gateway = await StartGatewayAsync();
        gateway.Send(OrderCommand.From(new CancelOrderCommand(0, Cancel1, Order1, 0), 0));
        var (socket, op) = await _server.NextOpAsync();
        Assert.Equal(Cl(Order1), Args(op).GetProperty("clOrdId").GetString());
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 1, "{\"clOrdId\":\"\",\"ordId\":\"555\",\"ts\":\"2\",\"sCode\":\"51402\",\"sMsg\":\"Cancellation failed as the order is already completed.\"}"));
        var reject = await _sink.WaitForAsync<RejectReport>();
        Assert.Equal((Order1, CommandKind.Cancel, RejectReason.UnknownOrder, 51402), (reject.ClientOrderId, reject.Command, reject.Reason, reject.VenueCode));
    }

    [Fact]
    public async Task Amend_NewSize_AmendedReportAndLaterPushesAndCancelsUseTheAlias()
    {
        var gateway = await StartGatewayAsync();
        gateway.Send(OrderCommand.From(new AmendQtyCommand(0, Amend1, Order1, 0, new Qty(100_000)), 0));
        var (socket, op) = await _server.NextOpAsync();
        Assert.Equal("amend-order", op.GetProperty("op").GetString());
        Assert.Equal("0.00100000", Args(op).GetProperty("newSz").GetString());
        Assert.Equal(Cl(Order1), Args(op).GetProperty("clOrdId").GetString());
        Assert.Equal(Cl(Amend1), Args(op).GetProperty("reqId").GetString());
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 0, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"555\",\"reqId\":\"{Cl(Amend1)}\",\"ts\":\"3\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        var amended = await _sink.WaitForAsync<AmendedReport>();
        Assert.Equal((Order1, Amend1, new Qty(100_000)), (amended.OrigClientOrderId, amended.NewClientOrderId, amended.NewQty));

        // OKX keeps the clOrdId; the engine now knows the order as Amend1.
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Order1, 555, "live", amendResult: "0")));
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Order1, 555, "partially_filled", tradeId: "5", fillSz: "0.0001", fillPx: "65000.1", accFillSz: "0.0001")));
        Assert.Equal(Amend1, (await _sink.WaitForAsync<FillReport>()).ClientOrderId);
        Assert.Empty(_sink.Of<AckReport>()); // the amend's push is not an ack

        gateway.Send(OrderCommand.From(new CancelOrderCommand(0, Cancel1, Amend1, 0), 0));
        (socket, op) = await _server.NextOpAsync();
        Assert.Equal(Cl(Order1), Args(op).GetProperty("clOrdId").GetString()); // the venue's name for it
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 0, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"555\",\"ts\":\"4\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        Assert.Equal(Amend1, (await _sink.WaitForAsync<CanceledReport>()).ClientOrderId);
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(Order1, 555, "canceled", accFillSz: "0.0001", cancelSource: "1")));
        await WaitUntilAsync(() => _sink.Of<CanceledReport>().Count == 2);
        Assert.All(_sink.Of<CanceledReport>(), c => Assert.Equal(Amend1, c.ClientOrderId));
    }

    [Fact]
    public async Task CancelReplace_CancelThenNewOrder_NewGoesOnlyAfterTheCancelSucceeded()
    {
        var gateway = await StartGatewayAsync();
        var command = OrderCommand.From(new CancelReplaceCommand(0, Cancel1, Order1, 555, New1, OrderSide.Sell, OrderType.Limit, new Price(650_500), new Qty(100_000)), 0);
        gateway.Send(command);
        var (socket, op) = await _server.NextOpAsync();
        Assert.Equal("cancel-order", op.GetProperty("op").GetString());
        Assert.True(await _server.NoOpWithinAsync(TimeSpan.FromMilliseconds(200))); // the new order waits for the cancel's answer
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 0, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"555\",\"ts\":\"4\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        Assert.Equal(Order1, (await _sink.WaitForAsync<CanceledReport>()).ClientOrderId);
        (socket, op) = await _server.NextOpAsync();
        Assert.Equal("order", op.GetProperty("op").GetString());
        Assert.Equal(Cl(New1), Args(op).GetProperty("clOrdId").GetString());
        Assert.Equal("sell", Args(op).GetProperty("side").GetString());
        Assert.Equal("65050.0", Args(op).GetProperty("px").GetString());
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 0, $"{{\"clOrdId\":\"{Cl(New1)}\",\"ordId\":\"600\",\"ts\":\"5\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        Assert.Equal((New1, 600L), ((await _sink.WaitForAsync<AckReport>()).ClientOrderId, (await _sink.WaitForAsync<AckReport>()).VenueOrderId));
    }

    [Fact]
    public async Task CancelReplace_CancelRefused_RejectNamesTheOldOrderAndNoNewOrderIsSent()
    {
        var gateway = await StartGatewayAsync();
        gateway.Send(OrderCommand.From(new CancelReplaceCommand(0, Cancel1, Order1, 555, New1, OrderSide.Buy, OrderType.Limit, new Price(10), new Qty(1)), 0));
        var (socket, op) = await _server.NextOpAsync();
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 1, "{\"clOrdId\":\"\",\"ordId\":\"555\",\"ts\":\"4\",\"sCode\":\"51400\",\"sMsg\":\"Cancellation failed as the order does not exist.\"}"));
        var reject = await _sink.WaitForAsync<RejectReport>();
        Assert.Equal((Order1, CommandKind.CancelReplace, RejectReason.UnknownOrder), (reject.ClientOrderId, reject.Command, reject.Reason));
        Assert.True(await _server.NoOpWithinAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Timeout_NoAnswer_StatusUnknownOnce_NeverResent_LateAnswerStillDelivered()
    {
        var gateway = await StartGatewayAsync(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        gateway.Send(Place(Order1));
        var (socket, op) = await _server.NextOpAsync();
        var unknown = await _sink.WaitForAsync<StatusUnknownReport>();
        Assert.Equal((Order1, CommandKind.Place, UnknownCause.Timeout), (unknown.ClientOrderId, unknown.Command, unknown.Cause));
        Assert.True(await _server.NoOpWithinAsync(TimeSpan.FromMilliseconds(600)));
        Assert.Single(_server.OpsReceived);
        Assert.Single(_sink.Of<StatusUnknownReport>());
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 0, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"555\",\"ts\":\"1\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        await _sink.WaitForAsync<AckReport>();
        Assert.Equal(1, gateway.LateResponses);
    }

    [Fact]
    public async Task Disconnect_WithInFlight_StatusUnknownThenReconnectReloginReconcileUp()
    {
        var fills = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instType\":\"SPOT\",\"instId\":\"BTC-USDT\",\"tradeId\":\"42\",\"ordId\":\"555\",\"clOrdId\":\"" + Cl(Order1)
            + "\",\"billId\":\"900\",\"fillPx\":\"65000.1\",\"fillSz\":\"0.001\",\"side\":\"buy\",\"execType\":\"M\",\"fee\":\"-0.1\",\"feeCcy\":\"USDT\",\"ts\":\"1700000000999\"}]}";
        var open = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instId\":\"BTC-USDT\",\"ordId\":\"555\",\"clOrdId\":\"" + Cl(Order1)
            + "\",\"px\":\"65000.1\",\"sz\":\"0.002\",\"ordType\":\"post_only\",\"side\":\"buy\",\"state\":\"partially_filled\",\"accFillSz\":\"0.001\",\"uTime\":\"1700000001000\"}]}";
        var gateway = await StartGatewayAsync();
        await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp);
        _server.RestHandler = (_, path, _) => path.StartsWith("/api/v5/trade/orders-pending", StringComparison.Ordinal) ? (200, open)
            : path.StartsWith("/api/v5/trade/fills", StringComparison.Ordinal) ? (200, fills) : null;
        gateway.Send(Place(Order1));
        await _server.NextOpAsync();
        _server.DropAll();

        var unknown = await _sink.WaitForAsync<StatusUnknownReport>();
        Assert.Equal((Order1, UnknownCause.Disconnected), (unknown.ClientOrderId, unknown.Cause));
        await WaitUntilAsync(() => _sink.Of<VenueHealthReport>().Count(h => h.Kind == VenueHealthKind.OrderEntryUp) == 2);
        var reports = _sink.Reports;
        int down = reports.FindIndex(r => r is VenueHealthReport { Kind: VenueHealthKind.OrderEntryDown });
        int unk = reports.FindIndex(r => r is StatusUnknownReport);
        int status = reports.FindIndex(r => r is OrderStatusReport);
        int fill = reports.FindIndex(r => r is FillReport);
        int up2 = reports.FindLastIndex(r => r is VenueHealthReport { Kind: VenueHealthKind.OrderEntryUp });
        Assert.True(down < unk && unk < status && status < up2 && fill < up2, string.Join("; ", reports));
        Assert.Equal(new OrderStatusReport(0, Order1, VenueOrderStatus.PartiallyFilled, 555, new Qty(100_000), 1_700_000_001_000_000_000), reports[status]);
        Assert.Equal(42, ((FillReport)reports[fill]).TradeId);
        Assert.Equal(2, _server.Logins);
        Assert.Equal(1, gateway.Reconnects);
        Assert.Equal(0, _server.SignatureFailures);
        Assert.Single(_server.OpsReceived); // the in-flight order was not resent
        Assert.True(gateway.IsReady);
    }

    [Fact]
    public async Task PostOnly_AnsweredButTheConnectionDropsBeforeItsPush_StatusUnknownThenTheListingSettlesIt()
    {
        // OKX answers a post-only order sCode 0 and acks it with the live push; the drop lost that push. Without a
        // report the core would hold the order PendingNew for good while it rests at the venue.
        var open = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instId\":\"BTC-USDT\",\"ordId\":\"777\",\"clOrdId\":\"" + Cl(Order1)
            + "\",\"px\":\"65000.1\",\"sz\":\"0.002\",\"ordType\":\"post_only\",\"side\":\"buy\",\"state\":\"live\",\"accFillSz\":\"0\",\"uTime\":\"1700000001000\"}]}";
        var gateway = await StartGatewayAsync();
        await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp);
        _server.RestHandler = (_, path, _) => path.StartsWith("/api/v5/trade/orders-pending", StringComparison.Ordinal) ? (200, open)
            : path.StartsWith("/api/v5/trade/fills", StringComparison.Ordinal) ? (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[]}") : null;
        gateway.Send(Place(Order1, OrderType.LimitMaker));
        gateway.Send(Place(New1, OrderType.LimitMaker));
        var (socket, op1) = await _server.NextOpAsync();
        var (_, op2) = await _server.NextOpAsync();
        await _server.SendAsync(socket, FakeOkxServer.Reply(op1, 0, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"777\",\"ts\":\"1\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        // The second is heard of (its push comes before its answer, as it may): nothing is in doubt about it.
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(New1, 778, "live", ordType: "post_only")));
        await _server.SendAsync(socket, FakeOkxServer.Reply(op2, 0, $"{{\"clOrdId\":\"{Cl(New1)}\",\"ordId\":\"778\",\"ts\":\"1\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        // A push for an instrument not configured, after both answers: once it is counted, both answers were read.
        await _server.PushAsync(FakeOkxServer.OrdersPush(OrderData(New1, 779, "live", instId: "ETH-USDT")));
        await WaitUntilAsync(() => gateway.ForeignReports == 1);
        Assert.Equal(1, gateway.PostOnlyAnsweredUnheard);
        Assert.Empty(_sink.Of<StatusUnknownReport>());
        _server.DropAll();

        var unknown = await _sink.WaitForAsync<StatusUnknownReport>();
        Assert.Equal((Order1, CommandKind.Place, UnknownCause.Disconnected), (unknown.ClientOrderId, unknown.Command, unknown.Cause));
        await WaitUntilAsync(() => _sink.Of<VenueHealthReport>().Count(h => h.Kind == VenueHealthKind.OrderEntryUp) == 2);
        var reports = _sink.Reports;
        int unk = reports.FindIndex(r => r is StatusUnknownReport);
        int status = reports.FindIndex(r => r is OrderStatusReport { ClientOrderId: var id } && id == Order1);
        Assert.True(unk >= 0 && unk < status, string.Join("; ", reports)); // Unknown first: the core takes the listing as its answer
        Assert.Equal(VenueOrderStatus.New, ((OrderStatusReport)reports[status]).Status);
        Assert.Single(_sink.Of<StatusUnknownReport>());
        Assert.Equal(1, gateway.PostOnlyUnheard);
        Assert.DoesNotContain(_sink.Of<AckReport>(), a => a.ClientOrderId == Order1);
    }

    [Fact]
    public async Task RegisterPending_OnAConnectionAlreadyLost_IsUnknownAtOnceNotAfterTheTimeout()
    {
        // The send thread read the connection, then it dropped and its sweep ran before the request was recorded.
        var gateway = await StartGatewayAsync(o => o with { RequestTimeout = TimeSpan.FromMinutes(5) });
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        gateway.RegisterPending(900, Place(Order1), RequestLeg.Single, new WsLink(socket, 0), 0);
        Assert.Empty(_sink.Of<StatusUnknownReport>()); // in flight on a live connection: its answer decides
        gateway.RegisterPending(901, Place(New1), RequestLeg.Single, new WsLink(socket, 0) { Lost = true }, 0);
        var unknown = Assert.Single(_sink.Of<StatusUnknownReport>());
        Assert.Equal((New1, CommandKind.Place, UnknownCause.Disconnected), (unknown.ClientOrderId, unknown.Command, unknown.Cause));
    }

    [Fact]
    public async Task PostOnly_PlacedOverRestWhileTheWebSocketWasDown_StatusUnknownWhenItReconciles()
    {
        // Its push went to no connection: the reconnect's reconciliation reports it unknown before listing.
        var gateway = await StartGatewayAsync();
        _server.RestHandler = (method, path, _) =>
            method == "POST" && path == "/api/v5/trade/order"
                ? (200, $"{{\"code\":\"0\",\"msg\":\"\",\"data\":[{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"901\",\"ts\":\"7\",\"sCode\":\"0\",\"sMsg\":\"\"}}]}}")
                : path.StartsWith("/api/v5/trade/orders-pending", StringComparison.Ordinal) || path.StartsWith("/api/v5/trade/fills", StringComparison.Ordinal)
                    ? (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[]}") : null;
        _server.RefuseWebSockets = true;
        _server.DropAll();
        await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryDown);
        gateway.Send(Place(Order1, OrderType.LimitMaker));
        await WaitUntilAsync(() => gateway.PostOnlyAnsweredUnheard == 1); // its answer read (it reports nothing)
        Assert.Empty(_sink.Of<StatusUnknownReport>());
        _server.RefuseWebSockets = false;

        var unknown = await _sink.WaitForAsync<StatusUnknownReport>();
        Assert.Equal((Order1, CommandKind.Place, UnknownCause.Disconnected), (unknown.ClientOrderId, unknown.Command, unknown.Cause));
        await WaitUntilAsync(() => _sink.Of<VenueHealthReport>().Count(h => h.Kind == VenueHealthKind.OrderEntryUp) == 2);
        Assert.Single(_sink.Of<StatusUnknownReport>());
        Assert.Equal(0, gateway.PostOnlyAnsweredUnheard);
        Assert.Empty(_sink.Of<AckReport>());
    }

    [Theory]
    [InlineData(50013)] // system busy
    [InlineData(63999)] // internal system error
    public async Task Relogin_RefusedByABusyVenue_RetriedVisiblyUntilItSucceeds_OrdersFlowAgain(int code)
    {
        var gateway = await StartGatewayAsync();
        await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp);
        _server.LoginCode = code.ToString(CultureInfo.InvariantCulture);
        _server.DropAll();

        // The first login and at least two refused re-logins: the gateway keeps trying and says why it is down.
        await WaitUntilAsync(() => _server.Logins >= 3);
        Assert.Null(gateway.Fault);
        Assert.False(gateway.IsReady);
        var refused = Assert.IsType<OkxLoginException>(gateway.LastConnectError);
        Assert.Equal(code, refused.Code);
        Assert.Contains($"code {code}", refused.Message);

        _server.LoginCode = "0";
        await WaitUntilAsync(() => _sink.Of<VenueHealthReport>().Count(h => h.Kind == VenueHealthKind.OrderEntryUp) == 2);
        Assert.True(gateway.IsReady);
        Assert.Null(gateway.Fault);
        Assert.Null(gateway.LastConnectError);
        Assert.Equal(1, gateway.Reconnects);
        gateway.Send(Place(Order1));
        var (socket, op) = await _server.NextOpAsync();
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 0, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"556\",\"ts\":\"1\",\"sCode\":\"0\",\"sMsg\":\"\"}}"));
        var ack = await _sink.WaitForAsync<AckReport>();
        Assert.Equal((Order1, 556L), (ack.ClientOrderId, ack.VenueOrderId));
        Assert.Equal(0, _server.SignatureFailures);
    }

    [Fact]
    public async Task Relogin_RefusedAsBusyAgainAndAgain_AttemptsBackOffExponentially_StartOverAfterALogin()
    {
        // Tens of ms so the test is quick; the pause after n failures is drawn from [10·2^n, 20·2^n] ms.
        var gateway = await StartGatewayAsync(o => o with { ReconnectDelay = TimeSpan.FromMilliseconds(20) });
        await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp);
        _server.LoginCode = "50013";
        _server.DropAll();

        // Six refused re-logins after the first login, the pauses between them from [20, 40] ms up to [320, 640] ms.
        await WaitUntilAsync(() => _server.LoginStamps.Count >= 7);
        long[] refused = [.. _server.LoginStamps.Skip(1).Take(6)];
        double[] gaps = [.. refused.Zip(refused.Skip(1), (a, b) => System.Diagnostics.Stopwatch.GetElapsedTime(a, b).TotalMilliseconds)];
        string seen = string.Join(", ", gaps.Select(g => $"{g:F0} ms"));
        // A stall of the machine only lengthens a gap (one once made the first 560 ms), so the checks are ones a stall cannot
        // break: the fifth pause is drawn from [320, 640] ms, which a flat or non-growing delay (~20–40 ms) does not reach,
        // and it is at least twice the shortest gap before it (five doublings give ≥ 8×).
        Assert.True(gaps[^1] >= 300 && gaps[^1] >= 2 * gaps[..^1].Min(), $"gaps between refused logins: {seen}");
        Assert.Null(gateway.Fault);
        Assert.Equal(50013, Assert.IsType<OkxLoginException>(gateway.LastConnectError).Code);

        // A login that succeeds starts the back-off over: the next drop is retried at the first pause, not the sixth.
        _server.LoginCode = "0";
        await WaitUntilAsync(() => _sink.Of<VenueHealthReport>().Count(h => h.Kind == VenueHealthKind.OrderEntryUp) == 2);
        _server.LoginCode = "50013";
        int before = _server.LoginStamps.Count;
        long dropped = System.Diagnostics.Stopwatch.GetTimestamp();
        _server.DropAll();
        await WaitUntilAsync(() => _server.LoginStamps.Count > before);
        double again = System.Diagnostics.Stopwatch.GetElapsedTime(dropped, _server.LoginStamps.Skip(before).First()).TotalMilliseconds;
        // Started over: the first pause, [20, 40] ms; not started over it would be the seventh, ≥ 640 ms (a stall only lengthens it).
        Assert.True(again < 600, $"first retry {again:F0} ms after the drop; gaps before: {seen}");
    }

    [Fact]
    public async Task Reconcile_FailingAgainAndAgain_RetriesBackOff_ReasonShown_UpOnceAPassSucceeds()
    {
        // Tens of ms so the test is quick; the pause after n failed passes is drawn from [10·2^n, 20·2^n] ms.
        var gateway = await StartGatewayAsync(o => o with { ReconnectDelay = TimeSpan.FromMilliseconds(20) });
        await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp);
        var reads = new System.Collections.Concurrent.ConcurrentQueue<long>();
        bool failing = true;
        _server.RestHandler = (_, path, _) =>
        {
            if (!path.StartsWith("/api/v5/trade/orders-pending", StringComparison.Ordinal))
                return path.StartsWith("/api/v5/trade/fills", StringComparison.Ordinal) ? (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[]}") : null;
            reads.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
            return Volatile.Read(ref failing)
                ? (503, "{\"code\":\"50001\",\"msg\":\"Service temporarily unavailable\",\"data\":[]}")
                : (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[]}");
        };
        _server.DropAll();

        // Six failed passes on the new connection: the pauses between them grow (a flat pause gives gaps of one size).
        await WaitUntilAsync(() => reads.Count >= 6);
        long[] stamps = [.. reads.Take(6)];
        double[] gaps = [.. stamps.Zip(stamps.Skip(1), (a, b) => System.Diagnostics.Stopwatch.GetElapsedTime(a, b).TotalMilliseconds)];
        string seen = string.Join(", ", gaps.Select(g => $"{g:F0} ms"));
        // Checks a stall of the machine (which only lengthens a gap) cannot break: the fifth gap follows the fourth failed
        // pass, a pause drawn from [160, 320] ms, out of a flat delay's reach (~10–40 ms), and is at least twice the shortest
        // gap before it.
        Assert.True(gaps[^1] >= 150 && gaps[^1] >= 2 * gaps[..^1].Min(), $"gaps between failed reconciliations: {seen}");
        Assert.False(gateway.IsReady);
        Assert.Equal(1, _sink.Of<VenueHealthReport>().Count(h => h.Kind == VenueHealthKind.OrderEntryUp));
        Assert.True(gateway.ReconcileFailures >= 5);
        Assert.Contains("reconciliation after the reconnect failed", gateway.LastConnectError?.Message);
        Assert.Contains("code 50001", gateway.LastConnectError?.Message);
        Assert.Null(gateway.Fault);

        // The venue answers again: the next pass reconciles, order entry comes back up and the reason is gone.
        Volatile.Write(ref failing, false);
        await WaitUntilAsync(() => _sink.Of<VenueHealthReport>().Count(h => h.Kind == VenueHealthKind.OrderEntryUp) == 2);
        Assert.True(gateway.IsReady);
        Assert.Null(gateway.LastConnectError);
        Assert.Equal(2, _server.Logins); // retried on the connection it had, not by reconnecting
    }

    [Fact]
    public async Task ConnectGate_WindowTakenByTheFeed_TheGatewayWaitsForASlot()
    {
        // The per-IP window (1 attempt a second here) was just used by the market-data feed: the gateway's connect waits.
        var gate = new OkxRequestGate(TimeProvider.System, connectsPerSecond: 1);
        Assert.Equal(TimeSpan.Zero, gate.TryConnect());
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var gateway = await StartGatewayAsync(o => o with { ConnectGate = gate });
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(900),
            $"connected after {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
        Assert.True(gateway.ConnectsThrottled >= 1);
        Assert.True(gateway.IsReady);
        Assert.True(gate.TryConnect() > TimeSpan.Zero, "the gateway's attempt took the window's slot");
    }

    [Theory]
    [InlineData(50111)] // invalid OK-ACCESS-KEY
    [InlineData(50110)] // the IP is not on the key's list
    public async Task Reconcile_KeyRefusedOverRest_StopsRetrying_FaultHoldsTheReason(int code)
    {
        // The WebSocket session logs on again but the REST reconciliation finds the key refused: retrying cannot heal it.
        var gateway = await StartGatewayAsync(o => o with { ReconnectDelay = TimeSpan.FromMilliseconds(20) });
        await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp);
        int reads = 0;
        _server.RestHandler = (_, path, _) =>
        {
            if (!path.StartsWith("/api/v5/trade/orders-pending", StringComparison.Ordinal))
                return null;
            Interlocked.Increment(ref reads);
            return (401, $"{{\"code\":\"{code}\",\"msg\":\"Invalid OK-ACCESS-KEY\",\"data\":[]}}");
        };
        _server.DropAll();

        await WaitUntilAsync(() => gateway.Fault is not null);
        var fault = Assert.IsType<OkxTradeRestException>(gateway.Fault);
        Assert.Equal(code, fault.Code);
        Assert.DoesNotContain(FakeOkxServer.Secret, fault.Message);
        Assert.False(gateway.IsReady);
        int seen = Volatile.Read(ref reads);
        await Task.Delay(400); // a retry backs off from 20 ms: several more reads would come within this
        Assert.Equal(seen, Volatile.Read(ref reads));
        Assert.Equal(1, seen);
        Assert.Equal(1, _sink.Of<VenueHealthReport>().Count(h => h.Kind == VenueHealthKind.OrderEntryUp));
    }

    [Theory]
    [InlineData(60024)] // wrong passphrase
    [InlineData(60032)] // the API key does not exist (deleted at the venue)
    [InlineData(50113)] // invalid sign
    [InlineData(50007)] // account blocked
    public async Task Relogin_RefusedForGood_StopsReconnecting_FaultHoldsTheReason(int code)
    {
        var gateway = await StartGatewayAsync();
        await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp);
        _server.LoginCode = code.ToString(CultureInfo.InvariantCulture);
        _server.DropAll();

        await WaitUntilAsync(() => gateway.Fault is not null);
        var fault = Assert.IsType<OkxLoginException>(gateway.Fault);
        Assert.Equal(code, fault.Code);
        Assert.Contains($"code {code}", fault.Message);
        Assert.DoesNotContain(FakeOkxServer.Secret, fault.Message);
        Assert.DoesNotContain(FakeOkxServer.Passphrase, fault.Message);
        Assert.False(gateway.IsReady);
        Assert.Equal(2, _server.Logins);
        await Task.Delay(300); // a retry would log in again within ReconnectDelay (50 ms)
        Assert.Equal(2, _server.Logins);
        Assert.Equal(0, gateway.Reconnects);
        Assert.Equal(1, _sink.Of<VenueHealthReport>().Count(h => h.Kind == VenueHealthKind.OrderEntryDown));
        Assert.Equal(1, _sink.Of<VenueHealthReport>().Count(h => h.Kind == VenueHealthKind.OrderEntryUp));
    }

    [Fact]
    public async Task WebSocketDown_CommandsGoOverSignedRest_AnswerMappedTheSameWay()
    {
        var gateway = await StartGatewayAsync();
        string? placed = null;
        _server.RestHandler = (method, path, body) =>
        {
            if (method == "POST" && path == "/api/v5/trade/order")
            {
                placed = body;
                return (200, $"{{\"code\":\"0\",\"msg\":\"\",\"data\":[{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"901\",\"ts\":\"7\",\"sCode\":\"0\",\"sMsg\":\"\"}}]}}");
            }
            if (method == "POST" && path == "/api/v5/trade/cancel-order")
                return (200, "{\"code\":\"1\",\"msg\":\"\",\"data\":[{\"clOrdId\":\"\",\"ordId\":\"902\",\"ts\":\"7\",\"sCode\":\"51400\",\"sMsg\":\"does not exist\"}]}");
            return null;
        };
        _server.RefuseWebSockets = true;
        _server.DropAll();
        await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryDown);
        gateway.Send(Place(Order1));
        Assert.Equal((Order1, 901L), ((await _sink.WaitForAsync<AckReport>()).ClientOrderId, (await _sink.WaitForAsync<AckReport>()).VenueOrderId));
        Assert.Contains("\"instId\":\"BTC-USDT\"", placed);
        Assert.Contains("\"tdMode\":\"cash\"", placed);
        gateway.Send(OrderCommand.From(new CancelOrderCommand(0, Cancel1, New1, 902), 0));
        var reject = await _sink.WaitForAsync<RejectReport>();
        Assert.Equal((New1, RejectReason.UnknownOrder, 51400), (reject.ClientOrderId, reject.Reason, reject.VenueCode));
        Assert.Equal(2, gateway.CommandsSentRest);
        Assert.Equal(0, _server.SignatureFailures);
        Assert.Empty(_server.OpsReceived);
    }

    [Fact]
    public async Task VenueRateLimit50011_RejectWithRetryAfter_ThenLocalRefusalDuringBackoff_CancelsStillGo()
    {
        var gateway = await StartGatewayAsync(o => o with { VenueBackoff = TimeSpan.FromSeconds(5) });
        gateway.Send(Place(Order1));
        var (socket, op) = await _server.NextOpAsync();
        await _server.SendAsync(socket, FakeOkxServer.Reply(op, 1, $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"\",\"ts\":\"1\",\"sCode\":\"50011\",\"sMsg\":\"Rate limit reached.\"}}"));
        var first = await _sink.WaitForAsync<RejectReport>();
        Assert.Equal((RejectReason.RateLimited, 50011), (first.Reason, first.VenueCode));
        Assert.Equal(5_000_000_000, first.RetryAfterNs);

        gateway.Send(Place(New1));
        var local = await _sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == New1);
        Assert.Equal(RejectReason.RateLimited, local.Reason);
        Assert.InRange(local.RetryAfterNs, 1, 5_000_000_000);
        Assert.Equal(1, gateway.LocalRejects);
        gateway.Send(OrderCommand.From(new CancelOrderCommand(0, Cancel1, Order1, 555), 0));
        (_, op) = await _server.NextOpAsync();
        Assert.Equal("cancel-order", op.GetProperty("op").GetString()); // the new order never left; the cancel did
        Assert.Equal(2, _server.OpsReceived.Count);
    }

    [Fact]
    public async Task LocalRateLimit_MoreThanTheWindowAllows_RefusedBeforeSending()
    {
        var gateway = await StartGatewayAsync(o => o with { OrderOpsPerWindow = 3, RateWindow = TimeSpan.FromSeconds(30) });
        for (long s = 1; s <= 4; s++)
            gateway.Send(Place(new ClientOrderId(1, 2, 100 + s)));
        var reject = await _sink.WaitForAsync<RejectReport>();
        Assert.Equal((new ClientOrderId(1, 2, 104), RejectReason.RateLimited), (reject.ClientOrderId, reject.Reason));
        Assert.InRange(reject.RetryAfterNs, 20_000_000_000, 30_000_000_000);
        for (int i = 0; i < 3; i++)
            await _server.NextOpAsync();
        Assert.True(await _server.NoOpWithinAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(3, _server.OpsReceived.Count);
    }

    [Fact]
    public async Task UnknownInstrument_LocalRejectInvalidRequest()
    {
        var gateway = await StartGatewayAsync();
        gateway.Send(OrderCommand.From(new PlaceOrderCommand(9, Order1, OrderSide.Buy, OrderType.Limit, new Price(1), new Qty(1)), 0));
        var reject = await _sink.WaitForAsync<RejectReport>();
        Assert.Equal(RejectReason.InvalidRequest, reject.Reason);
        Assert.True(await _server.NoOpWithinAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task KeepAlive_PingAfterSilence_PongRoundTripReported_NoPongReconnects()
    {
        var gateway = await StartGatewayAsync(o => o with { PingInterval = TimeSpan.FromMilliseconds(100), LivenessTimeout = TimeSpan.FromMilliseconds(400) });
        var probe = await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.ProbeRoundTrip);
        Assert.True(probe.Value > 0);
        _server.AnswerPings = false;
        await _sink.WaitForAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryDown);
        _server.AnswerPings = true;
        await WaitUntilAsync(() => gateway.Reconnects == 1 && gateway.IsReady);
        Assert.Equal(2, _server.Logins);
    }

    [Fact]
    public async Task Query_Found_FillsThenStatus_NotFoundOn51603_RequestsSigned()
    {
        var gateway = await StartGatewayAsync();
        _server.RestHandler = (method, path, _) => path.StartsWith("/api/v5/trade/order?", StringComparison.Ordinal)
            ? path.Contains(Cl(New1), StringComparison.Ordinal) ? (200, "{\"code\":\"51603\",\"msg\":\"Order does not exist\",\"data\":[]}")
            : (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instId\":\"BTC-USDT\",\"ordId\":\"555\",\"clOrdId\":\"" + Cl(Order1)
                + "\",\"state\":\"filled\",\"ordType\":\"limit\",\"accFillSz\":\"0.002\",\"uTime\":\"1700000002000\"}]}")
            : path.StartsWith("/api/v5/trade/fills?", StringComparison.Ordinal) && path.Contains("ordId=555", StringComparison.Ordinal)
            ? (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instId\":\"BTC-USDT\",\"tradeId\":\"77\",\"ordId\":\"555\",\"clOrdId\":\"" + Cl(Order1)
                + "\",\"billId\":\"1\",\"fillPx\":\"65000.1\",\"fillSz\":\"0.002\",\"side\":\"buy\",\"execType\":\"T\",\"fee\":\"-0.1\",\"feeCcy\":\"USDT\",\"ts\":\"1\"}]}")
            : null;
        gateway.Send(OrderCommand.From(new QueryOrderCommand(0, Order1), 0));
        var status = await _sink.WaitForAsync<OrderStatusReport>();
        Assert.Equal(new OrderStatusReport(0, Order1, VenueOrderStatus.Filled, 555, new Qty(200_000), 1_700_000_002_000_000_000), status);
        var reports = _sink.Reports;
        Assert.True(reports.FindIndex(r => r is FillReport { TradeId: 77 }) < reports.FindIndex(r => r is OrderStatusReport));
        gateway.Send(OrderCommand.From(new QueryOrderCommand(0, New1), 0));
        Assert.Equal(VenueOrderStatus.NotFound, (await _sink.WaitForAsync<OrderStatusReport>(s => s.ClientOrderId == New1)).Status);
        Assert.Equal(0, _server.SignatureFailures);
        Assert.Empty(_server.OpsReceived); // queries are REST reads, not trade ops
    }

    /// <summary>An exception an order query's task does not expect (the sink breaks on its answer) becomes the gateway's fault.</summary>
    [Fact]
    public async Task Query_UnexpectedExceptionInItsTask_BecomesTheGatewaysFault()
    {
        var gateway = await StartGatewayAsync();
        _server.RestHandler = (method, path, _) => path.StartsWith("/api/v5/trade/order?", StringComparison.Ordinal)
            ? (200, "{\"code\":\"51603\",\"msg\":\"Order does not exist\",\"data\":[]}")
            : null;
        _sink.Breaks = r => r is OrderStatusReport;
        Assert.Null(gateway.Fault);
        gateway.Send(OrderCommand.From(new QueryOrderCommand(0, New1), 0));
        await WaitUntilAsync(() => gateway.Fault is not null);
        Assert.Equal("an order query failed unexpectedly: InvalidOperationException: the sink broke on OrderStatusReport", gateway.Fault!.Message);
        Assert.True(gateway.IsReady); // order entry goes on: cancels still need it
    }

    [Fact]
    public async Task RestQueries_OpenOrdersTradesBalances_SignedAndParsed_DemoHeader()
    {
        var gateway = await StartGatewayAsync(o => o with { SimulatedTrading = true, FillsPageLimit = 2 });
        string Fill(long trade, long bill, string cl) => "{\"instId\":\"BTC-USDT\",\"tradeId\":\"" + trade + "\",\"ordId\":\"" + (500 + trade) + "\",\"clOrdId\":\"" + cl
            + "\",\"billId\":\"" + bill + "\",\"fillPx\":\"65000.1\",\"fillSz\":\"0.001\",\"side\":\"sell\",\"execType\":\"M\",\"fee\":\"-0.1\",\"feeCcy\":\"USDT\",\"ts\":\"1700000000000\"}";
        _server.RestHandler = (method, path, _) =>
        {
            if (path.StartsWith("/api/v5/trade/orders-pending?instType=SPOT&instId=BTC-USDT", StringComparison.Ordinal))
                return (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instId\":\"BTC-USDT\",\"ordId\":\"555\",\"clOrdId\":\"" + Cl(Order1)
                    + "\",\"px\":\"65000.1\",\"sz\":\"0.002\",\"ordType\":\"post_only\",\"side\":\"sell\",\"state\":\"live\",\"accFillSz\":\"0\",\"uTime\":\"1700000001000\"},"
                    + "{\"instId\":\"BTC-USDT\",\"ordId\":\"556\",\"clOrdId\":\"someoneelse\",\"px\":\"1\",\"sz\":\"1\",\"ordType\":\"limit\",\"side\":\"buy\",\"state\":\"live\",\"accFillSz\":\"0\",\"uTime\":\"1\"}]}");
            if (path.StartsWith("/api/v5/trade/fills?", StringComparison.Ordinal))
            {
                // Newest first, 2 per page, paged by billId: trades 14, 13 | 12 (foreign), 11 | 10.
                return path.Contains("after=", StringComparison.Ordinal)
                    ? path.EndsWith("after=103", StringComparison.Ordinal)
                        ? (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[" + Fill(12, 102, "foreign1") + "," + Fill(11, 101, Cl(Order1)) + "]}")
                        : (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[" + Fill(10, 100, Cl(Order1)) + "]}")
                    : (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[" + Fill(14, 104, Cl(New1)) + "," + Fill(13, 103, Cl(Order1)) + "]}");
            }
            if (path == "/api/v5/account/balance")
                return (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"details\":[{\"ccy\":\"BTC\",\"availBal\":\"1.5\",\"frozenBal\":\"0.25\"},"
                    + "{\"ccy\":\"USDT\",\"availBal\":\"100.123456789\",\"frozenBal\":\"0\"},{\"ccy\":\"ETH\",\"availBal\":\"0\",\"frozenBal\":\"0\"}]}]}");
            return null;
        };
        var open = Assert.Single(await gateway.GetOpenOrdersAsync(0, CancellationToken.None));
        Assert.Equal(new VenueOpenOrder(new OrderStatusReport(0, Order1, VenueOrderStatus.New, 555, default, 1_700_000_001_000_000_000),
            OrderSide.Sell, OrderType.LimitMaker, new Price(650_001), new Qty(200_000)), open);

        var trades = await gateway.GetTradesAsync(0, 10, CancellationToken.None);
        Assert.Equal([11L, 13, 14], trades.Select(t => t.TradeId));
        Assert.Equal([Order1, Order1, New1], trades.Select(t => t.ClientOrderId));
        Assert.All(trades, t => Assert.Equal((OrderSide.Sell, 1L, true), (t.Side, t.Fee, t.IsMaker)));

        var balances = await gateway.GetBalancesAsync(CancellationToken.None);
        Assert.Equal([new VenueBalance("BTC", 150_000_000, 25_000_000), new VenueBalance("USDT", 10_012_345_678, 0)], balances);

        Assert.Equal(0, _server.SignatureFailures);
        var signed = _server.RestRequests.Where(r => r.PathAndQuery.StartsWith("/api/v5/trade", StringComparison.Ordinal) || r.PathAndQuery.StartsWith("/api/v5/account", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, signed.Count); // orders-pending, 3 fills pages (the third is short), balance; the start reconciles nothing
        Assert.All(signed, r => Assert.True(r.Simulated));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => gateway.GetOpenOrdersAsync(7, CancellationToken.None));
    }

    [Fact]
    public async Task CancelAll_BatchCancelOverWs_CanceledPerOrderOfOurs_ForeignCounted()
    {
        var gateway = await StartGatewayAsync();
        _server.RestHandler = (_, path, _) => path.StartsWith("/api/v5/trade/orders-pending", StringComparison.Ordinal)
            ? (200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instId\":\"BTC-USDT\",\"ordId\":\"555\",\"clOrdId\":\"" + Cl(Order1) + "\",\"px\":\"1\",\"sz\":\"1\",\"ordType\":\"limit\",\"side\":\"buy\",\"state\":\"live\",\"accFillSz\":\"0\",\"uTime\":\"1\"},"
                + "{\"instId\":\"BTC-USDT\",\"ordId\":\"556\",\"clOrdId\":\"\",\"px\":\"1\",\"sz\":\"1\",\"ordType\":\"limit\",\"side\":\"buy\",\"state\":\"live\",\"accFillSz\":\"0\",\"uTime\":\"1\"}]}")
            : null;
        gateway.CancelAll(0, Cancel1);
        var (socket, op) = await _server.NextOpAsync();
        Assert.Equal("batch-cancel-orders", op.GetProperty("op").GetString());
        Assert.Equal(["555", "556"], op.GetProperty("args").EnumerateArray().Select(a => a.GetProperty("ordId").GetString()));
        string id = op.GetProperty("id").GetString()!;
        await _server.SendAsync(socket, $"{{\"id\":\"{id}\",\"op\":\"batch-cancel-orders\",\"code\":\"0\",\"msg\":\"\",\"data\":["
            + $"{{\"clOrdId\":\"{Cl(Order1)}\",\"ordId\":\"555\",\"sCode\":\"0\",\"sMsg\":\"\"}},{{\"clOrdId\":\"\",\"ordId\":\"556\",\"sCode\":\"0\",\"sMsg\":\"\"}}]}}");
        Assert.Equal(Order1, (await _sink.WaitForAsync<CanceledReport>()).ClientOrderId);
        await WaitUntilAsync(() => gateway.ForeignReports >= 2);
        Assert.Single(_sink.Of<CanceledReport>());
        Assert.Empty(_sink.Of<RejectReport>());
    }

    [Fact]
    public async Task CancelAll_NothingOpen_RejectUnknownOrderNamingTheCancel()
    {
        var gateway = await StartGatewayAsync();
        gateway.CancelAll(0, Cancel1);
        var reject = await _sink.WaitForAsync<RejectReport>();
        Assert.Equal((Cancel1, CommandKind.Cancel, RejectReason.UnknownOrder), (reject.ClientOrderId, reject.Command, reject.Reason));
        Assert.Empty(_server.OpsReceived);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("condition not met in time");
            await Task.Delay(10);
        }
    }
}
