using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Fathom.Core;
using Fathom.Strategies;
using Fathom.Strategy.Abstractions;

namespace Fathom.Hosting;

/// <summary>
/// The strategies a host can build, by name: <c>fathom run</c> and a user's program pick one per symbol
/// from the run config, and <c>fathom replay</c> rebuilds a journal's strategies from the names and
/// parameters in its meta record (so replaying a user strategy needs a catalog that has it).
/// <see cref="CreateDefault"/> has <c>market-maker</c> and <c>imbalance-taker</c>.
/// </summary>
/// <remarks>
/// A name is lowercase letters, digits and '-'. A factory runs once per instance at composition (never on
/// the per-event path) and throws <see cref="ArgumentException"/> for bad parameters; the message reaches
/// the operator with the config path it is about.
/// </remarks>
public sealed class StrategyCatalog
{
    public const string MarketMaker = "market-maker";
    public const string ImbalanceTaker = "imbalance-taker";

    private readonly Dictionary<string, Func<StrategyArguments, IStrategy>> _factories = new(StringComparer.Ordinal);

    /// <summary>A catalog with the built-in strategies.</summary>
    public static StrategyCatalog CreateDefault() => new StrategyCatalog()
        .Add(MarketMaker, BuiltInStrategies.MarketMaker)
        .Add(ImbalanceTaker, BuiltInStrategies.ImbalanceTaker);

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    public bool Contains(string name) => _factories.ContainsKey(name);

    /// <summary>Registers <paramref name="factory"/> under <paramref name="name"/> (a name is registered once).</summary>
    public StrategyCatalog Add(string name, Func<StrategyArguments, IStrategy> factory)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            throw new ArgumentException($"strategy name '{name}' must be lowercase letters, digits and '-'", nameof(name));
        if (!_factories.TryAdd(name, factory))
            throw new ArgumentException($"a strategy named '{name}' is already registered", nameof(name));
        return this;
    }

    /// <summary>
    /// Registers <typeparamref name="TStrategy"/> under <paramref name="name"/>, built through its public
    /// constructor. Each constructor parameter is either <see cref="StrategyArguments"/> or the strategy's
    /// options type (at most one), bound from the instance's parameters (<see cref="StrategyArguments.Bind{T}"/>).
    /// </summary>
    public StrategyCatalog Add<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStrategy>(string name)
        where TStrategy : class, IStrategy
    {
        ConstructorInfo[] constructors = typeof(TStrategy).GetConstructors();
        if (constructors.Length != 1)
            throw new ArgumentException($"{typeof(TStrategy).Name} needs exactly one public constructor (it has {constructors.Length})", nameof(TStrategy));
        ConstructorInfo constructor = constructors[0];
        ParameterInfo[] parameters = constructor.GetParameters();
        if (parameters.Count(p => p.ParameterType != typeof(StrategyArguments)) > 1)
            throw new ArgumentException($"{typeof(TStrategy).Name}'s constructor may take one options type and StrategyArguments, nothing else", nameof(TStrategy));
        return Add(name, args =>
        {
            object[] values = [.. parameters.Select(p => p.ParameterType == typeof(StrategyArguments) ? args : args.Bind(p.ParameterType))];
            try
            {
                return (TStrategy)constructor.Invoke(values);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                // The constructor's own validation (ArgumentException and the like) is the message.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        });
    }

    /// <summary>Builds the instance <paramref name="setup"/> describes on a core with <paramref name="specs"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name, bad instruments, or parameters the factory refuses.</exception>
    public IStrategy Create(StrategySetup setup, IReadOnlyList<InstrumentSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(specs);
        if (!_factories.TryGetValue(setup.Name, out var factory))
            throw new ArgumentException($"unknown strategy '{setup.Name}'; registered: {string.Join(", ", Names)}");
        if (setup.Instruments.Count == 0 || setup.Instruments.Any(i => (uint)i >= (uint)specs.Count))
            throw new ArgumentException($"strategy '{setup.Name}': instruments [{string.Join(", ", setup.Instruments)}] must be 1..n of the core's {specs.Count} instrument(s)");
        try
        {
            return factory(new StrategyArguments(setup, specs));
        }
        catch (ArgumentException ex)
        {
            // ArgumentOutOfRangeException from an options Validate(): keep the sentence, drop "(Parameter 'x')".
            string message = ex.Message;
            int at = message.IndexOf(" (Parameter", StringComparison.Ordinal);
            if (at >= 0)
                message = $"{ex.ParamName}: {message[..at]}";
            throw new ArgumentException(message.StartsWith("parameters of", StringComparison.Ordinal) ? message : $"parameters of '{setup.Name}': {message}", ex);
        }
    }
}
