using BenchmarkDotNet.Running;

namespace Fathom.Persistence.Benchmarks;

/// <summary>
/// Entry point. Run in Release, e.g.
/// <c>dotnet run -c Release --project bench/Fathom.Persistence.Benchmarks -- --filter '*'</c>;
/// any BenchmarkDotNet option (<c>--list flat</c>, ...) passes through.
/// </summary>
public static class Program
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
