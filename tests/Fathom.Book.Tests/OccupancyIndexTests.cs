using CsCheck;
using Fathom.Testing;
using Xunit;

namespace Fathom.Book.Tests;

public class OccupancyIndexTests
{
    /// <summary>A quantity array and its index, written as BookSide writes them: the cell, then a touch.</summary>
    private sealed class Slots(int size)
    {
        public readonly long[] Qty = new long[size];
        public readonly SortedSet<int> Occupied = [];

        public OccupancyIndex Make() => new(Qty);

        public void Set(OccupancyIndex index, int slot, long qty)
        {
            Qty[slot] = qty;
            index.Touch(slot);
            if (qty != 0) Occupied.Add(slot); else Occupied.Remove(slot);
        }

        public int Expected(int from) => from >= Qty.Length ? -1 : Occupied.GetViewBetween(from, Qty.Length - 1).DefaultIfEmpty(-1).First();
    }

    [Theory]
    [InlineData(64)]
    [InlineData(4096)]
    [InlineData(1 << 13)]
    [InlineData(1 << 20)]
    public void NextOccupied_MatchesLinearScan(int size)
    {
        var gen = Gen.Select(Gen.ULong, Gen.Int[1, 200]);
        Property.ForAll(gen, 60, t =>
        {
            var rng = new Random((int)t.Item1);
            var slots = new Slots(size);
            var index = slots.Make();
            for (int i = 0; i < t.Item2; i++)
                slots.Set(index, rng.Next(size), rng.Next(4) == 0 ? 0 : rng.Next(1, 1000));
            for (int q = 0; q < 200; q++)
            {
                int from = rng.Next(size);
                Assert.Equal(slots.Expected(from), index.NextOccupiedAtOrAfter(from));
            }
            Assert.Equal(slots.Expected(0), index.NextOccupiedAtOrAfter(0));
            index.AssertCovers();
        });
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1 << 13)]
    [InlineData(1 << 20)]
    public void Walk_ReturnsTheOccupiedSlotsOfItsRangeInOrder(int size)
    {
        var gen = Gen.Select(Gen.ULong, Gen.Int[0, 300]);
        Property.ForAll(gen, 60, t =>
        {
            var rng = new Random((int)t.Item1);
            var slots = new Slots(size);
            var index = slots.Make();
            for (int i = 0; i < t.Item2; i++)
            {
                // Clusters (dense lines and blocks) and outliers (empty blocks between levels).
                int slot = rng.Next(2) == 0 ? rng.Next(size) : (size / 3 + rng.Next(-700, 700)) & (size - 1);
                slots.Set(index, slot, rng.Next(3) == 0 ? 0 : rng.Next(1, 1000));
            }
            for (int q = 0; q < 20; q++)
            {
                int from = rng.Next(size), end = rng.Next(from, size + 1);
                var walk = index.StartWalk(from, end);
                var seen = new List<int>();
                while (index.Next(ref walk, out int slot))
                    seen.Add(slot);
                Assert.Equal(slots.Occupied.Where(s => s >= from && s < end), seen);
                Assert.False(index.Next(ref walk, out _)); // stays ended
            }
            index.AssertCovers();
        });
    }

    [Fact]
    public void EmptiedSlots_AreSkipped_AndTheLastOneEmptiedLeavesNothing()
    {
        var slots = new Slots(1 << 20);
        var index = slots.Make();
        slots.Set(index, 70_000, 5);
        slots.Set(index, 900_000, 7);
        slots.Set(index, 70_000, 0);
        Assert.Equal(900_000, index.NextOccupiedAtOrAfter(0));
        slots.Set(index, 900_000, 0);
        Assert.Equal(-1, index.NextOccupiedAtOrAfter(0));
        Assert.Equal(-1, index.NextOccupiedAtOrAfter(0));
    }

    [Fact]
    public void NextOccupied_OutOfRange_ReturnsMinusOne()
    {
        var slots = new Slots(64);
        var index = slots.Make();
        slots.Set(index, 63, 1);
        Assert.Equal(63, index.NextOccupiedAtOrAfter(63));
        Assert.Equal(-1, index.NextOccupiedAtOrAfter(64));
        Assert.Equal(-1, index.NextOccupiedAtOrAfter(-1));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1 << 18)]
    [InlineData(1 << 24)]
    public void Summaries_AfterSetsClearsAndSearches_KeepCovering(int size)
    {
        var slots = new Slots(size);
        var index = slots.Make();
        var rng = new Random(20261207);
        for (int i = 0; i < 5_000; i++)
        {
            // Clusters and far outliers, so blocks at both summary levels fill and empty again.
            int slot = rng.Next(3) == 0 ? rng.Next(size) : (size / 2 + rng.Next(-300, 300)) & (size - 1);
            slots.Set(index, slot, rng.Next(2) == 0 ? 0 : rng.Next(1, 1000));
            if (i % 7 == 0)
            {
                int from = rng.Next(size);
                Assert.Equal(slots.Expected(from), index.NextOccupiedAtOrAfter(from));
            }
        }
        index.AssertCovers();
    }

    [Fact]
    public void StaleSummariesAtBothLevels_AreSkippedAndCleared()
    {
        const int size = 1 << 24;
        var slots = new Slots(size);
        var index = slots.Make();
        // 5 and 300,000 sit in different level-2 blocks (32,768 slots each) and far from size - 1; emptying them
        // leaves their level-1 and level-2 bytes set over nothing.
        slots.Set(index, 5, 1);
        slots.Set(index, 300_000, 1);
        slots.Set(index, size - 1, 1);
        slots.Set(index, 5, 0);
        slots.Set(index, 300_000, 0);
        Assert.Equal(size - 1, index.NextOccupiedAtOrAfter(0));
        Assert.Equal(size - 1, index.NextOccupiedAtOrAfter(0)); // the first search cleared the stale bytes
        index.AssertCovers();
        slots.Set(index, 300_001, 1);
        Assert.Equal(300_001, index.NextOccupiedAtOrAfter(0));
        slots.Set(index, size - 1, 0);
        Assert.Equal(-1, index.NextOccupiedAtOrAfter(300_002));
        slots.Set(index, 300_001, 0);
        Assert.Equal(-1, index.NextOccupiedAtOrAfter(0));
        index.AssertCovers();
    }

    [Fact]
    public void ClearSummaries_WithTheQuantitiesZeroed_LeavesAnEmptyIndex()
    {
        var slots = new Slots(4096);
        var index = slots.Make();
        slots.Set(index, 10, 3);
        slots.Set(index, 4000, 3);
        Array.Clear(slots.Qty);
        index.ClearSummaries();
        Assert.Equal(-1, index.NextOccupiedAtOrAfter(0));
        slots.Occupied.Clear();
        slots.Set(index, 2000, 1);
        Assert.Equal(2000, index.NextOccupiedAtOrAfter(0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(1 << 25)]
    public void Construction_RejectsSizesThatAreNotAPowerOfTwoInRange(int size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new OccupancyIndex(new long[size]));
}
