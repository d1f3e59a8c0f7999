using Fathom.Backtest.Venue;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Xunit;
using static Fathom.Backtest.Tests.Venue.VenueRig;

namespace Fathom.Backtest.Tests.Venue;

/// <summary>Queue position of resting orders: each model on a hand-built scenario, checked against the exact fill.</summary>
public sealed class SimulatedVenueQueueTests
{
    [Fact]
    public void OnTrade_RiskAverse_FillsOnlyAfterTheQuantityAheadTraded_PartialThenFull()
    {
        var rig = new VenueRig(fees: new FeeRates(Maker: 0.0002m, Taker: 0.001m));
        rig.Bid(100.00m, 5);
        var id = rig.Buy(100.00m, 2);
        rig.Elapse(0);
        Assert.Equal(5m, rig.Ahead(id));

        rig.SellTrade(100.00m, 3);
        rig.Elapse(0);
        Assert.Empty(rig.Sink.Fills);
        Assert.Equal(2m, rig.Ahead(id));

        rig.SellTrade(100.00m, 3); // 2 ahead trade, 1 reaches us
        rig.Elapse(0);
        var partial = Assert.Single(rig.Sink.Fills);
        Assert.Equal((Q(1), Q(1), P(100.00m), true), (partial.Qty, partial.CumulativeQty, partial.Price, partial.IsMaker));
        Assert.Equal(0.02m, partial.Fee / 100_000_000m); // 100.00 × 1 × 0.0002

        rig.SellTrade(100.00m, 4);
        rig.Elapse(0);
        Assert.Equal(2, rig.Sink.Fills.Count);
        var last = rig.Sink.Fills[1];
        Assert.Equal((Q(1), Q(2)), (last.Qty, last.CumulativeQty));
        Assert.Equal(0, rig.Venue.OpenOrders);
    }

    [Fact]
    public void OnLevel_RiskAverse_DecreaseAboveTheQuantityAheadDoesNotAdvanceUs()
    {
        var rig = new VenueRig();
        var id = JoinBehindTenWithSixBehind(rig);
        rig.Bid(100.00m, 12); // 16 → 12: assumed to come from behind
        Assert.Equal(10m, rig.Ahead(id));
        rig.Bid(100.00m, 7); // below what was ahead: ahead = the level
        Assert.Equal(7m, rig.Ahead(id));
    }

    [Fact]
    public void OnLevel_PowerProbability_DecreaseAdvancesUsByTheExpectedShareFromAhead()
    {
        var rig = new VenueRig(new QueueModel(QueueKind.PowerProbability, 3));
        var id = JoinBehindTenWithSixBehind(rig);
        rig.Bid(100.00m, 12);
        // front 10, back 6, decrease 4: p(behind) = 6³ / (6³ + 10³) = 0.177632; ahead = 10 − (1 − p) × 4 = 6.71052632
        Assert.Equal(6.71052632m, rig.Ahead(id));

        // End to end: a trade of exactly what is ahead plus 0.5 fills 0.5.
        rig.SellTrade(100.00m, 7.21052632m);
        rig.Elapse(0);
        Assert.Equal(Q(0.5m), Assert.Single(rig.Sink.Fills).Qty);
    }

    [Fact]
    public void OnLevel_PowerProbability_DecreaseLargerThanTheBackTakesTheRestFromAhead()
    {
        var rig = new VenueRig(new QueueModel(QueueKind.PowerProbability, 3));
        var id = JoinBehindTenWithSixBehind(rig);
        rig.Bid(100.00m, 8); // decrease 8: 10 − 0.822368 × 8 + min(6 − 0.177632 × 8, 0) = 3.42105263
        Assert.Equal(3.42105263m, rig.Ahead(id));
    }

    [Fact]
    public void OnLevel_LogProbability_UsesLogOfOnePlusQuantityInUnits()
    {
        var rig = new VenueRig(new QueueModel(QueueKind.LogProbability));
        var id = JoinBehindTenWithSixBehind(rig);
        rig.Bid(100.00m, 12);
        // p(behind) = ln 7 / (ln 7 + ln 11) = 0.447974; ahead = 10 − 0.552026 × 4 = 7.79189440
        Assert.Equal(7.79189440m, rig.Ahead(id));
    }

    [Theory]
    [InlineData(QueueKind.RiskAverse)]
    [InlineData(QueueKind.PowerProbability)]
    public void OnLevel_DecreaseThatATradeAlreadyExplained_IsNotCountedTwice(QueueKind kind)
    {
        var rig = new VenueRig(new QueueModel(kind, 3));
        var id = JoinBehindTenWithSixBehind(rig);
        rig.SellTrade(100.00m, 4);
        Assert.Equal(6m, rig.Ahead(id));
        rig.Bid(100.00m, 12); // the depth update that reports the trade
        Assert.Equal(6m, rig.Ahead(id));
    }

    [Fact]
    public void OnTrade_ThroughOurPrice_FillsUsInFullAtOurPrice()
    {
        var rig = new VenueRig();
        rig.Bid(100.00m, 50);
        var id = rig.Buy(100.00m, 2);
        rig.Elapse(0);
        rig.SellTrade(99.99m, 0.001m);
        rig.Elapse(0);
        var fill = Assert.Single(rig.Sink.Fills);
        Assert.Equal((id, P(100.00m), Q(2), true), (fill.ClientOrderId, fill.Price, fill.Qty, fill.IsMaker));
    }

    [Fact]
    public void OnLevel_OppositeLevelAppearsThroughOurPrice_FillsUsAsMakerUpToItsQuantity()
    {
        var rig = new VenueRig();
        rig.Bid(100.00m, 50);
        rig.Ask(100.05m, 1);
        var id = rig.Buy(100.00m, 2);
        rig.Elapse(0);
        rig.Ask(99.99m, 1.5m); // the book moved through us without a trade print
        rig.Elapse(0);
        var first = Assert.Single(rig.Sink.Fills);
        Assert.Equal((P(100.00m), Q(1.5m), true), (first.Price, first.Qty, first.IsMaker));
        Assert.Equal(Qty.Zero, rig.Venue.RecordedQty(0, OrderSide.Sell, P(99.99m))); // we took it
        rig.Ask(99.99m, 3);
        rig.Elapse(0);
        Assert.Equal((Q(0.5m), Q(2)), (rig.Sink.Fills[1].Qty, rig.Sink.Fills[1].CumulativeQty));
        Assert.Equal(Q(2.5m), rig.Venue.RecordedQty(0, OrderSide.Sell, P(99.99m)));
        Assert.False(rig.Venue.TryGetQueueAhead(id, out _));
    }

    [Fact]
    public void OnTrade_TwoOfOurOrdersAtOnePrice_ShareTheTradeInTimePriority()
    {
        var rig = new VenueRig();
        rig.Bid(100.00m, 1);
        var a = rig.Buy(100.00m, 2);
        var b = rig.Buy(100.00m, 2);
        rig.Elapse(0);
        rig.SellTrade(100.00m, 4); // 1 ahead of both, then 3 for us: a takes 2, b the last 1
        rig.Elapse(0);
        Assert.Equal([(a, Q(2)), (b, Q(1))], rig.Sink.Fills.Select(f => (f.ClientOrderId, f.Qty)).ToArray());
    }

    private static ClientOrderId JoinBehindTenWithSixBehind(VenueRig rig)
    {
        rig.Bid(100.00m, 10);
        var id = rig.Buy(100.00m, 1);
        rig.Elapse(0);
        Assert.Equal(10m, rig.Ahead(id));
        rig.Bid(100.00m, 16); // an increase joins behind us
        Assert.Equal(10m, rig.Ahead(id));
        return id;
    }
}
