using Fathom.Book;
using Xunit;
using static Fathom.Signals.Tests.Scenario;

namespace Fathom.Signals.Tests;

public class DepthWithdrawalTests
{
    private static readonly SignalOptions Options = new() { WithdrawalBandTicks = 3, WithdrawalWindowMs = 1_000, DepthLevels = 2 };

    // Bids 100, 99, 98 (inside the 3-tick band), 95 (outside); a first diff at E = 900 so that the
    // next diff's interval is (900, 1000].
    private static Scenario Market()
    {
        var s = new Scenario(Options).Snapshot([L(100, 10), L(99, 10), L(98, 10), L(95, 10)], [L(101, 10), L(102, 10)]);
        return s.Diff(900, asks: [L(110, 1)]);
    }

    [Fact]
    public void DecreaseWithoutTrades_IsWithdrawn()
    {
        var s = Market().Diff(1_000, bids: [L(100, 4)]);
        Assert.Equal(6, s.Engine.Withdrawal.Withdrawn(Side.Bid));
        Assert.Equal(0, s.Engine.Withdrawal.Traded(Side.Bid));
        Assert.Equal(0, s.Engine.Withdrawal.Withdrawn(Side.Ask));
    }

    [Fact]
    public void TradesInTheDiffInterval_AtThatPriceAndSide_ExplainTheDecrease()
    {
        var s = Market()
            .Sell(950, 100, 4)     // in (900, 1000], hits the bid at 100
            .Sell(950, 99, 3)      // another price: explains nothing at 100
            .Buy(960, 100, 5)      // lifted an ask: the bid side is not involved
            .Sell(900, 100, 2)     // belongs to the diff at 900, not this one
            .Diff(1_000, bids: [L(100, 0)]);
        Assert.Equal(4, s.Engine.Withdrawal.Traded(Side.Bid));
        Assert.Equal(6, s.Engine.Withdrawal.Withdrawn(Side.Bid));
    }

    [Fact]
    public void TradeAfterTheDiffTime_WaitsForTheNextDiff()
    {
        var s = Market().Sell(1_001, 100, 4).Diff(1_000, bids: [L(100, 6)]);
        Assert.Equal(4, s.Engine.Withdrawal.Withdrawn(Side.Bid)); // the trade is newer than E = 1000

        s.Diff(1_100, bids: [L(100, 2)]);                         // its diff: (1000, 1100]
        Assert.Equal(4 + 0, s.Engine.Withdrawal.Withdrawn(Side.Bid));
        Assert.Equal(4, s.Engine.Withdrawal.Traded(Side.Bid));
    }

    [Fact]
    public void LateTrade_RevisesTheDiffItBelongsTo()
    {
        var s = Market().Diff(1_000, bids: [L(100, 0)]).Diff(1_100, asks: [L(111, 1)]);
        Assert.Equal(10, s.Engine.Withdrawal.Withdrawn(Side.Bid)); // provisional: looks like a pull

        s.Sell(980, 100, 7);                                         // arrives late, two diffs behind
        Assert.Equal(3, s.Engine.Withdrawal.Withdrawn(Side.Bid));
        Assert.Equal(7, s.Engine.Withdrawal.Traded(Side.Bid));
        Assert.Equal(1, s.Engine.Withdrawal.LateTrades);

        s.Sell(990, 100, 50);                                         // more than the decrease: all traded
        Assert.Equal(0, s.Engine.Withdrawal.Withdrawn(Side.Bid));
        Assert.Equal(10, s.Engine.Withdrawal.Traded(Side.Bid));
    }

    [Fact]
    public void OnlyDecreasesNearTheTouchBeforeTheDiff_Count()
    {
        // 100 is pulled, which moves the best to 99; 98 is 2 ticks from the best *before* the diff: in.
        // 95 is 5 ticks away: out. Increases never count.
        var s = Market().Diff(1_000, bids: [L(100, 0), L(98, 1), L(95, 0), L(99, 30)]);
        Assert.Equal(10 + 9, s.Engine.Withdrawal.Withdrawn(Side.Bid));
    }

    [Fact]
    public void Window_ExpiresOldDiffs_AndFractionUsesTheBestNDepth()
    {
        var s = Market().Diff(1_000, bids: [L(100, 4)]);
        // Best two bids now 4 + 10: fraction = 6 / (6 + 14).
        Assert.Equal(6.0 / 20, s.Engine.Withdrawal.Fraction(Side.Bid));
        Assert.Equal(0, s.Engine.Withdrawal.Fraction(Side.Ask));

        s.Buy(1_999, 101, 1);
        Assert.Equal(6, s.Engine.Withdrawal.Withdrawn(Side.Bid));
        s.Buy(2_000, 101, 1);                                        // E = 1000 ≤ now − 1000: gone
        Assert.Equal(0, s.Engine.Withdrawal.Withdrawn(Side.Bid));
        Assert.Equal(0, s.Engine.Withdrawal.RecordCount);
    }

    [Fact]
    public void IsWarm_OnceTheWindowHasRunSinceTheReset()
    {
        var s = new Scenario(Options);
        s.Buy(5_000, 101, 1).Snapshot([L(100, 10)], [L(101, 10)]);
        Assert.False(s.Engine.Withdrawal.IsWarm);
        s.Diff(5_999);
        Assert.False(s.Engine.Withdrawal.IsWarm);
        s.Diff(6_000);
        Assert.True(s.Engine.Withdrawal.IsWarm);
    }
}
