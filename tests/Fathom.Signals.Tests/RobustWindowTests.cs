using CsCheck;
using Fathom.Testing;
using Xunit;

namespace Fathom.Signals.Tests;

public class RobustWindowTests
{
    [Fact]
    public void RollingMedianAndMad_AreBitIdenticalToSortingTheWindow()
    {
        // Few distinct values (many ties) and many distinct ones; windows of 1 to 40.
        var gen = Gen.Select(Gen.Int[1, 40], Gen.Int[1, 300], Gen.Int[1, 8], Gen.ULong);
        Property.ForAll(gen, 300, t =>
        {
            var (capacity, count, distinctLog2, seed) = t;
            var rng = new Random((int)seed);
            var window = new RobustWindow(capacity);
            var all = new List<double>();
            for (int i = 0; i < count; i++)
            {
                double x = Math.Log(1 + rng.Next(1 << distinctLog2)) * (rng.Next(2) == 0 ? 1 : -1);
                window.Add(x);
                all.Add(x);
                double[] w = [.. all.Skip(Math.Max(0, all.Count - capacity)).Order()];
                double median = Median(w);
                double mad = Median([.. w.Select(v => Math.Abs(v - median)).Order()]);
                Assert.Equal(w.Length, window.Count);
                Assert.Equal(median, window.Median());
                Assert.Equal(mad, window.MedianAbsoluteDeviation(median));
            }
        });
    }

    [Fact]
    public void AddRange_LeavesTheSameWindowAsAddingOneByOne_BitIdenticalToSortingIt()
    {
        // Batches of 0 to 50 values (larger than some windows, and than the batch capacity) with many
        // ties; the window after each batch against one fed value by value and against a sort.
        var gen = Gen.Select(Gen.Int[1, 40], Gen.Int[1, 24], Gen.Int[1, 60], Gen.Int[1, 8], Gen.ULong);
        Property.ForAll(gen, 300, t =>
        {
            var (capacity, batchCapacity, batches, distinctLog2, seed) = t;
            var rng = new Random((int)seed);
            var batched = new RobustWindow(capacity, batchCapacity);
            var single = new RobustWindow(capacity);
            var all = new List<double>();
            for (int b = 0; b < batches; b++)
            {
                double[] values = new double[rng.Next(51)];
                for (int i = 0; i < values.Length; i++)
                    values[i] = Math.Log(1 + rng.Next(1 << distinctLog2)) * (rng.Next(2) == 0 ? 1 : -1);
                batched.AddRange(values);
                foreach (double v in values)
                    single.Add(v);
                all.AddRange(values);
                double[] w = [.. all.Skip(Math.Max(0, all.Count - capacity)).Order()];
                if (w.Length == 0)
                    continue;
                double median = Median(w);
                double mad = Median([.. w.Select(v => Math.Abs(v - median)).Order()]);
                Assert.Equal(w.Length, batched.Count);
                Assert.Equal(median, batched.Median());
                Assert.Equal(mad, batched.MedianAbsoluteDeviation(median));
                Assert.Equal(single.Median(), batched.Median());
                // The ring order must match too: the next values to leave are the same.
                double probe = rng.NextDouble();
                single.Add(probe);
                batched.Add(probe);
                all.Add(probe);
                Assert.Equal(single.Median(), batched.Median());
                Assert.Equal(single.MedianAbsoluteDeviation(single.Median()), batched.MedianAbsoluteDeviation(batched.Median()));
            }
        });
    }

    [Fact]
    public void ZScore_UsesTheFloor_AndIsNaNBelowTheMinimumSamples()
    {
        var window = new RobustWindow(8);
        window.Add(1.0);
        window.Add(1.0);
        Assert.True(double.IsNaN(window.ZScore(5, minSamples: 3, floor: 0.5)));
        window.Add(1.0);
        Assert.Equal(8.0, window.ZScore(5, minSamples: 3, floor: 0.5)); // (5 − 1) / max(0, 0.5)
        Assert.True(double.IsNaN(new RobustWindow(4).Median()));
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) * 0.5;
}
