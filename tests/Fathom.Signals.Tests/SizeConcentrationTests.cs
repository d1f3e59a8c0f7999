using Fathom.Book;
using Xunit;
using static Fathom.Signals.Tests.Scenario;

namespace Fathom.Signals.Tests;

public class SizeConcentrationTests
{
    private static readonly SignalOptions Options = new()
    {
        TradeSizeWindow = 10, LevelSizeWindow = 10, SizeMinSamples = 4, SizeMadFloor = 0.05, OutlierZ = 3.5, WallLevels = 3, WallMinLevels = 1,
    };

    [Fact]
    public void TradeSize_RobustZAgainstThePreviousTrades()
    {
        var s = new Scenario(Options);
        for (int i = 0; i < 10; i++)
            s.Sell(i, 100, i % 2 == 0 ? 1 : 2);
        // ln sizes: five 0s and five ln 2s. Median ln2/2, every deviation ln2/2, so MAD = ln2/2.
        s.Sell(10, 100, 16);
        double expected = (4 * Math.Log(2) - Math.Log(2) / 2) / (1.4826 * Math.Log(2) / 2); // 3.5 / 0.7413
        Assert.Equal(expected, s.Engine.Sizes.LastTradeZ, 12);
        Assert.True(s.Engine.Sizes.LastTradeIsOutlier);
        Assert.Equal(16, s.Engine.Sizes.LastTradeQty);
        Assert.Equal(Side.Bid, s.Engine.Sizes.LastTradeSide);
        Assert.Equal(10, s.Engine.Sizes.TradeSamples); // the window is full: the oldest left

        s.Buy(11, 101, 2);                               // ordinary size: not an outlier
        Assert.False(s.Engine.Sizes.LastTradeIsOutlier);
        Assert.Equal(Side.Ask, s.Engine.Sizes.LastTradeSide);
    }

    [Fact]
    public void TradeSize_NaNUntilEnoughSamples_AndTheFloorKeepsZFinite()
    {
        var s = new Scenario(Options);
        for (int i = 0; i < 4; i++)
        {
            s.Sell(i, 100, 1);
            Assert.True(double.IsNaN(s.Engine.Sizes.LastTradeZ)); // 0..3 earlier samples
        }
        s.Sell(4, 100, 2);                                        // all earlier sizes equal: MAD = 0
        Assert.Equal(Math.Log(2) / 0.05, s.Engine.Sizes.LastTradeZ, 12);
    }

    [Fact]
    public void LevelSize_LargestNearTouchLevel_AgainstSizesEarlierDiffsPosted()
    {
        var s = new Scenario(Options).Snapshot([L(100, 1), L(99, 1), L(98, 1), L(90, 1_000)], [L(101, 1)]);
        Assert.True(double.IsNaN(s.Engine.Sizes.LevelZ(Side.Bid))); // no samples yet

        // Sizes 1 and 2 posted near the touch; a 1,000 lot posted far away (rank ≥ 3) is not sampled.
        s.Diff(100, bids: [L(100, 2), L(90, 999)]).Diff(200, bids: [L(100, 1)]).Diff(300, bids: [L(99, 2)]).Diff(400, bids: [L(99, 1)]);
        Assert.Equal(4, s.Engine.Sizes.LevelSamples);

        s.Diff(500, bids: [L(98, 8)]);                             // fifth sample: ln 8, tested against the four before it
        Assert.Equal(98, s.Engine.Sizes.LargestLevelTick(Side.Bid));
        Assert.Equal(8, s.Engine.Sizes.LargestLevelQty(Side.Bid));
        Assert.Equal(5, s.Engine.Sizes.LevelSamples);
        // Window ln: 2, 1, 2, 1 → sorted {0, 0, ln2, ln2}: median ln2/2; deviations all ln2/2 → MAD ln2/2. (With the
        // 8 lot itself in the window the median would be ln2 and the MAD ln2: z 1.35 instead of 3.37, under the cut-off.)
        double half = Math.Log(2) / 2;
        double expected = (Math.Log(8) - half) / (1.4826 * half);
        Assert.Equal(expected, s.Engine.Sizes.LevelZ(Side.Bid), 12);

        // Settling adds the pending sample without changing the reading; the next diff reads the window with it.
        Assert.Equal(1, s.Engine.Sizes.PendingLevelSamples);
        long version = s.Engine.Version;
        s.Engine.Settle();
        Assert.Equal(0, s.Engine.Sizes.PendingLevelSamples);
        Assert.Equal(version, s.Engine.Version);
        Assert.Equal(expected, s.Engine.Sizes.LevelZ(Side.Bid), 12);
        Assert.Equal(5, s.Engine.Sizes.LevelSamples);
    }
}
