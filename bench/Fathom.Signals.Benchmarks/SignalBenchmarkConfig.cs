using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Fathom.Signals.Benchmarks;

/// <summary>
/// Sized for the 2-core build machine: 3 warmup and 10 measured iterations. Marked as the default
/// job, so a job given on the command line replaces it instead of running next to it. The memory
/// diagnoser shows the allocated bytes per operation (0 is the requirement).
/// </summary>
public sealed class SignalBenchmarkConfig : ManualConfig
{
    public SignalBenchmarkConfig()
    {
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
