using System.Net;
using Fathom.Book;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Simulator;
using Fathom.Strategy.Abstractions;
using Fathom.Venues.Binance;
using Fathom.Venues.Okx;
using Xunit;
using SimSide = Fathom.Simulator.OrderSide;
using SimType = Fathom.Simulator.OrderType;

namespace Fathom.Integration.Tests;

/// <summary>
/// Issue 19, the proof of the abstraction: one host, one core, one strategy instance on two venues. Two in-process
/// simulators, one reached through its Binance front (BTCUSDT), the other through its OKX front (BTC-USDT); the host
/// composes <see cref="BinanceVenue"/> and an OKX venue into a <see cref="MultiVenue"/>. The strategy quotes a bid on
/// the Binance venue and, when the simulator's second account sells into it, hedges by selling IOC on the OKX venue.
/// </summary>
public sealed class TwoVenueCoreTests
{
    private const string SimSymbol = "BTCUSDT"; // the simulator's book, whichever front shows it
    private const string OkxInstId = "BTC-USDT";
    private const string Prefix = "fx";

    /// <summary>A simulator with its server; the second account (demo2) makes a market of 1 BTC a side.</summary>
    private sealed class Exchange : IAsyncDisposable
    {
        public required ExchangeSimulator Sim;
        public required SimulatorServer Server;
        public required SimulatorConfig Config;

        public static async Task<Exchange> StartAsync(ulong seed, decimal bid, decimal ask)
        {
            var config = SimulatorConfig.Demo();
            config.Seed = seed;
            config.SeedLevels = 0; // no house liquidity: demo2's market is the whole book
            var sim = ExchangeSimulator.Create(config, TimeProvider.System);
            var server = await SimulatorServer.StartAsync(sim.Api, IPAddress.Loopback, 0);
            var exchange = new Exchange { Sim = sim, Server = server, Config = config };
            exchange.Place(SimSide.Buy, SimType.LimitMaker, bid, 1m);
            exchange.Place(SimSide.Sell, SimType.LimitMaker, ask, 1m);
            return exchange;
        }

        public void Place(SimSide side, SimType type, decimal price, decimal qty) => Sim.Api.Run(e =>
        {
            var other = e.Accounts.First(a => a.Name == "demo2");
            var book = e.Book(SimSymbol);
            var spec = book.Symbol.Spec;
            var outcome = e.Place(other, new NewOrder(book, side, type, TimeInForce.Gtc,
                type == SimType.Market ? 0 : (long)(price * FixedPoint.Pow10(spec.PriceDecimals)), (long)(qty * FixedPoint.Pow10(spec.QtyDecimals))));
            Assert.True(outcome.Ok, $"the second account's {side} {type} was refused: {outcome.Reject}");
        });

        /// <summary>A change far from the touch, so a Binance book that took its snapshot sees a diff and goes Live.</summary>
        public void Stir() => Sim.Api.Run(e =>
        {
            var other = e.Accounts.First(a => a.Name == "demo2");
            var book = e.Book(SimSymbol);
            var spec = book.Symbol.Spec;
            var placed = e.Place(other, new NewOrder(book, SimSide.Buy, SimType.LimitMaker, TimeInForce.Gtc,
                59_000 * FixedPoint.Pow10(spec.PriceDecimals), FixedPoint.Pow10(spec.QtyDecimals) / 1000));
            Assert.True(placed.Ok, $"stir refused: {placed.Reject}");
            e.Cancel(other, book, placed.Order!.OrderId, null);
        });

        /// <summary>Our (the demo account's) open orders here: client id and side.</summary>
        public List<(string ClientOrderId, SimSide Side)> OurOpenOrders()
        {
            var open = new List<(string, SimSide)>();
            Sim.Api.Run(e =>
            {
                var account = e.Accounts.First(a => a.Name == "demo");
                open.AddRange(e.Book(SimSymbol).OpenOrdersOf(account).Select(o => (o.ClientOrderId, o.Side)));
            });
            return open;
        }

        /// <summary>Our executions here, as the venue's matching engine recorded them.</summary>
        public List<AccountTrade> OurTrades()
        {
            var trades = new List<AccountTrade>();
            Sim.Api.Run(e => trades.AddRange(e.Accounts.First(a => a.Name == "demo").Trades));
            return trades;
        }

        public long InstIdCode()
        {
            long code = 0;
            Sim.Api.Run(e => code = OkxFront.InstIdCode(e.Book(SimSymbol)));
            return code;
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            Sim.Dispose();
        }
    }

    /// <summary>
    /// The test strategy, through the public strategy API only: it trades both instruments, bids one tick above the
    /// quote venue's best bid once both books are live, and on each fill there sells the same quantity IOC on the
    /// hedge venue. It counts every market-data callback per instrument and remembers its fills.
    /// </summary>
    public sealed class QuoteAndHedge : IStrategy
    {
        private readonly int _quote;
        private readonly int _hedge;
        private readonly long _qty;
        private readonly int _hedgeSlippageTicks;
        private bool _quoted;

        public QuoteAndHedge(StrategyArguments args)
        {
            ArgumentNullException.ThrowIfNull(args);
            if (args.InstrumentIds.Count != 2)
                throw new ArgumentException("quote-and-hedge trades two instruments: [quote, hedge]");
            _quote = args.InstrumentIds[0];
            _hedge = args.InstrumentIds[1];
            _qty = args.RawQty(decimal.Parse(args.Parameters["qty"] ?? "0.01", System.Globalization.CultureInfo.InvariantCulture), "qty");
            _hedgeSlippageTicks = int.Parse(args.Parameters["hedgeSlippageTicks"] ?? "50", System.Globalization.CultureInfo.InvariantCulture);
            MarketUpdates = new long[args.Specs.Count];
        }

        public string Name => "quote-and-hedge";
        public IReadOnlyList<int> InstrumentIds => [_quote, _hedge];
        /// <summary>OnMarketData calls per instrument.</summary>
        public long[] MarketUpdates { get; }
        public List<FillView> Fills { get; } = [];
        /// <summary>The bid it quoted on the quote venue, raw.</summary>
        public long QuotedBid { get; private set; }

        public void OnStart(IStrategyContext context) { }

        public void OnMarketData(IStrategyContext context, int instrumentId)
        {
            MarketUpdates[instrumentId]++;
            if (_quoted || !context.IsMarketLive(_quote) || !context.IsMarketLive(_hedge))
                return;
            BookView quote = context.Book(_quote), hedge = context.Book(_hedge);
            if (!quote.IsTwoSided || !hedge.IsTwoSided)
                return;
            Price bid = quote.PriceOf(quote.BestBidTick + 1);
            QuotedBid = bid.Raw;
            context.Submit(Intent.Quote(_quote, bid, new Qty(_qty), Price.Zero, Qty.Zero));
            _quoted = true;
        }

        public void OnFill(IStrategyContext context, in FillView fill)
        {
            Fills.Add(fill);
            if (fill.InstrumentId != _quote)
                return;
            // Done quoting; lay the risk off on the other venue at once.
            context.Submit(Intent.CancelAll(_quote));
            BookView hedge = context.Book(_hedge);
            Fathom.Core.OrderSide side = fill.Side == Fathom.Core.OrderSide.Buy ? Fathom.Core.OrderSide.Sell : Fathom.Core.OrderSide.Buy;
            Price limit = side == Fathom.Core.OrderSide.Sell
                ? hedge.PriceOf(hedge.BestBidTick - _hedgeSlippageTicks)
                : hedge.PriceOf(hedge.BestAskTick + _hedgeSlippageTicks);
            // The venues count quantities at their own decimals (Binance 8, OKX lotSz's): convert, then floor to the hedge's step.
            InstrumentSpec from = context.Instruments[_quote], to = context.Instruments[_hedge];
            Qty qty = to.FloorToStep(new Qty(FixedPoint.Rescale(fill.Quantity.Raw, from.QtyDecimals, to.QtyDecimals)));
            context.Submit(Intent.Take(_hedge, side, qty, limit));
        }

        public void OnTrade(IStrategyContext context, in Fathom.MarketData.Trade trade) { }
        public void OnOrderUpdate(IStrategyContext context, in OrderView order) { }
        public void OnTimer(IStrategyContext context, int timerId) { }
        public void OnStop(IStrategyContext context) { }
    }

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

    private static T Under<T>(EngineHost host, Func<T> read)
    {
        lock (host.CoreLock)
            return read();
    }

    [Fact]
    public async Task OneStrategy_QuotesOnBinance_FillThere_HedgesOnOkx_PositionsNetToZero()
    {
        // Different markets on the two venues, so a book read from the wrong venue shows.
        await using var binanceSim = await Exchange.StartAsync(seed: 21, bid: 59_900m, ask: 60_100m);
        await using var okxSim = await Exchange.StartAsync(seed: 22, bid: 59_950m, ask: 60_050m);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var binanceEndpoints = BinanceEndpoints.Local(binanceSim.Server.BaseAddress);
        var binanceRest = new BinanceRestClient(http, binanceEndpoints, new RestWeightLimiter(TimeProvider.System));
        InstrumentSpec binanceSpec = (await binanceRest.GetExchangeInfoAsync([SimSymbol], CancellationToken.None))[SimSymbol];
        var okxEndpoints = OkxEndpoints.Local(okxSim.Server.BaseAddress);
        var okxRest = new OkxRestClient(http, okxEndpoints, TimeProvider.System, TimeSpan.FromSeconds(10));
        InstrumentSpec okxSpec = (await okxRest.GetListedInstrumentsAsync("SPOT", CancellationToken.None))[OkxInstId].Spec;
        Assert.Equal(Venue.Okx, okxSpec.Venue);
        Assert.NotEqual(Venue.Okx, binanceSpec.Venue);

        var binanceKey = binanceSim.Config.Accounts[0].Keys[0];
        var binance = new BinanceVenue("binance-sim", binanceEndpoints, BinanceOrderGatewayOptions.Local(binanceSim.Server.BaseAddress),
            new BinanceCredentials(binanceKey.ApiKey, binanceKey.Secret), [new BinanceOrderInstrument(0, SimSymbol, "BTC", "USDT")], http, TimeProvider.System);
        var okxKey = okxSim.Config.Accounts[0].Keys[0];
        var okx = new OkxVenue("okx-sim", okxEndpoints, OkxOrderGatewayOptions.Local(okxSim.Server.BaseAddress),
            new OkxCredentials(okxKey.ApiKey, okxKey.Secret!, SimulatorConfig.DemoPassphrase),
            [new OkxOrderInstrument(0, OkxInstId, okxSim.InstIdCode(), okxSpec.PriceDecimals, okxSpec.QtyDecimals, "BTC", "USDT")], http, TimeProvider.System);
        // Global instrument 0 is Binance's BTCUSDT, 1 is OKX's BTC-USDT.
        var venues = new MultiVenue("binance+okx", [new VenueShare(binance, [0]), new VenueShare(okx, [1])]);

        QuoteAndHedge? strategy = null;
        var catalog = StrategyCatalog.CreateDefault().Add("quote-and-hedge", args => strategy = new QuoteAndHedge(args));
        var defaults = new RiskLimits { Instruments = [], MaxTotalNotional = 1, MaxDailyLoss = 1, MarkoutLossLimit = 1 };
        long money = FixedPoint.Pow10(defaults.MoneyDecimals); // risk's money, in the common quote currency
        long binancePx = FixedPoint.Pow10(binanceSpec.PriceDecimals), okxPx = FixedPoint.Pow10(okxSpec.PriceDecimals);
        long qty = FixedPoint.Pow10(binanceSpec.QtyDecimals) / 100; // 0.01 BTC at Binance's decimals
        InstrumentRiskLimits Limits(InstrumentSpec spec) => new()
        {
            MaxPosition = new Qty(FixedPoint.Pow10(spec.QtyDecimals) / 20),
            MaxOrderQty = new Qty(FixedPoint.Pow10(spec.QtyDecimals) / 20),
            MaxOrderNotional = 10_000 * money,
        };
        var setup = new CoreSetup([binanceSpec, okxSpec],
            defaults with
            {
                Instruments = [Limits(binanceSpec), Limits(okxSpec)],
                MaxTotalNotional = 100_000 * money,
                MarkoutLossLimit = 500 * money,
                MaxDailyLoss = 5_000 * money,
                PriceBandBps = 200,
            },
            [new StrategySetup("quote-and-hedge", [0, 1], new Dictionary<string, string?> { ["qty"] = "0.01", ["hedgeSlippageTicks"] = "50" })],
            new ExecutionOptions(), Node: 5, Epoch: (uint)(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 % (ClientOrderIdFormat.MaxEpoch + 1)));
        string dir = Path.Combine(Path.GetTempPath(), "fathom-twovenue-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);

        await using var host = await EngineHost.StartAsync(new EngineHostOptions
        {
            Venue = venues,
            Core = setup,
            Strategies = catalog,
            IdReservation = new FileSequenceReservation(Path.Combine(dir, "client-order-ids.hwm")),
            IdFormat = new ClientOrderIdFormat(Prefix),
            StorePath = Path.Combine(dir, "fathom.db"),
            WarmupFrames = 200, // the multi-venue warm-up runs both venues' wire formats on a throwaway core
        }, CancellationToken.None);
        Assert.NotNull(strategy);
        Assert.Null(host.Warmup!.StrategyError);
        Assert.True(host.Warmup.DiffsApplied > 0);
        Assert.True(host.Gateway.IsReady, "both venues' order entry should be logged on");
        host.StartTrading();

        // Both books reach Live in the one core, each with its own venue's market.
        Assert.True(await WaitUntil(() => { binanceSim.Stir(); return Under(host, () => host.Books[0].IsLive && host.Books[1].IsLive); },
            TimeSpan.FromSeconds(30)), "both books should go Live: " + host.Status());
        Under(host, () =>
        {
            Assert.Same(host.Books, host.Feed.Core.Books);
            // The asks (the strategy only bids, so its own quote may already be the Binance best bid).
            Assert.Equal(60_100 * binancePx, host.Books[0].Book.PriceOf(host.Books[0].Book.BestAskTick).Raw);
            Assert.Equal(60_050 * okxPx, host.Books[1].Book.PriceOf(host.Books[1].Book.BestAskTick).Raw);
            return 0;
        });

        // The quote rests on the Binance simulator, and only there.
        Assert.True(await WaitUntil(() => binanceSim.OurOpenOrders().Count == 1, TimeSpan.FromSeconds(30)),
            "the quote never reached the Binance venue: " + host.Status());
        var quote = binanceSim.OurOpenOrders()[0];
        Assert.Equal(SimSide.Buy, quote.Side);
        Assert.StartsWith(Prefix, quote.ClientOrderId, StringComparison.Ordinal);
        Assert.Empty(okxSim.OurOpenOrders());
        Assert.Empty(okxSim.OurTrades());
        Assert.Equal(59_900 * binancePx + binanceSpec.TickSize.Raw, Under(host, () => strategy!.QuotedBid));

        // The second account sells into our bid on the Binance simulator: the strategy hedges on OKX.
        binanceSim.Place(SimSide.Sell, SimType.Market, 0, 0.01m);
        Assert.True(await WaitUntil(() => Under(host, () => host.Engine.Fills) >= 2, TimeSpan.FromSeconds(30)),
            "the quote fill and the hedge fill should both reach the engine: " + host.Status());

        var binanceTrades = binanceSim.OurTrades();
        var okxTrades = okxSim.OurTrades();
        AccountTrade quoteFill = Assert.Single(binanceTrades);
        Assert.True(quoteFill.IsBuyer && quoteFill.IsMaker, "the fill on Binance is our resting bid");
        AccountTrade hedgeFill = Assert.Single(okxTrades);
        Assert.False(hedgeFill.IsBuyer, "the hedge on OKX sells");
        Assert.False(hedgeFill.IsMaker, "the hedge takes (IOC)");
        Assert.Equal(quoteFill.Qty, hedgeFill.Qty);
        Assert.Empty(okxSim.OurOpenOrders());
        Assert.True(await WaitUntil(() => binanceSim.OurOpenOrders().Count == 0, TimeSpan.FromSeconds(10)));

        Under(host, () =>
        {
            // The engine saw each fill on the instrument of the venue where it happened.
            Assert.Equal([0, 1], strategy!.Fills.Select(f => f.InstrumentId));
            Assert.Equal(Fathom.Core.OrderSide.Buy, strategy.Fills[0].Side);
            Assert.Equal(Fathom.Core.OrderSide.Sell, strategy.Fills[1].Side);
            // Both at 8 decimals (the venues' quantity decimals differ).
            long binancePosition = FixedPoint.Rescale(host.Execution.Position(0).Position.Raw, binanceSpec.QtyDecimals, 8);
            long okxPosition = FixedPoint.Rescale(host.Execution.Position(1).Position.Raw, okxSpec.QtyDecimals, 8);
            qty = FixedPoint.Rescale(qty, binanceSpec.QtyDecimals, 8);
            Assert.True(binancePosition > 0, $"long on Binance: {binancePosition}");
            Assert.True(okxPosition < 0, $"short on OKX: {okxPosition}");
            // Net of a buy's commission taken in base (at most 1 % here): flat across the venues.
            Assert.True(Math.Abs(binancePosition + okxPosition) <= qty / 100, $"net position {binancePosition + okxPosition} of {qty}");
            // The one strategy instance heard both venues' books.
            Assert.True(strategy.MarketUpdates[0] > 0 && strategy.MarketUpdates[1] > 0,
                $"market updates: binance {strategy.MarketUpdates[0]}, okx {strategy.MarketUpdates[1]}");
            Assert.Null(host.Engine.HaltReason);
            Assert.False(host.Engine.StrategyHalted);
            return 0;
        });

        var shutdown = await host.StopAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(shutdown.Problems);
    }
}
