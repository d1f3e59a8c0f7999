using BenchmarkDotNet.Running;

namespace Fathom.Persistence.Benchmarks;

/// <summary>
/// Entry point. Run in Release, e.g.
/// <c>dotnet run -c Release --project bench/Fathom.Persistence.Benchmarks -- --filter '*'</c>;
/// any BenchmarkDotNet option (<c>--list flat</c>, ...) passes through. <c>-- coordination [calls]</c> runs the
/// coordination latency loop instead (<see cref="CoordinationLatencyHarness"/>).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "coordination")
        {
            CoordinationLatencyHarness.RunAsync(args[1..]).GetAwaiter().GetResult();
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
