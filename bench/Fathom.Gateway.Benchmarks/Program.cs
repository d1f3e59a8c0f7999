using BenchmarkDotNet.Running;

namespace Fathom.Gateway.Benchmarks;

/// <summary>
/// Entry point. Run in Release, e.g.
/// <c>dotnet run -c Release --project bench/Fathom.Gateway.Benchmarks -- --filter '*'</c>;
/// any BenchmarkDotNet option (<c>--job short</c>, <c>--list flat</c>, ...) passes through.
/// </summary>
public static class Program
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
