using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Fathom.Backtest.Report;
using Fathom.Backtest.Sweeps;
using Fathom.Backtest.Venue;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;

namespace Fathom.Backtest;

/// <summary>
/// <c>fathom backtest</c> for a program of your own: the strategies you registered with
/// <see cref="FathomHostBuilder.AddStrategy{TStrategy}(string)"/> run on recorded data, with the same config, output,
/// report files and sweeps as the CLI:
/// <code>
/// var builder = FathomHost.CreateBuilder(args).AddStrategy&lt;MyStrategy&gt;("my");
/// if (args is ["backtest", .. var rest])
///     return BacktestHost.Run(rest, builder.Strategies);
/// return await builder.Build().RunAsync();
/// </code>
/// </summary>
/// <remarks>
/// Arguments: <c>--config bt.json</c> (required), <c>--out DIR</c>, <c>--set path=v1,v2</c> (repeatable: a sweep),
/// <c>--parallel N</c>. Exit codes: 0 success; 1 a sweep point failed; 2 a usage or input error.
/// </remarks>
public static class BacktestHost
{
    internal const int ExitFailure = 1;
    internal const int ExitInput = 2;

    /// <summary>Runs the backtest <paramref name="args"/> ask for with <paramref name="strategies"/>; writes to the console.</summary>
    public static int Run(string[] args, StrategyCatalog strategies) => Run(args, strategies, Console.Out, Console.Error, CancellationToken.None);

    /// <summary>As <see cref="Run(string[], StrategyCatalog)"/>, writing the summary to <paramref name="output"/> and errors and progress to <paramref name="error"/>.</summary>
    public static int Run(string[] args, StrategyCatalog strategies, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(strategies);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? config = null, outDir = null;
        int parallel = Environment.ProcessorCount;
        var sets = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string key = args[i];
            if (i + 1 >= args.Length || key is not ("--config" or "--out" or "--set" or "--parallel"))
            {
                error.WriteLine(key is "--config" or "--out" or "--set" or "--parallel"
                    ? $"error: {key} needs a value"
                    : $"error: unknown argument '{key}' (expected --config, --out, --set, --parallel)");
                return ExitInput;
            }
            string value = args[++i];
            switch (key)
            {
                case "--config": config = value; break;
                case "--out": outDir = value; break;
                case "--set": sets.Add(value); break;
                default:
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out parallel))
                    {
                        error.WriteLine($"error: --parallel '{value}' is not a whole number");
                        return ExitInput;
                    }
                    break;
            }
        }
        if (config is null)
        {
            error.WriteLine("error: --config is required (the backtest config; see docs/backtesting.md)");
            return ExitInput;
        }
        var file = new FileInfo(config);
        var dir = outDir is null ? null : new DirectoryInfo(outDir);
        return sets.Count == 0
            ? RunOne(file, dir, DefaultVenue, strategies, output, error, cancel)
            : Sweep(file, sets, parallel, dir, DefaultVenue, strategies, output, error, cancel);
    }

    /// <summary>The venue every backtest trades against.</summary>
    internal static readonly Func<IReadOnlyList<InstrumentSpec>, VenueModel, IReportSink, IBacktestVenue> DefaultVenue =
        static (specs, model, sink) => new SimulatedVenue(specs, model, sink);

    /// <summary>Runs one backtest; 0 on success, 2 for bad input (the config, a data file).</summary>
    internal static int RunOne(FileInfo configFile, DirectoryInfo? outDir,
        Func<IReadOnlyList<InstrumentSpec>, VenueModel, IReportSink, IBacktestVenue> venueFactory, StrategyCatalog? catalog,
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
            return ExitInput;
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
            return ExitInput;
        }
        wall.Stop();
        BacktestResult result = outcome.Result;
        BacktestSummary summary = BacktestReport.Summarize(result);
        output.Write(Describe(result, summary, wall.Elapsed));
        if (outcome.StrategyError is not null)
            output.WriteLine($"  strategy halted: {outcome.StrategyError}");
        if (outcome.HaltReason is not null)
            output.WriteLine($"  trading halted: {outcome.HaltReason}");
        foreach (string warning in outcome.DataWarnings)
            error.WriteLine($"warning: {warning}");
        if (outDir is not null)
        {
            WriteFiles(result, summary, outDir.FullName);
            output.WriteLine($"  wrote {Path.Combine(outDir.FullName, "report.html")}, fills.csv, orders.csv, summary.json, result.json");
        }
        else
        {
            output.WriteLine("  (give --out DIR for the HTML report, the fills and orders as CSV, and result.json)");
        }
        return 0;
    }

    /// <summary>
    /// Runs every point of the <paramref name="sets"/> grid over the config, <paramref name="parallel"/> at a time, and
    /// prints one comparison table; 0 when every point ran, 1 when one failed, 2 for bad input (the config or the grid).
    /// </summary>
    internal static int Sweep(FileInfo configFile, IReadOnlyList<string> sets, int parallel, DirectoryInfo? outDir,
        Func<IReadOnlyList<InstrumentSpec>, VenueModel, IReportSink, IBacktestVenue> venueFactory, StrategyCatalog? catalog,
        TextWriter output, TextWriter error, CancellationToken cancel)
    {
        if (parallel < 1)
        {
            error.WriteLine("error: --parallel must be at least 1");
            return ExitInput;
        }
        SweepGrid grid;
        JsonNode baseConfig;
        try
        {
            grid = SweepGrid.Parse(sets);
            baseConfig = JsonNode.Parse(File.ReadAllText(configFile.FullName), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })
                ?? throw new FormatException("the config is empty");
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or System.Text.Json.JsonException or IOException)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitInput;
        }
        // Every point's config is checked before any runs: a grid with one bad value fails at once.
        var configs = new BacktestConfig[grid.Points.Count];
        foreach (SweepPoint point in grid.Points)
        {
            try
            {
                configs[point.Index] = BacktestConfig.Parse(SweepGrid.Apply(baseConfig, point).ToJsonString(), configFile.FullName, catalog);
            }
            catch (Exception ex) when (ex is BacktestConfigException or ArgumentException)
            {
                string what = ex is BacktestConfigException c ? string.Join("; ", c.Errors) : ex.Message;
                error.WriteLine($"error: sweep point {point}: {what}");
                return ExitInput;
            }
        }
        output.WriteLine($"sweep over {configFile.FullName}: {grid.Points.Count} points, {Math.Min(parallel, grid.Points.Count)} at a time");
        int done = 0;
        var wall = Stopwatch.StartNew();
        var outcomes = SweepRunner.Run(grid.Points, (point, token) =>
        {
            var outcome = Backtester.Execute(configs[point.Index], venueFactory, catalog, null, token);
            if (outDir is not null)
                WriteFiles(outcome.Result, BacktestReport.Summarize(outcome.Result), Path.Combine(outDir.FullName, $"point-{point.Index}"));
            lock (error)
            {
                error.WriteLine($"  point {Interlocked.Increment(ref done)}/{grid.Points.Count} ({point}) done after {wall.Elapsed.TotalSeconds:F1} s");
                foreach (string warning in outcome.DataWarnings)
                    error.WriteLine($"warning: point {point}: {warning}");
            }
            return outcome.Result;
        }, parallel, cancel);
        output.Write(SweepTable.Render(outcomes));
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir.FullName);
            string path = Path.Combine(outDir.FullName, "sweep.csv");
            SweepTable.WriteCsv(outcomes, path);
            output.WriteLine($"wrote {path} and each point's report in point-N/");
        }
        return outcomes.All(o => o.Succeeded) ? 0 : ExitFailure;
    }

    private static void WriteFiles(BacktestResult result, BacktestSummary summary, string directory)
    {
        Directory.CreateDirectory(directory);
        BacktestReport.WriteCsv(result, summary, directory);
        BacktestReport.WriteHtml(result, summary, Path.Combine(directory, "report.html"));
        BacktestResultJson.Write(result, Path.Combine(directory, "result.json"));
    }

    /// <summary>A few lines: events and rate, then per instrument fills, volume, PnL, fees, position and markouts.</summary>
    internal static string Describe(BacktestResult result, BacktestSummary summary, TimeSpan elapsed)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        double virtualSeconds = (result.Run.EndNs - result.Run.StartNs) / 1e9;
        sb.Append(ci, $"{result.Run.Strategy}: {result.Run.Events:N0} events in {elapsed.TotalSeconds:F2} s ({result.Run.Events / seconds / 1e6:F2} M events/s), ");
        sb.Append(ci, $"{virtualSeconds:F1} s of market time, {result.Orders.Count:N0} orders, {result.Refusals.Count:N0} risk refusals\n");
        if (summary.RefusalsByRule.Count > 0)
            sb.Append("  risk refusals by rule: ").AppendJoin(", ", summary.RefusalsByRule.Select(r => $"{r.Key} {r.Value.ToString(ci)}")).Append('\n');
        foreach (InstrumentSummary i in summary.Instruments)
        {
            sb.Append(ci, $"  {i.Symbol}: {i.Fills:N0} fills ({i.MakerFills:N0} maker), volume {i.BaseVolume:0.########} ({i.QuoteVolume:0.##} quote), ");
            sb.Append(ci, $"realized {i.RealizedPnl:0.########}, unrealized {i.UnrealizedPnl:0.########}, fees {i.Fees:0.########}, net {i.NetPnl:0.########}, ");
            sb.Append(ci, $"final position {i.FinalPosition:0.########}, max drawdown {i.MaxDrawdown:0.########}\n");
        }
        var t = summary.Total;
        sb.Append(ci, $"  total: net PnL {t.NetPnl:0.########}, fees {t.Fees:0.########}, order-to-trade {Ratio(t.OrderToTradeRatio)}, maker ratio {Ratio(t.MakerRatioByCount)}");
        sb.Append(", markouts ").AppendJoin(", ", t.Markouts.Select(m => $"{m.HorizonNs / 1_000_000_000}s {(m.MeanBp is { } bp ? bp.ToString("0.##", ci) + " bp" : "n/a")}"));
        sb.Append(ci, $", Sharpe ({summary.Sharpe.Period}) {(summary.Sharpe.PerPeriod is { } s ? s.ToString("0.###", ci) : "n/a")}\n");
        foreach (string note in summary.Notes)
            sb.Append("  note: ").Append(note).Append('\n');
        return sb.ToString();

        static string Ratio(decimal? r) => r is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "n/a";
    }
}
