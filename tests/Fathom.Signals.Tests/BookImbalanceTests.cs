using Fathom.Book;
using Xunit;
using static Fathom.Signals.Tests.Scenario;

namespace Fathom.Signals.Tests;

public class BookImbalanceTests
{
    [Fact]
    public void TopOfBook_KnownBook_GivesImbalanceAndMicroprice()
    {
        var s = new Scenario(new SignalOptions()).Snapshot([L(100, 10)], [L(101, 30)]);
        BookImbalance im = s.Engine.Imbalance;

        Assert.True(im.IsTwoSided);
        Assert.Equal(-0.5, im.TopImbalance);              // (10 − 30) / 40
        Assert.Equal(100.25, im.MicropriceTicks);          // (100·30 + 101·10) / 40: leans to the thin bid
        Assert.Equal(100.5, im.MidTicks);
        Assert.Equal(-0.25, im.MicropriceOffsetTicks);
        Assert.Equal(100.25, im.Microprice);               // toy tick = 1 price unit
        Assert.Equal(s.Book.Microprice, im.Microprice);
    }

    [Fact]
    public void DepthImbalance_SumsOnlyTheBestNLevels()
    {
        var s = new Scenario(new SignalOptions { DepthLevels = 2 })
            .Snapshot([L(100, 10), L(99, 20), L(98, 1_000)], [L(101, 5), L(102, 5), L(103, 5)]);
        Assert.Equal(30, s.Engine.Imbalance.BidDepth);
        Assert.Equal(10, s.Engine.Imbalance.AskDepth);
        Assert.Equal(0.5, s.Engine.Imbalance.DepthImbalance);

        // Removing the best bid brings the 1,000 lot into the best two.
        s.Diff(1_000, bids: [L(100, 0)]);
        Assert.Equal(1_020, s.Engine.Imbalance.BidDepth);
        Assert.Equal((1_020.0 - 10) / 1_030, s.Engine.Imbalance.DepthImbalance);
    }

    [Fact]
    public void WeightedImbalance_ExponentialKernel_MatchesClosedForm()
    {
        // λ = 1: bids 10 at 0.5 from the mid and 20 at 2.5; the ask 10 at 0.5. The first bid and the
        // ask cancel, leaving 20·e^−2.5 / (20·e^−0.5 + 20·e^−2.5) = 1 / (e² + 1).
        var s = new Scenario(new SignalOptions { DecayTicks = 1 }).Snapshot([L(100, 10), L(98, 20)], [L(101, 10)]);
        Assert.Equal(10 * Math.Exp(-0.5) + 20 * Math.Exp(-2.5), s.Engine.Imbalance.WeightedBidDepth, 12);
        Assert.Equal(10 * Math.Exp(-0.5), s.Engine.Imbalance.WeightedAskDepth, 12);
        Assert.Equal(1 / (Math.E * Math.E + 1), s.Engine.Imbalance.WeightedImbalance, 12);

        // The market moves 1,000 λ up in one diff: the anchor follows and the kernel is unchanged.
        s.Diff(1_000, bids: [L(100, 0), L(98, 0), L(1_100, 10), L(1_098, 20)], asks: [L(101, 0), L(1_101, 10)]);
        Assert.Equal(1 / (Math.E * Math.E + 1), s.Engine.Imbalance.WeightedImbalance, 12);
        Assert.Equal(10 * Math.Exp(-0.5) + 20 * Math.Exp(-2.5), s.Engine.Imbalance.WeightedBidDepth, 12);
    }

    [Fact]
    public void OneSidedBook_IsNaN_UntilBothSidesReturn()
    {
        var s = new Scenario(new SignalOptions()).Snapshot([L(100, 10)], [L(101, 10)]);
        s.Diff(1_000, asks: [L(101, 0)]);
        BookImbalance im = s.Engine.Imbalance;
        Assert.False(im.IsTwoSided);
        Assert.True(double.IsNaN(im.TopImbalance) && double.IsNaN(im.Microprice) && double.IsNaN(im.WeightedImbalance));
        Assert.True(double.IsNaN(im.DepthImbalance));
        Assert.Equal(10, im.BidDepth); // depth is still known on the side that has it

        s.Diff(1_100, asks: [L(102, 30)]);
        Assert.True(im.IsTwoSided);
        Assert.Equal(-0.5, im.TopImbalance);
    }
}
