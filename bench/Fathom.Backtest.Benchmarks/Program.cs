using BenchmarkDotNet.Running;

namespace Fathom.Backtest.Benchmarks;

/// <summary>
/// Entry point. Run in Release, e.g. <c>dotnet run -c Release --project bench/Fathom.Backtest.Benchmarks -- --filter '*'</c>;
/// any BenchmarkDotNet option passes through.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
