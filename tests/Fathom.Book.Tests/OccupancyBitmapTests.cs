using CsCheck;
using Fathom.Testing;
using Xunit;

namespace Fathom.Book.Tests;

public class OccupancyBitmapTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(4096)]
    [InlineData(1 << 13)]
    [InlineData(1 << 20)]
    public void NextSetAtOrAfter_MatchesLinearScan(int size)
    {
        var gen = Gen.Select(Gen.ULong, Gen.Int[1, 200]);
        Property.ForAll(gen, 60, t =>
        {
            var rng = new Random((int)t.Item1);
            var bitmap = new OccupancyBitmap(size);
            var set = new SortedSet<int>();
            for (int i = 0; i < t.Item2; i++)
            {
                int idx = rng.Next(size);
                if (rng.Next(4) == 0) { bitmap.Clear(idx); set.Remove(idx); }
                else { bitmap.Set(idx); set.Add(idx); }
            }
            for (int q = 0; q < 200; q++)
            {
                int from = rng.Next(size);
                int expected = set.GetViewBetween(from, size - 1).DefaultIfEmpty(-1).First();
                Assert.Equal(expected, bitmap.NextSetAtOrAfter(from));
            }
            Assert.Equal(set.Count == 0 ? -1 : set.Min, bitmap.NextSetAtOrAfter(0));
            Assert.Equal(set.Count, bitmap.PopCount());
        });
    }

    [Fact]
    public void Clear_LastBitOfAWord_ClearsUpperLevels()
    {
        var bitmap = new OccupancyBitmap(1 << 20);
        bitmap.Set(70_000);
        bitmap.Set(900_000);
        bitmap.Clear(70_000);
        Assert.Equal(900_000, bitmap.NextSetAtOrAfter(0));
        bitmap.Clear(900_000);
        Assert.Equal(-1, bitmap.NextSetAtOrAfter(0));
    }

    [Fact]
    public void NextSetAtOrAfter_OutOfRange_ReturnsMinusOne()
    {
        var bitmap = new OccupancyBitmap(64);
        bitmap.Set(63);
        Assert.Equal(63, bitmap.NextSetAtOrAfter(63));
        Assert.Equal(-1, bitmap.NextSetAtOrAfter(64));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1 << 18)]
    [InlineData(1 << 24)]
    public void Summaries_AfterSetsClearsAndSearches_StayExactAtLevelOneAndCovering(int size)
    {
        var bitmap = new OccupancyBitmap(size);
        var rng = new Random(20261125);
        var set = new SortedSet<int>();
        for (int i = 0; i < 5_000; i++)
        {
            // Clusters and far outliers, so blocks at every summary level fill and empty again.
            int idx = rng.Next(3) == 0 ? rng.Next(size) : (size / 2 + rng.Next(-300, 300)) & (size - 1);
            if (rng.Next(2) == 0) { bitmap.Clear(idx); set.Remove(idx); }
            else { bitmap.Set(idx); set.Add(idx); }
            if (i % 7 == 0)
            {
                int from = rng.Next(size);
                Assert.Equal(set.GetViewBetween(from, size - 1).DefaultIfEmpty(-1).First(), bitmap.NextSetAtOrAfter(from));
            }
        }
        bitmap.AssertSummariesCover();
        Assert.Equal(set.Count, bitmap.PopCount());
    }

    [Fact]
    public void NextSetAtOrAfter_StaleSummariesAtEveryLevel_SkipsThemAndStaysCorrect()
    {
        const int size = 1 << 24;
        var bitmap = new OccupancyBitmap(size);
        // 5 and 300,000 sit in different level-3 blocks (2^18 slots each); clearing them leaves their
        // level-2 and level-3 bytes stale.
        bitmap.Set(5);
        bitmap.Set(300_000);
        bitmap.Set(size - 1);
        bitmap.Clear(5);
        bitmap.Clear(300_000);
        Assert.Equal(size - 1, bitmap.NextSetAtOrAfter(0));
        Assert.Equal(size - 1, bitmap.NextSetAtOrAfter(0)); // the stale bytes were cleared by the first search
        bitmap.AssertSummariesCover();
        bitmap.Set(300_001);
        Assert.Equal(300_001, bitmap.NextSetAtOrAfter(0));
        bitmap.Clear(size - 1);
        Assert.Equal(-1, bitmap.NextSetAtOrAfter(300_002));
        bitmap.Clear(300_001);
        Assert.Equal(-1, bitmap.NextSetAtOrAfter(0));
        Assert.Equal(0, bitmap.PopCount());
    }
}
