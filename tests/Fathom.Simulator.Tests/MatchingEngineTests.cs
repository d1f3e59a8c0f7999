using Fathom.Simulator;
using Xunit;

namespace Fathom.Simulator.Tests;

public sealed class MatchingEngineTests
{
    private const long U = EngineFixture.Unit;

    [Fact]
    public void Place_CrossingBuy_FillsBestPriceFirstThenOldestOrder()
    {
        var f = new EngineFixture();
        var a101 = f.Limit(f.A, OrderSide.Sell, 10100, 1000).Order!;
        var b100 = f.Limit(f.B, OrderSide.Sell, 10000, 1000).Order!;
        var c100 = f.Limit(f.C, OrderSide.Sell, 10000, 1000).Order!;

        var taker = f.Limit(f.A, OrderSide.Buy, 10100, 2500, stp: SelfTradePreventionMode.None);
        var fills = taker.Fills.ToList();

        Assert.Equal([(10000L, 1000L, 1L), (10000L, 1000L, 2L), (10100L, 500L, 3L)], fills.Select(x => (x.Price, x.Qty, x.TradeId)));
        Assert.Equal(OrderStatus.Filled, b100.Status);
        Assert.Equal(OrderStatus.Filled, c100.Status);
        Assert.Equal(OrderStatus.PartiallyFilled, a101.Status);
        Assert.Equal(500, a101.Remaining);
        Assert.Equal(OrderStatus.Filled, taker.Order!.Status);
        Assert.Equal([1L, 2L, 3L, 4L], new[] { a101, b100, c100, taker.Order }.Select(o => o.OrderId));
        f.Engine.AssertInvariants();
    }

    [Fact]
    public void Place_PartialFillGtc_RestsRemainderAsPartiallyFilled()
    {
        var f = new EngineFixture();
        f.Limit(f.B, OrderSide.Sell, 10000, 400);
        var o = f.Limit(f.A, OrderSide.Buy, 10000, 1000).Order!;
        Assert.Equal(OrderStatus.PartiallyFilled, o.Status);
        Assert.True(f.Book.TryBest(OrderSide.Buy, out long bid, out long bidQty));
        Assert.Equal((10000L, 600L), (bid, bidQty));
        Assert.False(f.Book.TryBest(OrderSide.Sell, out _, out _));
        // A resting buy locks ceil(price x remaining): 100.00 x 0.600 = 60 QUOTE.
        Assert.Equal(60 * U, f.A.Locked("QUOTE"));
        f.Engine.AssertInvariants();
    }

    [Fact]
    public void Place_IocRemainder_ExpiresAndReleasesFunds()
    {
        var f = new EngineFixture();
        f.Limit(f.B, OrderSide.Sell, 10000, 400);
        var o = f.Limit(f.A, OrderSide.Buy, 10000, 1000, TimeInForce.Ioc).Order!;
        Assert.Equal(OrderStatus.Expired, o.Status);
        Assert.Equal(400, o.ExecutedQty);
        Assert.Equal(0, f.A.Locked("QUOTE"));
        Assert.Equal(0, f.Book.BidLevels);
    }

    [Fact]
    public void Place_FokNotFullyFillable_ExpiresWithoutTrading()
    {
        var f = new EngineFixture();
        f.Limit(f.B, OrderSide.Sell, 10000, 400);
        f.Limit(f.B, OrderSide.Sell, 10200, 1000);
        var o = f.Limit(f.A, OrderSide.Buy, 10100, 500, TimeInForce.Fok);
        Assert.Equal(OrderStatus.Expired, o.Order!.Status);
        Assert.Empty(o.Fills);
        Assert.Equal(0, o.Order.ExecutedQty);
        Assert.Equal(2, f.Book.AskLevels);

        var full = f.Limit(f.A, OrderSide.Buy, 10200, 500, TimeInForce.Fok);
        Assert.Equal(OrderStatus.Filled, full.Order!.Status);
        Assert.Equal(2, full.Fills.Count);
    }

    [Fact]
    public void Place_LimitMakerThatWouldCross_IsRejected()
    {
        var f = new EngineFixture();
        f.Limit(f.B, OrderSide.Sell, 10000, 400);
        var r = f.Engine.Place(f.A, new NewOrder(f.Book, OrderSide.Buy, OrderType.LimitMaker, TimeInForce.Gtc, 10000, 100));
        Assert.Equal(RejectCode.WouldTake, r.Reject);
        var ok = f.Engine.Place(f.A, new NewOrder(f.Book, OrderSide.Buy, OrderType.LimitMaker, TimeInForce.Gtc, 9999, 100));
        Assert.True(ok.Ok);
        Assert.Equal(OrderStatus.New, ok.Order!.Status);
        Assert.Equal(0, f.A.Locked("BASE"));
    }

    [Fact]
    public void Place_MarketByQuantity_SweepsLevelsAndExpiresWhenBookRunsOut()
    {
        var f = new EngineFixture();
        f.Limit(f.B, OrderSide.Sell, 10000, 300);
        f.Limit(f.B, OrderSide.Sell, 10100, 300);
        var o = f.Market(f.A, OrderSide.Buy, 1000);
        Assert.Equal(OrderStatus.Expired, o.Order!.Status);
        Assert.Equal(600, o.Order.ExecutedQty);
        Assert.Equal((100 * 300 + 101 * 300) * U / 1000, o.Order.CumulativeQuoteQty);
        Assert.Equal(0, f.A.Locked("QUOTE"));

        var empty = f.Market(f.A, OrderSide.Buy, 1000);
        Assert.Equal(OrderStatus.Expired, empty.Order!.Status);
        Assert.Empty(empty.Fills);
    }

    [Fact]
    public void Place_MarketQuoteOrderQty_SpendsNoMoreThanTheQuoteAmount()
    {
        var f = new EngineFixture();
        f.Limit(f.B, OrderSide.Sell, 10000, 300); // 30 QUOTE
        f.Limit(f.B, OrderSide.Sell, 30000, 1000);
        long quoteBefore = f.A.Free("QUOTE");
        var o = f.Market(f.A, OrderSide.Buy, 0, quote8: 50 * U).Order!;
        // 30 at 100.00, then 20 QUOTE buys 0.066 at 300.00 (19.8): the step floors the rest away.
        Assert.Equal(366, o.ExecutedQty);
        Assert.Equal(30 * U + 19_80000000, o.CumulativeQuoteQty);
        Assert.Equal(366, o.OrigQty);
        Assert.Equal(50 * U, o.OrigQuoteOrderQty);
        Assert.Equal(quoteBefore - o.CumulativeQuoteQty, f.A.Free("QUOTE"));

        var sell = f.Market(f.C, OrderSide.Sell, 0, quote8: 10 * U);
        Assert.Equal(RejectCode.NoLiquidityForQuoteOrder, sell.Reject);
    }

    [Fact]
    public void Place_MarketSellQuoteOrderQty_ReceivesAtMostTheQuoteAmount()
    {
        var f = new EngineFixture();
        f.Limit(f.B, OrderSide.Buy, 10000, 1000);
        var o = f.Market(f.A, OrderSide.Sell, 0, quote8: 25 * U).Order!;
        Assert.Equal(250, o.ExecutedQty);
        Assert.Equal(25 * U, o.CumulativeQuoteQty);
        Assert.Equal(OrderStatus.Filled, o.Status);
    }

    [Theory]
    [InlineData(SelfTradePreventionMode.ExpireTaker, OrderStatus.ExpiredInMatch, OrderStatus.New)]
    [InlineData(SelfTradePreventionMode.ExpireMaker, OrderStatus.Filled, OrderStatus.ExpiredInMatch)]
    [InlineData(SelfTradePreventionMode.ExpireBoth, OrderStatus.ExpiredInMatch, OrderStatus.ExpiredInMatch)]
    public void Place_TakerMeetsOwnMaker_AppliesTakersStpMode(SelfTradePreventionMode mode, OrderStatus taker, OrderStatus ownMaker)
    {
        var f = new EngineFixture();
        var own = f.Limit(f.A, OrderSide.Sell, 10000, 500).Order!;
        var other = f.Limit(f.B, OrderSide.Sell, 10000, 500).Order!;
        var t = f.Limit(f.A, OrderSide.Buy, 10000, 500, stp: mode).Order!;
        Assert.Equal(taker, t.Status);
        Assert.Equal(ownMaker, own.Status);
        // One prevented match, the symbol's first (Binance numbers them per symbol from 0); each expired
        // order carries its id and its whole expired remainder; an EXPIRE_MAKER taker lost nothing.
        bool takerExpired = mode != SelfTradePreventionMode.ExpireMaker;
        Assert.Equal(takerExpired ? 0 : -1, t.PreventedMatchId);
        Assert.Equal(takerExpired ? 500 : 0, t.PreventedQty);
        Assert.Equal(takerExpired ? own.OrderId : -1, t.PreventedCounterOrderId);
        bool makerExpired = mode != SelfTradePreventionMode.ExpireTaker;
        Assert.Equal(makerExpired ? 0 : -1, own.PreventedMatchId);
        Assert.Equal(makerExpired ? 500 : 0, own.PreventedQty);
        int expiredOrders = (takerExpired ? 1 : 0) + (makerExpired ? 1 : 0);
        Assert.Equal(expiredOrders, f.Engine.StpExpiredOrders);
        Assert.Equal(expiredOrders, f.A.StpExpiredOrders);
        Assert.Equal(0, f.B.StpExpiredOrders);
        Assert.DoesNotContain(f.A.Trades, x => x.IsBuyer && f.A.Trades.Any(y => !y.IsBuyer && y.TradeId == x.TradeId));
        if (mode == SelfTradePreventionMode.ExpireMaker)
            Assert.Equal(OrderStatus.Filled, other.Status); // matching went on past the expired own order
        Assert.Equal(0, f.A.Locked("BASE") - (own.IsOpen ? 500 * U / 1000 : 0));
        f.Engine.AssertInvariants();
    }

    [Fact]
    public void Place_StpNone_LetsTheAccountTradeWithItself()
    {
        var f = new EngineFixture();
        f.Limit(f.A, OrderSide.Sell, 10000, 500);
        var t = f.Limit(f.A, OrderSide.Buy, 10000, 500, stp: SelfTradePreventionMode.None);
        Assert.Equal(OrderStatus.Filled, t.Order!.Status);
        Assert.Equal(2, f.A.Trades.Count);
        Assert.Equal(f.A.Trades[0].TradeId, f.A.Trades[1].TradeId);
    }

    [Fact]
    public void Place_MakerAndTakerCommissions_ChargedOnReceivedAssetAndConserved()
    {
        var f = new EngineFixture(maker: 100_000, taker: 200_000); // 0.1 % maker, 0.2 % taker
        long baseB = f.B.Free("BASE"), quoteB = f.B.Free("QUOTE"), baseA = f.A.Free("BASE"), quoteA = f.A.Free("QUOTE");
        f.Limit(f.B, OrderSide.Sell, 10000, 1000); // maker sells 1.000 at 100.00
        var t = f.Limit(f.A, OrderSide.Buy, 10000, 1000); // taker buys
        Assert.Equal(200_000, t.Fills[0].Commission); // 0.2 % of 1 BASE
        Assert.Equal("BASE", t.Fills[0].CommissionAsset);
        Assert.Equal(baseA + U - 200_000, f.A.Free("BASE"));
        Assert.Equal(quoteA - 100 * U, f.A.Free("QUOTE"));
        Assert.Equal(baseB - U, f.B.Free("BASE"));
        Assert.Equal(quoteB + 100 * U - 10_000_000, f.B.Free("QUOTE")); // 0.1 % of 100 QUOTE
        Assert.Equal(200_000, f.Engine.FeesCollected("BASE"));
        Assert.Equal(10_000_000, f.Engine.FeesCollected("QUOTE"));
        Assert.True(f.B.Trades[0].IsMaker);
        Assert.False(f.A.Trades[0].IsMaker);
    }

    [Fact]
    public void Place_InsufficientBalance_RejectsWithoutChangingState()
    {
        var f = new EngineFixture();
        var r = f.Limit(f.A, OrderSide.Buy, 10000, 100_000_000);
        Assert.Equal(RejectCode.InsufficientBalance, r.Reject);
        Assert.Equal(0, f.Book.BidLevels);
        Assert.Equal(0, f.A.Locked("QUOTE"));
        Assert.Equal(0, f.Book.LastOrderId);
    }

    [Fact]
    public void Place_DuplicateOpenClientOrderId_IsRejectedButReusableOnceClosed()
    {
        var f = new EngineFixture();
        Assert.True(f.Limit(f.A, OrderSide.Buy, 9000, 100, clientId: "x1").Ok);
        Assert.Equal(RejectCode.DuplicateOrder, f.Limit(f.A, OrderSide.Buy, 9000, 100, clientId: "x1").Reject);
        Assert.True(f.Limit(f.B, OrderSide.Buy, 9000, 100, clientId: "x1").Ok); // another account's ids are its own
        Assert.True(f.Engine.Cancel(f.A, f.Book, 0, "x1").Ok);
        Assert.True(f.Limit(f.A, OrderSide.Buy, 9000, 100, clientId: "x1").Ok);
    }

    [Fact]
    public void Cancel_OpenOrder_ReleasesLockAndRejectsUnknownOrRestricted()
    {
        var f = new EngineFixture();
        var o = f.Limit(f.A, OrderSide.Sell, 10000, 700).Order!;
        Assert.Equal(700 * U / 1000, f.A.Locked("BASE"));
        Assert.Equal(RejectCode.CancelRestricted, f.Engine.Cancel(f.A, f.Book, o.OrderId, null, CancelRestrictions.OnlyPartiallyFilled).Reject);
        Assert.Equal(RejectCode.UnknownOrder, f.Engine.Cancel(f.B, f.Book, o.OrderId, null).Reject); // not B's order
        Assert.Equal(RejectCode.UnknownOrder, f.Engine.Cancel(f.A, f.Book, o.OrderId, "other-id").Reject); // id and client id disagree
        var c = f.Engine.Cancel(f.A, f.Book, o.OrderId, null, CancelRestrictions.OnlyNew);
        Assert.Equal(OrderStatus.Canceled, c.Order!.Status);
        Assert.Equal(0, f.A.Locked("BASE"));
        Assert.Equal(RejectCode.UnknownOrder, f.Engine.Cancel(f.A, f.Book, o.OrderId, null).Reject);
        Assert.Equal(0, f.Book.AskLevels);
    }

    [Fact]
    public void AmendKeepPriority_SizeDecrease_KeepsQueuePositionAndReleasesFunds()
    {
        var f = new EngineFixture();
        var first = f.Limit(f.A, OrderSide.Buy, 10000, 1000).Order!;
        var second = f.Limit(f.B, OrderSide.Buy, 10000, 1000).Order!;
        var r = f.Engine.AmendKeepPriority(f.A, f.Book, first.OrderId, null, 400, "amended");
        Assert.True(r.Ok);
        Assert.Equal(40 * U, f.A.Locked("QUOTE"));
        Assert.Equal([first.OrderId, second.OrderId], f.Book.QueueAt(OrderSide.Buy, 0).Select(o => o.OrderId));
        Assert.Equal(1400, f.Book.Level(OrderSide.Buy, 0).Qty);
        Assert.Equal("amended", first.ClientOrderId);

        var t = f.Limit(f.C, OrderSide.Sell, 10000, 400);
        Assert.Equal(OrderStatus.Filled, first.Status); // still first in line
        Assert.Equal(OrderStatus.New, second.Status);
        Assert.Equal(400, t.Order!.ExecutedQty);

        Assert.Equal(RejectCode.AmendQtyIncrease, f.Engine.AmendKeepPriority(f.B, f.Book, second.OrderId, null, 2000, null).Reject);
        Assert.Equal(RejectCode.AmendNoChange, f.Engine.AmendKeepPriority(f.B, f.Book, second.OrderId, null, 1000, null).Reject);
        Assert.Equal(RejectCode.NoSuchOrder, f.Engine.AmendKeepPriority(f.A, f.Book, first.OrderId, null, 100, null).Reject);
        f.Engine.AssertInvariants();
    }

    [Fact]
    public void Place_FilterViolations_ReportTheBinanceFilter()
    {
        var f = new EngineFixture(minNotional: 10 * U, maxNumOrders: 2);
        Assert.Equal(RejectCode.FilterPrice, f.Limit(f.A, OrderSide.Buy, 0, 1000).Reject);
        Assert.Equal(RejectCode.FilterPrice, f.Limit(f.A, OrderSide.Buy, 200_000_000, 1000).Reject);
        Assert.Equal(RejectCode.FilterLotSize, f.Limit(f.A, OrderSide.Buy, 10000, 0).Reject);
        Assert.Equal(RejectCode.FilterNotional, f.Limit(f.A, OrderSide.Buy, 10000, 99).Reject); // 9.90 < 10
        Assert.True(f.Limit(f.A, OrderSide.Buy, 10000, 100).Ok);
        Assert.True(f.Limit(f.A, OrderSide.Buy, 10000, 100).Ok);
        Assert.Equal(RejectCode.FilterMaxNumOrders, f.Limit(f.A, OrderSide.Buy, 10000, 100).Reject);
        // After a trade at 100.00, PERCENT_PRICE_BY_SIDE allows bids in [20.00, 500.00].
        f.Limit(f.B, OrderSide.Sell, 10000, 100);
        Assert.Equal(10000, f.Book.LastPrice);
        Assert.Equal(RejectCode.FilterPercentPriceBySide, f.Limit(f.B, OrderSide.Buy, 50001, 100).Reject);
        Assert.Equal(RejectCode.FilterPercentPriceBySide, f.Limit(f.B, OrderSide.Buy, 1999, 1000).Reject);
        Assert.True(f.Limit(f.B, OrderSide.Buy, 50000, 100).Ok);
    }

    [Fact]
    public void Place_SymbolHalted_RejectsNewOrdersButAllowsCancels()
    {
        var f = new EngineFixture();
        var o = f.Limit(f.A, OrderSide.Buy, 10000, 100).Order!;
        f.Book.Status = SymbolStatus.Halt;
        Assert.Equal(RejectCode.MarketClosed, f.Limit(f.A, OrderSide.Buy, 10000, 100).Reject);
        Assert.True(f.Engine.Cancel(f.A, f.Book, o.OrderId, null).Ok);
    }

    [Fact]
    public void NewClientOrderId_SameSeed_SameSequence()
    {
        var a = new EngineFixture().Engine;
        var b = new EngineFixture().Engine;
        var ids = Enumerable.Range(0, 5).Select(_ => a.NewClientOrderId()).ToList();
        Assert.Equal(ids, Enumerable.Range(0, 5).Select(_ => b.NewClientOrderId()));
        Assert.All(ids, id => Assert.Equal(22, id.Length));
        Assert.Equal(5, ids.Distinct().Count());
    }
}
