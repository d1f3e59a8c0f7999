using Fathom.Core;
using Fathom.Simulator;
using Xunit;

namespace Fathom.Simulator.Tests;

public sealed class ExchangeSimulatorTests
{
    [Fact]
    public void SimulatorAssembly_ReferencesOnlyCoreOfFathom()
    {
        // Issue 6: the simulator shares no code with the venue adapter, so one bug cannot hide on both sides.
        var fathomRefs = typeof(MatchingEngine).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!).Where(n => n.StartsWith("Fathom.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["Fathom.Core"], fathomRefs);
    }

    [Fact]
    public void Create_SameSeed_SeedsTheSameBook_AndHouseLiquidityIsConsistent()
    {
        static string Ladder(ulong seed)
        {
            var config = SimulatorConfig.Demo();
            config.Seed = seed;
            var sim = ExchangeSimulator.Create(config, new ManualTimeProvider());
            sim.Engine.AssertInvariants();
            var book = sim.Engine.Book("BTCUSDT");
            Assert.Equal(config.SeedLevels, book.BidLevels);
            Assert.Equal(config.SeedLevels, book.AskLevels);
            return string.Join(";", Enumerable.Range(0, book.BidLevels).Select(i => book.Level(OrderSide.Buy, i).ToString()));
        }
        Assert.Equal(Ladder(42), Ladder(42));
        Assert.NotEqual(Ladder(42), Ladder(43));
    }

    [Fact]
    public void ToSymbol_ConfigDecimals_BecomeTickStepAndFilters()
    {
        var s = SimulatorConfig.ToSymbol(new SimulatorConfig.SymbolConfig
        {
            Symbol = "XUSDT", BaseAsset = "X", QuoteAsset = "USDT", TickSize = "0.0010", StepSize = "1", MinNotional = "10",
        });
        Assert.Equal((3, 0, 1L, 1L), (s.Spec.PriceDecimals, s.Spec.QtyDecimals, s.Spec.TickSize.Raw, s.Spec.StepSize.Raw));
        Assert.Equal(10 * Assets.One, s.MinNotional);
    }
}
