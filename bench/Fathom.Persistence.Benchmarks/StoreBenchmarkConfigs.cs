using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Fathom.Persistence.Benchmarks;

/// <summary>
/// The append benchmarks: a fixed number of invocations per iteration (no pilot), so one iteration's appends
/// (<see cref="StoreAppendBenchmarks.AppendsPerIteration"/>) always fit the store's queue and the iteration
/// cleanup can drain it before the next. An iteration is short (a few milliseconds of appends; the cleanup's
/// commit takes about a second), so 3 warmup and 15 measured iterations, and the median is the figure to read
/// on a shared machine (an iteration the scheduler preempted shows in the mean). The memory diagnoser shows the
/// bytes allocated per append (0 is the requirement). Marked as the default job, so a job given on the command
/// line replaces it.
/// </summary>
public sealed class StoreAppendConfig : ManualConfig
{
    public StoreAppendConfig()
    {
        AddJob(Job.Default
            .WithWarmupCount(3)
            .WithIterationCount(15)
            .WithInvocationCount(StoreAppendBenchmarks.InvocationsPerIteration)
            .WithUnrollFactor(1)
            .AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);
    }
}

/// <summary>
/// The sustained write rate: each invocation appends and commits tens of thousands of records (hundreds of
/// milliseconds), so one invocation per iteration, 1 warmup and 6 measured iterations.
/// </summary>
public sealed class StoreWriteRateConfig : ManualConfig
{
    public StoreWriteRateConfig()
    {
        AddJob(Job.Default
            .WithWarmupCount(1)
            .WithIterationCount(6)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
    }
}
