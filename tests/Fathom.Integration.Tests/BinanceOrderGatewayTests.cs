using Fathom.Gateway.Abstractions;
using Fathom.Venues.Binance;
using Xunit;
using Side = Fathom.Core.OrderSide;

namespace Fathom.Integration.Tests;

/// <summary>
/// <see cref="BinanceOrderGateway"/> against the simulator on loopback: round trips over the WS API
/// (HMAC per request and Ed25519 session.logon), REST fallback, user data fills, and every order-entry
/// fault the simulator injects. Real time; every wait is bounded.
/// </summary>
public sealed class BinanceOrderGatewayTests
{
    private const long Qty = 100_000;                    // 0.001 BTC
    private const long Passive = 50_000 * GatewayRig.Px; // far below the house bids: rests
    private const long Aggressive = 61_000 * GatewayRig.Px; // above the house asks: trades

    [Fact]
    public async Task PlaceThenCancel_Hmac_AckThenCanceled()
    {
        await using var rig = await GatewayRig.StartAsync();
        Assert.True(rig.Gateway.IsReady);
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty));
        var ack = await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == id, "ack");
        Assert.True(ack.VenueOrderId > 0);
        Assert.Equal(1, rig.VenueOrdersWithClientId(id));

        var cancelId = rig.NextId();
        rig.Gateway.Send(OrderCommand.From(new CancelOrderCommand(GatewayRig.Btc, cancelId, id, ack.VenueOrderId), 0));
        await rig.Sink.WaitForAsync<CanceledReport>(c => c.ClientOrderId == id, "canceled");
        Assert.Equal(0, rig.VenueOrdersWithClientId(id));
        Assert.Empty(rig.Sink.All<RejectReport>());
        Assert.Empty(rig.Sink.All<StatusUnknownReport>());
        Assert.True(rig.Gateway.CommandsSentWs >= 2);
        Assert.Equal(0, rig.Gateway.CommandsSentRest);
        Assert.True(rig.Gateway.AccountPositionEvents > 0); // user data subscription is live
    }

    [Theory]
    [InlineData(true)]  // the frame is written on the caller's thread, before Send returns
    [InlineData(false)] // the send thread writes it
    public async Task Send_WithTriggerStamp_RecordsTickToWire_InlineOrOnTheSendThread(bool inline)
    {
        await using var rig = await GatewayRig.StartAsync(options: o => new BinanceOrderGatewayOptions
        {
            RestBase = o.RestBase, WsApiUrl = o.WsApiUrl, RequestTimeout = o.RequestTimeout, ControlTimeout = o.ControlTimeout,
            ReconnectDelay = o.ReconnectDelay, InlineSend = inline,
            ProbeInterval = TimeSpan.Zero, // a probe queued at that instant would (rightly) send the command through the send thread
        });
        var inlineHistogram = new HdrHistogram.LongHistogram(60_000_000_000, 3);
        var queuedHistogram = new HdrHistogram.LongHistogram(60_000_000_000, 3);
        rig.Gateway.TickToWire = inlineHistogram;
        rig.Gateway.TickToWireQueued = queuedHistogram;
        var histogram = inline ? inlineHistogram : queuedHistogram;
        var clock = Fathom.Core.MonotonicClock.System;
        var id = rig.NextId();
        long sentBefore = rig.Gateway.CommandsSentWs;
        long trigger = clock.NowNanos();
        long handedNs = rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty), trigger);
        long returnedNs = clock.NowNanos();
        if (inline)
        {
            Assert.Equal(sentBefore + 1, rig.Gateway.CommandsSentWs); // on the wire already
            // Send returns its "handed to the socket" stamp, taken before the write (the engine's tick-to-order ends
            // there); the tick-to-wire sample is taken after the write, so it is never shorter.
            Assert.InRange(handedNs, trigger, returnedNs);
            // The sample waits off the send path until the core has handed over its input's last command.
            Assert.Equal(0, histogram.TotalCount);
            rig.Gateway.CommandsHandedOver();
        }
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == id, "ack");
        Assert.Equal(inline ? 1 : 0, rig.Gateway.SentInline);
        // The send thread records once the socket took the frame; the venue's ack can be read before that.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (histogram.TotalCount == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(5);
        Assert.Equal(1, histogram.TotalCount);
        Assert.Equal(0, (inline ? queuedHistogram : inlineHistogram).TotalCount);
        Assert.InRange(HdrHistogram.HistogramExtensions.GetMaxValue(histogram), 1, 60_000_000_000);
        if (inline)
            Assert.True(HdrHistogram.HistogramExtensions.GetMaxValue(histogram) >= histogram.LowestEquivalentValue(handedNs - trigger));
        else
            Assert.Equal(0, handedNs); // queued for the send thread: the caller stamps its own hand-off
        // A command no frame caused records nothing.
        var cancelId = rig.NextId();
        rig.Gateway.Send(OrderCommand.From(new CancelOrderCommand(GatewayRig.Btc, cancelId, id, 0), 0));
        await rig.Sink.WaitForAsync<CanceledReport>(c => c.ClientOrderId == id, "canceled");
        Assert.Equal(1, histogram.TotalCount);
    }

    /// <summary>
    /// The core's rehearsal of the send path on a logged-on session: the frame is encoded into the buffer a real send
    /// writes, nothing reaches the venue, no request id or rate limit is spent, and the real send after it is whole.
    /// An HMAC connection (per-request signatures) is not rehearsed.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Rehearse_EncodesOnALoggedOnSession_AndSendsNothing(bool ed25519)
    {
        await using var rig = await GatewayRig.StartAsync(ed25519: ed25519);
        var id = rig.NextId();
        OrderCommand place = rig.Place(id, Side.Sell, 70_000 * GatewayRig.Px, Qty, OrderType.LimitMaker);
        long sent = rig.Gateway.CommandsSentWs;
        for (int i = 0; i < 3; i++)
            rig.Gateway.Rehearse(place);
        Assert.Equal(ed25519 ? 3 : 0, rig.Gateway.Rehearsals);
        Assert.Equal(sent, rig.Gateway.CommandsSentWs);
        await Task.Delay(200);
        Assert.Equal(0, rig.VenueOrdersWithClientId(id));

        rig.Gateway.Send(place);
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == id, "ack");
        Assert.Equal(1, rig.VenueOrdersWithClientId(id));
        Assert.Empty(rig.Sink.All<RejectReport>());
        Assert.Empty(rig.Sink.All<StatusUnknownReport>());
    }

    [Fact]
    public async Task Place_Ed25519SessionLogon_Ack()
    {
        await using var rig = await GatewayRig.StartAsync(ed25519: true);
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Sell, 70_000 * GatewayRig.Px, Qty, OrderType.LimitMaker));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == id, "ack");
        Assert.Equal(1, rig.VenueOrdersWithClientId(id));
    }

    [Fact]
    public async Task CancelReplace_CanceledOldAndAckedNew()
    {
        await using var rig = await GatewayRig.StartAsync();
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty));
        var ack = await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == id, "ack");
        var cancelId = rig.NextId();
        var newId = rig.NextId();
        rig.Gateway.Send(OrderCommand.From(new CancelReplaceCommand(GatewayRig.Btc, cancelId, id, ack.VenueOrderId, newId,
            Side.Buy, OrderType.Limit, new Core.Price(Passive + GatewayRig.Px), new Core.Qty(Qty * 2)), 0));
        await rig.Sink.WaitForAsync<CanceledReport>(c => c.ClientOrderId == id, "old canceled");
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == newId && a.VenueOrderId > ack.VenueOrderId, "new acked");
        Assert.Equal(0, rig.VenueOrdersWithClientId(id));
        Assert.Equal(1, rig.VenueOrdersWithClientId(newId));
    }

    /// <summary>
    /// Two orders of one account cross at the simulator. The gateway's mode (default EXPIRE_TAKER) reaches
    /// the venue on the WS API and on REST: the crossing order comes back expired (EXPIRED_IN_MATCH), the
    /// resting one stays, nothing fills, and the simulator counts one STP expiry. With SymbolDefault nothing
    /// is sent and the symbol's default (EXPIRE_MAKER) expires the resting order instead. REST-only has no user
    /// stream: the expiry is read back with an order query (EXPIRED_IN_MATCH reported as Expired).
    /// </summary>
    [Theory]
    [InlineData(BinanceSelfTradePreventionMode.ExpireTaker, false)]
    [InlineData(BinanceSelfTradePreventionMode.ExpireTaker, true)]
    [InlineData(BinanceSelfTradePreventionMode.SymbolDefault, false)]
    public async Task SelfCross_StpMode_ExpiresTheOrderTheModeNames_NoFill_Counted(BinanceSelfTradePreventionMode stp, bool restOnly)
    {
        await using var rig = await GatewayRig.StartAsync(options: o => o with
        {
            SelfTradePrevention = stp, RestOnly = restOnly, RequestTimeout = restOnly ? TimeSpan.FromSeconds(3) : o.RequestTimeout,
        });
        Assert.Equal(BinanceOrderGatewayOptions.DefaultSelfTradePrevention, BinanceOrderGatewayOptions.Local(rig.Server.BaseAddress).SelfTradePrevention);
        // Inside the house spread (bids from 59,970, asks from 60,030): our buy rests at the top, our sell meets it first.
        const long inside = 60_000 * GatewayRig.Px;
        var buy = rig.NextId();
        rig.Gateway.Send(rig.Place(buy, Side.Buy, inside, Qty));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == buy, "resting buy acked");
        var sell = rig.NextId();
        rig.Gateway.Send(rig.Place(sell, Side.Sell, inside, Qty));
        var (expired, survivor) = stp == BinanceSelfTradePreventionMode.ExpireTaker ? (sell, buy) : (buy, sell);
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == sell, "crossing order acked");
        if (restOnly)
        {
            rig.Gateway.Send(OrderCommand.From(new QueryOrderCommand(GatewayRig.Btc, expired), 0));
            await rig.Sink.WaitForAsync<OrderStatusReport>(s => s.ClientOrderId == expired && s.Status == VenueOrderStatus.Expired, "STP expiry by query");
        }
        else
        {
            await rig.Sink.WaitForAsync<ExpiredReport>(e => e.ClientOrderId == expired, "STP expiry");
        }

        Assert.Empty(rig.Sink.All<FillReport>());
        Assert.Empty(rig.Sink.All<RejectReport>());
        Assert.DoesNotContain(rig.Sink.All<ExpiredReport>(), e => e.ClientOrderId == survivor);
        Assert.Equal(0, rig.VenueOrdersWithClientId(expired));
        Assert.Equal(1, rig.VenueOrdersWithClientId(survivor));
        long total = 0, ours = 0;
        rig.Sim.Api.Run(e =>
        {
            total = e.StpExpiredOrders;
            ours = e.Accounts.Single(a => a.Name == "demo").StpExpiredOrders;
        });
        Assert.Equal((1, 1), (total, ours));
        Assert.Equal(restOnly ? 0 : 2, rig.Gateway.CommandsSentWs);
        Assert.Equal(restOnly ? 3 : 0, rig.Gateway.CommandsSentRest);
    }

    [Fact]
    public async Task CancelReplace_UnknownOrder_RejectedStopOnFailure()
    {
        await using var rig = await GatewayRig.StartAsync();
        var ghost = rig.NextId();
        var newId = rig.NextId();
        rig.Gateway.Send(OrderCommand.From(new CancelReplaceCommand(GatewayRig.Btc, rig.NextId(), ghost, 0, newId,
            Side.Buy, OrderType.Limit, new Core.Price(Passive), new Core.Qty(Qty)), 0));
        var reject = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == ghost, "cancelReplace reject");
        Assert.Equal(CommandKind.CancelReplace, reject.Command);
        Assert.Equal(RejectReason.UnknownOrder, reject.Reason);
        Assert.Equal(0, rig.VenueOrdersWithClientId(newId));
    }

    /// <summary>A resting bid of 3 × <see cref="Qty"/>, amended down to <see cref="Qty"/> under a new id: its ack and the amend's report.</summary>
    private static async Task<(ClientOrderId Id, AckReport Ack, ClientOrderId AmendId, AmendedReport Amended)> RestAndAmendAsync(GatewayRig rig)
    {
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty * 3));
        var ack = await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == id, "ack");
        var amendId = rig.NextId();
        rig.Gateway.Send(OrderCommand.From(new AmendQtyCommand(GatewayRig.Btc, amendId, id, ack.VenueOrderId, new Core.Qty(Qty)), 0));
        var amended = await rig.Sink.WaitForAsync<AmendedReport>(a => a.NewClientOrderId == amendId, "amended");
        return (id, ack, amendId, amended);
    }

    [Fact]
    public async Task AmendKeepPriority_AmendedWithNewQty()
    {
        await using var rig = await GatewayRig.StartAsync();
        var (id, _, amendId, amended) = await RestAndAmendAsync(rig);
        Assert.Equal(id, amended.OrigClientOrderId);
        Assert.Equal(Qty, amended.NewQty.Raw);
        Assert.Equal(1, rig.VenueOrdersWithClientId(amendId));
    }

    /// <summary>
    /// A query for an order an amend renamed, asked by the id we knew it by and the venue's order id (a restart whose
    /// store missed the amend): the answer names the order as asked, and carries the id the venue holds it under now.
    /// </summary>
    [Fact]
    public async Task Query_OrderAnAmendRenamed_AnswerCarriesTheVenuesCurrentClientId()
    {
        await using var rig = await GatewayRig.StartAsync();
        var (id, ack, amendId, _) = await RestAndAmendAsync(rig);
        rig.Gateway.Send(OrderCommand.From(new QueryOrderCommand(GatewayRig.Btc, id, ack.VenueOrderId), 0));
        var status = await rig.Sink.WaitForAsync<OrderStatusReport>(s => s.ClientOrderId == id, "query answer");
        Assert.Equal(VenueOrderStatus.New, status.Status);
        Assert.Equal(ack.VenueOrderId, status.VenueOrderId);
        Assert.Equal(amendId, status.VenueClientOrderId);
    }

    [Fact]
    public async Task AggressiveIoc_FillArrivesAsFillReport()
    {
        await using var rig = await GatewayRig.StartAsync();
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Aggressive, Qty, OrderType.LimitIoc));
        var fill = await rig.Sink.WaitForAsync<FillReport>(f => f.ClientOrderId == id, "fill");
        Assert.True(fill.TradeId > 0);
        Assert.True(fill.VenueOrderId > 0);
        Assert.Equal(Side.Buy, fill.Side);
        Assert.Equal(Qty, fill.Qty.Raw);
        Assert.Equal(Qty, fill.CumulativeQty.Raw);
        Assert.False(fill.IsMaker);
        Assert.True(fill.Price.Raw is > 59_000 * GatewayRig.Px and < Aggressive);
        // Spot buy: commission in BTC (base) = 0.1 % of the qty, valued in USDT at the fill price.
        Assert.Equal(Qty / 1000, fill.FeeQty.Raw);
        Assert.True(fill.Fee > 0);
    }

    [Fact]
    public async Task UnknownStatusAfterAccept_StatusUnknownThenQueryResolves_NoDuplicate()
    {
        await using var rig = await GatewayRig.StartAsync();
        rig.Sim.Faults.UnknownStatusAfterAccept(1);
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty));
        var unknown = await rig.Sink.WaitForAsync<StatusUnknownReport>(u => u.ClientOrderId == id, "unknown");
        Assert.Equal(UnknownCause.ServerError, unknown.Cause);
        Assert.DoesNotContain(rig.Sink.All<RejectReport>(), r => r.ClientOrderId == id);

        rig.Gateway.Send(OrderCommand.From(new QueryOrderCommand(GatewayRig.Btc, id), 0));
        var status = await rig.Sink.WaitForAsync<OrderStatusReport>(s => s.ClientOrderId == id, "query answer");
        Assert.Equal(VenueOrderStatus.New, status.Status);
        Assert.True(status.VenueOrderId > 0);
        Assert.Equal(1, rig.VenueOrdersWithClientId(id));
    }

    [Fact]
    public async Task DroppedAck_TimesOutAsUnknown_QueryResolves_NoDuplicate()
    {
        await using var rig = await GatewayRig.StartAsync();
        rig.Sim.Faults.DropAcks(1);
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty));
        var unknown = await rig.Sink.WaitForAsync<StatusUnknownReport>(u => u.ClientOrderId == id, "timeout");
        Assert.Equal(UnknownCause.Timeout, unknown.Cause);
        // The stream still tells the truth (NEW), and a query agrees.
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == id, "stream NEW");
        rig.Gateway.Send(OrderCommand.From(new QueryOrderCommand(GatewayRig.Btc, id), 0));
        var status = await rig.Sink.WaitForAsync<OrderStatusReport>(s => s.ClientOrderId == id, "query answer");
        Assert.Equal(VenueOrderStatus.New, status.Status);
        Assert.Equal(1, rig.VenueOrdersWithClientId(id));
        Assert.Equal(1, rig.Gateway.Timeouts);
    }

    [Fact]
    public async Task Query_NeverSentOrder_NotFound()
    {
        await using var rig = await GatewayRig.StartAsync();
        var id = rig.NextId();
        rig.Gateway.Send(OrderCommand.From(new QueryOrderCommand(GatewayRig.Btc, id), 0));
        var status = await rig.Sink.WaitForAsync<OrderStatusReport>(s => s.ClientOrderId == id, "query answer");
        Assert.Equal(VenueOrderStatus.NotFound, status.Status);
    }

    [Fact]
    public async Task DisconnectMidOrder_UnknownDisconnected_ReconnectsAndReconciles()
    {
        // A request timeout far beyond the disconnect, so on a loaded machine the timeout cannot win the race.
        await using var rig = await GatewayRig.StartAsync(options: o => new BinanceOrderGatewayOptions
        {
            RestBase = o.RestBase, WsApiUrl = o.WsApiUrl, RequestTimeout = TimeSpan.FromSeconds(5), ControlTimeout = o.ControlTimeout,
            ReconnectDelay = o.ReconnectDelay,
        });
        rig.Sim.Faults.AckDelay = TimeSpan.FromMilliseconds(300);
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty));
        // Disconnect once the order is at the venue (its answer is held back); a fixed pause raced a loaded machine.
        var placedBy = DateTime.UtcNow.AddSeconds(10);
        while (rig.VenueOrdersWithClientId(id) == 0 && DateTime.UtcNow < placedBy)
            await Task.Delay(5);
        Assert.Equal(1, rig.VenueOrdersWithClientId(id));
        int before = rig.Sink.Count;
        rig.Sim.Streams.DisconnectWsApi();
        var unknown = await rig.Sink.WaitForAsync<StatusUnknownReport>(u => u.ClientOrderId == id, "unknown on disconnect");
        Assert.Equal(UnknownCause.Disconnected, unknown.Cause);
        // Order entry is reported down first, then what was in flight is unknown.
        int down = rig.Sink.IndexOf<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryDown, before);
        Assert.InRange(down, before, rig.Sink.IndexOf<StatusUnknownReport>(u => u.ClientOrderId == id, before) - 1);
        rig.Sim.Faults.AckDelay = TimeSpan.Zero;
        // Reconnect, re-subscribe, then reconcile: the open order is reported from GET openOrders.
        OrderStatusReport status;
        try
        {
            status = await rig.Sink.WaitForAsync<OrderStatusReport>(s => s.ClientOrderId == id, "reconciled open order", 15_000);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"{ex.Message}; gateway: reconnects {rig.Gateway.Reconnects}, ready {rig.Gateway.IsReady}, " +
                $"reconciled {rig.Gateway.ReconciledOrders}, sim ws connections {rig.Sim.Streams.WsApiConnections}", ex);
        }
        Assert.Equal(VenueOrderStatus.New, status.Status);
        // Up again only once the reconciliation reached the sink: the core sees the open order before it may quote.
        int up = await rig.Sink.WaitForIndexAsync<VenueHealthReport>(h => h.Kind == VenueHealthKind.OrderEntryUp, down, "order entry up after the reconnect", 15_000);
        Assert.True(up > rig.Sink.IndexOf<OrderStatusReport>(s => s.ClientOrderId == id, down));
        Assert.True(rig.Gateway.Reconnects >= 1);
        Assert.True(rig.Gateway.IsReady);
        Assert.Equal(1, rig.VenueOrdersWithClientId(id));
        // The new connection works and the user stream is subscribed again.
        var next = rig.NextId();
        rig.Gateway.Send(rig.Place(next, Side.Buy, Aggressive, Qty, OrderType.LimitIoc));
        await rig.Sink.WaitForAsync<FillReport>(f => f.ClientOrderId == next, "fill after reconnect");
    }

    [Theory]
    [InlineData(false)] // HMAC: userDataStream.subscribe.signature refused
    [InlineData(true)]  // Ed25519: session.logon refused
    public async Task KeyRevokedWhileConnected_ReconnectRefusedForGood_StopsWithFault_NoMoreAttempts(bool ed25519)
    {
        await using var rig = await GatewayRig.StartAsync(ed25519, proxyWsApi: true, options: o => o with
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(20), ReconnectDelayMax = TimeSpan.FromMilliseconds(100),
        });
        var proxy = rig.Proxy!;
        string apiKey = (ed25519 ? GatewayRig.Ed25519Credentials(Fathom.Simulator.SimulatorConfig.Demo()) : GatewayRig.HmacCredentials(Fathom.Simulator.SimulatorConfig.Demo())).ApiKey;
        // The key is deleted at the venue, then the connection drops: the reconnect's logon/subscribe is refused (-2015).
        Assert.NotNull(rig.Sim.Api.RemoveKey(apiKey));
        int before = proxy.AcceptedAt.Count;
        rig.Sim.Streams.DisconnectWsApi();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (rig.Gateway.Fault is null && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        var fault = Assert.IsType<BinanceRestException>(rig.Gateway.Fault);
        Assert.Equal(-2015, fault.Code);
        Assert.Contains("Invalid API-key", fault.Message);
        Assert.DoesNotContain(apiKey, fault.Message);
        Assert.False(rig.Gateway.IsReady);
        Assert.Equal(0, rig.Gateway.Reconnects);
        // Stopped for good: a retry would connect again within the 100 ms cap.
        int attempts = proxy.AcceptedAt.Count - before;
        await Task.Delay(600);
        Assert.Equal(attempts, proxy.AcceptedAt.Count - before);
        Assert.Single(rig.Sink.All<VenueHealthReport>(), h => h.Kind == VenueHealthKind.OrderEntryDown);
    }

    [Fact]
    public async Task WsApiRefusedAgainAndAgain_PausesGrow_AndStartOverOnceConnected()
    {
        // Binance bans an IP past 300 connections in 5 minutes: a venue that keeps refusing must not be retried at a flat pause.
        await using var rig = await GatewayRig.StartAsync(proxyWsApi: true, options: o => o with
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(20), ReconnectDelayMax = TimeSpan.FromSeconds(1),
        });
        var proxy = rig.Proxy!;
        proxy.RefuseNew = true;
        int before = proxy.AcceptedAt.Count;
        rig.Sim.Streams.DisconnectWsApi();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (proxy.AcceptedAt.Count - before < 7 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        var at = proxy.AcceptedAt.Skip(before).ToList();
        Assert.True(at.Count >= 7, $"{at.Count} reconnect attempts in 60 s");
        // Pauses drawn from [b/2, b] with b = 20 ms · 2^failures: the sixth gap is at least 320 ms (a flat pause: ~20 ms).
        var gaps = at.Zip(at.Skip(1), (a, b) => b - a).ToList();
        // A stall of the machine only lengthens a gap, so the sixth is compared with the shortest before it, not the first.
        Assert.True(gaps[5] >= TimeSpan.FromMilliseconds(300) && gaps[5] > 2 * gaps.Take(5).Min(),
            "gaps between attempts (ms): " + string.Join(", ", gaps.Select(g => g.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture))));
        Assert.False(rig.Gateway.IsReady);
        Assert.NotNull(rig.Gateway.LastConnectError); // why order entry is down, for the host to print once
        Assert.Null(rig.Gateway.Fault); // a refused connection may heal: retried, not a fault

        // The venue accepts again: order entry comes back and works.
        proxy.RefuseNew = false;
        deadline = DateTime.UtcNow.AddSeconds(60);
        while (!rig.Gateway.IsReady && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.True(rig.Gateway.IsReady, "order entry back after the venue accepted again");
        Assert.Null(rig.Gateway.LastConnectError);
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Aggressive, Qty, OrderType.LimitIoc));
        await rig.Sink.WaitForAsync<FillReport>(f => f.ClientOrderId == id, "fill after the reconnect");

        // A connection that logged on starts the back-off over: the next drop is retried at the first pause, not at 1 s.
        int accepted = proxy.AcceptedAt.Count;
        var dropped = DateTime.UtcNow;
        rig.Sim.Streams.DisconnectWsApi();
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (proxy.AcceptedAt.Count == accepted && DateTime.UtcNow < deadline)
            await Task.Delay(5);
        Assert.True(proxy.AcceptedAt.Count > accepted, "no reconnect after the second drop");
        Assert.True(proxy.AcceptedAt[accepted] - dropped < TimeSpan.FromMilliseconds(450),
            $"first retry {(proxy.AcceptedAt[accepted] - dropped).TotalMilliseconds:F0} ms after the drop (the back-off did not start over)");
    }

    [Fact]
    public async Task FillWhileDisconnected_RecoveredFromMyTrades()
    {
        await using var rig = await GatewayRig.StartAsync(options: o => new BinanceOrderGatewayOptions
        {
            RestBase = o.RestBase, WsApiUrl = o.WsApiUrl, RequestTimeout = o.RequestTimeout, ControlTimeout = o.ControlTimeout,
            ReconnectDelay = TimeSpan.FromMilliseconds(400),
        });
        var first = rig.NextId();
        rig.Gateway.Send(rig.Place(first, Side.Buy, Aggressive, Qty, OrderType.LimitIoc));
        await rig.Sink.WaitForAsync<FillReport>(f => f.ClientOrderId == first, "first fill");
        rig.Sim.Streams.DisconnectWsApi();
        await Task.Delay(100);
        Assert.False(rig.Gateway.IsReady);
        // While the WS API is down the command goes over signed REST; its fill is only on the venue.
        var second = rig.NextId();
        rig.Gateway.Send(rig.Place(second, Side.Buy, Aggressive, Qty, OrderType.LimitIoc));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == second, "REST ack");
        Assert.True(rig.Gateway.CommandsSentRest >= 1);
        var fill = await rig.Sink.WaitForAsync<FillReport>(f => f.ClientOrderId == second, "fill recovered after reconnect");
        Assert.True(fill.TradeId > 0);
        Assert.True(rig.Gateway.ReconciledFills >= 1);
    }

    [Fact]
    public async Task FillsWhileDisconnected_MoreThanOnePage_EveryTradeDeliveredOnce()
    {
        // Pages of 2 trades: five aggressive orders while the WS API is down leave several pages behind.
        await using var rig = await GatewayRig.StartAsync(options: o => o with { ReconnectDelay = TimeSpan.FromSeconds(2), TradesPageLimit = 2 });
        var first = rig.NextId();
        rig.Gateway.Send(rig.Place(first, Side.Buy, Aggressive, Qty, OrderType.LimitIoc));
        var seen = await rig.Sink.WaitForAsync<FillReport>(f => f.ClientOrderId == first, "first fill");
        rig.Sim.Streams.DisconnectWsApi();
        await Task.Delay(100);
        Assert.False(rig.Gateway.IsReady);
        var missed = new List<ClientOrderId>();
        for (int i = 0; i < 5; i++)
        {
            var id = rig.NextId();
            missed.Add(id);
            rig.Gateway.Send(rig.Place(id, Side.Buy, Aggressive, Qty, OrderType.LimitIoc));
            await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == id, $"REST ack {i}");
        }
        Assert.False(rig.Gateway.IsReady); // every one of them traded while the stream was away

        // The venue's own record of the account's trades after the last one the gateway saw.
        var venueTrades = new List<long>();
        rig.Sim.Api.Run(e =>
        {
            foreach (var a in e.Accounts.Where(a => a.Name == "demo")) // the gateway's account (Accounts[0] of the config)
                foreach (var t in a.Trades)
                    if (t.TradeId > seen.TradeId)
                        venueTrades.Add(t.TradeId);
        });
        Assert.True(venueTrades.Count >= 5);
        foreach (long tradeId in venueTrades)
            await rig.Sink.WaitForAsync<FillReport>(f => f.TradeId == tradeId, $"trade {tradeId} recovered after reconnect", 10_000);
        await Task.Delay(200);
        var recovered = rig.Sink.All<FillReport>().Where(f => f.TradeId > seen.TradeId).Select(f => f.TradeId).ToList();
        Assert.Equal(venueTrades.Order(), recovered.Order()); // each once, none beyond the venue's
        Assert.All(rig.Sink.All<FillReport>().Where(f => f.TradeId > seen.TradeId), f => Assert.Contains(f.ClientOrderId, missed));
    }

    [Fact]
    public async Task RateLimitBurst_RejectedRateLimited_ThenBackOffHonoured()
    {
        // The burst answers the next request whatever it is: no liveness probe may take it instead of the order.
        await using var rig = await GatewayRig.StartAsync(options: o => o with { ProbeInterval = TimeSpan.Zero });
        rig.Sim.Faults.RateLimitBurst(1);
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty));
        var reject = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == id, "429");
        Assert.Equal(RejectReason.RateLimited, reject.Reason);
        Assert.Equal(-1003, reject.VenueCode);
        Assert.InRange(reject.RetryAfterNs, 1, 5_000_000_000); // the venue's Retry-After (1 s) reaches the core
        Assert.True(rig.Gateway.Limiter.BlockedUntil > DateTimeOffset.UtcNow);
        // Inside Retry-After nothing goes out: refused locally.
        var second = rig.NextId();
        rig.Gateway.Send(rig.Place(second, Side.Buy, Passive, Qty));
        var local = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == second, "local back-off");
        Assert.Equal(RejectReason.RateLimited, local.Reason);
        Assert.Equal(1, rig.Gateway.LocalRejects);
        Assert.Equal(0, rig.VenueOrdersWithClientId(second));
        // A cancel is never held back.
        var ghost = rig.NextId();
        rig.Gateway.Send(OrderCommand.From(new CancelOrderCommand(GatewayRig.Btc, rig.NextId(), ghost, 0), 0));
        var cancelReject = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == ghost, "cancel reached venue");
        Assert.Equal(RejectReason.UnknownOrder, cancelReject.Reason);
        // After Retry-After (1 s) orders flow again.
        await Task.Delay(rig.Gateway.Limiter.BlockedUntil - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50));
        var third = rig.NextId();
        rig.Gateway.Send(rig.Place(third, Side.Buy, Passive, Qty));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == third, "ack after back-off");
    }

    [Fact]
    public async Task ClockSkew_Minus1021_ThenRecoveredByOffset()
    {
        await using var rig = await GatewayRig.StartAsync();
        long syncs = rig.Gateway.TimeSyncs;
        rig.Sim.Clock.Skew = TimeSpan.FromSeconds(-3); // server 3 s behind: our timestamps are "ahead"
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty));
        var reject = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == id, "-1021");
        Assert.Equal(-1021, reject.VenueCode);
        Assert.Equal(0, rig.VenueOrdersWithClientId(id));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (rig.Gateway.TimeSyncs == syncs && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.InRange(rig.Gateway.ClockOffsetMs, -3500, -2500);
        var again = rig.NextId();
        rig.Gateway.Send(rig.Place(again, Side.Buy, Passive, Qty));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == again, "ack with corrected timestamp");
        Assert.Single(rig.Sink.All<RejectReport>());
    }

    [Fact]
    public async Task ClockSkew_ReSyncFails_ErrorKeptAndCounted_UntilTheNextRefusalsSyncSucceeds()
    {
        await using var rig = await GatewayRig.StartAsync();
        long syncs = rig.Gateway.TimeSyncs;
        long offsetBefore = rig.Gateway.ClockOffsetMs;
        rig.Sim.Clock.Skew = TimeSpan.FromSeconds(-3);
        rig.Sim.Faults.FailTimeRequests(1); // the re-sync after the first refusal fails
        var first = rig.NextId();
        rig.Gateway.Send(rig.Place(first, Side.Buy, Passive, Qty));
        Assert.Equal(-1021, (await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == first, "-1021")).VenueCode);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (rig.Gateway.ClockSync.Failures == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.Equal(1, rig.Gateway.ClockSync.Failures);
        Assert.Contains("time failed: status 500", rig.Gateway.ClockSync.Error?.Message);
        Assert.Contains("-1001", rig.Gateway.ClockSync.Error?.Message);
        Assert.Equal(syncs, rig.Gateway.TimeSyncs);
        Assert.Equal(offsetBefore, rig.Gateway.ClockOffsetMs); // nothing learned: still the old offset

        // The next refusal asks again; that sync succeeds and clears the error.
        var second = rig.NextId();
        rig.Gateway.Send(rig.Place(second, Side.Buy, Passive, Qty));
        Assert.Equal(-1021, (await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == second, "-1021 again")).VenueCode);
        deadline = DateTime.UtcNow.AddSeconds(5);
        while (rig.Gateway.TimeSyncs == syncs && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.InRange(rig.Gateway.ClockOffsetMs, -3500, -2500);
        Assert.Null(rig.Gateway.ClockSync.Error);
        Assert.Equal(1, rig.Gateway.ClockSync.Failures);
        Assert.Contains("time failed: status 500", rig.Gateway.ClockSync.LastFailure?.Message); // kept for the host's report
        var third = rig.NextId();
        rig.Gateway.Send(rig.Place(third, Side.Buy, Passive, Qty));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == third, "ack with the corrected offset");
    }

    [Fact]
    public async Task SymbolHalt_RejectMarketClosed_CancelStillWorks()
    {
        await using var rig = await GatewayRig.StartAsync();
        var resting = rig.NextId();
        rig.Gateway.Send(rig.Place(resting, Side.Buy, Passive, Qty));
        var ack = await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == resting, "ack");
        rig.Sim.HaltSymbol("BTCUSDT");
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty));
        var reject = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == id, "halt reject");
        Assert.Equal(RejectReason.MarketClosed, reject.Reason);
        Assert.Equal(-2010, reject.VenueCode);
        Assert.Equal("Market is closed.", reject.VenueMessage);
        rig.Gateway.Send(OrderCommand.From(new CancelOrderCommand(GatewayRig.Btc, rig.NextId(), resting, ack.VenueOrderId), 0));
        await rig.Sink.WaitForAsync<CanceledReport>(c => c.ClientOrderId == resting, "cancel during halt");
    }

    [Fact]
    public async Task PostOnlyCrossing_RejectWouldTake()
    {
        await using var rig = await GatewayRig.StartAsync();
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Aggressive, Qty, OrderType.LimitMaker));
        var reject = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == id, "would take");
        Assert.Equal(RejectReason.WouldTake, reject.Reason);
    }

    [Fact]
    public async Task RestOnly_PlaceCancelQuery_RoundTrip()
    {
        await using var rig = await GatewayRig.StartAsync(options: o => new BinanceOrderGatewayOptions
        {
            RestBase = o.RestBase, WsApiUrl = o.WsApiUrl, RequestTimeout = TimeSpan.FromSeconds(3), RestOnly = true,
        });
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty));
        var ack = await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == id, "REST ack");
        rig.Gateway.Send(OrderCommand.From(new QueryOrderCommand(GatewayRig.Btc, id), 0));
        await rig.Sink.WaitForAsync<OrderStatusReport>(s => s.ClientOrderId == id && s.Status == VenueOrderStatus.New, "REST query");
        rig.Gateway.Send(OrderCommand.From(new CancelOrderCommand(GatewayRig.Btc, rig.NextId(), id, ack.VenueOrderId), 0));
        await rig.Sink.WaitForAsync<CanceledReport>(c => c.ClientOrderId == id, "REST cancel");
        Assert.Equal(0, rig.Gateway.CommandsSentWs);
        Assert.Equal(3, rig.Gateway.CommandsSentRest);
    }

    [Fact]
    public async Task FilterFailure_Minus1013()
    {
        await using var rig = await GatewayRig.StartAsync();
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive + 1, Qty)); // off the 0.01 tick
        var reject = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == id, "filter");
        Assert.Equal(RejectReason.FilterFailure, reject.Reason);
        Assert.Equal(-1013, reject.VenueCode);
    }
}
