using Fathom.Core;
using Fathom.Testing;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>
/// Replay of the recorded hftbacktest BTCUSDT day files (../shared/data) through the matching engine:
/// client orders queue behind recorded size, fill only as the risk-averse queue model says, far orders
/// never fill, nothing is created or lost, and the replayed top matches the recorded bookTicker.
/// </summary>
public sealed class RecordedReplayTests
{
    private const long ClientQty = 100_000; // 0.001 BTC at 8 decimals

    private static (ExchangeSimulator Sim, RecordedMarket Replay, SimAccount Client) Create()
    {
        var config = SimulatorConfig.Demo();
        config.SeedLevels = 0;
        config.Symbols.First(s => s.Symbol == "BTCUSDT").StepSize = "0.00000001"; // the book carries 8-decimal sizes
        var sim = ExchangeSimulator.Create(config, new ManualTimeProvider());
        var replay = sim.LoadRecording(SharedData.BinanceSpotDays);
        while (!replay.IsSynced)
            Assert.True(replay.Step());
        return (sim, replay, sim.Engine.Accounts.First(a => a.Name == "demo"));
    }

    private static SimOrder Place(ExchangeSimulator sim, SimAccount client, OrderSide side, long price)
    {
        SimOrder? order = null;
        sim.Api.Run(e =>
        {
            var outcome = e.Place(client, new NewOrder(e.Book("BTCUSDT"), side, OrderType.Limit, TimeInForce.Gtc, price, ClientQty));
            Assert.Equal(RejectCode.None, outcome.Reject);
            order = outcome.Order;
        });
        Assert.Equal(OrderStatus.New, order!.Status);
        return order;
    }

    /// <summary>An independent copy of the risk-averse queue model for one resting client order.</summary>
    private sealed class QueueModel(SimOrder order, long ahead)
    {
        public long Ahead = ahead;
        public long Executed;
        public long VolumeAtPrice;
        public long AheadAtPlacement = ahead;
        public long VolumeAtFirstFill = -1;
        public long AheadBeforeFirstFill = -1;
        public long TradeQtyAtFirstFill = -1;
        public bool FirstFillThrough;

        public void OnTrade(RecordedTrade t)
        {
            bool hits = order.Side == OrderSide.Buy ? t.IsBuyerMaker : !t.IsBuyerMaker;
            if (!hits || order.Price != t.Price && (order.Side == OrderSide.Buy ? t.Price > order.Price : t.Price < order.Price))
                return;
            long before = Executed, aheadBefore = Ahead;
            if (t.Price != order.Price)
            {
                Executed += Math.Min(order.OrigQty - Executed, t.Qty); // traded through the order's price
            }
            else
            {
                VolumeAtPrice += t.Qty;
                if (t.Qty > Ahead)
                {
                    Executed += Math.Min(order.OrigQty - Executed, t.Qty - Ahead);
                    Ahead = 0;
                }
                else
                {
                    Ahead -= t.Qty;
                }
            }
            if (before == 0 && Executed > 0)
            {
                VolumeAtFirstFill = VolumeAtPrice;
                AheadBeforeFirstFill = aheadBefore;
                TradeQtyAtFirstFill = t.Qty;
                FirstFillThrough = t.Price != order.Price;
            }
        }

        public void OnDepth(long recordedAtPrice) => Ahead = Math.Min(Ahead, recordedAtPrice);
    }

    [Fact]
    public void Client_orders_at_the_touch_queue_behind_recorded_size_and_fill_only_when_trades_pass_it()
    {
        var (sim, replay, client) = Create();
        using var owned = sim;
        var book = replay.Book;
        Assert.True(book.TryBest(OrderSide.Buy, out long bid, out long bidQty));
        Assert.True(book.TryBest(OrderSide.Sell, out long ask, out long askQty));
        long btc0 = client.Free("BTC") + client.Locked("BTC"), usdt0 = client.Free("USDT") + client.Locked("USDT");
        var supplyBtc = sim.Engine.TotalSupply("BTC");
        var supplyUsdt = sim.Engine.TotalSupply("USDT");

        var orders = new[] { Place(sim, client, OrderSide.Buy, bid), Place(sim, client, OrderSide.Sell, ask) };
        // Behind the whole recorded size at its price, which is unchanged by joining.
        Assert.Equal(bidQty, replay.QueueAhead(orders[0]));
        Assert.Equal(askQty, replay.QueueAhead(orders[1]));
        Assert.Equal(bidQty + ClientQty, book.QtyAt(OrderSide.Buy, bid));
        var models = new[] { new QueueModel(orders[0], bidQty), new QueueModel(orders[1], askQty) };

        int crossings = 0;
        while (replay.Step() && orders.Any(o => o.IsOpen))
        {
            for (int i = 0; i < orders.Length; i++)
            {
                var (o, m) = (orders[i], models[i]);
                if (m.Executed == o.OrigQty)
                    continue;
                if (replay.LastKind == RecordedEventKind.Trade)
                    m.OnTrade(replay.LastTrade);
                else if (replay.LastKind == RecordedEventKind.Depth)
                    m.OnDepth(replay.RecordedQty(o.Side, o.Price));
                if (o.ExecutedQty != m.Executed && replay.LastKind == RecordedEventKind.Depth)
                {
                    // Recorded liquidity moved through the client's price: it traded with the client.
                    var opposite = o.Side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
                    Assert.True(o.ExecutedQty > m.Executed);
                    Assert.True(book.TryBest(opposite, out long through, out _));
                    Assert.True(o.Side == OrderSide.Buy ? through <= o.Price : through >= o.Price);
                    crossings++;
                    m.Executed = o.ExecutedQty;
                    m.Ahead = 0;
                }
                Assert.Equal(m.Executed, o.ExecutedQty);
                if (o.IsOpen && o.ExecutedQty == 0)
                    Assert.Equal(m.Ahead, replay.QueueAhead(o));
            }
        }

        // At least one side filled, and it filled only after recorded volume at its price used up what was ahead.
        var filled = models.Where(m => m.VolumeAtFirstFill >= 0).ToList();
        Assert.NotEmpty(filled);
        foreach (var m in filled)
        {
            // Either the recorded aggressor traded through the price, or the trade at the price was
            // larger than the recorded size still ahead (which only trades and decreases reduced).
            Assert.True(m.FirstFillThrough || m.TradeQtyAtFirstFill > m.AheadBeforeFirstFill);
            Assert.True(m.AheadAtPlacement > 0);
        }
        Assert.True(crossings <= 2);
        Assert.True(replay.ClientQtyFilled > 0);

        // Nothing created or lost: supplies unchanged, the client's balances moved exactly by its trades.
        sim.Engine.AssertInvariants();
        Assert.Equal(supplyBtc, sim.Engine.TotalSupply("BTC"));
        Assert.Equal(supplyUsdt, sim.Engine.TotalSupply("USDT"));
        long dBtc = 0, dUsdt = 0;
        foreach (var t in client.Trades)
        {
            long units = Assets.FromQty(t.Qty, 8);
            dBtc += t.IsBuyer ? units - t.Commission : -units;
            dUsdt += t.IsBuyer ? -t.QuoteQty : t.QuoteQty - t.Commission;
        }
        Assert.Equal(orders.Sum(o => o.ExecutedQty), client.Trades.Sum(t => t.Qty));
        Assert.Equal(btc0 + dBtc, client.Free("BTC") + client.Locked("BTC"));
        Assert.Equal(usdt0 + dUsdt, client.Free("USDT") + client.Locked("USDT"));
    }

    [Fact]
    public void Far_orders_never_fill_supply_is_conserved_and_the_replayed_top_matches_the_recorded_book_ticker()
    {
        var (sim, replay, client) = Create();
        using var owned = sim;
        var book = replay.Book;
        Assert.True(book.TryBest(OrderSide.Buy, out long bid, out _));
        Assert.True(book.TryBest(OrderSide.Sell, out long ask, out _));
        var far = new[] { Place(sim, client, OrderSide.Buy, bid / 100 * 98), Place(sim, client, OrderSide.Sell, ask / 100 * 102) };
        var supplyBtc = sim.Engine.TotalSupply("BTC");
        var supplyUsdt = sim.Engine.TotalSupply("USDT");
        long btc = client.Free("BTC") + client.Locked("BTC"), usdt = client.Free("USDT") + client.Locked("USDT");

        var tickers = new Dictionary<long, RecordedBookTicker>();
        int matches = 0, steps = 0;
        while (replay.Step())
        {
            if (replay.LastKind == RecordedEventKind.BookTicker)
            {
                tickers[replay.LastBookTicker.UpdateId] = replay.LastBookTicker;
            }
            else if (replay.LastKind == RecordedEventKind.Depth && tickers.Remove(replay.LastUpdateId, out var t))
            {
                Assert.True(book.TryBest(OrderSide.Buy, out long b, out long bq));
                Assert.True(book.TryBest(OrderSide.Sell, out long a, out long aq));
                Assert.Equal((t.BidPrice, t.BidQty, t.AskPrice, t.AskQty), (b, bq, a, aq));
                matches++;
            }
            if (++steps % 10_000 == 0)
                sim.Engine.AssertInvariants();
        }

        Assert.True(matches > 1000, $"only {matches} bookTickers met a diff's update id");
        Assert.Equal(50093696318, replay.LastUpdateId);
        Assert.Equal(19903, replay.TradesReplayed); // every trade after the snapshot
        Assert.True(book.LastTradeId >= replay.TradesReplayed);
        Assert.All(far, o => Assert.Equal((OrderStatus.New, 0L), (o.Status, o.ExecutedQty)));
        Assert.Equal(0, replay.ClientQtyFilled);
        sim.Engine.AssertInvariants();
        Assert.Equal(supplyBtc, sim.Engine.TotalSupply("BTC"));
        Assert.Equal(supplyUsdt, sim.Engine.TotalSupply("USDT"));
        Assert.Equal(btc, client.Free("BTC") + client.Locked("BTC"));
        Assert.Equal(usdt, client.Free("USDT") + client.Locked("USDT"));
    }
}
