using Fathom.Gateway.Abstractions;
using Fathom.Venues.Binance;
using Xunit;
using Side = Fathom.Core.OrderSide;

namespace Fathom.Integration.Tests;

/// <summary>
/// Connection rotation (age limit, serverShutdown, eventStreamTerminated) and venue metadata
/// (exchangeInfo, commission rates, local filter checks) against the simulator on loopback. Real time,
/// bounded waits.
/// </summary>
public sealed class BinanceOrderGatewayRotationTests
{
    private const long Qty = 100_000;                    // 0.001 BTC
    private const long Passive = 50_000 * GatewayRig.Px; // far below the house bids

    private static Func<BinanceOrderGatewayOptions, BinanceOrderGatewayOptions> With(TimeSpan? maxAge = null, TimeSpan? refresh = null) =>
        o => new BinanceOrderGatewayOptions
        {
            RestBase = o.RestBase, WsApiUrl = o.WsApiUrl,
            RequestTimeout = TimeSpan.FromSeconds(3), // a lost answer still shows; a busy 2-core machine does not
            ControlTimeout = o.ControlTimeout,
            ReconnectDelay = o.ReconnectDelay,
            MaxConnectionAge = maxAge ?? o.MaxConnectionAge,
            MetadataRefreshPeriod = refresh ?? o.MetadataRefreshPeriod,
        };

    /// <summary>Every order placed gets exactly its answer ack, one stream ack and one expiry; nothing unknown or rejected.</summary>
    private static void AssertExactlyOnce(GatewayRig rig, IReadOnlyList<ClientOrderId> ids)
    {
        var acks = rig.Sink.All<AckReport>().GroupBy(a => a.ClientOrderId).ToDictionary(g => g.Key, g => g.Count());
        var expired = rig.Sink.All<ExpiredReport>().GroupBy(a => a.ClientOrderId).ToDictionary(g => g.Key, g => g.Count());
        foreach (var id in ids)
        {
            Assert.Equal(2, acks.GetValueOrDefault(id)); // WS API answer + stream NEW, the stream one once
            Assert.Equal(1, expired.GetValueOrDefault(id));
        }
        Assert.Empty(rig.Sink.All<StatusUnknownReport>());
        Assert.Empty(rig.Sink.All<RejectReport>());
        Assert.Equal(0, rig.Gateway.CommandsSentRest); // no gap: never fell back to REST
        Assert.Equal(0, rig.Gateway.Disconnects);
    }

    private static async Task<List<ClientOrderId>> PlaceStreamAsync(GatewayRig rig, TimeSpan duration)
    {
        var ids = new List<ClientOrderId>();
        var end = DateTime.UtcNow + duration;
        while (DateTime.UtcNow < end)
        {
            var id = rig.NextId();
            ids.Add(id);
            rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty, OrderType.LimitIoc)); // expires at once: nothing rests
            await Task.Delay(35); // the venue allows 50 orders per 10 s
        }
        foreach (var id in ids)
            await rig.Sink.WaitForAsync<ExpiredReport>(e => e.ClientOrderId == id, "expired " + id);
        await Task.Delay(200); // let any duplicate arrive before counting
        return ids;
    }

    [Fact]
    public async Task MaxConnectionAge_RotatesOverlapping_EveryOrderReportedOnce()
    {
        await using var rig = await GatewayRig.StartAsync(options: With(maxAge: TimeSpan.FromMilliseconds(300)));
        var ids = await PlaceStreamAsync(rig, TimeSpan.FromMilliseconds(1300));
        Assert.True(rig.Gateway.Rotations >= 2, $"rotations {rig.Gateway.Rotations}");
        // A rotation may be switching connections at this instant (one every 300 ms here): ready again at once.
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (!rig.Gateway.IsReady && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.True(rig.Gateway.IsReady, $"not ready after the rotations (rotations {rig.Gateway.Rotations}, reconnects {rig.Gateway.Reconnects}, disconnects {rig.Gateway.Disconnects})");
        AssertExactlyOnce(rig, ids);
        Assert.Equal(0, rig.Gateway.Reconnects);
    }

    [Theory]
    [InlineData("{\"event\":{\"e\":\"serverShutdown\",\"E\":1}}")]
    [InlineData("{\"subscriptionId\":0,\"event\":{\"e\":\"eventStreamTerminated\",\"E\":1}}")]
    public async Task ShutdownNotice_RotatesAtOnce_OrdersStillAck(string notice)
    {
        await using var rig = await GatewayRig.StartAsync(options: With(maxAge: Timeout.InfiniteTimeSpan));
        var before = rig.NextId();
        rig.Gateway.Send(rig.Place(before, Side.Buy, Passive, Qty, OrderType.LimitIoc));
        await rig.Sink.WaitForAsync<ExpiredReport>(e => e.ClientOrderId == before, "expired before");
        // The simulator sends neither notice on the WS API: feed the frame as the receive loop would.
        rig.Gateway.HandleFrame(System.Text.Encoding.UTF8.GetBytes(notice));
        Assert.Equal(1, rig.Gateway.ShutdownNotices);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (rig.Gateway.Rotations == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.Equal(1, rig.Gateway.Rotations);
        var ids = await PlaceStreamAsync(rig, TimeSpan.FromMilliseconds(300));
        ids.Add(before);
        AssertExactlyOnce(rig, ids);
    }

    [Fact]
    public async Task Metadata_LoadedAtStart_ValidOrderGoesOut_InvalidRefusedLocally()
    {
        await using var rig = await GatewayRig.StartAsync();
        var spec = rig.Gateway.Instruments[GatewayRig.Btc];
        Assert.Equal("BTCUSDT", spec.Symbol);
        Assert.True(spec.TickSize.Raw > 1 && spec.StepSize.Raw > 1);
        Assert.True(rig.Gateway.Instruments.ContainsKey(1)); // ETHUSDT
        var fees = rig.Gateway.CommissionRates[GatewayRig.Btc];
        Assert.Equal(0.001m, fees.Maker); // the demo account's rates
        Assert.Equal(0.001m, fees.Taker);
        Assert.Equal(1, rig.Gateway.MetadataLoads);

        var ok = rig.NextId();
        rig.Gateway.Send(rig.Place(ok, Side.Buy, Passive, Qty));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == ok, "valid order acked");
        long sent = rig.Gateway.CommandsSentWs;

        var offTick = rig.NextId();
        rig.Gateway.Send(rig.Place(offTick, Side.Buy, Passive + spec.TickSize.Raw / 2, Qty));
        var r1 = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == offTick, "off-tick refused");
        Assert.Equal(RejectReason.FilterFailure, r1.Reason);
        Assert.Equal(-1013, r1.VenueCode);
        Assert.Contains("PriceOffTick", r1.VenueMessage, StringComparison.Ordinal);

        var tiny = rig.NextId();
        rig.Gateway.Send(rig.Place(tiny, Side.Buy, Passive, spec.StepSize.Raw)); // one step: below min notional or min qty
        var r2 = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == tiny, "tiny refused");
        Assert.Equal(RejectReason.FilterFailure, r2.Reason);

        var offStep = rig.NextId();
        rig.Gateway.Send(rig.Place(offStep, Side.Buy, Passive, Qty + spec.StepSize.Raw / 2));
        var r3 = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == offStep, "off-step refused");
        Assert.Equal(RejectReason.FilterFailure, r3.Reason);

        Assert.Equal(3, rig.Gateway.LocalRejects);
        Assert.Equal(sent, rig.Gateway.CommandsSentWs); // none of them reached the venue
        Assert.Equal(0, rig.VenueOrdersWithClientId(offTick) + rig.VenueOrdersWithClientId(tiny) + rig.VenueOrdersWithClientId(offStep));
    }

    [Fact]
    public async Task Metadata_Refreshed_HaltSeenAndRefusedLocally_ResumeLetsOrdersThrough()
    {
        await using var rig = await GatewayRig.StartAsync(options: With(refresh: TimeSpan.FromMilliseconds(150)));
        rig.Sim.HaltSymbol("BTCUSDT");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        // The status is live before the load's commission requests finish and the load is counted: wait for both.
        while ((rig.Gateway.Instruments[GatewayRig.Btc].Status != Core.InstrumentStatus.Halt || rig.Gateway.MetadataLoads < 2) && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Equal(Core.InstrumentStatus.Halt, rig.Gateway.Instruments[GatewayRig.Btc].Status);
        Assert.True(rig.Gateway.MetadataLoads >= 2);
        long sent = rig.Gateway.CommandsSentWs;
        var id = rig.NextId();
        rig.Gateway.Send(rig.Place(id, Side.Buy, Passive, Qty));
        var reject = await rig.Sink.WaitForAsync<RejectReport>(r => r.ClientOrderId == id, "halted refused");
        Assert.Equal(RejectReason.MarketClosed, reject.Reason);
        Assert.Equal(1, rig.Gateway.LocalRejects);
        Assert.Equal(sent, rig.Gateway.CommandsSentWs);

        rig.Sim.ResumeSymbol("BTCUSDT");
        deadline = DateTime.UtcNow.AddSeconds(5);
        while (rig.Gateway.Instruments[GatewayRig.Btc].Status != Core.InstrumentStatus.Trading && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        var next = rig.NextId();
        rig.Gateway.Send(rig.Place(next, Side.Buy, Passive, Qty));
        await rig.Sink.WaitForAsync<AckReport>(a => a.ClientOrderId == next, "acked after resume");
    }
}
