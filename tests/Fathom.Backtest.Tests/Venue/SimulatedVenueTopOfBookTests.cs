using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Xunit;
using static Fathom.Backtest.Tests.Venue.VenueRig;

namespace Fathom.Backtest.Tests.Venue;

/// <summary>The recorded best bid/ask (bookTicker) keeps the matching engine's touch fresher than the 100 ms depth diffs.</summary>
public sealed class SimulatedVenueTopOfBookTests
{
    [Fact]
    public void Place_PostOnlyTheStaleDepthWouldCross_RestsWhenTheFresherTickerSaysItRests()
    {
        var rig = new VenueRig();
        // The last diff: 100.00 / 100.01. Since then the 100.01 ask went: the ticker's best ask is 100.02.
        rig.Bid(100.00m, 1);
        rig.Ask(100.01m, 1);
        rig.Ask(100.02m, 3);
        rig.Ticker(100.00m, 1, 100.02m, 3);

        var id = rig.Buy(100.01m, 1, OrderType.LimitMaker);
        rig.Elapse(0);

        Assert.Empty(rig.Sink.Rejects);
        Assert.Equal(id, Assert.Single(rig.Sink.Acks).ClientOrderId);
        Assert.Equal(1, rig.Venue.OpenOrders);
        Assert.Empty(rig.Sink.Fills);
        Assert.Equal(Qty.Zero, rig.Venue.RecordedQty(0, OrderSide.Sell, P(100.01m)));
        Assert.Equal(Q(3), rig.Venue.RecordedQty(0, OrderSide.Sell, P(100.02m)));
    }

    [Fact]
    public void Place_PostOnlyTheStaleDepthWouldRest_IsRefusedWhenTheFresherTickerSaysItTakes()
    {
        var rig = new VenueRig();
        // The last diff: 100.00 / 100.02. Since then someone offered at 100.01: the ticker's best ask.
        rig.Bid(100.00m, 1);
        rig.Ask(100.02m, 3);
        rig.Ticker(100.00m, 1, 100.01m, 2);

        var id = rig.Buy(100.01m, 1, OrderType.LimitMaker);
        rig.Elapse(0);

        var reject = Assert.Single(rig.Sink.Rejects);
        Assert.Equal((id, RejectReason.WouldTake, -2010), (reject.ClientOrderId, reject.Reason, reject.VenueCode));
        Assert.Equal(0, rig.Venue.OpenOrders);
        Assert.Equal(Q(2), rig.Venue.RecordedQty(0, OrderSide.Sell, P(100.01m)));
    }

    [Fact]
    public void OnTopOfBook_QuantityAtTheBestOverridesTheLevel_BetterLevelsGo_DeeperLevelsStay()
    {
        var rig = new VenueRig();
        rig.Bid(100.01m, 4);
        rig.Bid(100.00m, 5);
        rig.Bid(99.99m, 7);
        rig.Ask(100.02m, 1);
        rig.Ask(100.03m, 6);

        rig.Ticker(100.00m, 2, 100.03m, 8);

        Assert.Equal(Qty.Zero, rig.Venue.RecordedQty(0, OrderSide.Buy, P(100.01m)));
        Assert.Equal(Q(2), rig.Venue.RecordedQty(0, OrderSide.Buy, P(100.00m)));
        Assert.Equal(Q(7), rig.Venue.RecordedQty(0, OrderSide.Buy, P(99.99m)));
        Assert.Equal(Qty.Zero, rig.Venue.RecordedQty(0, OrderSide.Sell, P(100.02m)));
        Assert.Equal(Q(8), rig.Venue.RecordedQty(0, OrderSide.Sell, P(100.03m)));
        // A post-only bid joining the ticker's best stands behind the ticker's quantity, not the diff's.
        var id = rig.Buy(100.00m, 1, OrderType.LimitMaker);
        rig.Elapse(0);
        Assert.Equal(2m, rig.Ahead(id));
    }

    [Fact]
    public void OnTopOfBook_AskThroughOurRestingBid_FillsUsAsMaker()
    {
        var rig = new VenueRig();
        rig.Bid(100.00m, 1);
        rig.Ask(100.02m, 3);
        var id = rig.Buy(100.01m, 1, OrderType.LimitMaker);
        rig.Elapse(0);

        rig.Ticker(100.00m, 1, 100.01m, 0.4m);
        rig.Elapse(0);

        var fill = Assert.Single(rig.Sink.Fills);
        Assert.Equal((id, P(100.01m), Q(0.4m), true), (fill.ClientOrderId, fill.Price, fill.Qty, fill.IsMaker));
    }

    [Fact]
    public void OnTopOfBook_CrossedTicker_IsAClearError()
    {
        var rig = new VenueRig();
        var e = Assert.Throws<ArgumentException>(() => rig.Ticker(100.01m, 1, 100.01m, 1));
        Assert.Contains("best bid 100.01000000 is not below the best ask 100.01000000", e.Message);
    }
}
