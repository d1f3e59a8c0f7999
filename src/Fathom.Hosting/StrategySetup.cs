using Microsoft.Extensions.Configuration;

namespace Fathom.Hosting;

/// <summary>
/// One strategy instance of a core: the catalog <see cref="Name"/> it is built from (see
/// <see cref="StrategyCatalog"/>), the <see cref="Instruments"/> it trades (indexes into the core's specs;
/// market data and fills of other instruments never reach it) and its <see cref="Parameters"/> as
/// configuration key/value pairs relative to the strategy's section (<c>"quoteQty"</c>, <c>"levels:0"</c>),
/// the form <c>Microsoft.Extensions.Configuration</c> binds from. A journal's meta record carries these, so a
/// replay rebuilds the same instances through the same catalog.
/// </summary>
public sealed record StrategySetup
{
    public StrategySetup(string name, IReadOnlyList<int> instruments, IReadOnlyDictionary<string, string?>? parameters = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(instruments);
        Name = name;
        Instruments = instruments;
        // Sorted, case-insensitive like configuration keys: the same parameters always serialize the same way.
        Parameters = new SortedDictionary<string, string?>(
            (parameters ?? new Dictionary<string, string?>()).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase),
            StringComparer.OrdinalIgnoreCase);
    }

    public string Name { get; }
    public IReadOnlyList<int> Instruments { get; }
    public IReadOnlyDictionary<string, string?> Parameters { get; }

    /// <summary>A copy with one parameter set (tests and research sweeps).</summary>
    public StrategySetup With(string key, string? value)
    {
        var parameters = Parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        parameters[key] = value;
        return new StrategySetup(Name, Instruments, parameters);
    }

    /// <summary>Parameters from a configuration section (its whole subtree; <paramref name="exclude"/> top-level keys left out).</summary>
    public static IReadOnlyDictionary<string, string?> ParametersOf(IConfiguration section, params string[] exclude)
    {
        ArgumentNullException.ThrowIfNull(section);
        return section.AsEnumerable(true)
            .Where(p => p.Value is not null && !exclude.Any(e => string.Equals(p.Key.Split(':')[0], e, StringComparison.OrdinalIgnoreCase)))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
    }
}
