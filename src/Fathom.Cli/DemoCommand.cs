using Fathom.Hosting;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Fathom.Book;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Simulator;
using Fathom.Strategies;
using Fathom.Strategy.Abstractions;
using Fathom.Venues.Binance;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom demo</c>: the whole system in one process with no keys and no set-up. The simulator
/// (a Binance-compatible exchange with synthetic order flow) listens on loopback; Fathom connects to
/// it exactly as it would to Binance (market-data WebSocket + REST snapshots, WebSocket API order
/// entry with the simulator's demo key), and trades the sample market maker through execution and
/// risk. A live dashboard shows the ladder with our orders, signals, position and PnL, risk state,
/// latency and feed state; plain periodic lines when stdout is not a terminal. <c>--duration</c>
/// runs unattended, then stops quoting, cancels everything and prints a summary.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var duration = new Option<double?>("--duration") { Description = "Run this many seconds unattended, then stop, cancel all and print a summary." };
        var symbol = new Option<string>("--symbol") { Description = "Symbol to make a market in (BTCUSDT or ETHUSDT).", DefaultValueFactory = _ => "BTCUSDT" };
        var seed = new Option<int>("--seed") { Description = "Seed of the simulator's order flow (same seed, same market).", DefaultValueFactory = _ => 7 };
        var metricsPort = new Option<int>("--metrics-port") { Description = "Port of /metrics and /health on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 0 };
        var regime = new Option<string>("--regime") { Description = "Order-flow regime: calm, trending, bursty, withdrawal, spoof or mixed.", DefaultValueFactory = _ => "mixed" };
        regime.AcceptOnlyFromAmong("calm", "trending", "bursty", "withdrawal", "spoof", "mixed");
        var journal = new Option<FileInfo?>("--journal") { Description = "Write every core input and command to this journal (check it with `fathom replay --journal`)." };
        var command = new Command("demo", "Simulator, engine, sample market maker and a live dashboard in one process: no keys, no set-up.")
        {
            duration, symbol, seed, regime, metricsPort, journal,
        };
        command.SetAction((parse, cancel) => RunAsync(parse.GetValue(duration), parse.GetValue(symbol)!.ToUpperInvariant(),
            parse.GetValue(seed), parse.GetValue(regime)!, output, error, cancel, parse.GetValue(metricsPort),
            journalPath: parse.GetValue(journal)?.FullName));
        return command;
    }

    private static FlowRegime ParseRegime(string r) => r switch
    {
        "calm" => FlowRegime.Calm,
        "trending" => FlowRegime.Trending,
        "bursty" => FlowRegime.Bursty,
        "withdrawal" => FlowRegime.LiquidityWithdrawal,
        "spoof" => FlowRegime.SpoofWalls,
        _ => FlowRegime.Mixed,
    };

    internal static async Task<int> RunAsync(double? durationSeconds, string symbol, int seed, string regime,
        TextWriter output, TextWriter error, CancellationToken cancel, int metricsPort = 0, Action<Uri>? onMetrics = null,
        string? journalPath = null)
    {
        if (durationSeconds is double seconds && !(seconds > 0 && seconds <= RunCommand.MaxDurationSeconds))
            throw new HostInputException($"--duration must be a positive number of seconds, at most {RunCommand.MaxDurationSeconds} (30 days)");
        TimeProvider time = TimeProvider.System;
        var clock = new MonotonicClock(time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
        try
        {
            // 1. The exchange: in process, on loopback, with seeded synthetic flow.
            var config = SimulatorConfig.Demo();
            config.Seed = (ulong)seed;
            SimulatorConfig.SymbolConfig? simSymbol = config.Symbols.FirstOrDefault(s => s.Symbol == symbol);
            if (simSymbol is null)
            {
                error.WriteLine($"error: the demo simulator lists {string.Join(", ", config.Symbols.Select(s => s.Symbol))}, not {symbol}.");
                return 2;
            }
            using var sim = ExchangeSimulator.Create(config, time);
            await using var server = await SimulatorServer.StartAsync(sim.Api, IPAddress.Loopback, 0, stop.Token);
            sim.StartMarketFlow(ParseRegime(regime), TimeSpan.FromMilliseconds(25));

            // 2. Fathom, connected as to a real venue: metadata over REST, market data over WebSocket.
            var endpoints = BinanceEndpoints.Local(server.BaseAddress);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var rest = new BinanceRestClient(http, endpoints, new RestWeightLimiter(time));
            InstrumentSpec spec = (await rest.GetExchangeInfoAsync([symbol], stop.Token))[symbol];
            var feedTransitions = new List<string>();
            await using var feed = new BinanceMarketDataFeed([spec], endpoints, http, time, new BinanceFeedOptions(),
                observer: t => { lock (feedTransitions) feedTransitions.Add($"{DateTime.UtcNow:HH:mm:ss} {t.From} -> {t.To} ({t.Reason})"); });

            // 3. Execution, risk and the sample market maker (DemoCore: the same composition a journal replay builds).
            var riskTransitions = new List<string>();
            // Its own fresh, locked state directory ($TMPDIR/fathom-demo-XXXXXX): two demos at once never share client-id files.
            using StateDirectory state = StateDirectory.CreateForDemo();
            string stateDir = state.Path;
            // Fills and order state changes go to SQLite (WAL, synchronous=FULL) through a background writer.
            // Each demo run starts a fresh exchange whose trade ids restart at 1, so it starts a fresh database too.
            string dbPath = Path.Combine(stateDir, "fathom.db");
            foreach (string f in new[] { dbPath, dbPath + "-wal", dbPath + "-shm" })
                File.Delete(f);
            await using var store = Fathom.Persistence.SqliteTradeStore.Open(dbPath);
            // Every core input and command, when asked for; the feed core and the engine share it.
            using CoreJournal? journal = journalPath is null ? null : CoreJournal.Create(journalPath);
            CoreSetup setup = DemoCore.Setup(spec, node: 1, epoch: (uint)(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 % 1_679_615));
            // JIT warm-up on a throwaway core with the same composition, before the live core sees a frame.
            CoreWarmup.Result warm = CoreWarmup.Run(setup);
            output.WriteLine($"warm-up: {warm.Frames} frames, {warm.Commands} commands, {warm.Fills} fills on a throwaway core in {warm.Elapsed.TotalMilliseconds:F0} ms");
            CoreParts parts = CoreComposition.Build(feed.Core, setup, clock, new FileSequenceReservation(Path.Combine(stateDir, "client-order-ids.hwm")),
                t => { lock (riskTransitions) riskTransitions.Add($"{DateTime.UtcNow:HH:mm:ss} {t}"); }, null, journal);
            TradingEngine engine = parts.Engine;
            ExecutionEngine execution = parts.Execution;
            engine.Store = store;
            engine.FaultObserver = reason => { lock (riskTransitions) riskTransitions.Add($"{DateTime.UtcNow:HH:mm:ss} FAULT, trading halted: {reason}"); };

            // 4. Order entry over the WebSocket API with the simulator's published demo key.
            var key = config.Accounts[0].Keys[0];
            var credentials = new BinanceCredentials(key.ApiKey, key.Secret);
            await using var gateway = new BinanceOrderGateway([new BinanceOrderInstrument(0, symbol, simSymbol.BaseAsset, simSymbol.QuoteAsset)],
                credentials, new ClientOrderIdFormat("fx"), engine, BinanceOrderGatewayOptions.Local(server.BaseAddress), http, time);
            await gateway.StartAsync(stop.Token);
            gateway.TickToWire = engine.Latency.TickToWire;
            gateway.TickToWireQueued = engine.Latency.TickToWireQueued;
            engine.AttachGateway(gateway);
            engine.Start();
            await using var metrics = await MetricsServer.StartAsync(feed.CoreLock, engine, feed.Books, metricsPort, stop.Token);
            onMetrics?.Invoke(metrics.Address);

            // Trading: keep blocking gen2 collections away while quoting (workstation concurrent GC is the default).
            var previousLatency = System.Runtime.GCSettings.LatencyMode;
            System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
            var started = Stopwatch.StartNew();
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            Task feedTask = feed.RunAsync(stop.Token);
            Task timers = EngineHost.RunTimersAsync(engine, TimeSpan.FromMilliseconds(20), time, stop.Token, setup.Limits.TradingDayStartOffsetNs);
            if (durationSeconds is double d)
                stop.CancelAfter(TimeSpan.FromSeconds(d));

            bool terminal = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
            output.WriteLine($"fathom demo: simulator at {server.BaseAddress} ({regime} flow, seed {seed}); market making {symbol}; metrics at {metrics.Address}metrics. " +
                (durationSeconds is null ? "Ctrl+C stops (cancels all orders first)." : $"Running {durationSeconds} s."));
            // On a terminal the Spectre live dashboard redraws itself in place until stop; keys are still polled below.
            Task dashboard = terminal
                ? DemoDashboard.RunLiveAsync(Spectre.Console.AnsiConsole.Console,
                    new DashboardSampler(feed.CoreLock, engine, feed.Books[0], spec, feed.Counters, sim, riskTransitions, feedTransitions),
                    started, stop.Token)
                : Task.CompletedTask;
            try
            {
                long nextRender = 0;
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), time, stop.Token);
                    if (terminal)
                        HandleKeys(engine, stop);
                    else if (started.ElapsedMilliseconds >= nextRender)
                    {
                        nextRender = started.ElapsedMilliseconds + 1000;
                        Render(output, engine, feed, spec, started.Elapsed);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            await dashboard; // the last frame stays on screen; the summary goes below it

            // 5. Shutdown: stop quoting, cancel all, wait for the venue to confirm, then stop.
            System.Runtime.GCSettings.LatencyMode = previousLatency;
            engine.Stop();
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (OpenOrders(feed, execution) > 0 && DateTime.UtcNow < deadline)
                await Task.Delay(50);
            int leftOpen = OpenOrders(feed, execution);
            await feed.DisposeAsync();
            try { await feedTask.WaitAsync(TimeSpan.FromSeconds(5)); } catch (Exception ex) when (ex is OperationCanceledException or TimeoutException) { }
            await timers;
            CoreComposition.DetachJournal(feed.Core, engine);

            PrintSummary(output, engine, feed, spec, started.Elapsed, leftOpen, GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
            try
            {
                await store.FlushAsync(TimeSpan.FromSeconds(5));
                if (journal is not null)
                    output.WriteLine($"  journal: {journal.Sequence} inputs in {journalPath}{(journal.Dropped > 0 ? $", {journal.Dropped} records DROPPED (replay cannot be exact)" : "")}");
                output.WriteLine($"  store: {store.LoadFills().Count} fills and {store.CountTransitions()} order state changes in {store.Path} (this run wrote {store.Written} records)");
            }
            catch (TimeoutException ex)
            {
                error.WriteLine($"error: {ex.Message}");
                return 1;
            }
            return leftOpen == 0 && !engine.StrategyHalted ? 0 : 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>p pause/resume, f flatten, h halt, r resume, q quit: operator inputs into the core.</summary>
    private static void HandleKeys(TradingEngine engine, CancellationTokenSource stop)
    {
        try
        {
            while (Console.KeyAvailable)
            {
                switch (char.ToLowerInvariant(Console.ReadKey(intercept: true).KeyChar))
                {
                    case 'p': if (engine.Paused) engine.Resume(); else engine.Pause(); break;
                    case 'f': engine.Flatten(); break;
                    case 'h': engine.Halt(); break;
                    case 'r': engine.Resume(); break;
                    case 'q': stop.Cancel(); break;
                }
            }
        }
        catch (InvalidOperationException)
        {
            // No console to read keys from (redirected input): the dashboard still runs.
        }
    }

    private static int OpenOrders(BinanceMarketDataFeed feed, ExecutionEngine execution)
    {
        Span<OrderView> orders = stackalloc OrderView[64];
        lock (feed.CoreLock)
            return execution.LiveOrders(0, orders);
    }

    private static string Px(InstrumentSpec spec, long raw) => FixedPoint.ToString(raw, spec.PriceDecimals).TrimEnd('0').TrimEnd('.');
    private static string Qx(InstrumentSpec spec, long raw) => FixedPoint.ToString(raw, spec.QtyDecimals).TrimEnd('0').TrimEnd('.') is { Length: > 0 } s ? s : "0";
    private static string Money(InstrumentSpec spec, long raw) => (raw / (double)FixedPoint.Pow10(spec.PriceDecimals)).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>One plain line per call, for redirected output (logs, CI); the terminal gets <see cref="DemoDashboard"/>.</summary>
    private static void Render(TextWriter o, TradingEngine engine, BinanceMarketDataFeed feed, InstrumentSpec spec, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        lock (feed.CoreLock)
        {
            BookSync sync = feed.Books[0];
            OrderBook book = sync.Book;
            Span<OrderView> orders = stackalloc OrderView[64];
            int n = engine.Execution.LiveOrders(0, orders);
            PositionView pos = engine.Execution.Position(0);
            sb.Append(CultureInfo.InvariantCulture, $"[{elapsed:mm\\:ss}] {spec.Symbol} {sync.State} ");
            if (book.IsTwoSided)
                sb.Append(CultureInfo.InvariantCulture, $"{Px(spec, book.PriceOf(book.BestBidTick).Raw)}/{Px(spec, book.PriceOf(book.BestAskTick).Raw)} ");
            sb.Append(CultureInfo.InvariantCulture, $"orders {n} fills {engine.Fills} pos {Qx(spec, pos.Position.Raw)} pnl {Money(spec, pos.RealizedPnl + pos.UnrealizedPnl - pos.FeesPaid)} ");
            sb.Append(CultureInfo.InvariantCulture, $"risk {engine.Execution.Risk.State} tick-to-order p50 {P(engine.Latency.TickToOrder, 50)} p99.9 {P(engine.Latency.TickToOrder, 99.9)}");
        }
        o.WriteLine(sb.ToString());
    }

    private static string P(HdrHistogram.HistogramBase h, double percentile) =>
        h.TotalCount == 0 ? "-" : $"{h.GetValueAtPercentile(percentile) / 1e3:F1}µs";

    private static void PrintSummary(TextWriter o, TradingEngine engine, BinanceMarketDataFeed feed, InstrumentSpec spec, TimeSpan elapsed,
        int leftOpen, int gen0, int gen1, int gen2)
    {
        PositionView pos = engine.Execution.Position(0);
        var c = engine.Execution.Counters;
        o.WriteLine();
        o.WriteLine($"summary after {elapsed.TotalSeconds:F1} s");
        string byRule = string.Join(", ", Enum.GetValues<Fathom.Risk.RiskDecision>()
            .Where(d => engine.Execution.Risk.Counters.RefusedBy(d) > 0)
            .Select(d => $"{d} {engine.Execution.Risk.Counters.RefusedBy(d)}"));
        o.WriteLine($"  orders: {c.Places} placed, {c.Cancels} cancels, {c.CancelReplaces} replaces, {c.Amends} amends, {c.RiskRefusals} refused by risk" +
            $"{(byRule.Length > 0 ? $" ({byRule})" : "")}; open at exit {leftOpen}");
        o.WriteLine($"  fills: {engine.Fills}; position {Qx(spec, pos.Position.Raw)}; PnL realized {Money(spec, pos.RealizedPnl)}, unrealized {Money(spec, pos.UnrealizedPnl)}, fees {Money(spec, pos.FeesPaid)}");
        o.WriteLine($"  risk: {engine.Execution.Risk.State}; strategy {(engine.StrategyHalted ? "HALTED: " + engine.StrategyError : "ok")}");
        o.WriteLine($"  tick-to-order: {EngineLatency.Describe(engine.Latency.TickToOrder)}");
        o.WriteLine($"  tick-to-wire: {EngineLatency.Describe(engine.Latency.TickToWire)}; queued behind another: {EngineLatency.Describe(engine.Latency.TickToWireQueued)}");
        o.WriteLine($"  core per event: {EngineLatency.Describe(engine.Latency.CoreCost)}");
        o.WriteLine($"  feed: {feed.Books[0].Counters.DiffsApplied} diffs, {feed.Books[0].Counters.Gaps} gaps, {feed.Counters.Disconnects} disconnects");
        o.WriteLine($"  GCs: gen0 {gen0}, gen1 {gen1}, gen2 {gen2}");
    }
}
