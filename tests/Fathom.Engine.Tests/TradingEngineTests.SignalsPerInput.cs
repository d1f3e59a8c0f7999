using Fathom.Book;
using Fathom.Core;
using Fathom.Execution;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Strategy.Abstractions;
using Fathom.Testing;
using Xunit;

namespace Fathom.Engine.Tests;

public partial class TradingEngineTests
{
    /// <summary>Asks for the signal view twice per market-data callback and remembers what it saw.</summary>
    private sealed class SignalReadingStrategy() : StrategyStub("signal-reader", 0)
    {
        public readonly List<double> Seen = [];
        public override void OnMarketData(IStrategyContext context, int instrumentId)
        {
            Seen.Add(context.Signals(instrumentId).TopImbalance);
            Seen.Add(context.Signals(instrumentId).TopImbalance);
        }
    }

    // Built by hand, not by the kit's rig: the test gives the engine its own signal function, which the composition does not take.
    [Fact]
    public void OnMarketDataApplied_SignalViewComputedOncePerInput_FreshOutsideAndInTheNextInput()
    {
        var time = new ManualTimeProvider();
        var clock = new MonotonicClock(time);
        var sync = new BookSync(0, new OrderBook(Btc), SyncRule.BinanceSpot);
        var limits = new RiskLimits
        {
            Instruments = [new InstrumentRiskLimits { MaxPosition = new Qty(100_000_000), MaxOrderQty = new Qty(10_000_000), MaxOrderNotional = 1_000_000_000_000 }],
            MaxTotalNotional = 10_000_000_000_000, MarkoutLossLimit = 1_000_000_000_000, MaxDailyLoss = 1_000_000_000_000, PriceBandBps = 500,
        };
        var risk = new RiskManager(limits, [Btc]);
        var execution = new ExecutionEngine([Btc], new ExecutionOptions(), risk, new ClientOrderIdGenerator(1, 1, new InMemorySequenceReservation()));
        var strategy = new SignalReadingStrategy();
        int computed = 0;
        // Each computation returns a distinct reading, so a reused view is told apart from a recomputed one.
        var engine = new TradingEngine(new Lock(), [Btc], [sync], execution, strategy, clock,
            _ => SignalView.Empty with { TopImbalance = ++computed });
        engine.AttachGateway(new Fathom.Hosting.RecordingGateway());
        engine.Start();

        void Market(long bid, long ask, long id)
        {
            if (sync.IsLive)
                sync.MarkStale(StaleReason.Disconnected, 0);
            sync.OnSnapshot(new BookSnapshot(0, id, 0, 0, [new Level(bid, 5_000_000)], [new Level(ask, 5_000_000)], 0));
            engine.OnMarketDataApplied(clock.NowNanos());
        }

        Market(10_000, 10_010, 1);
        Assert.Equal(1, computed); // the engine's computation (avoid-levels) is the one the strategy sees
        Assert.Equal([1.0, 1.0], strategy.Seen);

        Assert.Equal(2, engine.Context.Signals(0).TopImbalance); // outside an input: computed afresh
        Market(10_001, 10_011, 2);
        Assert.Equal(3, computed);
        Assert.Equal([1.0, 1.0, 3.0, 3.0], strategy.Seen);
    }
}
