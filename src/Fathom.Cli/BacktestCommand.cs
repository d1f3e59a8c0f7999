using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using Fathom.Backtest;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom backtest --config bt.json [--out DIR]</c>: runs the production core on recorded data in virtual time
/// against the simulated venue (<see cref="Backtester"/>), prints a short summary (events and rate, fills, realized
/// PnL, fees, final position) and writes <c>result.json</c> into <c>--out</c>. A progress line goes to stderr about
/// every 2 s of wall time while it runs.
/// </summary>
internal static class BacktestCommand
{
    /// <summary>The simulated venue's type (from the backtest library); the command builds it through its constructor.</summary>
    internal const string SimulatedVenueType = "Fathom.Backtest.Venue.SimulatedVenue";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var config = new Option<FileInfo>("--config") { Description = "The backtest config (JSON; see docs/backtesting.md).", Required = true };
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "Folder for result.json (created if missing); nothing is written without it." };
        var command = new Command("backtest", "Run a strategy on recorded data in virtual time against the simulated venue.") { config, outDir };
        command.SetAction((parse, cancel) => Task.FromResult(Run(parse.GetValue(config)!, parse.GetValue(outDir), FindVenue(), null, output, error, cancel)));
        return command;
    }

    /// <summary>Runs one backtest; 0 on success, 2 for bad input (the config, a data file).</summary>
    internal static int Run(FileInfo configFile, DirectoryInfo? outDir,
        Func<IReadOnlyList<InstrumentSpec>, VenueModel, IReportSink, IBacktestVenue>? venueFactory, StrategyCatalog? catalog,
        TextWriter output, TextWriter error, CancellationToken cancel)
    {
        BacktestConfig config;
        try
        {
            config = BacktestConfig.Load(configFile.FullName, catalog);
        }
        catch (BacktestConfigException ex)
        {
            foreach (string e in ex.Errors)
                error.WriteLine("error: " + e);
            return CliErrors.ExitInput;
        }
        if (venueFactory is null)
        {
            error.WriteLine($"error: this build of fathom has no simulated venue ({SimulatedVenueType} is not in Fathom.Backtest)");
            return CliErrors.ExitFailure;
        }
        output.Write(config.Describe());
        var wall = Stopwatch.StartNew();
        long lastPrint = 0;
        void Progress(BacktestProgress p)
        {
            if (wall.ElapsedMilliseconds - lastPrint < 2_000)
                return;
            lastPrint = wall.ElapsedMilliseconds;
            var at = DateTimeOffset.UnixEpoch.AddTicks(p.NowNs / 100);
            error.WriteLine($"  {at:yyyy-MM-dd HH:mm:ss} UTC: {p.Events:N0} events, {p.Events / Math.Max(wall.Elapsed.TotalSeconds, 1e-9) / 1e6:F2} M/s, {p.Fills:N0} fills");
        }
        BacktestOutcome outcome;
        try
        {
            outcome = Backtester.Execute(config, venueFactory, catalog, Progress, cancel);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine("error: " + ex.Message.ReplaceLineEndings(" ").Trim());
            return CliErrors.ExitInput;
        }
        wall.Stop();
        BacktestResult result = outcome.Result;
        output.Write(BacktestSummary.Of(result).Describe(result, wall.Elapsed));
        if (outcome.StrategyError is not null)
            output.WriteLine($"  strategy halted: {outcome.StrategyError}");
        if (outcome.HaltReason is not null)
            output.WriteLine($"  trading halted: {outcome.HaltReason}");
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir.FullName);
            string path = Path.Combine(outDir.FullName, "result.json");
            BacktestResultJson.Write(result, path);
            output.WriteLine($"  wrote {path}");
        }
        return 0;
    }

    /// <summary>The simulated venue's constructor <c>(specs, model, sink)</c>, or null when this build does not have it.</summary>
    internal static Func<IReadOnlyList<InstrumentSpec>, VenueModel, IReportSink, IBacktestVenue>? FindVenue()
    {
        Type? type = typeof(IBacktestVenue).Assembly.GetType(SimulatedVenueType);
        ConstructorInfo? constructor = type?.GetConstructor([typeof(IReadOnlyList<InstrumentSpec>), typeof(VenueModel), typeof(IReportSink)]);
        if (constructor is null)
            return null;
        return (specs, model, sink) => (IBacktestVenue)constructor.Invoke([specs, model, sink]);
    }
}
