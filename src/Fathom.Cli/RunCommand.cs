using Fathom.Hosting;
using Fathom.Journal;
using Fathom.Hosting.Run;
using System.CommandLine;
using System.Globalization;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Persistence;
using Fathom.Venues.Binance;
using Microsoft.Data.Sqlite;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom run --config fathom.json</c>: parses the command line and runs <see cref="TradingRun"/> (the same
/// run a program built with <see cref="FathomHost"/> does) with the built-in strategies, the config file layered
/// with <c>FATHOM_</c> environment variables. See <see cref="TradingRun"/> for the order of things and exit codes.
/// </summary>
internal static class RunCommand
{
    public const int ExitClean = TradingRun.ExitClean;
    public const int ExitFailure = TradingRun.ExitFailure;
    public const int ExitUsage = TradingRun.ExitUsage;
    /// <summary>The longest <c>--duration</c> (a timer's limit is about 49 days; leave it out to run until stopped).</summary>
    public const double MaxDurationSeconds = TradingRun.MaxDurationSeconds;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var config = new Option<string>("--config") { Description = "The run configuration (JSON; see docs/fathom.sample.json). It must not hold secrets.", Required = true };
        var mainnet = new Option<bool>("--mainnet") { Description = "Required, in addition to \"venue\": \"binance-mainnet\" or \"okx\" in the config, to trade real money." };
        var duration = new Option<double?>("--duration") { Description = "Run this many seconds unattended, then stop, cancel all and print a summary." };
        var journal = new Option<FileInfo?>("--journal") { Description = "Journal every core input and command to this file (audit; replay it with `fathom replay --journal`); overrides the config's journal.path." };
        var (rotateMb, rotateMinutes) = JournalRotationOptions.Create();
        var command = new Command("run", "Trade live on Binance spot (testnet by default) or OKX spot (okx-demo first) with the configured strategies (market-maker, imbalance-taker), risk limits and operator controls.")
        {
            config, mainnet, duration, journal, rotateMb, rotateMinutes,
        };
        command.SetAction((parse, cancel) => RunAsync(parse.GetValue(config)!, parse.GetValue(mainnet), parse.GetValue(duration), output, error, cancel,
            journalPath: parse.GetValue(journal)?.FullName, journalRotation: JournalRotationOptions.Read(parse, rotateMb, rotateMinutes)));
        return command;
    }

    internal static Task<int> RunAsync(string configPath, bool mainnet, double? durationSeconds, TextWriter output, TextWriter error,
        CancellationToken cancel, RunHooks? hooks = null, string? journalPath = null, StrategyCatalog? strategies = null, JournalRotation? journalRotation = null)
    {
        var configuration = FathomConfiguration.Build(configPath, [], hooks?.GetVariable);
        return TradingRun.RunAsync(configPath, mainnet, durationSeconds, output, error, cancel, hooks, journalPath,
            new RunEnvironment { Strategies = strategies ?? StrategyCatalog.CreateDefault(), Configuration = configuration, JournalRotation = journalRotation });
    }
}
