using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Fathom.Execution.Benchmarks;

/// <summary>
/// Sized for the 2-core build machine: 3 warmup and 10 measured iterations of 250 ms keep the whole
/// class to about a minute. Marked as the default job, so a job given on the command line replaces it
/// instead of running next to it. The memory diagnoser shows the bytes allocated per operation (0 is
/// the requirement).
/// </summary>
public sealed class ExecutionBenchmarkConfig : ManualConfig
{
    public ExecutionBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
