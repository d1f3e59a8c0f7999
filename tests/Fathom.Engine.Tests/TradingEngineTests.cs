using Fathom.Book;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Strategies;
using Fathom.Strategy.Abstractions;
using Fathom.Testing;
using Xunit;

namespace Fathom.Engine.Tests;

/// <summary>
/// The core composition in process (the kit's <see cref="CoreRig"/>), on virtual time: a hand-fed book, the sample market maker,
/// real execution and risk, and a recording gateway standing in for the venue.
/// </summary>
public partial class TradingEngineTests
{
    private static readonly InstrumentSpec Btc = Specs.Btc;

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

    /// <summary>The kit's core: BTCUSDT, the sample market maker (or <paramref name="strategy"/>), wide limits, a recording gateway (or <paramref name="gateway"/>).</summary>
    private static CoreRig NewRig(IStrategy? strategy = null, CoreJournal? journal = null, IOrderEntry? gateway = null, bool start = true) =>
        new(CoreRig.Setup([Btc], CoreRig.Maker(0)), gateway, journal, strategy is null ? null : [strategy], start);

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
            rig.Books[0].MarkStale(StaleReason.Disconnected, 0);
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

    private static void AckAll(CoreRig rig)
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
            text = PrometheusMetrics.Build(rig.Engine, [rig.Books[0]]);
        Assert.Contains("fathom_book_live{symbol=\"BTCUSDT\"} 1", text);
        Assert.Contains("fathom_orders_total{kind=\"place\"} 2", text);
        Assert.Contains("fathom_risk_state 0", text);
        Assert.Contains("fathom_tick_to_order_seconds_count 1", text);
        // One sample is not a p50 (that needs 10): the quantile is NaN, not the sample under another name.
        Assert.Contains("fathom_tick_to_order_seconds{quantile=\"0.5\"} NaN", text);
        Assert.Contains("# TYPE fathom_fills_total counter", text);
        Assert.True(PrometheusMetrics.IsHealthy(rig.Engine, [rig.Books[0]]));
        rig.Engine.Halt();
        Assert.False(PrometheusMetrics.IsHealthy(rig.Engine, [rig.Books[0]]));
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
