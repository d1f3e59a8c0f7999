using Fathom.Backtest.Venue;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Testing;
using Xunit;
using static Fathom.Backtest.Tests.Venue.VenueRig;

namespace Fathom.Backtest.Tests.Venue;

/// <summary>Virtual time at the simulated venue: entry and response latencies, ordering, determinism, allocation.</summary>
public sealed class SimulatedVenueLatencyTests
{
    [Fact]
    public void Cancel_ArrivingAfterTheFill_IsRejectedAndTheFillIsStillReported_AtArrivalPlusResponse()
    {
        var rig = new VenueRig(entryNs: 5 * Ms, responseNs: 3 * Ms);
        rig.Bid(100.00m, 1);
        var id = rig.Buy(100.00m, 1);               // sent at T0, arrives T0+5
        rig.At(T0 + 10 * Ms);
        rig.Cancel(id);                              // sent at T0+10, arrives T0+15
        rig.SellTrade(100.00m, 2, at: T0 + 12 * Ms); // fills us at T0+12
        rig.At(T0 + 30 * Ms);

        var all = rig.Sink.All;
        Assert.Equal(3, all.Count);
        var ack = Assert.IsType<AckReport>(all[0].Report);
        Assert.Equal((T0 + 5 * Ms, T0 + 8 * Ms), (ack.TimeNs, all[0].DeliveredNs));
        var fill = Assert.IsType<FillReport>(all[1].Report);
        Assert.Equal((id, Q(1), T0 + 12 * Ms, T0 + 15 * Ms), (fill.ClientOrderId, fill.Qty, fill.TimeNs, all[1].DeliveredNs));
        var reject = Assert.IsType<RejectReport>(all[2].Report);
        Assert.Equal((id, CommandKind.Cancel, RejectReason.UnknownOrder, -2011), (reject.ClientOrderId, reject.Command, reject.Reason, reject.VenueCode));
        Assert.Equal((T0 + 15 * Ms, T0 + 18 * Ms), (reject.TimeNs, all[2].DeliveredNs));
    }

    [Fact]
    public void Cancel_ArrivingBeforeTheTrade_CancelsAndTheTradeFillsNothing()
    {
        var rig = new VenueRig(entryNs: 5 * Ms, responseNs: 3 * Ms);
        rig.Bid(100.00m, 1);
        var id = rig.Buy(100.00m, 1);
        rig.At(T0 + 6 * Ms);
        rig.Cancel(id);                              // arrives T0+11
        rig.SellTrade(100.00m, 2, at: T0 + 12 * Ms); // the venue catches up with the cancel first
        rig.At(T0 + 30 * Ms);
        Assert.Empty(rig.Sink.Fills);
        var canceled = rig.Sink.Of<CanceledReport>().Single();
        Assert.Equal(T0 + 11 * Ms, canceled.TimeNs);
    }

    [Fact]
    public void NextEventNs_IsTheEarliestArrivalOrDelivery()
    {
        var rig = new VenueRig(entryNs: 5 * Ms, responseNs: 3 * Ms);
        Assert.Equal(long.MaxValue, rig.Venue.NextEventNs);
        rig.Buy(90.00m, 1);
        Assert.Equal(T0 + 5 * Ms, rig.Venue.NextEventNs);
        rig.At(T0 + 5 * Ms);
        Assert.Equal(T0 + 8 * Ms, rig.Venue.NextEventNs);
        Assert.Empty(rig.Sink.All);
        rig.At(T0 + 8 * Ms);
        Assert.Single(rig.Sink.Acks);
        Assert.Equal(long.MaxValue, rig.Venue.NextEventNs);
    }

    [Fact]
    public void Send_CommandsAtEqualTimes_ArriveInTheOrderSent()
    {
        var rig = new VenueRig(entryNs: 1 * Ms, responseNs: 1 * Ms);
        var ids = Enumerable.Range(0, 5).Select(_ => rig.Buy(90.00m, 1)).ToArray();
        rig.At(T0 + 10 * Ms);
        Assert.Equal(ids, rig.Sink.Acks.Select(a => a.ClientOrderId));
        Assert.Equal([1L, 2, 3, 4, 5], rig.Sink.Acks.Select(a => a.VenueOrderId));
    }

    [Fact]
    public void EmpiricalLatency_SameSeed_GivesTheSameDraws_AnotherSeedDiffers_AndNoCommandOvertakesAnother()
    {
        long[] samples = [1 * Ms, 2 * Ms, 3 * Ms, 5 * Ms, 8 * Ms, 13 * Ms, 21 * Ms];
        long[] Arrivals(ulong seed)
        {
            var rig = new VenueRig(entry: LatencyModel.Empirical(samples, seed));
            for (int i = 0; i < 40; i++)
            {
                rig.Buy(90.00m, 1);
                rig.Elapse(1 * Ms);
            }
            rig.At(T0 + 1_000 * Ms);
            return rig.Sink.Acks.Select(a => a.TimeNs - T0).ToArray();
        }

        long[] a = Arrivals(42), b = Arrivals(42), c = Arrivals(43);
        Assert.Equal(40, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(a.Order(), a); // one connection: arrivals never reorder
        // Arrival i is at least its send time (i ms) plus the smallest sample, and some draws exceed the smallest.
        Assert.All(a.Select((t, i) => t - i * Ms), d => Assert.True(d >= 1 * Ms, $"delay {d}"));
        Assert.Contains(a.Select((t, i) => t - i * Ms), d => d > 1 * Ms);
    }

    [Fact]
    public void AdvanceTo_BackInTime_IsAClearError()
    {
        var rig = new VenueRig();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => rig.At(T0 - 1));
        Assert.Contains("cannot go back", e.Message);
    }

    [Fact]
    public void OnLevel_OffTickRecordedPrice_IsAClearError()
    {
        var rig = new VenueRig();
        var e = Assert.Throws<ArgumentException>(() => rig.Bid(100.005m, 1));
        Assert.Contains("BTCUSDT", e.Message);
        Assert.Contains("100.00500000", e.Message);
    }

    [Fact]
    public void SteadyState_PlaceTradeFillCancelDeliver_AllocatesNothing()
    {
        var sink = new CountingSink();
        var model = new VenueModel(LatencyModel.Empirical([1 * Ms, 2 * Ms], 7), LatencyModel.Constant(1 * Ms),
            new QueueModel(QueueKind.PowerProbability, 2), [new FeeRates(0.0002m, 0.001m)], new VenueLimits(1_000_000, 1_000_000_000));
        var venue = new SimulatedVenue([Specs.Btc], model, sink);
        long now = T0;
        long seq = 0;
        venue.AdvanceTo(now);
        AllocationAssert.Zero(venue, v =>
        {
            for (int i = 0; i < 100; i++)
            {
                v.OnLevel(0, OrderSide.Buy, P(100.00m), Q(5), now);
                v.OnLevel(0, OrderSide.Sell, P(100.01m), Q(5), now);
                var resting = new ClientOrderId(1, 1, ++seq);
                v.Send(OrderCommand.From(new PlaceOrderCommand(0, resting, OrderSide.Buy, OrderType.Limit, P(100.00m), Q(2)), now));
                v.Send(OrderCommand.From(new PlaceOrderCommand(0, new ClientOrderId(1, 1, ++seq), OrderSide.Buy, OrderType.LimitIoc, P(100.01m), Q(1)), now));
                now += 3 * Ms;
                v.AdvanceTo(now);
                v.OnLevel(0, OrderSide.Buy, P(100.00m), Q(7), now);
                v.OnLevel(0, OrderSide.Buy, P(100.00m), Q(6), now);
                v.OnTrade(0, OrderSide.Sell, P(100.00m), Q(6), now);
                v.Send(OrderCommand.From(new CancelOrderCommand(0, new ClientOrderId(1, 1, ++seq), resting, 0), now));
                now += 5 * Ms;
                v.AdvanceTo(now);
            }
        });
        Assert.True(sink.Fills > 0 && sink.Acks > 0 && sink.Canceled > 0, $"fills {sink.Fills}, acks {sink.Acks}, cancels {sink.Canceled}");
    }

    private sealed class CountingSink : IReportSink
    {
        public long Acks, Fills, Canceled, Other;
        public void OnAck(in AckReport report) => Acks++;
        public void OnReject(in RejectReport report) => Other++;
        public void OnFill(in FillReport report) => Fills++;
        public void OnCanceled(in CanceledReport report) => Canceled++;
        public void OnExpired(in ExpiredReport report) => Other++;
        public void OnAmended(in AmendedReport report) => Other++;
        public void OnStatusUnknown(in StatusUnknownReport report) => Other++;
        public void OnOrderStatus(in OrderStatusReport report) => Other++;
        public void OnVenueHealth(in VenueHealthReport report) => Other++;
    }
}
