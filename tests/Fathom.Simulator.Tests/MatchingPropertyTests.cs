using CsCheck;
using Fathom.Simulator;
using Fathom.Testing;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>
/// Seeded random command sequences (three accounts, every order type and TIF, cancels and amends,
/// prices in a narrow band so orders cross often) checked after every command.
/// </summary>
public sealed class MatchingPropertyTests
{
    // kind, account, side, price offset, qty, tif, stp
    private readonly record struct Op(int Kind, int Account, bool Buy, int PriceOffset, int Qty, int Tif, int Stp)
    {
        public override string ToString() => $"{Kind}/{Account}/{(Buy ? 'B' : 'S')}/{PriceOffset}/{Qty}/{Tif}/{Stp}";
    }

    private static readonly Gen<Op> s_op =
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, 2], Gen.Bool, Gen.Int[-6, 6], Gen.Int[1, 3000], Gen.Int[0, 2], Gen.Int[0, 3])
            .Select(t => new Op(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7));

    private static readonly Gen<Op[]> s_ops = s_op.Array[1, 80];

    private static void Run(Op[] ops, bool stpAlways, Action<EngineFixture, Op, OrderOutcome, IReadOnlyList<TradeRecord>> check)
    {
        var f = new EngineFixture(maker: 100_000, taker: 250_000);
        SimAccount[] accounts = [f.A, f.B, f.C];
        Int128 base0 = f.Engine.TotalSupply("BASE"), quote0 = f.Engine.TotalSupply("QUOTE");
        foreach (var op in ops)
        {
            var who = accounts[op.Account];
            var side = op.Buy ? OrderSide.Buy : OrderSide.Sell;
            long price = 10000 + op.PriceOffset * 7;
            SelfTradePreventionMode? stp = stpAlways
                ? (SelfTradePreventionMode)(1 + op.Stp % 3)
                : (SelfTradePreventionMode)op.Stp;
            long tradesBefore = f.Book.LastTradeId;
            OrderOutcome outcome = op.Kind switch
            {
                <= 3 => f.Limit(who, side, price, op.Qty, (TimeInForce)op.Tif, stp),
                4 => f.Engine.Place(who, new NewOrder(f.Book, side, OrderType.LimitMaker, TimeInForce.Gtc, price, op.Qty, Stp: stp)),
                5 => f.Market(who, side, op.Qty, stp: stp),
                6 => f.Market(who, side, 0, quote8: op.Qty * 10_000_000L, stp: stp),
                7 => f.Engine.Cancel(who, f.Book, PickOpen(f, who, op.Qty), null),
                _ => f.Engine.AmendKeepPriority(who, f.Book, PickOpen(f, who, op.Qty), null, Math.Max(1, op.Qty / 2), null),
            };
            var trades = f.Book.RecentTrades((int)(f.Book.LastTradeId - tradesBefore));
            f.Engine.AssertInvariants(); // never crossed; locks equal what open orders need; no negative balance
            Assert.Equal(base0, f.Engine.TotalSupply("BASE"));
            Assert.Equal(quote0, f.Engine.TotalSupply("QUOTE"));
            check(f, op, outcome, trades);
        }
        // Quantity conservation: every trade moved the same quantity out of sells as into buys.
        var all = f.Book.AllOrders.ToList();
        Assert.Equal(all.Where(o => o.Side == OrderSide.Buy).Sum(o => o.ExecutedQty), all.Where(o => o.Side == OrderSide.Sell).Sum(o => o.ExecutedQty));
        Assert.All(all, o => Assert.InRange(o.ExecutedQty, 0, o.OrigQty));
        long traded = accounts.Sum(a => a.Trades.Where(t => t.IsBuyer).Sum(t => t.Qty));
        Assert.Equal(traded, all.Where(o => o.Side == OrderSide.Buy).Sum(o => o.ExecutedQty));
    }

    private static long PickOpen(EngineFixture f, SimAccount who, int pick)
    {
        var open = f.Book.OpenOrdersOf(who).ToList();
        return open.Count == 0 ? 999_999 : open[pick % open.Count].OrderId;
    }

    [Fact]
    public void RandomCommands_ConserveBalancesAndQuantity_AndNeverCrossTheBook()
    {
        Property.ForAll(s_ops, 150, ops => Run(ops, stpAlways: false, static (_, _, _, _) => { }));
    }

    [Fact]
    public void RandomCommands_TakerFills_FollowPriceTimePriority()
    {
        Property.ForAll(s_ops, 150, ops => Run(ops, stpAlways: false, static (f, op, outcome, trades) =>
        {
            if (!outcome.Ok || trades.Count == 0 || outcome.Order is not { } taker || taker.OrderId != f.Book.LastOrderId)
                return;
            bool buy = taker.Side == OrderSide.Buy;
            for (int i = 0; i < trades.Count; i++)
            {
                var t = trades[i];
                if (taker.Type != OrderType.Market)
                    Assert.True(buy ? t.Price <= taker.Price : t.Price >= taker.Price, "fill through the limit");
                if (i > 0)
                {
                    var prev = trades[i - 1];
                    Assert.True(buy ? t.Price >= prev.Price : t.Price <= prev.Price, "fills must walk from the best price");
                    long maker = buy ? t.SellerOrderId : t.BuyerOrderId, prevMaker = buy ? prev.SellerOrderId : prev.BuyerOrderId;
                    if (t.Price == prev.Price)
                        Assert.True(maker > prevMaker, "same price: older order first");
                }
            }
            if (taker.Status == OrderStatus.ExpiredInMatch)
                return; // STP stopped the taker in front of its own order: better prices may remain by design
            var last = trades[^1];
            long lastMaker = buy ? last.SellerOrderId : last.BuyerOrderId;
            var opposite = buy ? OrderSide.Sell : OrderSide.Buy;
            int levels = buy ? f.Book.AskLevels : f.Book.BidLevels;
            for (int l = 0; l < levels; l++)
            {
                var (price, _, _) = f.Book.Level(opposite, l);
                Assert.True(buy ? price >= last.Price : price <= last.Price, "a better price was skipped");
                if (price == last.Price)
                    Assert.All(f.Book.QueueAt(opposite, l), o => Assert.True(o.OrderId >= lastMaker, "an older order at the fill price was skipped"));
            }
        }));
    }

    [Fact]
    public void RandomCommands_WithStp_AccountNeverTradesWithItself()
    {
        Property.ForAll(s_ops, 150, ops => Run(ops, stpAlways: true, static (f, _, _, trades) =>
        {
            foreach (var t in trades)
                Assert.NotEqual(f.Book.AllOrders.First(o => o.OrderId == t.BuyerOrderId).Account,
                    f.Book.AllOrders.First(o => o.OrderId == t.SellerOrderId).Account);
        }));
    }
}
