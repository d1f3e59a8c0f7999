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
using Fathom.Hosting.Cluster;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Persistence.Coordination;
using Fathom.Risk;
using Fathom.Simulator;
using Fathom.Strategies;
using Fathom.Strategy.Abstractions;
using Fathom.Venues.Binance;
using Fathom.Venues.Okx;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom demo</c>: the whole system in one process with no keys and no set-up. The simulator
/// (a Binance-compatible exchange with synthetic order flow) listens on loopback; Fathom connects to
/// it exactly as it would to Binance (market-data WebSocket + REST snapshots, WebSocket API order
/// entry with the simulator's demo key), and trades the sample market maker through execution and
/// risk. <c>--venue okx</c> trades the same exchange through its OKX v5 front instead (the OKX feed and
/// order gateway, the demo key with its passphrase; the symbol as OKX names it, BTC-USDT). A live dashboard shows the ladder with our orders, signals, position and PnL, risk state,
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
        var venueName = new Option<string>("--venue")
        {
            Description = "Which of the simulator's fronts to trade through: binance (its Binance API) or okx (its OKX v5 API, with the OKX feed and order gateway).",
            DefaultValueFactory = _ => "binance",
        };
        venueName.AcceptOnlyFromAmong("binance", "okx");
        var journal = new Option<FileInfo?>("--journal") { Description = "Write every core input and command to this journal (check it with `fathom replay --journal`)." };
        var (rotateMb, rotateMinutes) = JournalRotationOptions.Create();
        var command = new Command("demo", "Simulator, engine, sample market maker and a live dashboard in one process: no keys, no set-up.")
        {
            duration, symbol, seed, regime, venueName, metricsPort, journal, rotateMb, rotateMinutes,
        };
        command.SetAction((parse, cancel) => RunAsync(parse.GetValue(duration), parse.GetValue(symbol)!.ToUpperInvariant(),
            parse.GetValue(seed), parse.GetValue(regime)!, output, error, cancel, parse.GetValue(metricsPort),
            journalPath: parse.GetValue(journal)?.FullName, journalRotation: JournalRotationOptions.Read(parse, rotateMb, rotateMinutes),
            okx: parse.GetValue(venueName) == "okx"));
        return command;
    }

    internal static async Task<int> RunAsync(double? durationSeconds, string symbol, int seed, string regime,
        TextWriter output, TextWriter error, CancellationToken cancel, int metricsPort = 0, Action<Uri>? onMetrics = null,
        string? journalPath = null, JournalRotation? journalRotation = null, Action<int>? onSimulator = null, bool okx = false,
        Action<Func<string, Task>>? onSimulatorConsole = null, Action<Action<char>>? onKeys = null)
    {
        if (durationSeconds is double seconds && !(seconds > 0 && seconds <= RunCommand.MaxDurationSeconds))
            throw new HostInputException($"--duration must be a positive number of seconds, at most {RunCommand.MaxDurationSeconds} (30 days)");
        TimeProvider time = TimeProvider.System;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
        bool trading = false;
        try
        {
            // 1. The exchange: this same binary running `fathom sim` in a child process on a free loopback port, with
            // seeded synthetic flow, so its allocations, collections and threads are not the engine's. It shares the
            // built-in demo config, so its published demo key and balances are known here.
            var config = SimulatorConfig.Demo();
            config.Seed = (ulong)seed;
            SimulatorConfig.SymbolConfig? simSymbol = config.Symbols.FirstOrDefault(s => s.Symbol == symbol);
            if (simSymbol is null)
            {
                error.WriteLine($"error: the demo simulator lists {string.Join(", ", config.Symbols.Select(s => s.Symbol))}, not {symbol}.");
                return 2;
            }
            await using var sim = await SimulatorChild.StartAsync(
                ["--seed", seed.ToString(CultureInfo.InvariantCulture), "--flow", regime, "--flow-interval-ms", "25"], TimeSpan.FromSeconds(60), stop.Token);

            // 2. Fathom, connected as to a real venue (metadata over REST, market data over WebSocket, order
            // entry over the WebSocket API, logged on once with the simulator's published demo Ed25519 key), on the same host as `fathom run`.
            // With --venue okx the same exchange is reached through its OKX v5 front (public/instruments, the OKX feed, the
            // private WebSocket with the demo key's passphrase): the engine trades the symbol as OKX names it (BTC-USDT).
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var key = config.Accounts[0].Keys[0];
            var edKey = config.Accounts[0].Keys.FirstOrDefault(k => k.Ed25519PrivateKey is not null);
            (IVenue venue, InstrumentSpec spec) = okx
                ? await OkxVenueAsync(sim.BaseAddress, simSymbol, key, http, time, stop.Token)
                : await BinanceVenueAsync(sim.BaseAddress, simSymbol, key, edKey, http, time, stop.Token);
            string traded = spec.Symbol;

            // Its own fresh, locked state directory ($TMPDIR/fathom-demo-XXXXXX): two demos at once never share client-id
            // files. Each demo run starts a fresh exchange whose trade ids restart at 1, so it starts a fresh store too.
            using StateDirectory state = StateDirectory.CreateForDemo();
            (string controlToken, string? controlTokenPath) = ControlToken.Provision(state.Path, Environment.GetEnvironmentVariable);
            // The embedded default coordination: a local lease, as `fathom run` holds one. Its epoch (a durable
            // counter in the state directory) is the fencing epoch in every client order id; its keeper binds the
            // engine's sends to the lease's deadline like a cluster member's.
            await using var coordination = new LocalCoordination(Path.Combine(state.Path, "lease-epoch"), time);
            await using var keeper = new LeaseKeeper(coordination, ClusterSettings.Local("fathom-demo", "fathom-sim"),
                $"demo/pid-{Environment.ProcessId}", 1, new MonotonicClock(time), time);
            LeaseGrant lease = await keeper.AcquireAsync(_ => { }, stop.Token);
            await using var host = await EngineHost.StartAsync(new EngineHostOptions
            {
                Venue = venue,
                // The sample market maker (DemoCore: the same composition a journal replay builds).
                Core = DemoCore.Setup(spec, node: 1, epoch: lease.Epoch),
                IdReservation = new FileSequenceReservation(Path.Combine(state.Path, "client-order-ids.hwm")),
                IdFormat = new ClientOrderIdFormat("fx"),
                JournalPath = journalPath,
                JournalRotation = journalRotation,
                StorePath = Path.Combine(state.Path, "fathom.db"),
                FreshStore = true,
                MetricsPort = metricsPort,
                ControlToken = controlToken,
                Time = time,
                // The demo account starts with the configured balance of the base asset and no position: the
                // restart reconciliation's balance check holds it to that (a fresh store, a fresh exchange).
                BalanceChecks = [new BalanceCheck(simSymbol.BaseAsset, [traded],
                    decimal.ToInt64(decimal.Parse(config.Accounts[0].Balances.GetValueOrDefault(simSymbol.BaseAsset, "0"), CultureInfo.InvariantCulture) * 100_000_000m),
                    Tolerance: 0)],
                ExtraMetrics = keeper.Metrics,
            }, stop.Token);
            await keeper.AttachAsync(host, stop.Token);
            using var onLeaseLost = keeper.Lost.Register(stop.Cancel);
            if (host.Reconciliation is { } rec)
                foreach (string line in rec.BalanceLines)
                    output.WriteLine("balance check: " + line);
            using var onStopRequest = host.StopRequested.Register(stop.Cancel);
            if (host.Warmup is { } warm)
                output.WriteLine($"warm-up: {warm.Frames} frames, {warm.Commands} commands, {warm.Fills} fills on a throwaway core in {warm.Elapsed.TotalMilliseconds:F0} ms");
            onMetrics?.Invoke(host.MetricsAddress);
            onSimulator?.Invoke(sim.ProcessId);
            onSimulatorConsole?.Invoke(sim.SendAsync); // a line to the child's fault console (tests)
            // The fault keys (1 depth gap, 2 feed drop, 3 order-entry drop, 4 slow acks, 5 429s, 0 clear): a line to the child's
            // fault console. A line that cannot be written (the child gone) is shown; the child's death itself halts trading.
            void OnKey(char key)
            {
                if (DemoFaultKeys.Command(key) is not { } fault)
                    return;
                _ = sim.SendAsync(fault).ContinueWith(
                    t => error.WriteLine($"warning: fault key {key} ({fault}) did not reach the simulator: {t.Exception!.GetBaseException().Message}"),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
            onKeys?.Invoke(OnKey); // the same handler the terminal's keys reach (tests)

            // The exchange dying is a fault like any other: trading halts with the reason (dashboard, /health, status and
            // log), through the engine's one input door; the operator then stops the demo (its cancels cannot reach anyone).
            string SimDied() => $"the simulator process (pid {sim.ProcessId}) exited with code {sim.Exited.Result}";
            _ = sim.Exited.ContinueWith(t =>
            {
                if (!sim.Stopping)
                    host.Engine.ReportFault(EngineFault.Venue, SimDied());
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            bool simDeathShown = false;
            // Order entry that stopped for good (a refused key or login) halts with its reason, once; a reconnect's reason,
            // and a failed clock re-sync's, are shown once per new reason.
            var orderEntry = new OrderEntryWatch(venue,
                halted: reason => error.WriteLine($"error: {reason}; trading HALTED (q or Ctrl+C stops the demo)."),
                warning: reason => error.WriteLine($"warning: {reason}"));

            host.StartTrading();
            trading = true;
            var started = Stopwatch.StartNew();
            if (durationSeconds is double d)
                stop.CancelAfter(TimeSpan.FromSeconds(d));

            bool terminal = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
            output.WriteLine($"fathom demo: simulator at {sim.BaseAddress} ({regime} flow, seed {seed}); market making {traded} through its {(okx ? "OKX v5" : "Binance")} front; metrics at {host.MetricsAddress}metrics; " +
                $"control: POST {host.MetricsAddress}control/{{halt|resume|pause|flatten|stop}} with the token in {controlTokenPath ?? ControlToken.Variable}. " +
                (durationSeconds is null ? "Ctrl+C stops (cancels all orders first)." : $"Running {durationSeconds} s."));
            // On a terminal the Spectre live dashboard redraws itself in place until stop; keys are still polled below.
            Task dashboard = terminal
                ? DemoDashboard.RunLiveAsync(Spectre.Console.AnsiConsole.Console,
                    new DashboardSampler(host.CoreLock, host.Engine, host.Books[0], spec, (host.Feed as BinanceMarketDataFeed)?.Counters,
                        $"{regime} (simulator pid {sim.ProcessId})", host.RiskTransitionLog, host.FeedTransitionLog),
                    started, stop.Token)
                : Task.CompletedTask;
            try
            {
                long nextStatus = 0;
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), time, stop.Token);
                    orderEntry.Poll(host.Engine);
                    if (!simDeathShown && sim.Exited.IsCompleted && !sim.Stopping)
                    {
                        simDeathShown = true;
                        error.WriteLine($"error: {SimDied()}; trading HALTED (q or Ctrl+C stops the demo). Its last output:\n{sim.RecentOutput()}");
                    }
                    if (terminal)
                        host.HandleKeys(TextWriter.Null, OnKey); // the dashboard shows the effect
                    else if (started.ElapsedMilliseconds >= nextStatus)
                    {
                        nextStatus = started.ElapsedMilliseconds + 1000;
                        output.Write(host.Status());
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            await dashboard; // the last frame stays on screen; the summary goes below it

            // 3. Shutdown, as `fathom run`'s: stop quoting, cancel all, wait for the venue to confirm, check with it, flush the store.
            await keeper.DetachAsync();
            ShutdownReport report = await host.StopAsync(TimeSpan.FromSeconds(5));
            await keeper.ReleaseAsync(CancellationToken.None);
            if (keeper.LostReason is { } lost)
                error.WriteLine($"error: the demo's lease was lost: {lost}");
            output.WriteLine();
            output.Write(host.Summary(report));
            if (host.Journal is { } journal)
                output.WriteLine($"  journal: {journal.Sequence} inputs in {journalPath}{(journal.Segment > 0 ? $" and {journal.Segment} later segments" : "")}{(journal.Dropped > 0 ? $", {journal.Dropped} records DROPPED (replay cannot be exact)" : "")}");
            if (report.Problems.Count == 0)
                return 0;
            error.WriteLine("error: shutdown was not clean:");
            foreach (string p in report.Problems)
                error.WriteLine("  " + p);
            return 1;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !trading)
        {
            // Ctrl+C or SIGTERM while the simulator, the venue's metadata or the engine were still starting: no quote was
            // placed, and the simulator child goes with its handle. A stop, not a failure.
            output.WriteLine("stopped before trading started; nothing was placed.");
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// The demo account's Ed25519 key when the simulator publishes its private half: the gateway logs the WebSocket API
    /// session on once (<c>session.logon</c>) and sends unsigned requests after, as Binance advises for the WebSocket
    /// API, so no order waits for a signature and the core's rehearsal encodes its frames. Otherwise the HMAC key
    /// (every request signed).
    /// </summary>
    private static BinanceCredentials BinanceDemoCredentials(SimulatorConfig.KeyConfig hmac, SimulatorConfig.KeyConfig? ed25519) =>
        ed25519?.Ed25519PrivateKey is { } seed
            ? new BinanceCredentials(ed25519.ApiKey, ed25519PrivateKey: Convert.FromBase64String(seed))
            : new BinanceCredentials(hmac.ApiKey, hmac.Secret);

    /// <summary>The simulator's Binance front: exchangeInfo, the combined streams, the WebSocket API.</summary>
    private static async Task<(IVenue, InstrumentSpec)> BinanceVenueAsync(Uri sim, SimulatorConfig.SymbolConfig symbol, SimulatorConfig.KeyConfig key,
        SimulatorConfig.KeyConfig? edKey, HttpClient http, TimeProvider time, CancellationToken cancel)
    {
        var endpoints = BinanceEndpoints.Local(sim);
        var rest = new BinanceRestClient(http, endpoints, new RestWeightLimiter(time));
        InstrumentSpec spec = (await rest.GetExchangeInfoAsync([symbol.Symbol], cancel))[symbol.Symbol];
        var venue = new BinanceVenue("fathom-sim", endpoints, BinanceOrderGatewayOptions.Local(sim),
            BinanceDemoCredentials(key, edKey), [new BinanceOrderInstrument(0, symbol.Symbol, symbol.BaseAsset, symbol.QuoteAsset)], http, time);
        return (venue, spec);
    }

    /// <summary>The simulator's OKX v5 front: public/instruments (with instIdCode), /ws/v5/public, /ws/v5/private.</summary>
    private static async Task<(IVenue, InstrumentSpec)> OkxVenueAsync(Uri sim, SimulatorConfig.SymbolConfig symbol, SimulatorConfig.KeyConfig key,
        HttpClient http, TimeProvider time, CancellationToken cancel)
    {
        var endpoints = OkxEndpoints.Local(sim);
        var rest = new OkxRestClient(http, endpoints, time, http.Timeout);
        string instId = $"{symbol.BaseAsset}-{symbol.QuoteAsset}";
        var listed = await rest.GetListedInstrumentsAsync("SPOT", cancel);
        if (!listed.TryGetValue(instId, out var instrument))
            throw new HostInputException($"the simulator's OKX front does not list {instId}");
        var venue = new OkxVenue("fathom-sim-okx", endpoints, OkxOrderGatewayOptions.Local(sim),
            new OkxCredentials(key.ApiKey, key.Secret!, key.Passphrase ?? SimulatorConfig.DemoPassphrase), [instrument.ToOrderInstrument(0)], http, time);
        return (venue, instrument.Spec);
    }
}
