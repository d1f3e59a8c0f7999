using BenchmarkDotNet.Running;

namespace Fathom.Backtest.Benchmarks;

/// <summary>
/// Entry point. Run in Release, e.g. <c>dotnet run -c Release --project bench/Fathom.Backtest.Benchmarks -- --filter '*'</c>;
/// any BenchmarkDotNet option passes through. <c>-- --cpu-time [runs] [row]</c> times the whole-core rows by thread CPU time instead
/// (see <see cref="CpuTimeRun"/>).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--cpu-time")
        {
            CpuTimeRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15,
                args.Length > 2 ? args[2] : null);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
