using Xunit;

namespace Fathom.Risk.Tests;

public class LatencyWindowTests
{
    /// <summary>The percentile computed from scratch over the samples (what the window computed before it kept its last answer).</summary>
    private static bool Reference(List<(long Value, long Time)> samples, int capacity, double percentile, int minSamples,
        long nowNs, long maxAgeNs, out long value)
    {
        var counted = samples.Skip(Math.Max(0, samples.Count - capacity)).Where(s => nowNs - s.Time <= maxAgeNs)
            .Select(s => s.Value).Order().ToArray();
        value = 0;
        if (counted.Length < minSamples)
            return false;
        int rank = (int)Math.Ceiling(percentile * counted.Length);
        value = counted[Math.Clamp(rank - 1, 0, counted.Length - 1)];
        return true;
    }

    [Fact]
    public void Asked_again_and_again_it_gives_what_a_fresh_computation_gives()
    {
        // Ticks far more often than samples, ages moving both ways (the ack rule's age shrinks after a release),
        // samples ageing out one by one and the window wrapping: every answer is checked against a fresh computation.
        var random = new Random(18);
        const int capacity = 16;
        var window = new LatencyWindow(capacity);
        var samples = new List<(long, long)>();
        long now = 1_000_000_000;
        int hits = 0;
        for (int step = 0; step < 20_000; step++)
        {
            now += random.Next(0, 3) * 1_000_000L;
            if (random.Next(8) == 0)
            {
                long latency = random.Next(1, 50) * 100_000L;
                window.Add(latency, now);
                samples.Add((latency, now));
            }
            long maxAge = random.Next(4) == 0 ? random.Next(0, 200) * 1_000_000L : 100_000_000L;
            double percentile = random.Next(10) == 0 ? 0.5 : 0.99;
            int minSamples = random.Next(10) == 0 ? 1 : 3;
            bool found = window.TryPercentile(percentile, minSamples, now, maxAge, out long value);
            bool expected = Reference(samples, capacity, percentile, minSamples, now, maxAge, out long expectedValue);
            Assert.Equal(expected, found);
            Assert.Equal(expectedValue, value);
            if (found)
                hits++;
        }
        Assert.True(hits > 1_000, $"only {hits} answers had enough samples: the test would check little");
    }

    [Fact]
    public void Select_gives_what_a_sort_puts_at_the_rank()
    {
        // Sizes around the insertion-sort cut-off and well above it (the ack window holds 256), values with many
        // repeats and without, every rank: the selected value is the sorted array's, for each.
        var random = new Random(18);
        foreach (int n in new[] { 1, 2, 15, 16, 17, 33, 64, 255, 256 })
        {
            foreach (int spread in new[] { 3, 50, 1_000_000 })
            {
                long[] values = new long[n];
                for (int i = 0; i < n; i++)
                    values[i] = random.Next(spread);
                long[] sorted = [.. values.Order()];
                for (int k = 0; k < n; k++)
                {
                    long[] scratch = (long[])values.Clone();
                    Assert.Equal(sorted[k], LatencyWindow.Select(scratch, k));
                }
            }
        }
    }

    [Fact]
    public void Select_handles_sorted_reversed_and_equal_inputs()
    {
        const int n = 256;
        long[][] inputs =
        [
            [.. Enumerable.Range(0, n).Select(i => (long)i)],
            [.. Enumerable.Range(0, n).Select(i => (long)(n - i))],
            [.. Enumerable.Repeat(7L, n)],
        ];
        foreach (long[] values in inputs)
        {
            long[] sorted = [.. values.Order()];
            foreach (int k in new[] { 0, 1, n / 2, n - 3, n - 1 })
                Assert.Equal(sorted[k], LatencyWindow.Select((long[])values.Clone(), k));
        }
    }
}
