using System.CommandLine;
using Fathom.Backtest;
using Fathom.Backtest.Venue;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom backtest --config bt.json [--out DIR] [--set path=v1,v2 …] [--parallel N]</c>: runs the production core on
/// recorded data in virtual time against the simulated venue (<see cref="Backtester"/>, <see cref="SimulatedVenue"/>).
/// One run prints its summary and, with <c>--out</c>, writes <c>report.html</c>, <c>fills.csv</c>, <c>orders.csv</c>,
/// <c>summary.json</c> and <c>result.json</c>; a progress line goes to stderr about every 2 s of wall time. With
/// <c>--set</c>, the grid of every combination runs on all cores and one comparison table is printed (and written
/// as <c>sweep.csv</c>, with each point's files in <c>point-N/</c>).
/// </summary>
internal static class BacktestCommand
{
    /// <summary>The venue every backtest trades against.</summary>
    internal static readonly Func<IReadOnlyList<InstrumentSpec>, VenueModel, IReportSink, IBacktestVenue> Venue =
        BacktestHost.DefaultVenue;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var config = new Option<FileInfo>("--config") { Description = "The backtest config (JSON; see docs/backtesting.md).", Required = true };
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "Folder for report.html, fills.csv, orders.csv, summary.json and result.json (created if missing); nothing is written without it." };
        var sets = new Option<string[]>("--set")
        {
            Description = "Sweep a config value over a list, e.g. --set strategy.halfSpreadTicks=1,2,3 (repeat for a grid; every combination runs).",
            AllowMultipleArgumentsPerToken = false,
        };
        var parallel = new Option<int>("--parallel") { Description = "Sweep points run at once (default: the machine's cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("backtest", "Run a strategy on recorded data in virtual time against the simulated venue.") { config, outDir, sets, parallel };
        command.SetAction((parse, cancel) =>
        {
            string[] grid = parse.GetValue(sets) ?? [];
            return Task.FromResult(grid.Length == 0
                ? BacktestHost.RunOne(parse.GetValue(config)!, parse.GetValue(outDir), Venue, null, output, error, cancel)
                : BacktestHost.Sweep(parse.GetValue(config)!, grid, parse.GetValue(parallel), parse.GetValue(outDir), Venue, null, output, error, cancel));
        });
        return command;
    }
}
