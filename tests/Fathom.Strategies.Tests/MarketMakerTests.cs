using Fathom.Strategy.Abstractions;
using Xunit;

namespace Fathom.Strategies.Tests;

public class MarketMakerTests
{
    private static readonly MarketMakerOptions Options = new()
    {
        HalfSpreadTicks = 2, QuoteQty = 100_000, MaxPosition = 1_000_000, MaxSkewTicks = 4,
        ReferenceVolatility = 0.001, PullVolatility = 0.01, PullWithdrawal = 0.6,
    };

    private static (MarketMaker Mm, ScriptedContext Ctx) New(long bid = 10_000, long ask = 10_010, long bidQty = 500_000, long askQty = 500_000)
    {
        var ctx = new ScriptedContext().Market(bid, bidQty, ask, askQty);
        return (new MarketMaker(Options), ctx);
    }

    private static long Tick(Core.Price p) => p.Raw / ScriptedContext.Btc.TickSize.Raw;

    [Fact]
    public void Flat_QuotesSymmetricallyAroundMicroprice()
    {
        var (mm, ctx) = New();
        mm.OnMarketData(ctx, 0);
        Intent q = Assert.Single(ctx.Intents);
        Assert.Equal(IntentKind.Quote, q.Kind);
        Assert.True(q.PostOnly);
        // Equal sizes: microprice is the mid 10,005; ±2 ticks.
        Assert.Equal(10_003, Tick(q.BidPrice));
        Assert.Equal(10_007, Tick(q.AskPrice));
        Assert.Equal(100_000, q.BidQty.Raw);
        Assert.Equal(100_000, q.AskQty.Raw);
    }

    [Fact]
    public void TickerAheadOfTheBook_FollowTicker_QuotesMoveWithTheTickersMid()
    {
        var ctx = new ScriptedContext().Market(10_000, 500_000, 10_010, 500_000);
        var ignoring = new MarketMaker(Options);
        var mm = new MarketMaker(Options with { FollowTicker = true });
        // The depth book still says 10,000 / 10,010 (and the analyzer's microprice agrees), but the
        // real-time ticker has moved up to 10,020 / 10,030: fair value moves with the mid, by 20 ticks.
        ctx.SignalValues = SignalView.Empty with { Microprice = 10_005 * ScriptedContext.Btc.TickSize.Raw / 1e8 };
        ctx.Ticker = new TopView(10_020, 500_000, 10_030, 500_000, FromTicker: true);
        mm.OnMarketData(ctx, 0);
        Intent q = ctx.Intents[^1];
        Assert.Equal(10_023, Tick(q.BidPrice));
        Assert.Equal(10_027, Tick(q.AskPrice));
        // Without FollowTicker the same context quotes off the depth book.
        ignoring.OnMarketData(ctx, 0);
        Assert.Equal(10_003, Tick(ctx.Intents[^1].BidPrice));
        mm.OnMarketData(ctx, 0);
        // A change of size alone at the ticker's touch moves nothing: no new intent (no churn).
        int intents = ctx.Intents.Count;
        ctx.Ticker = new TopView(10_020, 100_000, 10_030, 900_000, FromTicker: true);
        mm.OnMarketData(ctx, 0);
        Assert.Equal(intents, ctx.Intents.Count);
        // Once the book has caught up (the top comes from the book again), the analyzer's microprice is used.
        ctx.Ticker = null;
        mm.OnMarketData(ctx, 0);
        Assert.Equal(10_003, Tick(ctx.Intents[^1].BidPrice));
    }

    [Fact]
    public void MinRequoteInterval_DelaysAPriceMove_ButNeverAPull()
    {
        var ctx = new ScriptedContext().Market(10_000, 500_000, 10_010, 500_000);
        var mm = new MarketMaker(Options with { MinRequoteIntervalNs = 100_000_000 });
        ctx.NowNanos = 1_000_000_000;
        mm.OnMarketData(ctx, 0);
        Assert.Equal(10_003, Tick(ctx.Intents[^1].BidPrice));
        int before = ctx.Intents.Count;

        // 30 ms later the market moves: too soon, nothing goes out, a timer is set for the rest of the interval.
        ctx.NowNanos += 30_000_000;
        ctx.Market(10_010, 500_000, 10_020, 500_000);
        mm.OnMarketData(ctx, 0);
        Assert.Equal(before, ctx.Intents.Count);
        Assert.Equal((1, 70_000_000L), ctx.Timers[^1]);
        mm.OnMarketData(ctx, 0); // and only one timer while it is pending
        Assert.Single(ctx.Timers);

        // The timer fires at the end of the interval: the latest target goes out.
        ctx.NowNanos += 70_000_000;
        mm.OnTimer(ctx, 1);
        Assert.Equal(10_013, Tick(ctx.Intents[^1].BidPrice));

        // Right after, a withdrawal pulls the bid: that is never delayed.
        ctx.NowNanos += 1_000_000;
        ctx.SignalValues = SignalView.Empty with { BidWithdrawal = 0.9 };
        mm.OnMarketData(ctx, 0);
        Assert.Equal(0, ctx.Intents[^1].BidQty.Raw);
    }

    [Fact]
    public void LongInventory_LeansQuotesDownAndShrinksTheBid()
    {
        var (mm, ctx) = New();
        ctx.PositionRaw = 500_000; // half of max
        mm.OnMarketData(ctx, 0);
        Intent q = ctx.Intents[^1];
        Assert.Equal(10_001, Tick(q.BidPrice)); // fair 10,005 − 2 skew, −2 spread
        Assert.Equal(10_005, Tick(q.AskPrice));
        Assert.Equal(50_000, q.BidQty.Raw);
        Assert.Equal(100_000, q.AskQty.Raw);

        ctx.PositionRaw = 1_000_000; // at max: stop buying
        mm.OnMarketData(ctx, 0);
        Assert.False(ctx.Intents[^1].QuotesBid);
        Assert.True(ctx.Intents[^1].QuotesAsk);
    }

    [Fact]
    public void Volatility_WidensThenPulls()
    {
        var (mm, ctx) = New();
        ctx.SignalValues = SignalView.Empty with { Volatility = 0.003 }; // 3× reference
        mm.OnMarketData(ctx, 0);
        Intent q = ctx.Intents[^1];
        Assert.Equal(9_999, Tick(q.BidPrice));  // 10,005 − 6
        Assert.Equal(10_011, Tick(q.AskPrice));
        ctx.SignalValues = SignalView.Empty with { Volatility = 0.02 };
        mm.OnMarketData(ctx, 0);
        Assert.Equal(IntentKind.CancelAll, ctx.Intents[^1].Kind);
    }

    [Fact]
    public void WithdrawalOnOneSide_PullsThatSide()
    {
        var (mm, ctx) = New();
        ctx.SignalValues = SignalView.Empty with { BidWithdrawal = 0.8, AskWithdrawal = 0.1 };
        mm.OnMarketData(ctx, 0);
        Assert.False(ctx.Intents[^1].QuotesBid);
        Assert.True(ctx.Intents[^1].QuotesAsk);
    }

    [Fact]
    public void StaleMarket_CancelsEverything()
    {
        var (mm, ctx) = New();
        mm.OnMarketData(ctx, 0);
        ctx.Live = false;
        mm.OnMarketData(ctx, 0);
        Assert.Equal(IntentKind.CancelAll, ctx.Intents[^1].Kind);
    }

    [Fact]
    public void TightMarket_NeverCrossesTheTouch()
    {
        var (mm, ctx) = New(bid: 10_000, ask: 10_001, bidQty: 100, askQty: 1_000_000_000);
        // Microprice sits at the bid; a naive ask at fair + 2 would be fine, a bid at fair − 2 too; skew
        // a short position hard so the bid wants to go above the ask.
        ctx.PositionRaw = -1_000_000;
        mm.OnMarketData(ctx, 0);
        Intent q = ctx.Intents[^1];
        Assert.True(Tick(q.BidPrice) <= 10_000, $"bid {Tick(q.BidPrice)} would take the 10,001 ask");
        Assert.False(q.QuotesAsk); // at max short: stop selling
    }

    [Fact]
    public void UnchangedTarget_IsNotResubmitted()
    {
        var (mm, ctx) = New();
        mm.OnMarketData(ctx, 0);
        mm.OnMarketData(ctx, 0);
        Assert.Single(ctx.Intents);
    }

    [Fact]
    public void Options_AreValidated() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MarketMaker(Options with { HalfSpreadTicks = 0 }));
}
