using Fathom.Engine;
using HdrHistogram;
using Xunit;

namespace Fathom.Engine.Tests;

public class EngineLatencyTests
{
    [Theory]
    [InlineData(50, 10)]
    [InlineData(90, 10)]
    [InlineData(99, 100)]
    [InlineData(99.9, 1000)]
    public void MinSamples_Percentile_NeedsATailSampleAndAtLeastTen(double percentile, long expected) =>
        Assert.Equal(expected, EngineLatency.MinSamples(percentile));

    [Fact]
    public void Describe_TooFewSamples_ShowsNaAndTheCount()
    {
        var h = new LongHistogram(60_000_000_000, 3);
        for (int i = 1; i <= 150; i++)
            h.RecordValue(i * 1_000);
        string text = EngineLatency.Describe(h);
        Assert.Matches(@"^p50 7\d\.\d µs, p99 14\d\.\d µs, p99\.9 n/a, max 150\.\d µs \(n=150\)$", text);
        h.Reset();
        h.RecordValue(5_000);
        Assert.Equal("p50 n/a, p99 n/a, p99.9 n/a, max 5.0 µs (n=1)", EngineLatency.Describe(h));
    }
}
