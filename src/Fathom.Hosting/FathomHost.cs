using System.Globalization;
using Fathom.Hosting.Run;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Fathom.Hosting;

/// <summary>
/// A trading program in a few lines, in the style of <c>Microsoft.Extensions.Hosting</c>:
/// <code>
/// return await FathomHost.CreateBuilder(args)
///     .AddStrategy&lt;MyStrategy&gt;("my")
///     .Build()
///     .RunAsync();
/// </code>
/// The run is <c>fathom run</c>'s (same config file, same checks, same status lines and exit codes):
/// validate the config, lock the state directory, reconcile with the venue, warm up, trade until Ctrl+C,
/// SIGTERM, <c>POST /control/stop</c> or <c>--duration</c>, then cancel everything and check with the venue.
/// </summary>
/// <remarks>
/// Command-line keys: <c>--config</c> (the run config file), <c>--duration</c> (seconds), <c>--mainnet</c>
/// (required with <c>"venue": "binance-mainnet"</c>) and <c>--journal</c> (a file to journal every core input
/// to). Credentials only ever come from environment variables (see docs/strategies.md).
/// Exit codes: 0 clean; 1 a run-time failure or a shutdown that left something open; 2 a config or usage error.
/// </remarks>
public sealed class FathomHost
{
    internal const string ConfigKey = "config";
    internal const string DurationKey = "duration";
    internal const string MainnetKey = "mainnet";
    internal const string JournalKey = "journal";

    private readonly Action<ILoggingBuilder> _logging;

    internal FathomHost(FathomHostBuilder builder, Action<ILoggingBuilder> logging)
    {
        ConfigPath = builder.ConfigPath;
        Configuration = builder.Configuration;
        Strategies = builder.Strategies;
        _logging = logging;
    }

    /// <summary>A builder with the configuration sources for <paramref name="args"/> and the built-in strategies.</summary>
    public static FathomHostBuilder CreateBuilder(string[] args) => new(args);

    public string ConfigPath { get; }
    public IConfiguration Configuration { get; }
    public StrategyCatalog Strategies { get; }

    /// <summary>Runs until stopped; returns the process exit code. Writes status lines to stdout and errors to stderr.</summary>
    public Task<int> RunAsync(CancellationToken cancel = default) => RunAsync(Console.Out, Console.Error, cancel);

    internal async Task<int> RunAsync(TextWriter output, TextWriter error, CancellationToken cancel, RunHooks? hooks = null)
    {
        double? duration = null;
        if (Configuration[DurationKey] is { } d)
        {
            if (!double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
            {
                error.WriteLine($"error: --duration '{d}' is not a number of seconds");
                return TradingRun.ExitUsage;
            }
            duration = seconds;
        }
        bool mainnet = false;
        if (Configuration[MainnetKey] is { } m && !bool.TryParse(m, out mainnet))
        {
            error.WriteLine($"error: --mainnet '{m}' must be true or false");
            return TradingRun.ExitUsage;
        }
        string? journal = Configuration[JournalKey] is { Length: > 0 } j ? Path.GetFullPath(j) : null;
        try
        {
            return await TradingRun.RunAsync(ConfigPath, mainnet, duration, output, error, cancel, hooks, journal, new RunEnvironment
            {
                Strategies = Strategies,
                Configuration = Configuration,
                ConfigureLogging = _logging,
                Title = Path.GetFileNameWithoutExtension(Environment.ProcessPath) is { Length: > 0 } name && name != "dotnet" ? name : "fathom host",
            }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HostInputException or InvalidDataException or IOException or UnauthorizedAccessException
            or FormatException or Microsoft.Data.Sqlite.SqliteException)
        {
            // Bad input (a corrupt state file, a directory in use): the message names it; no stack trace.
            error.WriteLine("error: " + ex.Message.ReplaceLineEndings(" ").Trim());
            return TradingRun.ExitUsage;
        }
    }

    /// <summary>A bare <c>--mainnet</c> (a switch without a value) as <c>--mainnet=true</c>, for the command-line provider.</summary>
    internal static string[] NormalizeSwitches(string[] args)
    {
        var result = new List<string>(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            bool isSwitch = args[i] is "--mainnet" or "/mainnet";
            bool hasValue = i + 1 < args.Length && args[i + 1] is "true" or "false" or "True" or "False";
            result.Add(isSwitch && !hasValue ? "--mainnet=true" : args[i]);
        }
        return [.. result];
    }
}
