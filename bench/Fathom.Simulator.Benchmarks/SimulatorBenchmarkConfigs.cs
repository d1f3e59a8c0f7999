using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Fathom.Simulator.Benchmarks;

/// <summary>
/// Matching throughput: every iteration is one invocation (the engine is rebuilt and seeded in
/// <c>[IterationSetup]</c>, outside the measurement) replaying the whole command stream, so the
/// figures are per command via OperationsPerInvoke. 10 warmup and 15 measured iterations, sized for
/// the 2-core build machine. Marked as a default job, so a job given on the command line replaces it.
/// </summary>
public sealed class MatchingBenchmarkConfig : ManualConfig
{
    public MatchingBenchmarkConfig()
    {
        AddJob(Job.Default.WithInvocationCount(1).WithUnrollFactor(1).WithWarmupCount(10).WithIterationCount(15).AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// <summary>
/// Request latency: one request per iteration (InvocationCount 1), so BenchmarkDotNet's percentile
/// columns are percentiles of single requests, not of iteration means. 200 warmup and 1000 measured
/// requests per method (on top of the warm-up round trips the global setup already makes).
/// </summary>
public sealed class LatencyBenchmarkConfig : ManualConfig
{
    public LatencyBenchmarkConfig()
    {
        AddJob(Job.Default.WithInvocationCount(1).WithUnrollFactor(1).WithWarmupCount(200).WithIterationCount(1000).AsDefault());
        AddColumn(StatisticColumn.P50, StatisticColumn.P95, new P99Column(), StatisticColumn.Max);
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// <summary>The 99th percentile of the measured iterations (always in μs; BenchmarkDotNet ships P0 to P100 in steps, but no P99).</summary>
public sealed class P99Column : IColumn
{
    public string Id => "P99";
    public string ColumnName => "P99";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Statistics;
    public int PriorityInCategory => 20;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Time;
    public string Legend => "Percentile 99: 99% of the measured requests took less";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null)
            return "NA";
        double ns = stats.Percentiles.Percentile(99);
        return (ns / 1000).ToString("N2", style.CultureInfo) + " μs";
    }
}
