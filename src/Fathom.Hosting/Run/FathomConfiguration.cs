using System.Collections;
using Fathom.Venues.Binance;
using Microsoft.Extensions.Configuration;

namespace Fathom.Hosting.Run;

/// <summary>
/// A host's configuration: the run config file (JSON), then environment variables with the
/// <see cref="EnvironmentPrefix"/> (<c>__</c> separates sections: <c>FATHOM_symbols__0__strategy__quoteQty</c>),
/// then the command line (<c>--symbols:0:strategy:quoteQty 0.002</c>); a later source wins.
/// </summary>
/// <remarks>
/// The credential and control-token variables never enter the configuration: they are read from the
/// environment by name where they are used, and nothing that is configuration can leak them.
/// </remarks>
internal static class FathomConfiguration
{
    public const string EnvironmentPrefix = "FATHOM_";

    /// <summary>Variables with the prefix that are secrets or process switches, not configuration.</summary>
    private static readonly string[] s_excluded =
    [
        BinanceCredentials.ApiKeyVariable, BinanceCredentials.HmacSecretVariable, BinanceCredentials.Ed25519KeyFileVariable,
        ControlToken.Variable, "FATHOM_DEBUG",
    ];

    public static IConfigurationRoot Build(string configPath, string[] args, Func<string, string?>? getVariable = null)
    {
        var builder = new ConfigurationBuilder();
        Add(builder, configPath, args, getVariable);
        return builder.Build();
    }

    /// <summary>Adds the three sources, in order, to <paramref name="builder"/>.</summary>
    public static void Add(IConfigurationBuilder builder, string configPath, string[] args, Func<string, string?>? getVariable = null)
    {
        // optional: a missing file is RunConfig's to report, with its own message.
        builder.AddJsonFile(Path.GetFullPath(configPath), optional: true, reloadOnChange: false);
        builder.AddInMemoryCollection(EnvironmentValues(getVariable));
        builder.AddCommandLine(args);
    }

    private static Dictionary<string, string?> EnvironmentValues(Func<string, string?>? getVariable)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        // A test's variable lookup cannot be enumerated: only the process environment is.
        if (getVariable is not null && getVariable != (Func<string, string?>)Environment.GetEnvironmentVariable)
            return values;
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            if (e.Key is not string name || !name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                continue;
            if (s_excluded.Contains(name, StringComparer.OrdinalIgnoreCase) || name.StartsWith("FATHOM_BINANCE_", StringComparison.OrdinalIgnoreCase))
                continue;
            values[name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = e.Value as string;
        }
        return values;
    }
}
