using System.Diagnostics.CodeAnalysis;
using Fathom.Hosting.Run;
using Fathom.Strategy.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Fathom.Hosting;

/// <summary>
/// Builds a <see cref="FathomHost"/>: its <see cref="Configuration"/> (the run config file, <c>FATHOM_</c>
/// environment variables, the command line), its <see cref="Strategies"/> (the built-in ones and yours) and
/// its logging. Made by <see cref="FathomHost.CreateBuilder"/>.
/// </summary>
public sealed class FathomHostBuilder
{
    private readonly List<Action<ILoggingBuilder>> _logging = [];

    internal FathomHostBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = FathomHost.NormalizeSwitches(args);
        // The config file's path comes first from the command line, then FATHOM_CONFIG, then ./fathom.json.
        var early = new ConfigurationBuilder().AddCommandLine(Args).Build();
        ConfigPath = Path.GetFullPath(early[FathomHost.ConfigKey] ?? Environment.GetEnvironmentVariable("FATHOM_CONFIG") ?? "fathom.json");
        FathomConfiguration.Add(Configuration, ConfigPath, Args);
    }

    internal string[] Args { get; }

    /// <summary>The run config file this host reads (<c>--config</c>, <c>FATHOM_CONFIG</c> or <c>fathom.json</c>).</summary>
    public string ConfigPath { get; }

    /// <summary>
    /// The configuration: the run config file, then <c>FATHOM_</c> environment variables (<c>__</c> for ':'),
    /// then the command line. Add sources here; strategy parameters and logging levels are read from it.
    /// </summary>
    public ConfigurationManager Configuration { get; } = new();

    /// <summary>The strategies <c>"strategy": { "name": … }</c> can pick: <c>market-maker</c>, <c>imbalance-taker</c> and what you add.</summary>
    public StrategyCatalog Strategies { get; } = StrategyCatalog.CreateDefault();

    /// <summary>
    /// Registers <typeparamref name="TStrategy"/> under <paramref name="name"/>. Its one public constructor may
    /// take an options type (bound from the strategy's parameters in the config) and <see cref="StrategyArguments"/>.
    /// </summary>
    public FathomHostBuilder AddStrategy<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStrategy>(string name)
        where TStrategy : class, IStrategy
    {
        Strategies.Add<TStrategy>(name);
        return this;
    }

    /// <summary>Registers a strategy built by <paramref name="factory"/> under <paramref name="name"/>.</summary>
    public FathomHostBuilder AddStrategy(string name, Func<StrategyArguments, IStrategy> factory)
    {
        Strategies.Add(name, factory);
        return this;
    }

    /// <summary>Adds logging providers or filters on top of the configured ones (<c>logging</c> section of the config).</summary>
    public FathomHostBuilder ConfigureLogging(Action<ILoggingBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _logging.Add(configure);
        return this;
    }

    public FathomHost Build() => new(this, b => _logging.ForEach(c => c(b)));
}
