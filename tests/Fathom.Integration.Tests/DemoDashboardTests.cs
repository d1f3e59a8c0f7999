using Fathom.Hosting;
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
using Fathom.Testing;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// The <c>fathom demo</c> terminal dashboard: hand-built snapshots rendered into a fixed-size test
/// console (what the operator reads), and snapshots taken from a real engine on virtual time (what the
/// sampler copies out of the core, the engine's own list of recent fills among it).
/// </summary>
public class DemoDashboardTests
{
    private static readonly InstrumentSpec Btc = Fathom.Testing.Specs.Btc;
    private static readonly InstrumentSpec Eth = Fathom.Testing.Specs.Eth;

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
        RecentFills =
        [
            new DashboardFill(TimeSpan.FromSeconds(74.512), OrderSide.Sell, 0.00034m, 100.06m, 0.00003402m, true, 40, 9_002),
            new DashboardFill(TimeSpan.FromSeconds(73.25), OrderSide.Buy, 0.00021m, 99.98m, -0.0000021m, false, 39, 9_001),
        ],
        FillCount = 2,
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
    public void Render_Latency_ShowsPercentilesPerStage_OnlyOverEnoughSamples()
    {
        string[] lines = RenderLines(Sample());
        string tick = Line(lines, "tick-to-order");
        Assert.Matches(@"tick-to-order\s+12\.3\s+456\.7\s+8901\s+12346\s+1234", tick);
        // 99 samples: enough for p50 (10), not for p99 (100) or p99.9 (1000), which read n/a; the count is shown.
        Assert.Matches(@"core per event\s+1\.5\s+n/a\s+n/a\s+4\.5\s+99", Line(lines, "core per event"));
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
        Assert.Matches(@"01:14\.51\s+sell M\s+0\.00034\s+100\.06\s+0\.00003402\s+40", Line(lines, "0.00034"));
        Assert.Matches(@"01:13\.25\s+buy T\s+0\.00021\s+99\.98\s+-0\.0000021\s+39", Line(lines, "0.00021"));
        Assert.Contains("diffs 4321, gaps 2, reconnects 1", string.Join('\n', lines));
        Assert.Contains("p pause/resume  f flatten  h halt  r resume  q quit", string.Join('\n', lines));
        Assert.True(lines.Length <= 40, $"{lines.Length} lines do not fit a 120x40 terminal");
    }

    [Fact]
    public void Render_WidestFillRow_StaysOnOneLine()
    {
        // A BTC-sized price, a signed fee at all eight decimals and a six-digit order id.
        DashboardSnapshot s = Sample() with
        {
            RecentFills = [new DashboardFill(new TimeSpan(0, 0, 59, 59, 990), OrderSide.Sell, 0.00085m, 59974.19m, -0.05097806m, false, 290_862, 1)],
        };
        Assert.Matches(@"│59:59\.99\s+sell T\s+0\.00085\s+59974\.19\s+-0\.05097806\s+290862\s*│$", Line(RenderLines(s), "59974.19"));
    }

    // ---------------------------------------------------------------- a real engine

    private sealed class Rig
    {
        private readonly CoreRig _core;
        public readonly DashboardSampler Sampler;
        private long _tradeId;

        /// <param name="secondInstrument">Also trade ETHUSDT (instrument 1; the market maker quotes only BTCUSDT).</param>
        public Rig(bool secondInstrument = false)
        {
            _core = new CoreRig(CoreRig.Setup(secondInstrument ? [Btc, Eth] : [Btc], CoreRig.Maker(0)));
            Sampler = new DashboardSampler(CoreLock, Engine, Sync, Btc, clock: _core.Clock);
        }

        public Lock CoreLock => _core.CoreLock;
        public ManualTimeProvider Time => _core.Time;
        public BookSync Sync => _core.Books[0];
        public RecordingGateway Gateway => _core.Gateway;
        public TradingEngine Engine => _core.Engine;
        public long Now => _core.Now;

        /// <summary>Twelve levels a side from <paramref name="bid"/> down and <paramref name="ask"/> up (ticks of 0.01).</summary>
        public void Market(long bid, long ask, long id) =>
            _core.Snapshot(0, id, [.. Enumerable.Range(0, 12).Select(i => new Level(bid - i, 5_000_000 + i))],
                [.. Enumerable.Range(0, 12).Select(i => new Level(ask + i, 6_000_000 + i))]);

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

        /// <summary>A fill of <paramref name="order"/>: at its limit unless <paramref name="priceRaw"/> says otherwise; returns its trade id.</summary>
        public long Fill(NewOrder order, long qty, long cumulative, long? priceRaw = null, long fee = 0, bool maker = true, int instrumentId = 0)
        {
            Engine.OnFill(new FillReport(instrumentId, order.Id, 1000 + order.Id.Sequence, ++_tradeId, order.Side,
                priceRaw is long p ? new Price(p) : order.Price, new Qty(qty), new Qty(cumulative), fee, Qty.Zero, maker, Now));
            return _tradeId;
        }
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
    public void Take_RealEngine_ListsEachFillExactly_NewestFirst()
    {
        var rig = new Rig();
        rig.Market(10_000, 10_010, 1);
        rig.AckAll();
        NewOrder buy = rig.NewOrders().Single(c => c.Side == OrderSide.Buy);
        NewOrder sell = rig.NewOrders().Single(c => c.Side == OrderSide.Sell);
        Assert.Empty(rig.Sampler.Take(TimeSpan.FromSeconds(1)).RecentFills);

        // Two fills of the buy within a few milliseconds, the second two ticks better than its limit,
        // then the whole sell; all between two looks.
        rig.Time.Advance(TimeSpan.FromSeconds(1));
        long t1 = rig.Fill(buy, 4_000, 4_000, fee: 40);
        rig.Time.Advance(TimeSpan.FromMilliseconds(3));
        long t2 = rig.Fill(buy, 6_000, 10_000, priceRaw: buy.Price.Raw - 2_000_000, fee: -6, maker: false);
        rig.Time.Advance(TimeSpan.FromMilliseconds(5));
        long t3 = rig.Fill(sell, 10_000, 10_000, fee: 100);
        rig.Time.Advance(TimeSpan.FromMilliseconds(242));
        DashboardSnapshot s = rig.Sampler.Take(TimeSpan.FromSeconds(2));

        // One row per fill, newest first, at the run time each was applied (the look is 250 ms after the first).
        decimal buyLimit = buy.Price.Raw / 100_000_000m;
        // (An array each side: two ImmutableArrays would be compared as array references.)
        Assert.Equal(
        [
            new DashboardFill(TimeSpan.FromMilliseconds(1_758), OrderSide.Sell, 0.0001m, sell.Price.Raw / 100_000_000m, 0.000001m, true, sell.Id.Sequence, t3),
            new DashboardFill(TimeSpan.FromMilliseconds(1_753), OrderSide.Buy, 0.00006m, buyLimit - 0.02m, -0.00000006m, false, buy.Id.Sequence, t2),
            new DashboardFill(TimeSpan.FromMilliseconds(1_750), OrderSide.Buy, 0.00004m, buyLimit, 0.0000004m, true, buy.Id.Sequence, t1),
        ], s.RecentFills.ToArray());
        Assert.Equal(3, s.FillCount);
        // The listed sizes add up to what the position bought and sold.
        Assert.Equal(s.BuyQty, s.RecentFills.Where(f => f.Side == OrderSide.Buy).Sum(f => f.Qty));
        Assert.Equal(s.SellQty, s.RecentFills.Where(f => f.Side == OrderSide.Sell).Sum(f => f.Qty));

        // On screen: both fills of the buy as rows of their own, the second at its own price, not the limit.
        string[] lines = RenderLines(s);
        string order = buy.Id.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches(@"00:01\.75\s+buy T\s+0\.00006\s+" + (buyLimit - 0.02m).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + @"\s+-0\.00000006\s+" + order,
            Line(lines, "buy T"));
        Assert.Matches(@"00:01\.75\s+buy M\s+0\.00004\s+" + buyLimit.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + @"\s+0\.0000004\s+" + order,
            Line(lines, "buy M"));

        // A fill of an order the engine no longer knows still shows, with its own price and id.
        var unknown = new NewOrder(new ClientOrderId(buy.Id.Node, buy.Id.Epoch, 999_999), OrderSide.Buy, new Price(10_011_000_000), new Qty(2_000));
        long t4 = rig.Fill(unknown, 2_000, 2_000, maker: false);
        DashboardFill newest = rig.Sampler.Take(TimeSpan.FromSeconds(3)).RecentFills[0];
        Assert.Equal(new DashboardFill(TimeSpan.FromSeconds(3), OrderSide.Buy, 0.00002m, 100.11m, 0m, false, 999_999, t4), newest);
    }

    [Fact]
    public void Take_RepeatedFill_ListedOnce()
    {
        var rig = new Rig();
        rig.Market(10_000, 10_010, 1);
        rig.AckAll();
        NewOrder buy = rig.NewOrders().Single(c => c.Side == OrderSide.Buy);
        var report = new FillReport(0, buy.Id, 1000 + buy.Id.Sequence, 4_242, OrderSide.Buy, buy.Price, new Qty(3_000), new Qty(3_000), 0, Qty.Zero, true, rig.Now);
        rig.Engine.OnFill(report);
        rig.Engine.OnFill(report); // the stream repeats what the response reported
        DashboardSnapshot s = rig.Sampler.Take(TimeSpan.FromSeconds(1));
        DashboardFill fill = Assert.Single(s.RecentFills);
        Assert.Equal((4_242L, 0.00003m), (fill.TradeId, fill.Qty));
        Assert.Equal(s.BuyQty, fill.Qty);
    }

    [Fact]
    public void Take_OtherInstrumentsFills_NotListed()
    {
        var rig = new Rig(secondInstrument: true);
        rig.Market(10_000, 10_010, 1);
        rig.AckAll();
        NewOrder buy = rig.NewOrders().Single(c => c.Side == OrderSide.Buy);
        long btc = rig.Fill(buy, 1_000, 1_000);
        // An ETH fill (of an order that instrument's table does not know; the position moves all the same).
        rig.Fill(new NewOrder(new ClientOrderId(buy.Id.Node, buy.Id.Epoch, 888_888), OrderSide.Sell, new Price(300_000_000_000), new Qty(5_000)), 5_000, 5_000, instrumentId: 1);
        DashboardSnapshot s = rig.Sampler.Take(TimeSpan.FromSeconds(1));
        Assert.Equal(btc, Assert.Single(s.RecentFills).TradeId);
        Assert.Equal(2, s.FillCount); // the count is the engine's, every instrument
    }

    [Fact]
    public void Take_KeepsOnlyTheLastTenFills_NewestFirst()
    {
        var rig = new Rig();
        rig.Market(10_000, 10_010, 1);
        rig.AckAll();
        NewOrder buy = rig.NewOrders().Single(c => c.Side == OrderSide.Buy);
        NewOrder sell = rig.NewOrders().Single(c => c.Side == OrderSide.Sell);
        var tradeIds = new List<long>();
        for (int i = 0; i < DashboardSampler.FillsShown + 4; i++)
        {
            // Small parts of both quotes, alternating; each its own price so the rows can be told apart.
            NewOrder o = i % 2 == 0 ? buy : sell;
            tradeIds.Add(rig.Fill(o, 500, 500 * (i / 2 + 1), priceRaw: o.Price.Raw + (i % 2 == 0 ? -i : i) * 1_000_000));
            rig.Time.Advance(TimeSpan.FromMilliseconds(1));
        }
        DashboardSnapshot s = rig.Sampler.Take(TimeSpan.FromSeconds(9));
        Assert.Equal(DashboardSampler.FillsShown, s.RecentFills.Length);
        Assert.Equal(Enumerable.Reverse(tradeIds).Take(DashboardSampler.FillsShown), s.RecentFills.Select(f => f.TradeId));
        Assert.True(s.RecentFills[0].At > s.RecentFills[^1].At);
        Assert.Equal(s.RecentFills.Length, s.RecentFills.Select(f => f.Price).Distinct().Count());
        Assert.Equal(s.RecentFills.Length, RenderLines(s).Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"\d\s+(buy|sell) M\s")));
    }

    [Fact]
    public void WithoutCoreTime_DropsTheNanosecondStamp()
    {
        Assert.Equal("12:00:01 risk: Active -> Halted (OperatorHalt) reasons Operator",
            DashboardSampler.WithoutCoreTime("12:00:01 risk: Active -> Halted (OperatorHalt) reasons Operator at 9187089007494 ns"));
        Assert.Equal("no stamp here", DashboardSampler.WithoutCoreTime("no stamp here"));
    }
}
