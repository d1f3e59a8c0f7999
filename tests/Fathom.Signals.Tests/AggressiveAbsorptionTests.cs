using Fathom.Book;
using Xunit;
using static Fathom.Signals.Tests.Scenario;

namespace Fathom.Signals.Tests;

public class AggressiveAbsorptionTests
{
    private static readonly SignalOptions Options = new() { AbsorptionWindowMs = 1_000, AbsorptionMinQty = 5, AbsorptionMinRatio = 1.0 };

    [Fact]
    public void SellingIntoABidThatHolds_IsAbsorption()
    {
        var s = new Scenario(Options).Snapshot([L(100, 5), L(99, 20)], [L(101, 5)])
            .Sell(100, 100, 3).Sell(200, 100, 3).Sell(300, 100, 3);
        Assert.Equal(9, s.Engine.Absorption.Absorbed(Side.Bid));
        Assert.Equal(9 / 5.0, s.Engine.Absorption.Ratio(Side.Bid)); // more than was visible, still there
        Assert.True(s.Engine.Absorption.IsAbsorbing(Side.Bid));
        Assert.False(s.Engine.Absorption.IsAbsorbing(Side.Ask));

        s.Diff(400, bids: [L(100, 2)]);                                // the batch shows the level thinner
        Assert.Equal(4.5, s.Engine.Absorption.Ratio(Side.Bid));
    }

    [Fact]
    public void LevelThatGivesWay_AbsorbsNothing()
    {
        var s = new Scenario(Options).Snapshot([L(100, 5), L(99, 20)], [L(101, 5)])
            .Sell(100, 100, 5).Sell(150, 100, 4)
            .Diff(200, bids: [L(100, 0)]);                             // eaten: the best is now 99
        Assert.Equal(0, s.Engine.Absorption.Absorbed(Side.Bid));
        Assert.False(s.Engine.Absorption.IsAbsorbing(Side.Bid));

        s.Diff(300, bids: [L(100, 6)]);                                // refilled at the same price
        Assert.Equal(9, s.Engine.Absorption.Absorbed(Side.Bid));
        Assert.True(s.Engine.Absorption.IsAbsorbing(Side.Bid));
    }

    [Fact]
    public void BuyingIntoTheAsk_CountsOnTheAskSide_AndExpiresAfterTheWindow()
    {
        var s = new Scenario(Options).Snapshot([L(100, 5)], [L(101, 4)])
            .Buy(100, 101, 6).Buy(600, 101, 2);
        Assert.Equal(8, s.Engine.Absorption.Absorbed(Side.Ask));
        Assert.Equal(2.0, s.Engine.Absorption.Ratio(Side.Ask));

        s.Buy(1_100, 102, 1);                                          // T = 100 leaves (≤ now − 1000)
        Assert.Equal(2, s.Engine.Absorption.Absorbed(Side.Ask));
        Assert.False(s.Engine.Absorption.IsAbsorbing(Side.Ask));       // below the 5-lot minimum
    }

    [Fact]
    public void MinimumQuantityAndRatio_BothApply()
    {
        var s = new Scenario(Options).Snapshot([L(100, 2)], [L(101, 100)]).Sell(100, 100, 4).Buy(100, 101, 50);
        Assert.Equal(2.0, s.Engine.Absorption.Ratio(Side.Bid));
        Assert.False(s.Engine.Absorption.IsAbsorbing(Side.Bid));       // 4 < 5
        Assert.Equal(0.5, s.Engine.Absorption.Ratio(Side.Ask));
        Assert.False(s.Engine.Absorption.IsAbsorbing(Side.Ask));       // 50 traded into 100 visible
    }
}
