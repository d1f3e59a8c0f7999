using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Fathom.Benchmarks;

/// <summary>
/// The default job for the book benchmarks, sized for the 2-core build machine: 3 warmup and 10
/// measured iterations keep a class of three benchmarks to a few minutes. It is marked as a default
/// job, so a job given on the command line (<c>--job short</c>, <c>--job dry</c>, ...) replaces it
/// instead of running next to it.
/// </summary>
public sealed class BookBenchmarkConfig : ManualConfig
{
    public BookBenchmarkConfig() =>
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).AsDefault());
}
