using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace Fathom.Signals.Benchmarks;

/// <summary>
/// One diff per iteration (<see cref="TouchMoveBenchmarks"/>): a single invocation per iteration,
/// 200 warmup and 1,000 measured iterations, i.e. 1,000 consecutive diffs of the chosen kind.
/// </summary>
public sealed class TouchMoveBenchmarkConfig : ManualConfig
{
    public TouchMoveBenchmarkConfig()
    {
        AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(200)
            .WithIterationCount(1_000).WithInvocationCount(1).WithUnrollFactor(1).AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median, BenchmarkDotNet.Columns.StatisticColumn.P90);
    }
}
