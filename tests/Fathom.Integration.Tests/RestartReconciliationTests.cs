using System.Net;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.Simulator;
using Fathom.Strategy.Abstractions;
using Fathom.Venues.Binance;
using Xunit;
using SimSide = Fathom.Simulator.OrderSide;
using SimType = Fathom.Simulator.OrderType;

namespace Fathom.Integration.Tests;

/// <summary>
/// Restart reconciliation through the real host and the simulator over its real protocols: a host that
/// dies with quotes resting (no shutdown, no cancels) and a fill taken while it is down; the next host on
/// the same state adopts the resting orders, applies the missed fill once, and checks the position against
/// the venue's balance (a wrong baseline halts, and the halt is stored).
/// </summary>
public sealed class RestartReconciliationTests
{
    private const string Symbol = "BTCUSDT";
    private const long TenBtc = 10 * 100_000_000L; // the demo account's starting BTC, raw at 8 decimals

    private sealed class Venue : IAsyncDisposable
    {
        public required ExchangeSimulator Sim;
        public required SimulatorServer Server;
        public required SimulatorConfig Config;

        public static async Task<Venue> StartAsync()
        {
            var config = SimulatorConfig.Demo();
            config.Seed = 11;
            config.SeedLevels = 0; // no house liquidity: the second account makes a wide market, ours quotes inside it
            var sim = ExchangeSimulator.Create(config, TimeProvider.System);
            var server = await SimulatorServer.StartAsync(sim.Api, IPAddress.Loopback, 0);
            var venue = new Venue { Sim = sim, Server = server, Config = config };
            venue.Place(SimSide.Buy, SimType.LimitMaker, 59_900m, 1m);
            venue.Place(SimSide.Sell, SimType.LimitMaker, 60_100m, 1m);
            return venue;
        }

        /// <summary>An order of the second account (amounts in the symbol's units).</summary>
        private void Place(SimSide side, SimType type, decimal price, decimal qty) => Sim.Api.Run(e =>
        {
            var taker = e.Accounts.First(a => a.Name == "demo2");
            var book = e.Book(Symbol);
            var spec = book.Symbol.Spec;
            var outcome = e.Place(taker, new NewOrder(book, side, type, TimeInForce.Gtc,
                type == SimType.Market ? 0 : (long)(price * FixedPoint.Pow10(spec.PriceDecimals)), (long)(qty * FixedPoint.Pow10(spec.QtyDecimals))));
            Assert.True(outcome.Ok, $"the second account's {side} {type} was refused: {outcome.Reject}");
        });

        /// <summary>Our (the demo account's) open orders as the simulator holds them: client id → (side, price, order id).</summary>
        public Dictionary<string, (SimSide Side, long Price, long OrderId)> OpenOrders()
        {
            var open = new Dictionary<string, (SimSide, long, long)>();
            Sim.Api.Run(e =>
            {
                var account = e.Accounts.First(a => a.Name == "demo");
                foreach (var o in e.Book(Symbol).OpenOrdersOf(account))
                    open[o.ClientOrderId] = (o.Side, o.Price, o.OrderId);
            });
            return open;
        }

        public long BtcTotal()
        {
            long total = 0;
            Sim.Api.Run(e =>
            {
                var account = e.Accounts.First(a => a.Name == "demo");
                total = account.Free("BTC") + account.Locked("BTC");
            });
            return total;
        }

        /// <summary>
        /// A depth update far from the touch (the second account adds 0.001 at 59 000): a book syncs on the
        /// first diff after its snapshot, and nothing else moves this market.
        /// </summary>
        public void Stir() => Sim.Api.Run(e =>
        {
            var other = e.Accounts.First(a => a.Name == "demo2");
            var book = e.Book(Symbol);
            var spec = book.Symbol.Spec;
            var placed = e.Place(other, new NewOrder(book, SimSide.Buy, SimType.LimitMaker, TimeInForce.Gtc,
                59_000 * FixedPoint.Pow10(spec.PriceDecimals), FixedPoint.Pow10(spec.QtyDecimals) / 1000));
            Assert.True(placed.Ok, $"stir refused: {placed.Reject}");
            e.Cancel(other, book, placed.Order!.OrderId, null);
        });

        /// <summary>The second account sells <paramref name="btc"/> at market: our bid is the best bid, so it takes from ours.</summary>
        public void SellIntoOurBid(decimal btc) => Place(SimSide.Sell, SimType.Market, 0, btc);

        public int OurTradeCount() => OurTrades().Count;

        public List<long> OurTrades()
        {
            var ids = new List<long>();
            Sim.Api.Run(e => ids.AddRange(e.Accounts.First(a => a.Name == "demo").Trades.Select(t => t.TradeId)));
            return ids;
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            Sim.Dispose();
        }
    }

    private static async Task<EngineHost> StartHostAsync(Venue venue, string dir, IReadOnlyList<BalanceCheck> checks)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var endpoints = BinanceEndpoints.Local(venue.Server.BaseAddress);
        var rest = new BinanceRestClient(http, endpoints, new RestWeightLimiter(TimeProvider.System));
        InstrumentSpec spec = (await rest.GetExchangeInfoAsync([Symbol], CancellationToken.None))[Symbol];
        var key = venue.Config.Accounts[0].Keys[0];
        var binance = new BinanceVenue("fathom-sim", endpoints, BinanceOrderGatewayOptions.Local(venue.Server.BaseAddress),
            new BinanceCredentials(key.ApiKey, key.Secret), [new BinanceOrderInstrument(0, Symbol, "BTC", "USDT")], http, TimeProvider.System);
        uint epoch = (uint)(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 % (ClientOrderIdFormat.MaxEpoch + 1));
        return await EngineHost.StartAsync(new EngineHostOptions
        {
            Venue = binance,
            Core = DemoCore.Setup(spec, node: 3, epoch),
            IdReservation = new FileSequenceReservation(Path.Combine(dir, "client-order-ids.hwm")),
            IdFormat = new ClientOrderIdFormat("fx"),
            StorePath = Path.Combine(dir, "fathom.db"),
            WarmupFrames = 0,
            BalanceChecks = checks,
        }, CancellationToken.None);
    }

    private static BalanceCheck Btc(long baseline) => new("BTC", [Symbol], baseline, Tolerance: 0);

    private static async Task<bool> WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
                return true;
            await Task.Delay(50);
        }
        return condition();
    }

    private static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "fathom-restart-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Both quotes rest at the venue and the engine holds both as working (acknowledged, nothing in flight).</summary>
    private static bool Settled(EngineHost host, Venue venue, out string ids)
    {
        var live = new OrderView[8];
        int n;
        lock (host.CoreLock)
            n = host.Execution.LiveOrders(0, live);
        var open = venue.OpenOrders();
        ids = string.Join(",", open.Keys.Order());
        return n == 2 && open.Count == 2 && live[..n].All(o => o.State is OrderState.Accepted or OrderState.PartiallyFilled);
    }

    /// <summary>The first host quotes, takes a fill, and dies with both quotes resting (no shutdown).</summary>
    private static async Task<string> CrashWithQuotesRestingAsync(Venue venue)
    {
        string dir = TempDir();
        var first = await StartHostAsync(venue, dir, [Btc(TenBtc)]);
        first.StartTrading();
        Assert.True(await WaitUntil(() => { venue.Stir(); return venue.OpenOrders().Count == 2; }, TimeSpan.FromSeconds(30)),
            "the first run never quoted both sides");
        venue.SellIntoOurBid(0.0004m); // of our 0.001 bid
        Assert.True(await WaitUntil(() => first.Engine.Fills >= 1, TimeSpan.FromSeconds(30)), "the live fill never reached the engine");
        // The engine may still be reacting to the fill and to its print in the feed (an amend, a requote, a side pulled
        // while the depth drop reads as withdrawal, then quoted again): crash only once both quotes rest at the venue, the
        // engine holds both as working with nothing in flight, and that has held for half a second.
        string settledIds = "";
        long settledSince = 0;
        Assert.True(await WaitUntil(() =>
        {
            if (!Settled(first, venue, out string ids))
            {
                venue.Stir();
                settledIds = "";
                return false;
            }
            if (ids != settledIds)
            {
                settledIds = ids;
                settledSince = Environment.TickCount64;
            }
            return Environment.TickCount64 - settledSince >= 500;
        }, TimeSpan.FromSeconds(30)), "the first run never settled with both quotes resting after the fill");
        await first.Store.FlushAsync(TimeSpan.FromSeconds(30));
        var c = first.Engine.Execution.Counters;
        string what = $"places {c.Places}, cancels {c.Cancels}, replaces {c.CancelReplaces}, amends {c.Amends}, refusals {c.RiskRefusals}; risk {first.Engine.Execution.Risk.State} ({first.Engine.Execution.Risk.Reasons})";
        // The crash: the process goes away without stopping: nothing is cancelled, the quotes rest.
        await first.DisposeAsync();
        var open = venue.OpenOrders();
        Assert.True(open.Count == 2, $"{open.Count} of our orders rest at the crash ({string.Join(", ", open.Select(o => $"{o.Key} {o.Value.Side} {o.Value.Price}"))}); {what}");
        return dir;
    }

    [Fact]
    public async Task Restart_AdoptsRestingQuotes_AppliesTheFillMissedWhileDown_AndTheBalanceAgrees()
    {
        await using var venue = await Venue.StartAsync();
        string dir = await CrashWithQuotesRestingAsync(venue);
        var restingBefore = venue.OpenOrders();

        // While down: the taker sells into our bid again. The fill is at the venue only.
        int tradesBefore = venue.OurTradeCount();
        venue.SellIntoOurBid(0.0003m);
        Assert.Equal(tradesBefore + 1, venue.OurTradeCount());

        await using var second = await StartHostAsync(venue, dir, [Btc(TenBtc)]);
        var rec = second.Reconciliation!;
        Assert.Equal(2, rec.VenueOpen);
        Assert.Equal(2, rec.Adoption.Kept);
        Assert.Equal(1, rec.MissedFills);
        Assert.Null(rec.Mismatch);
        Assert.Single(rec.BalanceLines);

        // Every open order of ours at the venue is live in the engine's table, under its venue id.
        var open = venue.OpenOrders();
        Assert.Equal(restingBefore.Keys.Order(), open.Keys.Order());
        var live = new OrderView[8];
        int n;
        lock (second.CoreLock)
            n = second.Execution.LiveOrders(0, live);
        Assert.Equal(2, n);
        Assert.Equal(open.Values.Select(o => o.Side == SimSide.Buy ? Fathom.Core.OrderSide.Buy : Fathom.Core.OrderSide.Sell).Order(), live[..n].Select(o => o.Side).Order());
        Assert.All(live[..n], o => Assert.True(o.State is OrderState.Accepted or OrderState.PartiallyFilled, $"adopted order in {o.State}"));

        // The position is every trade of ours at the venue, once: the store's fills plus the missed one,
        // and it is the venue's balance change (commission in BTC included).
        Assert.True(await WaitUntil(() => second.Engine.Fills >= 1, TimeSpan.FromSeconds(10)), "the missed fill never reached the engine");
        PositionView position;
        lock (second.CoreLock)
            position = second.Execution.Position(0);
        long position8 = position.Position.Raw * FixedPoint.Pow10(8 - second.Specs[0].QtyDecimals);
        Assert.Equal(venue.BtcTotal() - TenBtc, position8);
        Assert.Equal(0.0007m, (decimal)position.BuyQty.Raw / FixedPoint.Pow10(second.Specs[0].QtyDecimals));
        await second.Store.FlushAsync(TimeSpan.FromSeconds(30));
        var stored = second.Store.Load();
        Assert.Equal(venue.OurTrades().Order(), stored.Fills.Select(f => f.TradeId).Order());

        // Trading resumes by itself, on the adopted quotes or their replacements.
        second.StartTrading();
        Assert.True(await WaitUntil(() =>
        {
            venue.Stir();
            return venue.OpenOrders().Count == 2 && second.Execution.Counters.Places + second.Execution.Counters.QuotesKept > 0;
        }, TimeSpan.FromSeconds(10)), "quoting did not resume within 10 s");
        var report = await second.StopAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(report.Problems);
        Assert.Empty(venue.OpenOrders());
    }

    [Fact]
    public async Task Restart_PositionDisagreesWithTheBalance_HaltsWithTheReasonCancelsAdoptedOrdersAndStoresTheHalt()
    {
        await using var venue = await Venue.StartAsync();
        string dir = await CrashWithQuotesRestingAsync(venue);

        // A baseline 0.5 BTC off: the account does not hold what the store and the venue's trades say.
        await using var second = await StartHostAsync(venue, dir, [Btc(TenBtc - 50_000_000)]);
        var rec = second.Reconciliation!;
        Assert.NotNull(rec.Mismatch);
        Assert.Contains("balance check failed", rec.Mismatch);
        Assert.True(await WaitUntil(() => second.Engine.HaltReason is not null, TimeSpan.FromSeconds(5)));
        Assert.Contains("reconciliation", second.Engine.HaltReason);
        Assert.Contains("BTC", second.Engine.HaltReason);

        // Halted: nothing is quoted, and what was resting is cancelled (the engine tracked it).
        second.StartTrading();
        Assert.True(await WaitUntil(() => venue.OpenOrders().Count == 0, TimeSpan.FromSeconds(10)), "adopted orders were not cancelled under the halt");
        for (int i = 0; i < 10; i++)
        {
            venue.Stir();
            await Task.Delay(100);
        }
        Assert.Empty(venue.OpenOrders());
        await second.Store.FlushAsync(TimeSpan.FromSeconds(30));
        var halt = second.Store.Load().Halt;
        Assert.True(halt is { Halted: true });
        Assert.Contains("balance check failed", halt!.Value.Reason);
        await second.StopAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// The run died with an amend in flight that the store never recorded: the venue renamed our bid to the amend's id
    /// and cut its size, then filled it while we were down. The restart recovers the bid under the id the store has,
    /// queries it by the venue's order id, and the answer (FILLED, with the id the venue holds) settles it: the store
    /// binds the venue's order to the id it carries, the engine holds it Filled, and the position is the venue's.
    /// </summary>
    [Fact]
    public async Task Restart_BidAnAmendRenamedAndTheVenueFilledWhileDown_EndsFilledUnderTheVenuesId()
    {
        await using var venue = await Venue.StartAsync();
        string dir = await CrashWithQuotesRestingAsync(venue);
        var format = new ClientOrderIdFormat("fx");
        var (bidText, bid) = venue.OpenOrders().Single(o => o.Value.Side == SimSide.Buy);
        Assert.Equal(ClientOrderIdParse.Ours, format.TryParse(bidText, out var bidId));
        // The amend's id: the last number the first run reserved (reserved ahead in blocks, so not one it used).
        long reserved = new FileSequenceReservation(Path.Combine(dir, "client-order-ids.hwm")).HighWater;
        var renamed = new ClientOrderId(bidId.Node, bidId.Epoch, reserved);
        long left = 0;
        int qtyDecimals = 0;
        venue.Sim.Api.Run(e =>
        {
            var account = e.Accounts.First(a => a.Name == "demo");
            var book = e.Book(Symbol);
            var order = book.OpenOrdersOf(account).Single(o => o.OrderId == bid.OrderId);
            long newQty = order.ExecutedQty + (order.OrigQty - order.ExecutedQty) / 2;
            var outcome = e.AmendKeepPriority(account, book, bid.OrderId, null, newQty, format.Format(renamed));
            Assert.True(outcome.Ok, $"the amend was refused: {outcome.Reject}");
            left = newQty - order.ExecutedQty;
            qtyDecimals = book.Symbol.Spec.QtyDecimals;
        });
        venue.SellIntoOurBid(left / (decimal)FixedPoint.Pow10(qtyDecimals)); // the rest of it: the venue fills it
        Assert.DoesNotContain(venue.OpenOrders().Values, o => o.OrderId == bid.OrderId);

        await using var second = await StartHostAsync(venue, dir, [Btc(TenBtc)]);
        Assert.Equal(1, second.Reconciliation!.VenueOpen);
        (long Current, OrderState State)? row = null;
        Assert.True(await WaitUntil(() =>
        {
            second.Store.FlushAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            row = StoredOrderOf(Path.Combine(dir, "fathom.db"), bid.OrderId);
            return row is { State: OrderState.Filled };
        }, TimeSpan.FromSeconds(20)), $"the bid's row is {row?.State.ToString() ?? "missing"}; counters: renamed {second.Execution.Counters.RenamedByVenue}, " +
            $"filled by answer {second.Execution.Counters.FilledByAnswer}, queries {second.Execution.Counters.Queries}");
        Assert.Equal(renamed.Sequence, row!.Value.Current);
        Assert.Equal(1, second.Execution.Counters.RenamedByVenue);
        PositionView position;
        lock (second.CoreLock)
            position = second.Execution.Position(0);
        Assert.Equal(venue.BtcTotal() - TenBtc, position.Position.Raw * FixedPoint.Pow10(8 - second.Specs[0].QtyDecimals));
        await second.StopAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The store's row for the venue's order <paramref name="venueOrderId"/>: its current client sequence and state.</summary>
    private static (long Current, OrderState State)? StoredOrderOf(string path, long venueOrderId)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False;Default Timeout=10");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT current_seq, state FROM orders WHERE venue_order_id = $v";
        cmd.Parameters.AddWithValue("$v", venueOrderId);
        using var r = cmd.ExecuteReader();
        return r.Read() ? (r.GetInt64(0), (OrderState)r.GetInt32(1)) : null;
    }

    [Fact]
    public void StoredOpenOrder_FilledQuantity_IsTheStoredFillsSum_NotTheOrderRowACrashLeftBehind()
    {
        // The fill committed, the order row's update did not (a kill between the two batches).
        var id = new ClientOrderId(3, 2, 40);
        var amended = new ClientOrderId(3, 2, 41);
        var row = new PersistedOrder(40, id, amended, 777, Symbol, Fathom.Core.OrderSide.Buy, Fathom.Gateway.Abstractions.OrderType.LimitMaker,
            new Price(1), new Qty(1_000), Qty.Zero, OrderState.Accepted, 0);
        PersistedFill Fill(long tradeId, ClientOrderId by, long venueId, long qty) =>
            new(Symbol, tradeId, venueId, by, Fathom.Core.OrderSide.Buy, new Price(1), new Qty(qty), 0, Qty.Zero, true, tradeId);
        var state = new PersistedState(
            [Fill(1, id, 777, 300), Fill(2, amended, 777, 200), Fill(3, new ClientOrderId(3, 2, 99), 888, 50), Fill(4, new ClientOrderId(4, 2, 40), 999, 70)],
            [row], new Dictionary<string, long>(), null, null);
        var open = StartupReconciliation.WithStoredFills(state, node: 3);
        Assert.Equal(500, Assert.Single(open).Filled.Raw); // its own fills (both ids), not another order's or another instance's
    }
}
