using Fathom.Strategies;
using Fathom.Strategy.Abstractions;

namespace Fathom.Hosting;

/// <summary>
/// The built-in strategies' catalog factories. Their parameters are in human units (quantities in base
/// units as decimals, times in milliseconds), the same as a run config's <c>strategy</c> section; the
/// factories convert them to the options' raw fixed point with the instrument's spec.
/// </summary>
internal static class BuiltInStrategies
{
    public static IStrategy MarketMaker(StrategyArguments args) => new MarketMaker(MarketMakerOptionsOf(args));

    /// <summary>The market maker's options from its parameters (exposed for tests).</summary>
    internal static MarketMakerOptions MarketMakerOptionsOf(StrategyArguments args)
    {
        var p = args.Bind<MarketMakerParameters>();
        var d = new MarketMakerOptions();
        return new MarketMakerOptions
        {
            InstrumentId = args.InstrumentId,
            HalfSpreadTicks = p.HalfSpreadTicks ?? d.HalfSpreadTicks,
            QuoteQty = args.RawQty(p.QuoteQty ?? throw Required(nameof(p.QuoteQty)), "quoteQty"),
            MaxPosition = args.RawQty(p.MaxPosition ?? throw Required(nameof(p.MaxPosition)), "maxPosition"),
            MaxSkewTicks = p.MaxSkewTicks ?? d.MaxSkewTicks,
            ReferenceVolatility = p.ReferenceVolatility ?? d.ReferenceVolatility,
            PullVolatility = p.PullVolatility ?? d.PullVolatility,
            PullWithdrawal = p.PullWithdrawal ?? d.PullWithdrawal,
            FollowTicker = p.FollowTicker ?? d.FollowTicker,
            MinRequoteIntervalNs = checked((p.MinRequoteIntervalMs ?? d.MinRequoteIntervalNs / 1_000_000) * 1_000_000),
        };
    }

    public static IStrategy ImbalanceTaker(StrategyArguments args)
    {
        var p = args.Bind<ImbalanceTakerParameters>();
        var d = new ImbalanceTakerOptions();
        return new ImbalanceTaker(new ImbalanceTakerOptions
        {
            InstrumentId = args.InstrumentId,
            ImbalanceThreshold = p.ImbalanceThreshold ?? d.ImbalanceThreshold,
            AbsorptionThreshold = p.AbsorptionThreshold ?? d.AbsorptionThreshold,
            TakeQty = args.RawQty(p.TakeQty ?? throw Required(nameof(p.TakeQty)), "takeQty"),
            MaxPosition = args.RawQty(p.MaxPosition ?? throw Required(nameof(p.MaxPosition)), "maxPosition"),
            SlippageTicks = p.SlippageTicks ?? d.SlippageTicks,
            CooldownNanos = checked((p.CooldownMs ?? d.CooldownNanos / 1_000_000) * 1_000_000),
        });
    }

    private static ArgumentException Required(string name) =>
        new($"{char.ToLowerInvariant(name[0])}{name[1..]} is required (a decimal amount in base units, e.g. \"0.001\")");

    /// <summary><see cref="MarketMakerOptions"/> in human units.</summary>
    internal sealed class MarketMakerParameters
    {
        public long? HalfSpreadTicks { get; set; }
        public decimal? QuoteQty { get; set; }
        public decimal? MaxPosition { get; set; }
        public long? MaxSkewTicks { get; set; }
        public double? ReferenceVolatility { get; set; }
        public double? PullVolatility { get; set; }
        public double? PullWithdrawal { get; set; }
        public bool? FollowTicker { get; set; }
        public long? MinRequoteIntervalMs { get; set; }
    }

    /// <summary><see cref="ImbalanceTakerOptions"/> in human units.</summary>
    internal sealed class ImbalanceTakerParameters
    {
        public double? ImbalanceThreshold { get; set; }
        public double? AbsorptionThreshold { get; set; }
        public decimal? TakeQty { get; set; }
        public decimal? MaxPosition { get; set; }
        public long? SlippageTicks { get; set; }
        public long? CooldownMs { get; set; }
    }
}
