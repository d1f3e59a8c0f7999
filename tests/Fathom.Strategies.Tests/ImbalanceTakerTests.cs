using Fathom.Core;
using Fathom.Strategy.Abstractions;
using Xunit;

namespace Fathom.Strategies.Tests;

public class ImbalanceTakerTests
{
    private static readonly ImbalanceTakerOptions Options = new()
    {
        ImbalanceThreshold = 0.6, AbsorptionThreshold = 1.0, TakeQty = 100_000, MaxPosition = 200_000, SlippageTicks = 1, CooldownNanos = 500,
    };

    [Fact]
    public void HeavyBidThatAbsorbs_Buys_ThroughTheAskByTheSlippage()
    {
        var ctx = new ScriptedContext().Market(10_000, 900_000, 10_002, 100_000);
        ctx.SignalValues = SignalView.Empty with { DepthImbalance = 0.8, BidAbsorption = 2.0 };
        var taker = new ImbalanceTaker(Options);
        taker.OnMarketData(ctx, 0);
        Intent t = Assert.Single(ctx.Intents);
        Assert.Equal((IntentKind.Take, OrderSide.Buy, 100_000L), (t.Kind, t.Side, t.Qty.Raw));
        Assert.Equal(10_003 * ScriptedContext.Btc.TickSize.Raw, t.LimitPrice.Raw);
        Assert.Equal((1, 500L), Assert.Single(ctx.Timers));
    }

    [Fact]
    public void ImbalanceWithoutAbsorption_DoesNothing()
    {
        var ctx = new ScriptedContext().Market(10_000, 900_000, 10_002, 100_000);
        ctx.SignalValues = SignalView.Empty with { DepthImbalance = 0.8, BidAbsorption = 0.2 };
        new ImbalanceTaker(Options).OnMarketData(ctx, 0);
        Assert.Empty(ctx.Intents);
    }

    [Fact]
    public void HeavyAskThatAbsorbs_Sells()
    {
        var ctx = new ScriptedContext().Market(10_000, 100_000, 10_002, 900_000);
        ctx.SignalValues = SignalView.Empty with { DepthImbalance = -0.8, AskAbsorption = 1.5 };
        new ImbalanceTaker(Options).OnMarketData(ctx, 0);
        Intent t = Assert.Single(ctx.Intents);
        Assert.Equal(OrderSide.Sell, t.Side);
        Assert.Equal(9_999 * ScriptedContext.Btc.TickSize.Raw, t.LimitPrice.Raw);
    }

    [Fact]
    public void Cooldown_ThenPositionLimit_StopFurtherTakes()
    {
        var ctx = new ScriptedContext().Market(10_000, 900_000, 10_002, 100_000);
        ctx.SignalValues = SignalView.Empty with { DepthImbalance = 0.8, BidAbsorption = 2.0 };
        var taker = new ImbalanceTaker(Options);
        taker.OnMarketData(ctx, 0);
        taker.OnMarketData(ctx, 0); // cooling down
        Assert.Single(ctx.Intents);
        taker.OnTimer(ctx, 1);
        ctx.PositionRaw = 150_000; // one more take would exceed 200,000
        taker.OnMarketData(ctx, 0);
        Assert.Single(ctx.Intents);
        ctx.PositionRaw = 100_000;
        taker.OnMarketData(ctx, 0);
        Assert.Equal(2, ctx.Intents.Count);
    }

    [Fact]
    public void StaleMarket_NeverTakes()
    {
        var ctx = new ScriptedContext().Market(10_000, 900_000, 10_002, 100_000);
        ctx.SignalValues = SignalView.Empty with { DepthImbalance = 0.9, BidAbsorption = 5 };
        ctx.Live = false;
        new ImbalanceTaker(Options).OnMarketData(ctx, 0);
        Assert.Empty(ctx.Intents);
    }
}
