using System.Collections.Immutable;
using Fathom.Book;
using Fathom.Cli;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Strategies;
using Fathom.Strategy.Abstractions;
using Spectre.Console.Testing;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// The <c>fathom demo</c> terminal dashboard: hand-built snapshots rendered into a fixed-size test
/// console (what the operator reads), and snapshots taken from a real engine on virtual time (what the
/// sampler copies out of the core, including fills it has to work out from order and position views).
/// </summary>
public class DemoDashboardTests
{
    private static readonly InstrumentSpec Btc = new InstrumentSpec
    {
        Symbol = "BTCUSDT", Venue = Venue.Simulator, PriceDecimals = 8, QtyDecimals = 8,
        TickSize = new Price(1_000_000), StepSize = new Qty(1_000), MinQty = new Qty(1_000),
    }.Validate();

    private static DashboardSnapshot Sample() => new()
    {
        Symbol = "BTCUSDT",
        Elapsed = TimeSpan.FromSeconds(75),
        PriceDisplayDecimals = 2,
        QtyDisplayDecimals = 5,
        Bids =
        [
            new DashboardLevel(100.02m, 0.5m, 0.001m, 1),
            new DashboardLevel(100.01m, 0.25m, 0m, 0),
            new DashboardLevel(99.99m, 1.5m, 0m, 0),
        ],
        Asks =
        [
            new DashboardLevel(100.05m, 0.75m, 0m, 0),
            new DashboardLevel(100.07m, 2m, 0.002m, 2),
            new DashboardLevel(100.08m, 3m, 0m, 0),
        ],
        Orders =
        [
            new DashboardOrder(41, OrderSide.Buy, 100.02m, 0.001m, 0m, OrderState.Accepted, true),
            new DashboardOrder(42, OrderSide.Sell, 100.07m, 0.001m, 0m, OrderState.Accepted, true),
            new DashboardOrder(43, OrderSide.Sell, 100.07m, 0.001m, 0m, OrderState.PendingNew, true),
        ],
        RecentFills = [new DashboardFill(TimeSpan.FromSeconds(74.5), OrderSide.Sell, 0.00034m, 100.06m, 40)],
        FillCount = 1,
        RiskState = RiskState.Reducing,
        RiskReasons = RiskReason.FeedLag | RiskReason.AckLatency,
        RiskTransitions = ["12:00:01 risk: Active -> Reducing (Rule) reasons FeedLag"],
        Latency =
        [
            new DashboardLatency("tick-to-order", 1234, 12.3, 456.7, 8901.4, 12345.6),
            new DashboardLatency("core per event", 99, 1.5, 2.5, 3.5, 4.5),
            new DashboardLatency("command-to-ack", 0, 0, 0, 0, 0),
        ],
        BookState = SyncState.Live,
        DiffsApplied = 4321,
        Gaps = 2,
        Reconnects = 1,
    };

    private static string[] RenderLines(DashboardSnapshot s)
    {
        var console = new TestConsole().Width(120);
        console.Write(DemoDashboard.Render(s));
        return console.Output.Split('\n');
    }

    private static string Line(string[] lines, string containing) =>
        Assert.Single(lines, l => l.Contains(containing, StringComparison.Ordinal));

    [Fact]
    public void Render_OurOrders_MarkedWithTheirSizesOnTheirLadderRows()
    {
        string[] lines = RenderLines(Sample());
        // Our bid at 100.02: marked, with our size beside it; the ask on the same row is not ours.
        string best = Line(lines, "100.02*");
        Assert.Contains("0.00100", best);
        Assert.Contains(" 100.05", best);
        Assert.DoesNotContain("*100.05", best);
        // Two of our asks at 100.07: marked, total size and count.
        string second = Line(lines, "*100.07");
        Assert.Contains("0.00200 x2", second);
        Assert.DoesNotContain("100.01*", second);
        // The third row holds none of ours on either side.
        string third = Line(lines, "99.99");
        Assert.DoesNotContain("*", third);
        Assert.Contains("100.08", third);
    }

    [Fact]
    public void Render_RiskReducing_ShowsStateReasonsAndLastTransition()
    {
        string text = string.Join('\n', RenderLines(Sample()));
        Assert.Contains("state Reducing; reasons AckLatency, FeedLag", text);
        Assert.Contains("Active -> Reducing (Rule)", text);
        Assert.Contains("risk Reducing", Line(RenderLines(Sample()), "Fathom demo"));
    }

    [Fact]
    public void Render_Latency_ShowsPercentilesPerStage()
    {
        string[] lines = RenderLines(Sample());
        string tick = Line(lines, "tick-to-order");
        Assert.Matches(@"tick-to-order\s+12\.3\s+456\.7\s+8901\s+12346\s+1234", tick);
        Assert.Matches(@"core per event\s+1\.5\s+2\.5\s+3\.5\s+4\.5\s+99", Line(lines, "core per event"));
        Assert.Matches(@"command-to-ack\s+-\s+-\s+-\s+-\s+0", Line(lines, "command-to-ack"));
    }

    [Fact]
    public void Render_Paused_ShowsTheBanner_OnlyWhilePaused()
    {
        Assert.DoesNotContain("PAUSED", string.Join('\n', RenderLines(Sample())));
        string header = Line(RenderLines(Sample() with { Paused = true }), "Fathom demo");
        Assert.Contains("PAUSED", header);
        Assert.DoesNotContain("HALTED", header);
        string halted = Line(RenderLines(Sample() with { RiskState = RiskState.Halted, Flattening = true }), "Fathom demo");
        Assert.Contains("FLATTENING", halted);
        Assert.Contains("HALTED", halted);
        Assert.Contains("HALTED", Line(RenderLines(Sample() with { StrategyError = "boom" }), "Fathom demo"));
    }

    [Fact]
    public void Render_OrdersFillsFeedAndKeys_AllShown()
    {
        string[] lines = RenderLines(Sample());
        Assert.Matches(@"43\s+sell po\s+100\.07\s+0\.00100\s+0\.00000\s+PendingNew", Line(lines, "PendingNew"));
        Assert.Matches(@"01:14\.5\s+sell\s+0\.00034\s+100\.06\s+40", Line(lines, "0.00034"));
        Assert.Contains("diffs 4321, gaps 2, reconnects 1", string.Join('\n', lines));
        Assert.Contains("p pause/resume  f flatten  h halt  r resume  q quit", string.Join('\n', lines));
        Assert.True(lines.Length <= 40, $"{lines.Length} lines do not fit a 120x40 terminal");
    }

    // ---------------------------------------------------------------- a real engine

    private sealed class RecordingGateway : IOrderGateway
    {
        public readonly List<OrderCommand> Sent = [];
        public bool IsReady => true;
        public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;
        public void Send(in OrderCommand command) => Sent.Add(command);
        public void CancelAll(int instrumentId, ClientOrderId cancelId) { }
        public Task<IReadOnlyList<OrderStatusReport>> GetOpenOrdersAsync(int instrumentId, CancellationToken cancel) =>
            Task.FromResult<IReadOnlyList<OrderStatusReport>>([]);
        public Task<IReadOnlyList<FillReport>> GetTradesAsync(int instrumentId, long fromTradeIdExclusive, CancellationToken cancel) =>
            Task.FromResult<IReadOnlyList<FillReport>>([]);
        public Task<IReadOnlyList<VenueBalance>> GetBalancesAsync(CancellationToken cancel) =>
            Task.FromResult<IReadOnlyList<VenueBalance>>([]);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Rig
    {
        public readonly Lock CoreLock = new();
        public readonly ManualTimeProvider Time = new();
        public readonly BookSync Sync = new(0, new OrderBook(Btc), SyncRule.BinanceSpot);
        public readonly RecordingGateway Gateway = new();
        public readonly TradingEngine Engine;
        public readonly DashboardSampler Sampler;
        private long _tradeId;

        public Rig()
        {
            var limits = new RiskLimits
            {
                Instruments = [new InstrumentRiskLimits { MaxPosition = new Qty(100_000_000), MaxOrderQty = new Qty(10_000_000), MaxOrderNotional = 1_000_000_000_000 }],
                MaxTotalNotional = 10_000_000_000_000,
                MarkoutLossLimit = 1_000_000_000_000,
                MaxDailyLoss = 1_000_000_000_000,
                PriceBandBps = 500,
            };
            var risk = new RiskManager(limits, [Btc]);
            var execution = new ExecutionEngine([Btc], new ExecutionOptions(), risk, new ClientOrderIdGenerator(1, 1, new InMemorySequenceReservation()));
            var strategy = new MarketMaker(new MarketMakerOptions { InstrumentId = 0, HalfSpreadTicks = 1, QuoteQty = 10_000, MaxPosition = 1_000_000 });
            Engine = new TradingEngine(CoreLock, [Btc], [Sync], execution, strategy, new MonotonicClock(Time));
            Engine.AttachGateway(Gateway);
            Engine.Start();
            Sampler = new DashboardSampler(CoreLock, Engine, Sync, Btc);
        }

        private long Now => new MonotonicClock(Time).NowNanos();

        /// <summary>Twelve levels a side from <paramref name="bid"/> down and <paramref name="ask"/> up (ticks of 0.01).</summary>
        public void Market(long bid, long ask, long id)
        {
            lock (CoreLock)
            {
                if (Sync.IsLive)
                    Sync.MarkStale(StaleReason.Disconnected, 0);
                var bids = Enumerable.Range(0, 12).Select(i => new Level(bid - i, 5_000_000 + i)).ToArray();
                var asks = Enumerable.Range(0, 12).Select(i => new Level(ask + i, 6_000_000 + i)).ToArray();
                Sync.OnSnapshot(new BookSnapshot(0, id, 0, 0, bids, asks, 0));
                Engine.OnMarketDataApplied(Now);
            }
        }

        /// <summary>Every order the engine asked for: places, and the new leg of each cancel-replace.</summary>
        public NewOrder[] NewOrders() =>
        [
            .. Gateway.Sent.Where(c => c.Kind is CommandKind.Place or CommandKind.CancelReplace)
                .Select(c => new NewOrder(c.Kind == CommandKind.Place ? c.ClientOrderId : c.NewClientOrderId, c.Side, c.Price, c.Qty)),
        ];

        /// <summary>The venue confirms every command sent so far: new orders accepted, cancels done.</summary>
        public void AckAll()
        {
            for (; _answered < Gateway.Sent.Count; _answered++)
            {
                OrderCommand c = Gateway.Sent[_answered];
                switch (c.Kind)
                {
                    case CommandKind.Place:
                        Engine.OnAck(new AckReport(0, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, Now));
                        break;
                    case CommandKind.CancelReplace:
                        Engine.OnCanceled(new CanceledReport(0, c.OrigClientOrderId, Now));
                        Engine.OnAck(new AckReport(0, c.NewClientOrderId, 1000 + c.NewClientOrderId.Sequence, Now));
                        break;
                    case CommandKind.Cancel:
                        Engine.OnCanceled(new CanceledReport(0, c.OrigClientOrderId, Now));
                        break;
                }
            }
        }

        private int _answered;

        public void Fill(NewOrder order, long qty, long cumulative) =>
            Engine.OnFill(new FillReport(0, order.Id, 1000 + order.Id.Sequence, ++_tradeId, order.Side,
                order.Price, new Qty(qty), new Qty(cumulative), 0, Qty.Zero, true, Now));
    }

    private sealed record NewOrder(ClientOrderId Id, OrderSide Side, Price Price, Qty Qty);

    [Fact]
    public void Take_RealEngine_CopiesLadderOrdersPositionAndLatency()
    {
        var rig = new Rig();
        rig.Market(bid: 10_000, ask: 10_010, id: 1);
        rig.AckAll();
        NewOrder buy = rig.NewOrders().Single(c => c.Side == OrderSide.Buy);
        NewOrder sell = rig.NewOrders().Single(c => c.Side == OrderSide.Sell);

        DashboardSnapshot s = rig.Sampler.Take(TimeSpan.FromSeconds(3));

        Assert.Equal("BTCUSDT", s.Symbol);
        Assert.Equal(SyncState.Live, s.BookState);
        Assert.Equal(DashboardSampler.LadderDepth, s.Bids.Length);
        Assert.Equal(DashboardSampler.LadderDepth, s.Asks.Length);
        // The quotes sit inside the spread, where this book (no venue behind it) has no size: each gets a
        // row of its own in place of the deepest level, so the ladder keeps its height.
        Assert.Equal((buy.Price.Raw, 0m), (s.Bids[0].Price * 100_000_000m, s.Bids[0].Qty));
        Assert.Equal((100.00m, 0.05m), (s.Bids[1].Price, s.Bids[1].Qty));
        Assert.Equal(99.92m, s.Bids[^1].Price);
        Assert.Equal((sell.Price.Raw, 0m), (s.Asks[0].Price * 100_000_000m, s.Asks[0].Qty));
        Assert.Equal((100.10m, 0.06m), (s.Asks[1].Price, s.Asks[1].Qty));
        Assert.Equal(2, s.Orders.Length);
        // Each of our quotes is on the ladder row of its price, with its size; no other row is ours.
        DashboardLevel ourBid = Assert.Single(s.Bids, l => l.OurOrders > 0);
        Assert.Equal(buy.Price.Raw, ourBid.Price * 100_000_000m);
        Assert.Equal(0.0001m, ourBid.OurQty);
        DashboardLevel ourAsk = Assert.Single(s.Asks, l => l.OurOrders > 0);
        Assert.Equal(sell.Price.Raw, ourAsk.Price * 100_000_000m);
        Assert.Equal(RiskState.Active, s.RiskState);
        DashboardLatency tick = s.Latency.Single(l => l.Stage == "tick-to-order");
        Assert.Equal(rig.Engine.Latency.TickToOrder.TotalCount, tick.Count);
        Assert.True(tick.Count > 0);
        Assert.Empty(s.RecentFills);

        string rendered = string.Join('\n', RenderLines(s));
        Assert.Contains(s.Price(ourBid.Price) + "*", rendered);
        Assert.Contains("*" + s.Price(ourAsk.Price), rendered);
    }

    [Fact]
    public void Take_RealEngine_ListsFillsOfLiveFinishedAndUnseenOrders()
    {
        var rig = new Rig();
        rig.Market(10_000, 10_010, 1);
        rig.AckAll();
        NewOrder buy = rig.NewOrders().Single(c => c.Side == OrderSide.Buy);
        NewOrder sell = rig.NewOrders().Single(c => c.Side == OrderSide.Sell);

        // A buy filled before the sampler ever looked: found by walking back from the live orders.
        rig.Fill(buy, 10_000, 10_000);
        DashboardSnapshot first = rig.Sampler.Take(TimeSpan.FromSeconds(1));
        DashboardFill f1 = Assert.Single(first.RecentFills);
        Assert.Equal((OrderSide.Buy, 0.0001m, buy.Id.Sequence), (f1.Side, f1.Qty, f1.OrderId));
        Assert.Equal(buy.Price.Raw, f1.LimitPrice!.Value * 100_000_000m);
        Assert.Equal(0.0001m, first.Position);

        // A partial fill of a live order, then the rest of it once it has left the live set.
        rig.Fill(sell, 4_000, 4_000);
        DashboardSnapshot second = rig.Sampler.Take(TimeSpan.FromSeconds(2));
        Assert.Equal(2, second.RecentFills.Length);
        Assert.Equal((OrderSide.Sell, 0.00004m, TimeSpan.FromSeconds(2)), (second.RecentFills[0].Side, second.RecentFills[0].Qty, second.RecentFills[0].SeenAt));
        rig.Fill(sell, 6_000, 10_000);
        DashboardSnapshot third = rig.Sampler.Take(TimeSpan.FromSeconds(3));
        Assert.Equal(3, third.RecentFills.Length);
        Assert.Equal((OrderSide.Sell, 0.00006m, sell.Id.Sequence), (third.RecentFills[0].Side, third.RecentFills[0].Qty, third.RecentFills[0].OrderId));
        Assert.DoesNotContain(third.Orders, o => o.OrderId == sell.Id.Sequence);

        // New quotes placed and filled between two looks: found by walking the sequence numbers issued since.
        rig.Market(10_020, 10_030, 2);
        rig.AckAll();
        var fresh = rig.NewOrders().Where(c => c.Id.Sequence > sell.Id.Sequence).ToArray();
        Assert.NotEmpty(fresh);
        foreach (var c in fresh)
            rig.Fill(c, c.Qty.Raw, c.Qty.Raw);
        DashboardSnapshot fourth = rig.Sampler.Take(TimeSpan.FromSeconds(4));
        Assert.Equal(3 + fresh.Length, fourth.RecentFills.Length);
        Assert.Equal(fresh.Select(c => c.Id.Sequence).Order(), fourth.RecentFills.Take(fresh.Length).Select(f => f.OrderId).Order());
        // Nothing is counted twice: the listed sizes add up to what the position bought and sold.
        Assert.Equal(fourth.BuyQty, fourth.RecentFills.Where(f => f.Side == OrderSide.Buy).Sum(f => f.Qty));
        Assert.Equal(fourth.SellQty, fourth.RecentFills.Where(f => f.Side == OrderSide.Sell).Sum(f => f.Qty));
        Assert.Equal(rig.Engine.Fills, fourth.FillCount);

        // A fill the orders cannot explain (an unknown order) still shows, from the position.
        rig.Engine.OnFill(new FillReport(0, new ClientOrderId(1, 1, 999_999), 77, 9_999, OrderSide.Buy, new Price(10_010_000_000), new Qty(2_000), new Qty(2_000), 0, Qty.Zero, false, 0));
        DashboardSnapshot fifth = rig.Sampler.Take(TimeSpan.FromSeconds(5));
        Assert.Equal((OrderSide.Buy, 0.00002m, 0L, (decimal?)null),
            (fifth.RecentFills[0].Side, fifth.RecentFills[0].Qty, fifth.RecentFills[0].OrderId, fifth.RecentFills[0].LimitPrice));
    }

    [Fact]
    public void Take_KeepsOnlyTheLastTenFills_NewestFirst()
    {
        var rig = new Rig();
        var seen = new List<long>();
        for (int round = 0; round < 40 && seen.Count <= DashboardSampler.FillsKept + 2; round++)
        {
            rig.Market(10_000 + round * 20, 10_010 + round * 20, round + 1);
            rig.AckAll();
            foreach (var c in rig.NewOrders().Where(c => !seen.Contains(c.Id.Sequence)))
            {
                seen.Add(c.Id.Sequence);
                rig.Fill(c, c.Qty.Raw, c.Qty.Raw);
            }
            rig.AckAll();
            rig.Sampler.Take(TimeSpan.FromSeconds(round));
        }
        DashboardSnapshot s = rig.Sampler.Take(TimeSpan.FromSeconds(9));
        Assert.True(seen.Count > DashboardSampler.FillsKept, $"only {seen.Count} orders filled");
        Assert.Equal(DashboardSampler.FillsKept, s.RecentFills.Length);
        Assert.Equal(seen.Max(), s.RecentFills.Max(f => f.OrderId));
        Assert.True(s.RecentFills[0].SeenAt >= s.RecentFills[^1].SeenAt);
        Assert.DoesNotContain(s.RecentFills, f => f.OrderId == seen.Min());
    }

    [Fact]
    public void WithoutCoreTime_DropsTheNanosecondStamp()
    {
        Assert.Equal("12:00:01 risk: Active -> Halted (OperatorHalt) reasons Operator",
            DashboardSampler.WithoutCoreTime("12:00:01 risk: Active -> Halted (OperatorHalt) reasons Operator at 9187089007494 ns"));
        Assert.Equal("no stamp here", DashboardSampler.WithoutCoreTime("no stamp here"));
    }
}
