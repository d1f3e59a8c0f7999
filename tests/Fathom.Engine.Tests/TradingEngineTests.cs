using Fathom.Book;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Strategies;
using Fathom.Strategy.Abstractions;
using Xunit;

namespace Fathom.Engine.Tests;

/// <summary>
/// The core composition in process, on virtual time: a hand-fed book, the sample market maker,
/// real execution and risk, and a recording gateway standing in for the venue.
/// </summary>
public partial class TradingEngineTests
{
    private static readonly InstrumentSpec Btc = new InstrumentSpec
    {
        Symbol = "BTCUSDT", Venue = Venue.Simulator, PriceDecimals = 8, QtyDecimals = 8,
        TickSize = new Price(1_000_000), StepSize = new Qty(1_000), MinQty = new Qty(1_000),
    }.Validate();

    private sealed class RecordingGateway : IOrderGateway
    {
        public readonly List<OrderCommand> Sent = [];
        public bool IsReady => true;
        public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;
        public void Send(in OrderCommand command) => Sent.Add(command);
        public readonly List<(int InstrumentId, ClientOrderId CancelId)> CancelAlls = [];
        public void CancelAll(int instrumentId, ClientOrderId cancelId) => CancelAlls.Add((instrumentId, cancelId));
        public Task<IReadOnlyList<OrderStatusReport>> GetOpenOrdersAsync(int instrumentId, CancellationToken cancel) =>
            Task.FromResult<IReadOnlyList<OrderStatusReport>>([]);
        public Task<IReadOnlyList<FillReport>> GetTradesAsync(int instrumentId, long fromTradeIdExclusive, CancellationToken cancel) =>
            Task.FromResult<IReadOnlyList<FillReport>>([]);
        public Task<IReadOnlyList<VenueBalance>> GetBalancesAsync(CancellationToken cancel) =>
            Task.FromResult<IReadOnlyList<VenueBalance>>([]);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class ThrowingStrategy : IStrategy
    {
        public string Name => "thrower";
        public IReadOnlyList<int> InstrumentIds { get; } = [0];
        public void OnStart(IStrategyContext context) { }
        public void OnMarketData(IStrategyContext context, int instrumentId)
        {
            context.Submit(Intent.Quote(0, new Price(99 * 1_000_000), new Qty(10_000), new Price(102 * 1_000_000), new Qty(10_000)));
            throw new InvalidOperationException("strategy bug");
        }
        public void OnTrade(IStrategyContext context, in Trade trade) { }
        public void OnFill(IStrategyContext context, in FillView fill) { }
        public void OnOrderUpdate(IStrategyContext context, in OrderView order) { }
        public void OnTimer(IStrategyContext context, int timerId) { }
        public void OnStop(IStrategyContext context) { }
    }

    private sealed class Rig
    {
        public required ManualTimeProvider Time;
        public required BookSync Sync;
        public required TradingEngine Engine;
        public required RecordingGateway Gateway;
        public readonly Lock CoreLock = new();
        public long Now => new MonotonicClock(Time).NowNanos();

        public void Market(long bid, long ask, long id)
        {
            lock (CoreLock)
            {
                // A live sync ignores unsolicited snapshots; a scripted market move resyncs instead.
                if (Sync.IsLive)
                    Sync.MarkStale(StaleReason.Disconnected, 0);
                Sync.OnSnapshot(new BookSnapshot(0, id, 0, 0,
                    [new Level(bid, 5_000_000), new Level(bid - 1, 5_000_000)], [new Level(ask, 5_000_000), new Level(ask + 1, 5_000_000)], 0));
                Engine.OnMarketDataApplied(Now);
            }
        }
    }

    private static Rig NewRig(IStrategy? strategy = null, CoreJournal? journal = null, IOrderGateway? gateway = null, bool start = true)
    {
        var time = new ManualTimeProvider();
        var clock = new MonotonicClock(time);
        var sync = new BookSync(0, new OrderBook(Btc), SyncRule.BinanceSpot);
        var limits = new RiskLimits
        {
            Instruments = [new InstrumentRiskLimits { MaxPosition = new Qty(100_000_000), MaxOrderQty = new Qty(10_000_000), MaxOrderNotional = 1_000_000_000_000 }],
            MaxTotalNotional = 10_000_000_000_000,
            MarkoutLossLimit = 1_000_000_000_000,
            MaxDailyLoss = 1_000_000_000_000,
            PriceBandBps = 500,
        };
        var risk = new RiskManager(limits, [Btc]);
        // As CoreComposition wires it: every order state change goes through the engine (store, OnOrderUpdate).
        TradingEngine? built = null;
        var execution = new ExecutionEngine([Btc], new ExecutionOptions(), risk, new ClientOrderIdGenerator(1, 1, new InMemorySequenceReservation()),
            t => built?.OnOrderTransition(t));
        strategy ??= new MarketMaker(new MarketMakerOptions { InstrumentId = 0, HalfSpreadTicks = 1, QuoteQty = 10_000, MaxPosition = 1_000_000 });
        var rig = new Rig { Time = time, Sync = sync, Gateway = new RecordingGateway(), Engine = null! };
        var engine = new TradingEngine(rig.CoreLock, [Btc], [sync], execution, strategy, clock);
        built = engine;
        rig.Engine = engine;
        engine.Journal = journal;
        engine.AttachGateway(gateway ?? rig.Gateway);
        if (start)
            engine.Start();
        return rig;
    }

    [Fact]
    public void MarketData_FlowsThroughStrategyAndRisk_ToPostOnlyOrders()
    {
        var rig = NewRig();
        rig.Market(bid: 10_000, ask: 10_010, id: 1);
        Assert.Equal(2, rig.Gateway.Sent.Count);
        Assert.All(rig.Gateway.Sent, c => Assert.Equal(CommandKind.Place, c.Kind));
        Assert.Contains(rig.Gateway.Sent, c => c.Side == OrderSide.Buy && c.Type == OrderType.LimitMaker);
        Assert.Contains(rig.Gateway.Sent, c => c.Side == OrderSide.Sell && c.Type == OrderType.LimitMaker);
        Assert.Equal(1, rig.Engine.Latency.TickToOrder.TotalCount);
    }

    [Fact]
    public void UnchangedMarket_SendsNothingMore_AndAcksKeepOrdersResting()
    {
        var rig = NewRig();
        rig.Market(10_000, 10_010, 1);
        foreach (var c in rig.Gateway.Sent.ToArray())
            rig.Engine.OnAck(new AckReport(0, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, rig.Now));
        int before = rig.Gateway.Sent.Count;
        rig.Market(10_000, 10_010, 2);
        Assert.Equal(before, rig.Gateway.Sent.Count);
    }

    [Fact]
    public void StaleBook_StopsNewQuotes()
    {
        var rig = NewRig();
        lock (rig.CoreLock)
        {
            rig.Sync.MarkStale(StaleReason.Disconnected, 0);
            rig.Engine.OnMarketDataApplied(rig.Now);
        }
        Assert.DoesNotContain(rig.Gateway.Sent, c => c.Kind == CommandKind.Place);
    }

    [Fact]
    public void StrategyException_HaltsTheStrategy_NotTheEngine()
    {
        var rig = NewRig(new ThrowingStrategy());
        rig.Market(10_000, 10_010, 1);
        Assert.True(rig.Engine.StrategyHalted);
        Assert.Contains("strategy bug", rig.Engine.StrategyError);
        Assert.DoesNotContain(rig.Gateway.Sent, c => c.Kind == CommandKind.Place); // its intents died with it
        rig.Market(10_001, 10_011, 2); // the engine keeps running
        Assert.DoesNotContain(rig.Gateway.Sent, c => c.Kind == CommandKind.Place);
    }

    [Fact]
    public void Stop_CancelsRestingOrders()
    {
        var rig = NewRig();
        rig.Market(10_000, 10_010, 1);
        foreach (var c in rig.Gateway.Sent.ToArray())
            rig.Engine.OnAck(new AckReport(0, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, rig.Now));
        rig.Engine.Stop();
        Assert.Equal(2, rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Cancel));
    }

    private static void AckAll(Rig rig)
    {
        foreach (var c in rig.Gateway.Sent.Where(c => c.Kind == CommandKind.Place).ToArray())
            rig.Engine.OnAck(new AckReport(0, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, rig.Now));
    }

    [Fact]
    public void Pause_CancelsAndStopsQuoting_ResumeQuotesAgain()
    {
        var rig = NewRig();
        rig.Market(10_000, 10_010, 1);
        AckAll(rig);
        rig.Engine.Pause();
        Assert.Equal(2, rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Cancel));
        int places = rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Place);
        rig.Market(10_020, 10_030, 2);
        Assert.Equal(places, rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Place));
        foreach (var c in rig.Gateway.Sent.Where(c => c.Kind == CommandKind.Cancel).ToArray())
            rig.Engine.OnCanceled(new CanceledReport(0, c.OrigClientOrderId, rig.Now)); // the venue confirms
        rig.Engine.Resume();
        rig.Market(10_040, 10_050, 3);
        Assert.True(rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Place) > places);
    }

    [Fact]
    public void Flatten_SellsALongPositionWithALimitBelowTheBid()
    {
        var rig = NewRig();
        rig.Market(10_000, 10_010, 1);
        var buy = rig.Gateway.Sent.First(c => c.Side == OrderSide.Buy);
        rig.Engine.OnAck(new AckReport(0, buy.ClientOrderId, 77, rig.Now));
        rig.Engine.OnFill(new FillReport(0, buy.ClientOrderId, 77, 1, OrderSide.Buy, buy.Price, buy.Qty, buy.Qty, 0, Qty.Zero, true, rig.Now));
        rig.Engine.Flatten(slippageTicks: 5);
        Assert.True(rig.Engine.Flattening);
        // Our own quotes must go first (a sell through our own bid would trade with it): confirm every
        // order's fate, acking what is pending and confirming each cancel, and the take follows.
        for (int round = 0; round < 4; round++)
        {
            AckAll(rig);
            foreach (var c in rig.Gateway.Sent.Where(c => c.Kind == CommandKind.Cancel).ToArray())
                rig.Engine.OnCanceled(new CanceledReport(0, c.OrigClientOrderId, rig.Now));
        }
        var sell = rig.Gateway.Sent.Last(c => c.Kind == CommandKind.Place);
        Assert.Equal(OrderSide.Sell, sell.Side);
        Assert.Equal(OrderType.LimitIoc, sell.Type);
        Assert.Equal(buy.Qty, sell.Qty);
        Assert.True(sell.Price.Raw <= 10_000L * 1_000_000, "the flatten limit is at or through the bid");
        Assert.True(rig.Engine.Paused);
    }

    [Fact]
    public void Halt_CancelsAndBlocksNewOrders_UntilResume()
    {
        var rig = NewRig();
        rig.Market(10_000, 10_010, 1);
        AckAll(rig);
        rig.Engine.Halt();
        Assert.Equal(RiskState.Halted, rig.Engine.Execution.Risk.State);
        Assert.Equal(2, rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Cancel));
        int places = rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Place);
        rig.Market(10_020, 10_030, 2);
        Assert.Equal(places, rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Place));
    }

    [Fact]
    public void Metrics_ExposeOrdersRiskBooksAndLatency()
    {
        var rig = NewRig();
        rig.Market(10_000, 10_010, 1);
        string text;
        lock (rig.CoreLock)
            text = PrometheusMetrics.Build(rig.Engine, [rig.Sync]);
        Assert.Contains("fathom_book_live{symbol=\"BTCUSDT\"} 1", text);
        Assert.Contains("fathom_orders_total{kind=\"place\"} 2", text);
        Assert.Contains("fathom_risk_state 0", text);
        Assert.Contains("fathom_tick_to_order_seconds_count 1", text);
        Assert.Contains("# TYPE fathom_fills_total counter", text);
        Assert.True(PrometheusMetrics.IsHealthy(rig.Engine, [rig.Sync]));
        rig.Engine.Halt();
        Assert.False(PrometheusMetrics.IsHealthy(rig.Engine, [rig.Sync]));
    }

    [Fact]
    public void Fill_UpdatesPosition()
    {
        var rig = NewRig();
        rig.Market(10_000, 10_010, 1);
        var buy = rig.Gateway.Sent.First(c => c.Side == OrderSide.Buy);
        rig.Engine.OnAck(new AckReport(0, buy.ClientOrderId, 77, rig.Now));
        rig.Engine.OnFill(new FillReport(0, buy.ClientOrderId, 77, 1, OrderSide.Buy, buy.Price, buy.Qty, buy.Qty, 0, Qty.Zero, true, rig.Now));
        Assert.Equal(buy.Qty, rig.Engine.Execution.Position(0).Position);
        Assert.Equal(1, rig.Engine.Fills);
    }
}
