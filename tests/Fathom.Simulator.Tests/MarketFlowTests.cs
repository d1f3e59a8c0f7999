using Fathom.Core;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>The synthetic agents: reproducible from the seed, invariant-preserving, and each regime doing what it says.</summary>
public sealed class MarketFlowTests
{
    private static (ExchangeSimulator Sim, MarketFlow Flow) Create(ulong seed, FlowRegime regime)
    {
        var config = SimulatorConfig.Demo();
        config.Seed = seed;
        var sim = ExchangeSimulator.Create(config, new ManualTimeProvider());
        return (sim, sim.CreateMarketFlow(regime));
    }

    private static string Fingerprint(ExchangeSimulator sim)
    {
        var book = sim.Engine.Book("BTCUSDT");
        var trades = string.Join(",", book.RecentTrades(1000).Select(t => $"{t.Id}:{t.Price}x{t.Qty}"));
        var levels = string.Join(",", Enumerable.Range(0, book.BidLevels).Select(i => book.Level(OrderSide.Buy, i)));
        return $"{book.UpdateId}|{trades}|{levels}";
    }

    [Fact]
    public void Mixed_SameSeed_SameMarket_DifferentSeed_DifferentMarket_InvariantsHoldEveryStep()
    {
        string Run(ulong seed)
        {
            var (sim, flow) = Create(seed, FlowRegime.Mixed);
            var seen = new HashSet<FlowRegime>();
            for (int i = 0; i < 400; i++)
            {
                flow.Step();
                seen.Add(flow.ActiveRegime);
                sim.Engine.AssertInvariants();
            }
            Assert.True(seen.Count >= 3, $"Mixed visited only {string.Join(",", seen)}");
            Assert.True(flow.Takes > 0 && flow.OrdersCancelled > 0 && flow.OrdersPlaced > 100);
            return Fingerprint(sim);
        }
        string a = Run(7);
        Assert.Equal(a, Run(7));
        Assert.NotEqual(a, Run(8));
    }

    [Fact]
    public void SpoofWalls_AppearAndVanishWithoutTrading()
    {
        var (sim, flow) = Create(3, FlowRegime.SpoofWalls);
        for (int i = 0; i < 200; i++)
            flow.Step();
        var spoofer = sim.Engine.Accounts.Single(a => a.Name == "flow-spoofer");
        Assert.True(flow.WallsPulled >= 5, $"walls pulled: {flow.WallsPulled}");
        // Walls are pulled before the touch reaches them; a sweep in the same step may still clip one now and then.
        Assert.True(spoofer.Trades.Count * 4 <= flow.WallsPulled, $"{spoofer.Trades.Count} wall fills for {flow.WallsPulled} walls pulled");
    }

    [Fact]
    public void LiquidityWithdrawal_ThinsTheBookNearTheTouch()
    {
        var (sim, flow) = Create(5, FlowRegime.Calm);
        for (int i = 0; i < 200; i++)
            flow.Step();
        int Near()
        {
            var book = sim.Engine.Book("BTCUSDT");
            book.TryBest(OrderSide.Buy, out long bid, out _);
            book.TryBest(OrderSide.Sell, out long ask, out _);
            long mid = (bid + ask) / 2, band = 20 * book.Symbol.Spec.TickSize.Raw;
            return book.OpenOrdersOf(sim.Engine.Accounts.Single(a => a.Name == "flow-maker")).Count(o => Math.Abs(o.Price - mid) <= band);
        }
        int before = Near();
        flow.Regime = FlowRegime.LiquidityWithdrawal;
        for (int i = 0; i < 10; i++)
            flow.Step();
        Assert.True(Near() < before / 2, $"near-touch maker orders {before} -> {Near()}");
    }

    [Fact]
    public void Trending_MovesThePrice()
    {
        var (sim, flow) = Create(11, FlowRegime.Trending);
        var book = sim.Engine.Book("BTCUSDT");
        book.TryBest(OrderSide.Buy, out long start, out _);
        for (int i = 0; i < 300; i++)
            flow.Step();
        Assert.True(Math.Abs(book.LastPrice - start) > 20 * book.Symbol.Spec.TickSize.Raw, $"price {start} -> {book.LastPrice}");
    }

    [Fact]
    public void Timer_StepsOnTheExchangeClock()
    {
        var time = new ManualTimeProvider();
        var sim = ExchangeSimulator.Create(SimulatorConfig.Demo(), time);
        var flow = sim.StartMarketFlow(FlowRegime.Calm, TimeSpan.FromMilliseconds(10));
        time.Advance(TimeSpan.FromMilliseconds(105));
        Assert.Equal(10, flow.Steps);
        sim.Dispose();
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(10, flow.Steps);
    }
}
