using Fathom.Cli;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary><c>fathom bench</c>'s table: figures read from BenchmarkDotNet's JSON and the harness's RESULT line, judged against the targets.</summary>
public class BenchReportTests
{
    private const string Json = """
        {"Title":"x","Benchmarks":[
          {"Type":"BookLevelUpdateBenchmarks","Method":"SortedDictionary","Statistics":{"N":3,"Mean":216.4,"Median":216.0}},
          {"Type":"BookLevelUpdateBenchmarks","Method":"FathomOrderBook","Statistics":{"N":3,"Mean":5.3,"Median":5.2}},
          {"Type":"ParseApplyBenchmarks","Method":"DepthPerByte","Statistics":{"N":3,"Mean":0.87}},
          {"Type":"Failed","Method":"Broken","Statistics":null}
        ]}
        """;

    private const string Harness = "frames 99574\ntick-to-order: ...\nRESULT tick_to_order_n=1510 tick_to_order_p50_ns=8247 tick_to_order_p999_ns=4184063 " +
        "floor_p50_ns=361 floor_p999_ns=69503 ratio_p50=22.84 ratio_p999=60.20 allocated_bytes=0 gen0=0 stalls20_per_s=781.8\n";

    [Fact]
    public void Rows_FromBenchmarkJsonAndHarness_JudgeEachTarget()
    {
        var means = BenchReport.Means(Json);
        Assert.Equal(3, means.Count); // the failed benchmark (no statistics) is skipped
        var rows = BenchReport.Rows(means, BenchReport.HarnessResult(Harness));
        string table = BenchReport.Table(rows);

        Assert.Equal("5.30 ns", Row(rows, "book: ≤ 5 ns").Figure);
        Assert.Matches(@"book: ≤ 5 ns per level update\s+\| 5\.30 ns\s+\| NO", table);
        Assert.False(Row(rows, "book: ≤ 5 ns").Met);
        Assert.Contains("40.8× (216.4 ns / 5.30 ns)", Row(rows, "SortedDictionary").Figure);
        Assert.False(Row(rows, "SortedDictionary").Met);
        Assert.Equal("0.870 ns/byte", Row(rows, "parse + apply").Figure);
        Assert.True(Row(rows, "parse + apply").Met);
        Assert.Equal("8.25 µs (n=1510)", Row(rows, "p50 ≤ 1 µs").Figure);
        Assert.False(Row(rows, "p50 ≤ 1 µs").Met);
        Assert.Equal("4184.06 µs (n=1510)", Row(rows, "p99.9 ≤ 20 µs").Figure);
        Assert.Equal("p50 22.8× (floor 0.36 µs), p99.9 60.2×", Row(rows, "floor").Figure);
        Assert.Null(Row(rows, "floor").Met);
        Assert.Equal("782 per second", Row(rows, "machine stalls").Figure);
        Assert.Null(Row(rows, "machine stalls").Met);
        Assert.Contains("| NO", table);
        Assert.Contains("| yes", table);
    }

    [Fact]
    public void Rows_TooFewSamplesOrNothingMeasured_NotMet()
    {
        var few = BenchReport.HarnessResult("RESULT tick_to_order_n=388 tick_to_order_p50_ns=600 tick_to_order_p999_ns=900 ratio_p50=2 floor_p50_ns=300 ratio_p999=3\n");
        var rows = BenchReport.Rows(new Dictionary<string, double>(), few);
        Assert.True(Row(rows, "p50 ≤ 1 µs").Met); // 388 samples are enough for p50
        Assert.Equal("n/a (n=388)", Row(rows, "p99.9 ≤ 20 µs").Figure); // not for p99.9
        Assert.False(Row(rows, "p99.9 ≤ 20 µs").Met);
        Assert.Equal("p50 2.0× (floor 0.30 µs), p99.9 n/a", Row(rows, "floor").Figure);
        Assert.DoesNotContain(rows, r => r.Target.Contains("machine stalls", StringComparison.Ordinal)); // an older harness: no row
        Assert.Equal("not measured", Row(rows, "book: ≤ 5 ns").Figure);
        Assert.False(Row(rows, "book: ≤ 5 ns").Met);
        Assert.Empty(BenchReport.HarnessResult("no result line\n"));
    }

    private static BenchRow Row(List<BenchRow> rows, string target) => Assert.Single(rows, r => r.Target.Contains(target, StringComparison.Ordinal));
}
