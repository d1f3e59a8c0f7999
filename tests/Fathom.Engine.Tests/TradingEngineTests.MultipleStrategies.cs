using Fathom.Book;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Strategies;
using Fathom.Strategy.Abstractions;
using Fathom.Hosting;
using Fathom.Testing;
using Xunit;

namespace Fathom.Engine.Tests;

/// <summary>
/// Several strategy instances in one engine: each instrument's callbacks reach its owner only, a
/// timer fires on the instance that scheduled it, and a strategy bug halts that instance alone.
/// </summary>
public partial class TradingEngineTests
{
    private static readonly InstrumentSpec Eth = Specs.Eth;

    private const long Second = 1_000_000_000;

    /// <summary>A market maker on one instrument that records every callback it gets, and can be made to throw.</summary>
    private sealed class LoggingMaker(int instrumentId, long minRequoteIntervalNs = 0) : IStrategy
    {
        private readonly MarketMaker _inner = new(new MarketMakerOptions
        {
            InstrumentId = instrumentId, HalfSpreadTicks = 1, QuoteQty = 10_000, MaxPosition = 1_000_000, MinRequoteIntervalNs = minRequoteIntervalNs,
        });
        public readonly List<(long Now, int TimerId)> Timers = [];
        public readonly List<int> MarketData = [];
        public readonly List<int> Fills = [];
        public readonly List<int> OrderUpdates = [];
        public int Starts, Stops;
        public bool ThrowOnMarketData;
        public string Name => $"maker-{instrumentId}";
        public IReadOnlyList<int> InstrumentIds => _inner.InstrumentIds;
        public void OnStart(IStrategyContext context) { Starts++; _inner.OnStart(context); }
        public void OnMarketData(IStrategyContext context, int id)
        {
            MarketData.Add(id);
            if (ThrowOnMarketData)
                throw new InvalidOperationException("maker bug");
            _inner.OnMarketData(context, id);
        }
        public void OnTrade(IStrategyContext context, in Trade trade) { }
        public void OnFill(IStrategyContext context, in FillView fill) { Fills.Add(fill.InstrumentId); _inner.OnFill(context, fill); }
        public void OnOrderUpdate(IStrategyContext context, in OrderView order) => OrderUpdates.Add(order.InstrumentId);
        public void OnTimer(IStrategyContext context, int timerId) { Timers.Add((context.NowNanos, timerId)); _inner.OnTimer(context, timerId); }
        public void OnStop(IStrategyContext context) { Stops++; _inner.OnStop(context); }
    }

    /// <summary>Trades instrument 0 but submits an intent for instrument 1 on its first market data.</summary>
    private sealed class TrespassingStrategy : IStrategy
    {
        public string Name => "trespasser";
        public IReadOnlyList<int> InstrumentIds { get; } = [0];
        public void OnStart(IStrategyContext context) { }
        public void OnMarketData(IStrategyContext context, int instrumentId) =>
            context.Submit(Intent.Quote(1, new Price(99 * 1_000_000), new Qty(10_000), new Price(102 * 1_000_000), new Qty(10_000)));
        public void OnTrade(IStrategyContext context, in Trade trade) { }
        public void OnFill(IStrategyContext context, in FillView fill) { }
        public void OnOrderUpdate(IStrategyContext context, in OrderView order) { }
        public void OnTimer(IStrategyContext context, int timerId) { }
        public void OnStop(IStrategyContext context) { }
    }

    /// <summary>BTCUSDT (0) and ETHUSDT (1) on virtual time, with the given strategies (the kit's <see cref="CoreRig"/>).</summary>
    private sealed class TwoInstrumentRig
    {
        private readonly CoreRig _rig;
        private long _updateId;

        public TwoInstrumentRig(params IStrategy[] strategies)
        {
            _rig = new CoreRig(CoreRig.Setup([Btc, Eth]), strategies: strategies);
            T0 = Now;
        }

        public ManualTimeProvider Time => _rig.Time;
        public RecordingGateway Gateway => _rig.Gateway;
        public Lock CoreLock => _rig.CoreLock;
        public TradingEngine Engine => _rig.Engine;
        public long Now => new MonotonicClock(Time).NowNanos();

        /// <summary>The engine's time at construction: <see cref="At"/> counts from here.</summary>
        public readonly long T0;

        public void At(long sinceStartNs) => Time.AdvanceToNanos(T0 + sinceStartNs);

        public void Market(int instrument, long bid, long ask) => _rig.Market(bid, ask, ++_updateId, instrument);

        public void AckAll()
        {
            foreach (var c in Gateway.Sent.Where(c => c.Kind is CommandKind.Place or CommandKind.CancelReplace).ToArray())
                Engine.OnAck(new AckReport(c.InstrumentId, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, Now));
        }

        public int Sent(int instrument, CommandKind kind) => Gateway.Sent.Count(c => c.InstrumentId == instrument && c.Kind == kind);
    }

    private static TradingEngine NewTwoInstrumentEngine(params IStrategy[] strategies) => new TwoInstrumentRig(strategies).Engine;

    [Fact]
    public void OnTimer_TwoMarketMakersBothUsingTimerIdOne_EachTimerFiresOnTheMakerThatScheduledIt()
    {
        var btc = new LoggingMaker(0, minRequoteIntervalNs: Second);
        var eth = new LoggingMaker(1, minRequoteIntervalNs: Second);
        var rig = new TwoInstrumentRig(btc, eth);
        rig.Market(0, 10_000, 10_010);           // t = 0: BTC quotes at once
        rig.At(Second / 2);
        rig.Market(1, 20_000, 20_010);           // t = 0.5 s: ETH quotes at once
        rig.AckAll();
        rig.At(6 * Second / 10);
        rig.Market(0, 10_002, 10_012);           // too soon for each: BTC waits for t = 1 s, ETH for t = 1.5 s,
        rig.Market(1, 20_002, 20_012);           // both on timer id 1
        int ethPlaces = rig.Sent(1, CommandKind.Place) + rig.Sent(1, CommandKind.CancelReplace);

        rig.At(Second);
        rig.Engine.OnTimer();
        Assert.Equal([(rig.T0 + Second, 1)], btc.Timers);
        Assert.Empty(eth.Timers);                // BTC's timer is not ETH's
        Assert.Equal(ethPlaces, rig.Sent(1, CommandKind.Place) + rig.Sent(1, CommandKind.CancelReplace));

        rig.At(3 * Second / 2);
        rig.Engine.OnTimer();
        // ETH's own timer fired once (its pending flag was not cleared early, so it scheduled no second
        // timer) and sent its waiting target; BTC heard nothing of it.
        Assert.Equal([(rig.T0 + 3 * Second / 2, 1)], eth.Timers);
        Assert.Equal([(rig.T0 + Second, 1)], btc.Timers);
        Assert.True(rig.Sent(1, CommandKind.Place) + rig.Sent(1, CommandKind.CancelReplace) > ethPlaces, "ETH's target went out on its timer");

        rig.At(5 * Second);
        rig.Engine.OnTimer();
        Assert.Single(btc.Timers);
        Assert.Single(eth.Timers);
    }

    [Fact]
    public void MarketDataFillsAndOrderUpdates_ReachOnlyTheInstrumentsOwner_StartAndStopReachEveryone()
    {
        var btc = new LoggingMaker(0);
        var eth = new LoggingMaker(1);
        var rig = new TwoInstrumentRig(btc, eth);
        Assert.Equal((1, 1), (btc.Starts, eth.Starts));

        rig.Market(0, 10_000, 10_010);
        rig.Market(1, 20_000, 20_010);
        rig.AckAll();
        // (The first input reports every instrument's initial state once: ETH's empty book too.)
        Assert.Contains(0, btc.MarketData);
        Assert.Contains(1, eth.MarketData);
        Assert.All(btc.MarketData, id => Assert.Equal(0, id));
        Assert.All(eth.MarketData, id => Assert.Equal(1, id));
        Assert.NotEmpty(btc.OrderUpdates);
        Assert.NotEmpty(eth.OrderUpdates);
        Assert.All(btc.OrderUpdates, id => Assert.Equal(0, id));
        Assert.All(eth.OrderUpdates, id => Assert.Equal(1, id));

        OrderCommand bid = rig.Gateway.Sent.First(c => c.InstrumentId == 1 && c.Side == OrderSide.Buy);
        rig.Engine.OnFill(new FillReport(1, bid.ClientOrderId, 1000 + bid.ClientOrderId.Sequence, 5, OrderSide.Buy, bid.Price, bid.Qty,
            Qty.Zero, 0, Qty.Zero, true, rig.Now));
        Assert.Equal([1], eth.Fills);
        Assert.Empty(btc.Fills);

        rig.Engine.Stop();
        Assert.Equal((1, 1), (btc.Stops, eth.Stops));
    }

    [Fact]
    public void Constructor_TwoStrategiesClaimingOneInstrument_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => NewTwoInstrumentEngine(new LoggingMaker(0), new LoggingMaker(1), new LoggingMaker(0)));
        Assert.Contains("instrument 0 is claimed by both", ex.Message);
        Assert.Throws<ArgumentException>(() => NewTwoInstrumentEngine(new LoggingMaker(2))); // no such instrument
        var maker = new LoggingMaker(0);
        Assert.Throws<ArgumentException>(() => NewTwoInstrumentEngine(maker, maker));
    }

    [Fact]
    public void StrategyException_HaltsOnlyThatInstance_CancelsItsInstrument_TheOtherTradesOn()
    {
        var btc = new LoggingMaker(0);
        var eth = new LoggingMaker(1);
        var rig = new TwoInstrumentRig(btc, eth);
        rig.Market(0, 10_000, 10_010);
        rig.Market(1, 20_000, 20_010);
        rig.AckAll();
        Assert.Equal((2, 2), (rig.Sent(0, CommandKind.Place), rig.Sent(1, CommandKind.Place)));

        btc.ThrowOnMarketData = true;
        rig.Market(0, 10_001, 10_011);
        Assert.True(rig.Engine.StrategyHalted);
        Assert.Contains("maker-0 (BTCUSDT)", rig.Engine.StrategyError);
        Assert.Contains("maker bug", rig.Engine.StrategyError);
        Assert.Equal(2, rig.Sent(0, CommandKind.Cancel)); // its quotes are pulled
        Assert.Equal(0, rig.Sent(1, CommandKind.Cancel)); // the other's stay

        // The other instance keeps quoting; the halted one is called no more.
        int btcCalls = btc.MarketData.Count;
        rig.Market(1, 20_005, 20_015);
        rig.Market(0, 10_005, 10_015);
        Assert.True(rig.Sent(1, CommandKind.Place) + rig.Sent(1, CommandKind.CancelReplace) > 2, "ETH requoted");
        Assert.Equal(2, rig.Sent(0, CommandKind.Place));
        Assert.Equal(btcCalls, btc.MarketData.Count);
        Assert.Equal(RiskState.Active, rig.Engine.Execution.Risk.State);
    }

    [Fact]
    public void Submit_IntentForAnInstrumentTheStrategyDoesNotTrade_HaltsIt_AndNothingIsSent()
    {
        var eth = new LoggingMaker(1);
        var rig = new TwoInstrumentRig(new TrespassingStrategy(), eth);
        rig.Market(0, 10_000, 10_010);
        Assert.True(rig.Engine.StrategyHalted);
        Assert.Contains("trespasser", rig.Engine.StrategyError);
        Assert.Contains("does not trade", rig.Engine.StrategyError);
        Assert.DoesNotContain(rig.Gateway.Sent, c => c.Kind == CommandKind.Place);
        rig.Market(1, 20_000, 20_010);
        Assert.Equal(2, rig.Sent(1, CommandKind.Place)); // the owner of instrument 1 trades on
    }

    [Fact]
    public void Context_OfTheEngine_ReadsEverythingButOwnsNothing()
    {
        var rig = new TwoInstrumentRig(new LoggingMaker(0));
        rig.Market(0, 10_000, 10_010);
        lock (rig.CoreLock)
        {
            Assert.Equal(10_000, rig.Engine.Context.Book(0).BestBidTick);
            Assert.True(rig.Engine.Context.Orders(0).IsEmpty); // the maker's orders are not the read context's
            Assert.Throws<InvalidOperationException>(() => rig.Engine.Context.Submit(Intent.CancelAll(0)));
        }
        Assert.Equal(2, rig.Sent(0, CommandKind.Place));
    }
}
