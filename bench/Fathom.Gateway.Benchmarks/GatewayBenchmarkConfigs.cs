using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace Fathom.Gateway.Benchmarks;

/// <summary>
/// Encoder: sized for the 2-core build machine like the other suites (3 warmup, 10 measured iterations
/// of 250 ms); the memory diagnoser shows bytes per operation (0 is the requirement).
/// </summary>
public sealed class EncodeBenchmarkConfig : ManualConfig
{
    public EncodeBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// <summary>
/// Round trip: one place per iteration (Monitoring strategy, one invocation per iteration), so the
/// iteration statistics are the per-order latency distribution and the percentile columns mean what
/// they say. 300 warmup and 2000 measured round trips keep the run to a few seconds.
/// </summary>
public sealed class RoundTripBenchmarkConfig : ManualConfig
{
    public RoundTripBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(300)
            .WithIterationCount(2000)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .AsDefault());
        AddColumn(StatisticColumn.Min, StatisticColumn.P50, StatisticColumn.P90, StatisticColumn.P95, StatisticColumn.Max);
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
