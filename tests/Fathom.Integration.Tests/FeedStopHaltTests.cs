using System.Net;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Simulator;
using Fathom.Venues.Binance;
using Xunit;
using SimSide = Fathom.Simulator.OrderSide;
using SimType = Fathom.Simulator.OrderType;

namespace Fathom.Integration.Tests;

/// <summary>
/// A market-data feed whose run ends while the host still trades (a background loop's exception, or a run that
/// just returns) halts trading with the reason, through the real host, the simulator and its real protocols:
/// the quotes resting on a market nobody watches any more are cancelled at the venue.
/// </summary>
public sealed class FeedStopHaltTests
{
    private const string Symbol = "BTCUSDT";

    /// <summary>The real Binance venue whose feed's run ends when the test says, by throwing or returning.</summary>
    private sealed class StoppableVenue(IVenue inner) : IVenue
    {
        public readonly TaskCompletionSource<Exception?> Stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Name => inner.Name;

        public IMarketDataFeed CreateMarketData(IReadOnlyList<InstrumentSpec> specs, Lock coreLock, Action<SyncTransition>? observer) =>
            new StoppableFeed(inner.CreateMarketData(specs, coreLock, observer), Stop.Task);

        public IOrderGateway CreateOrderEntry(IReportSink sink, ClientOrderIdFormat format, EngineLatency? latency) =>
            inner.CreateOrderEntry(sink, format, latency);

        public CoreWarmup.Result WarmUp(CoreSetup setup, int frames, StrategyCatalog? catalog) => inner.WarmUp(setup, frames, catalog);

        public Exception? OrderEntryFault => inner.OrderEntryFault;

        public Exception? OrderEntryReconnectError => inner.OrderEntryReconnectError;
        public ClockSyncFailures OrderEntryClockSyncFailures => inner.OrderEntryClockSyncFailures;
    }

    private sealed class StoppableFeed(IMarketDataFeed inner, Task<Exception?> stop) : IMarketDataFeed
    {
        public IFeedCore Core => inner.Core;
        public long Disconnects => inner.Disconnects;
        public string? LastDisconnect => inner.LastDisconnect;

        public async Task RunAsync(CancellationToken cancel)
        {
            using var innerStop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            Task run = inner.RunAsync(innerStop.Token);
            Task first = await Task.WhenAny(run, stop.WaitAsync(cancel)).ConfigureAwait(false);
            if (first == run)
            {
                await run.ConfigureAwait(false);
                return;
            }
            if (cancel.IsCancellationRequested)
                return;
            await innerStop.CancelAsync().ConfigureAwait(false);
            try { await run.ConfigureAwait(false); } catch (OperationCanceledException) { }
            if (await stop.ConfigureAwait(false) is { } fault)
                throw fault;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FeedRunEnds_WhileTrading_HaltsWithTheReason_AndTheQuotesAreCancelled(bool throws)
    {
        var config = SimulatorConfig.Demo();
        config.Seed = 13;
        config.SeedLevels = 0;
        using var sim = ExchangeSimulator.Create(config, TimeProvider.System);
        await using var server = await SimulatorServer.StartAsync(sim.Api, IPAddress.Loopback, 0);
        Place(sim, SimSide.Buy, 59_900m, 1m);
        Place(sim, SimSide.Sell, 60_100m, 1m);

        string dir = Path.Combine(Path.GetTempPath(), "fathom-feedstop-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var endpoints = BinanceEndpoints.Local(server.BaseAddress);
        var rest = new BinanceRestClient(http, endpoints, new RestWeightLimiter(TimeProvider.System));
        InstrumentSpec spec = (await rest.GetExchangeInfoAsync([Symbol], CancellationToken.None))[Symbol];
        var key = config.Accounts[0].Keys[0];
        var venue = new StoppableVenue(new BinanceVenue("fathom-sim", endpoints, BinanceOrderGatewayOptions.Local(server.BaseAddress),
            new BinanceCredentials(key.ApiKey, key.Secret), [new BinanceOrderInstrument(0, Symbol, "BTC", "USDT")], http, TimeProvider.System));
        await using var host = await EngineHost.StartAsync(new EngineHostOptions
        {
            Venue = venue,
            Core = DemoCore.Setup(spec, node: 4, epoch: 1),
            IdReservation = new FileSequenceReservation(Path.Combine(dir, "client-order-ids.hwm")),
            IdFormat = new ClientOrderIdFormat("fs"),
            StorePath = Path.Combine(dir, "fathom.db"),
            WarmupFrames = 0,
        }, CancellationToken.None);
        host.StartTrading();
        Assert.True(await WaitUntil(() => { Stir(sim); return OurOpenOrders(sim) == 2; }, TimeSpan.FromSeconds(30)),
            "the host never quoted both sides");
        Assert.Null(host.Engine.HaltReason);

        venue.Stop.SetResult(throws ? new InvalidOperationException("the socket's receive loop broke") : null);

        Assert.True(await WaitUntil(() => host.Engine.HaltReason is not null, TimeSpan.FromSeconds(10)), "the feed's end never halted trading");
        Assert.Contains("market-data feed stopped", host.Engine.HaltReason);
        if (throws)
            Assert.Contains("the socket's receive loop broke", host.Engine.HaltReason);
        Assert.True(await WaitUntil(() => OurOpenOrders(sim) == 0, TimeSpan.FromSeconds(10)),
            $"quotes still rest at the venue after the halt: {OurOpenOrders(sim)}");
        ShutdownReport report = await host.StopAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(report.VenueOpen);
    }

    private static void Place(ExchangeSimulator sim, SimSide side, decimal price, decimal qty) => sim.Api.Run(e =>
    {
        var maker = e.Accounts.First(a => a.Name == "demo2");
        var book = e.Book(Symbol);
        var s = book.Symbol.Spec;
        var outcome = e.Place(maker, new NewOrder(book, side, SimType.LimitMaker, TimeInForce.Gtc,
            (long)(price * FixedPoint.Pow10(s.PriceDecimals)), (long)(qty * FixedPoint.Pow10(s.QtyDecimals))));
        Assert.True(outcome.Ok, $"the second account's {side} was refused: {outcome.Reject}");
    });

    /// <summary>A depth update far from the touch, so the book syncs on a diff after its snapshot.</summary>
    private static void Stir(ExchangeSimulator sim) => sim.Api.Run(e =>
    {
        var other = e.Accounts.First(a => a.Name == "demo2");
        var book = e.Book(Symbol);
        var s = book.Symbol.Spec;
        var placed = e.Place(other, new NewOrder(book, SimSide.Buy, SimType.LimitMaker, TimeInForce.Gtc,
            59_000 * FixedPoint.Pow10(s.PriceDecimals), FixedPoint.Pow10(s.QtyDecimals) / 1000));
        Assert.True(placed.Ok, $"stir refused: {placed.Reject}");
        e.Cancel(other, book, placed.Order!.OrderId, null);
    });

    private static int OurOpenOrders(ExchangeSimulator sim)
    {
        int n = 0;
        sim.Api.Run(e => n = e.Book(Symbol).OpenOrdersOf(e.Accounts.First(a => a.Name == "demo")).Count());
        return n;
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
}
