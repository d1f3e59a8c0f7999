using Fathom.Core;
using Microsoft.Extensions.Configuration;

namespace Fathom.Hosting;

/// <summary>
/// What a strategy factory of the <see cref="StrategyCatalog"/> is given: the instance's instruments and
/// specs, and its parameters as configuration to bind into its options type (<see cref="Bind{T}"/>).
/// </summary>
public sealed class StrategyArguments
{
    internal StrategyArguments(StrategySetup setup, IReadOnlyList<InstrumentSpec> specs)
    {
        Name = setup.Name;
        InstrumentIds = setup.Instruments;
        Specs = specs;
        Parameters = new ConfigurationBuilder().AddInMemoryCollection(setup.Parameters).Build();
    }

    /// <summary>The catalog name the instance is built under.</summary>
    public string Name { get; }

    /// <summary>The instruments this instance trades (indexes into <see cref="Specs"/>); at least one.</summary>
    public IReadOnlyList<int> InstrumentIds { get; }

    /// <summary>The first (for a per-symbol strategy, the only) instrument of <see cref="InstrumentIds"/>.</summary>
    public int InstrumentId => InstrumentIds[0];

    /// <summary>Every instrument of the core; an instrument id is an index into this list.</summary>
    public IReadOnlyList<InstrumentSpec> Specs { get; }

    /// <summary>The spec of <see cref="InstrumentId"/>.</summary>
    public InstrumentSpec Spec => Specs[InstrumentId];

    /// <summary>The instance's parameters (keys relative to its section, as in the config file).</summary>
    public IConfiguration Parameters { get; }

    /// <summary>
    /// The parameters bound into <typeparamref name="T"/> with <c>Microsoft.Extensions.Configuration.Binder</c>
    /// (property names match without case; decimals and numbers are read in the invariant culture). A key
    /// <typeparamref name="T"/> has no property for is an error, so a misspelt parameter is never ignored.
    /// </summary>
    public T Bind<T>() where T : class => (T)Bind(typeof(T));

    internal object Bind(Type type)
    {
        try
        {
            return Parameters.Get(type, o => o.ErrorOnUnknownConfiguration = true) ?? Activator.CreateInstance(type)!;
        }
        catch (InvalidOperationException ex)
        {
            throw new ArgumentException($"parameters of '{Name}': {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A quantity in base units (e.g. 0.001) as the raw fixed point of <see cref="InstrumentId"/>'s
    /// quantity decimals; an amount with more decimals than the instrument has is an error, never rounded.
    /// </summary>
    public long RawQty(decimal qty, string parameter)
    {
        decimal scaled = qty * FixedPoint.Pow10(Spec.QtyDecimals);
        if (decimal.Truncate(scaled) != scaled || scaled > long.MaxValue || scaled < long.MinValue)
            throw new ArgumentException($"parameters of '{Name}': {parameter} {qty} does not fit {Spec.Symbol}'s {Spec.QtyDecimals} quantity decimals");
        return decimal.ToInt64(scaled);
    }
}
