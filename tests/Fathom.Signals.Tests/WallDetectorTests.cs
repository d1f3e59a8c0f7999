using CsCheck;
using Fathom.Book;
using Fathom.Testing;
using Xunit;
using static Fathom.Signals.Tests.Scenario;

namespace Fathom.Signals.Tests;

public class WallDetectorTests
{
    private static readonly SignalOptions Options = new() { WallLevels = 5, WallMinLevels = 3, WallRatio = 3 };

    private static Scenario WithBidWall(long wallQty) => new Scenario(Options).Snapshot(
        [L(100, 1), L(99, 1), L(98, wallQty), L(97, 1), L(96, 1), L(95, 50)],   // 95 is the 6th level: outside K
        [L(101, 2), L(102, 2), L(103, 2)]);

    [Fact]
    public void LevelWellAboveTheLocalMedian_IsAWall_WithDistanceFromMid()
    {
        var s = WithBidWall(10);
        Wall w = s.Engine.Walls.Bid;
        Assert.True(w.Exists);
        Assert.Equal(98, w.Tick);
        Assert.Equal(10, w.Qty);
        Assert.Equal(1.0, w.MedianQty);   // sizes 1,1,1,1,10: the 50 lot at the 6th level is not local
        Assert.Equal(10.0, w.Ratio);
        Assert.Equal(2.5, w.DistanceTicks); // mid 100.5
        Assert.Equal(1, w.Count);
        Assert.False(s.Engine.Walls.Ask.Exists); // all asks equal
    }

    [Fact]
    public void Persistence_GrowsWithTime_AndRestartsWhenTheWallBreaks()
    {
        var s = WithBidWall(10);
        s.Diff(1_000, asks: [L(104, 2)]);
        long since = s.Engine.Walls.Bid.SinceMs;
        s.Diff(1_500, asks: [L(104, 3)]);
        Assert.Equal(since, s.Engine.Walls.Bid.SinceMs);
        Assert.Equal(1_500 - since, s.Engine.Walls.PersistenceMs(Side.Bid));

        s.Diff(2_000, bids: [L(98, 2)]);            // below 3 × median: not a wall for this diff
        Assert.False(s.Engine.Walls.Bid.Exists);
        Assert.Equal(0, s.Engine.Walls.PersistenceMs(Side.Bid));

        s.Diff(2_500, bids: [L(98, 10)]);           // back: a new run
        Assert.Equal(2_500, s.Engine.Walls.Bid.SinceMs);
        Assert.Equal(0, s.Engine.Walls.PersistenceMs(Side.Bid));
        s.Sell(2_700, 100, 1);                       // time moves with trades too
        Assert.Equal(200, s.Engine.Walls.PersistenceMs(Side.Bid));
    }

    [Fact]
    public void TwoWalls_TheLargerIsReported_TiesGoToTheTouch()
    {
        var s = new Scenario(Options).Snapshot([L(100, 1), L(99, 8), L(98, 1), L(97, 9), L(96, 1)], [L(101, 1), L(102, 6), L(103, 1), L(104, 6), L(105, 1)]);
        Assert.Equal(97, s.Engine.Walls.Bid.Tick);
        Assert.Equal(2, s.Engine.Walls.Bid.Count);
        Assert.Equal(102, s.Engine.Walls.Ask.Tick);  // equal sizes: the nearer one
        Assert.Equal(0.5 + 1, s.Engine.Walls.Ask.DistanceTicks);
    }

    [Fact]
    public void Median_OfAnyOrderWithTies_EqualsTheSortedMedian()
    {
        // Ties, ordered and reverse-ordered inputs (depth often grows away from the touch).
        var gen = Gen.Select(Gen.Int[1, 60], Gen.Int[1, 1_000], Gen.Int[0, 2], Gen.ULong);
        Property.ForAll(gen, 1_000, t =>
        {
            var (n, range, shape, seed) = t;
            var rng = new Random((int)seed);
            long[] values = [.. Enumerable.Range(0, n).Select(_ => (long)rng.Next(1, range + 1))];
            if (shape == 1) Array.Sort(values);
            if (shape == 2) Array.Sort(values, (a, b) => b.CompareTo(a));
            long[] sorted = [.. values.Order()];
            double expected = n % 2 == 1 ? sorted[n / 2] : ((double)sorted[n / 2 - 1] + (double)sorted[n / 2]) * 0.5;
            Assert.Equal(expected, WallDetector.Median(values));
        });
    }

    [Fact]
    public void TooFewLevels_NoProfile_NoWall()
    {
        var s = new Scenario(Options).Snapshot([L(100, 1), L(99, 100)], [L(101, 1)]);
        Assert.False(s.Engine.Walls.Bid.Exists);
    }

    [Fact]
    public void EvenCount_MedianIsTheMeanOfTheMiddleTwo()
    {
        var s = new Scenario(Options).Snapshot([L(100, 1), L(99, 3), L(98, 20), L(97, 2)], [L(101, 1)]);
        Assert.Equal(2.5, s.Engine.Walls.Bid.MedianQty); // sizes 1,2,3,20
        Assert.Equal(8.0, s.Engine.Walls.Bid.Ratio);
    }
}
