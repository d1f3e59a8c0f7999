using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Fathom.Book;
using Fathom.Core;
using Fathom.Hosting;
using Fathom.MarketData;
using Fathom.Testing;
using Fathom.Venues.Binance;

namespace Fathom.Backtest.Benchmarks;

/// <summary>
/// A backtest run, whole, on one core: both recorded BTCUSDT days (2024-08-08/09, hftbacktest's, about 10.8 minutes)
/// through <see cref="Backtester.Run"/>, reported per market-data event (as the store benchmark counts them: one per
/// level update, bookTicker and trade; 393,189 per pass). The rows split where the time goes: reading the store,
/// applying it to the books, the same with the analyzer (signals) in the feed path as the composition wires it, the
/// whole core with a strategy that never trades, the whole core with the market maker, and the whole core from the
/// JSON files (parsed twice: the venue's side and the core's).
/// </summary>
[Config(typeof(BacktestRunConfig))]
public class BacktestRunBenchmarks
{
    /// <summary>Events of both days (checked in setup against what a run counts).</summary>
    public const int Events = 393_189;

    private string _dir = "";
    private string _store = "";
    private InstrumentSpec _spec = null!;
    private BacktestConfig _storeMaker = null!;
    private BacktestConfig _storeIdle = null!;
    private BacktestConfig _storeIdleSlowTimer = null!;
    private BacktestConfig _jsonMaker = null!;
    private StrategyCatalog _catalog = null!;
    private long _fills;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("fathom-bt-bench-").FullName;
        _store = Path.Combine(_dir, "btcusdt.fathomstore");
        _catalog = StrategyCatalog.CreateDefault().Add("idle", args => new IdleStrategy(args.InstrumentIds));
        _jsonMaker = Config("market-maker", "hftbacktest", SharedData.BinanceSpotDays);
        _spec = _jsonMaker.Specs[0];
        using (var output = File.Create(_store))
            BinanceStoreConverter.ConvertHftBacktest(SharedData.BinanceSpotDays, _spec, 1000, output);
        _storeMaker = Config("market-maker", "fathom-store", [_store]);
        _storeIdle = Config("idle", "fathom-store", [_store]);
        _storeIdleSlowTimer = _storeIdle with { TimerPeriodNs = 1_000_000_000 };
        foreach (BacktestConfig config in new[] { _storeMaker, _storeIdle, _jsonMaker })
        {
            BacktestResult result = Backtester.Run(config, Venue, _catalog);
            if (result.Run.Events != Events)
                throw new InvalidOperationException($"a run counted {result.Run.Events} events, expected {Events}");
            Console.WriteLine($"// {config.StrategyName} from {config.Data[0].Kind}: {result.Run.Events:N0} events, {result.Orders.Count:N0} orders, {result.Fills.Count:N0} fills");
        }
    }

    private BacktestConfig Config(string strategy, string kind, string[] files)
    {
        JsonObject strategySection = strategy == "market-maker"
            ? new JsonObject { ["name"] = strategy, ["halfSpreadTicks"] = 1, ["quoteQty"] = "0.001", ["maxPosition"] = "0.01" }
            : new JsonObject { ["name"] = strategy };
        var json = new JsonObject
        {
            ["strategy"] = strategySection,
            ["instruments"] = new JsonArray(new JsonObject
            {
                ["symbol"] = "BTCUSDT", ["baseAsset"] = "BTC", ["quoteAsset"] = "USDT",
                ["tickSize"] = "0.01", ["stepSize"] = "0.00001", ["minNotional"] = "5",
                ["makerFee"] = "0.0001", ["takerFee"] = "0.0004",
                ["limits"] = new JsonObject { ["maxPosition"] = "0.05", ["maxOrderQty"] = "0.01", ["maxOrderNotional"] = "1000" },
            }),
            ["risk"] = new JsonObject { ["maxTotalNotional"] = "100000", ["markoutLossLimit"] = "1000", ["maxDailyLoss"] = "1000" },
            ["data"] = new JsonArray(new JsonObject { ["kind"] = kind, ["files"] = new JsonArray([.. files.Select(f => JsonValue.Create(f))]) }),
        };
        return BacktestConfig.Parse(json.ToJsonString(), Path.Combine(_dir, "bt.json"), _catalog);
    }

    private static BenchVenue Venue(IReadOnlyList<InstrumentSpec> specs, VenueModel model, Fathom.Gateway.Abstractions.IReportSink sink) => new(model, sink);

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark(OperationsPerInvoke = Events, Description = "store read only (CRC checked)")]
    public long StoreReadOnly()
    {
        using var reader = StoreReader.Open(_store);
        var handler = new CountingHandler();
        reader.ReadAll(ref handler);
        return handler.Levels;
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "store read + books (feed core, no engine)")]
    public long StoreIntoBooks()
    {
        var core = new BinanceFeedCore([_spec]);
        using var reader = StoreReader.Open(_store);
        MarketDataRouter router = core.Router;
        reader.ReadAll(ref router);
        return core.Books[0].Book.UpdateId;
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "store read + books + analyzer (no engine)")]
    public long StoreIntoBooksAndSignals()
    {
        // The feed path as the composition wires it: the analyzer sees each level's old and new size.
        var core = new BinanceFeedCore([_spec]);
        var signals = new Fathom.Signals.SignalEngine();
        core.Router.SetHandler(0, new Fathom.Signals.SignalFeed(core.Books[0], signals));
        using var reader = StoreReader.Open(_store);
        MarketDataRouter router = core.Router;
        reader.ReadAll(ref router);
        return core.Books[0].Book.UpdateId;
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "whole core, store, strategy that never trades")]
    public long WholeCoreStoreIdle() => Backtester.Run(_storeIdle, Venue, _catalog).Run.Events;

    [Benchmark(OperationsPerInvoke = Events, Description = "whole core, store, never trades, engine timer every 1 s (not 20 ms)")]
    public long WholeCoreStoreIdleSlowTimer() => Backtester.Run(_storeIdleSlowTimer, Venue, _catalog).Run.Events;

    [Benchmark(Baseline = true, OperationsPerInvoke = Events, Description = "whole core, store, market maker")]
    public long WholeCoreStoreMarketMaker()
    {
        BacktestResult result = Backtester.Run(_storeMaker, Venue, _catalog);
        _fills = result.Fills.Count;
        return result.Run.Events;
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "whole core, hftbacktest JSON, market maker")]
    public long WholeCoreJsonMarketMaker() => Backtester.Run(_jsonMaker, Venue, _catalog).Run.Events + _fills;

    private struct CountingHandler : IMarketDataHandler
    {
        public long Levels;
        public void OnBookDelta(in BookDelta delta) => Levels += delta.LevelCount;
        public void OnBookSnapshot(in BookSnapshot snapshot) => Levels += snapshot.Bids.Length + snapshot.Asks.Length;
        public void OnTopOfBook(in TopOfBook top) => Levels++;
        public void OnTrade(in Trade trade) => Levels++;
        public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) { }
        public void OnBookGridChanged(int instrumentId, long newTickRaw) { }
        public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs) { }
    }
}

/// <summary>
/// One run per invocation (tens of milliseconds), 3 warmup and 10 measured iterations; memory per event. In process:
/// a run is single-threaded and long, so the host process's own noise is small next to it, and no boilerplate project
/// has to be built on a shared machine.
/// </summary>
public sealed class BacktestRunConfig : ManualConfig
{
    public BacktestRunConfig()
    {
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithInvocationCount(1).WithUnrollFactor(1)
            .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance).AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
    }
}
