using System.Globalization;
using System.Runtime.CompilerServices;
using Fathom.Hosting.Cluster;
using Fathom.Persistence.Coordination;
using Fathom.Persistence.Postgres;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;
using ZLogger;

namespace Fathom.Hosting.Run;

/// <summary>Test seams of <see cref="TradingRun.RunAsync"/>; production uses the defaults.</summary>
internal sealed record RunHooks
{
    /// <summary>Where credentials are read from (the process environment unless a test supplies its own).</summary>
    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;
    /// <summary>Called once reconciliation is done and the engine is connected, right before the strategy starts quoting.</summary>
    public Action<EngineHost>? OnQuoting { get; init; }
}

/// <summary>What a run is given besides its config file: the strategies, configuration and log sinks of its host.</summary>
internal sealed record RunEnvironment
{
    /// <summary>Where the symbols' strategies are built from by name.</summary>
    public StrategyCatalog Strategies { get; init; } = StrategyCatalog.CreateDefault();
    /// <summary>The config file layered with environment and command line; null: the file alone.</summary>
    public IConfiguration? Configuration { get; init; }
    /// <summary>More logging providers (a test's, a program's own).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
    /// <summary>How the run introduces itself on its first line (<c>fathom run</c>, or the program's name).</summary>
    public string Title { get; init; } = "fathom run";
    /// <summary>When the <c>--journal</c> starts its next segment; null: one file.</summary>
    public JournalRotation? JournalRotation { get; init; }
}

/// <summary>
/// A live trading run, for <c>fathom run</c> and <see cref="FathomHost"/> alike: live spot trading on Binance (testnet unless the config says
/// <c>binance-mainnet</c> and the command line says <c>--mainnet</c>) or OKX (demo trading unless the config says <c>okx</c> and the
/// command line says <c>--mainnet</c>); the venue's own part is a <see cref="RunVenueBinding"/>, the rest goes through <see cref="IVenue"/>. In order: validate the config (no
/// network), check the mainnet gate, lock the state directory and check its files (client-id high-water
/// mark, trade store) and make the control token, read the credentials (environment only), print the
/// effective config with secrets redacted, read the venue's instrument list (exchangeInfo, public/instruments) and finish validation, reconcile (cancel the orders a previous
/// run left, print balances), compose the engine (<see cref="EngineHost"/>) and quote until Ctrl+C,
/// SIGTERM, <c>q</c>, <c>POST /control/stop</c> or <c>--duration</c>; then stop quoting, cancel all, wait
/// for the venue to confirm, check with the venue and flush the store.
/// </summary>
/// <remarks>Exit codes: 0 clean; 1 a run-time failure or a shutdown that left something open; 2 a config or usage error (nothing was sent).</remarks>
internal static class TradingRun
{
    public const int ExitClean = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;

    /// <summary>The longest <c>--duration</c> (a timer's limit is about 49 days; leave it out to run until stopped).</summary>
    public const double MaxDurationSeconds = 30 * 86_400;

    internal static async Task<int> RunAsync(string configPath, bool mainnet, double? durationSeconds, TextWriter output, TextWriter error,
        CancellationToken cancel, RunHooks? hooks = null, string? journalPath = null, RunEnvironment? environment = null)
    {
        hooks ??= new RunHooks();
        environment ??= new RunEnvironment();

        // 1. Everything that can be checked without the network, before any connection is made.
        RunConfig config;
        try
        {
            config = RunConfig.Load(configPath, environment.Strategies, environment.Configuration);
        }
        catch (RunConfigException ex)
        {
            return ConfigErrors(error, configPath, ex);
        }
        IConfiguration configuration = environment.Configuration ?? new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(configPath)).Build();
        using ILoggerFactory logs = HostLogging.Create(config.Logging, configuration, environment.ConfigureLogging);
        ILogger log = logs.CreateLogger(HostLogging.Category);
        log.ZLogInformation($"{environment.Title}: config {config.SourcePath}, venue {config.VenueName}, symbols {string.Join(", ", config.Symbols.Select(s => $"{s.Symbol} ({s.StrategyName})"))}");
        if (config.IsMainnet && !mainnet)
        {
            error.WriteLine($"error: {configPath} selects {config.VenueName} (real money) but --mainnet was not given; refusing to start. " +
                $"Run against {(config.Okx is null ? "binance-testnet" : "okx-demo")} first; add --mainnet only when you mean it.");
            return ExitUsage;
        }
        if (mainnet && !config.IsMainnet)
        {
            error.WriteLine($"error: --mainnet was given but {configPath} selects {config.VenueName}; refusing to start (set \"venue\": \"binance-mainnet\" to trade on mainnet).");
            return ExitUsage;
        }
        if (durationSeconds is double seconds && !(seconds > 0 && seconds <= MaxDurationSeconds))
        {
            error.WriteLine($"error: --duration must be a positive number of seconds, at most {MaxDurationSeconds} (30 days); leave it out to run until stopped.");
            return ExitUsage;
        }

        // The state directory is this process's alone from here to exit (another process using it would
        // issue the same client order ids and cancel our orders at its reconciliation). Its files are
        // checked now, so a corrupt one is an input error before anything is sent. These throw
        // HostInputException / InvalidDataException, which the command's guard (CliErrors) reports.
        using var state = StateDirectory.Acquire(config.StateDirectory);
        var reservation = new FileSequenceReservation(config.ClientOrderIdHighWaterPath);
        TradeStoreOptions store = config.StoreOptions(hooks.GetVariable);
        await CheckStoreAsync(store, [.. config.Symbols.Select(s => s.Symbol)], config.InstanceId).ConfigureAwait(false);
        (string controlToken, string? controlTokenPath) = ControlToken.Provision(state.Path, hooks.GetVariable);

        RunVenueBinding? binding;
        string missingCredentials;
        try
        {
            binding = RunVenueBinding.FromEnvironment(config, hooks.GetVariable, out missingCredentials);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or FormatException or ArgumentException
            or System.Security.Cryptography.CryptographicException)
        {
            error.WriteLine($"error: credentials: {ex.Message}");
            log.ZLogError($"credentials: {ex.Message}");
            return ExitUsage;
        }
        if (binding is null)
        {
            error.WriteLine($"error: {missingCredentials}");
            return ExitUsage;
        }

        // 2. The effective configuration; the only credential text ever printed is a short key prefix.
        output.WriteLine($"{environment.Title}{(config.IsMainnet ? " — MAINNET: real money" : "")}");
        log.ZLogInformation($"credentials from the environment: {binding.Redacted}; state directory {state.Path} locked");
        output.Write(config.Describe());
        output.WriteLine($"  credentials (from the environment): {binding.Redacted}");
        output.WriteLine($"  state directory locked ({Path.Combine(state.Path, StateDirectory.LockFileName)}); control token " +
            (controlTokenPath is null ? $"from {ControlToken.Variable}" : $"in {controlTokenPath} (mode 0600)"));
        output.Flush();

        TimeProvider time = TimeProvider.System;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
        bool reconciled = false;
        try
        {
            // The journal: --journal and each --journal-rotate-* limit override the config file's "journal".
            string? journal = journalPath ?? config.Journal.PathFor(time.GetUtcNow());
            if (journalPath is null && journal is not null)
                Directory.CreateDirectory(Path.GetDirectoryName(journal)!);
            // The coordination service: a local lease (one instance), or PostgreSQL (several; the store's database).
            await using ICoordinationService coordination = await OpenCoordinationAsync(config, hooks.GetVariable, stop.Token).ConfigureAwait(false);
            output.WriteLine($"coordination: {coordination.Describe()}, scope '{config.Cluster.Scope}'");
            string holder = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/pid-{Environment.ProcessId}/node-{config.InstanceId}/{Guid.NewGuid().ToString("N")[..8]}");
            return await RunConnectedAsync(config, binding, reservation, store, controlToken, durationSeconds, output, error, hooks, time, stop,
                () => reconciled = true, journal, RunJournal.Merge(environment.JournalRotation, config.Journal.Rotation), log, coordination, holder).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped before quoting started: this run placed nothing.
            if (reconciled)
            {
                log.ZLogInformation($"stopped before quoting started; nothing was placed");
                output.WriteLine("stopped before quoting started; nothing was placed.");
                return ExitClean;
            }
            error.WriteLine("error: stopped before reconciliation finished; orders a previous run left may still be open at the venue.");
            log.ZLogError($"stopped before reconciliation finished; orders a previous run left may still be open at the venue");
            return ExitFailure;
        }
        catch (Exception ex) when (binding.IsVenueFailure(ex) || ex is HttpRequestException or TimeoutException or System.Net.WebSockets.WebSocketException
            or OperationCanceledException or System.Text.Json.JsonException or IOException or System.Data.Common.DbException)
        {
            error.WriteLine($"error: {ex.Message}");
            log.ZLogError($"run failed: {ex.GetType().Name}: {ex.Message}");
            return ExitFailure;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The run's coordination service: local (the epoch counter in the state directory) or PostgreSQL (the store's database).</summary>
    internal static async Task<ICoordinationService> OpenCoordinationAsync(RunConfig config, Func<string, string?> getVariable, CancellationToken cancel)
    {
        if (config.Cluster.Kind == CoordinationKind.Local)
            return new LocalCoordination(config.LeaseEpochPath);
        TradeStoreOptions store = config.StoreOptions(getVariable);
        try
        {
            return await PgCoordination.OpenAsync(store.ConnectionString!, cancel).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CoordinationUnavailableException or ArgumentException or InvalidOperationException)
        {
            throw new HostInputException($"the coordination service ({store.Describe()}) cannot be opened: {ex.Message}", ex);
        }
    }

    /// <summary>One <c>error:</c> line per problem, each naming the file and the JSON path.</summary>
    private static int ConfigErrors(TextWriter error, string path, RunConfigException ex)
    {
        foreach (string e in ex.Errors)
            error.WriteLine($"error: {path}: {e.ReplaceLineEndings(" ").Trim()}");
        return ExitUsage;
    }

    /// <summary>
    /// Opens the trade store once and closes it (creating it when missing), so a file that is not a
    /// database, a server that cannot be reached or a schema from a newer build is reported now, before the
    /// venue is contacted, instead of failing the engine's start. An older schema is migrated here (keyed by
    /// the config's symbols, in their order).
    /// </summary>
    private static async Task CheckStoreAsync(TradeStoreOptions options, IReadOnlyList<string> symbols, ushort node)
    {
        try
        {
            await using var store = options.Open(symbols, node);
        }
        catch (SqliteException ex)
        {
            throw new HostInputException($"the trade store {options.Describe()} is not a readable SQLite database: {ex.Message} " +
                "(restore it from a backup, or move it aside to start an empty one)", ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException)
        {
            // Npgsql's messages name the server, the user or a keyword, never the password.
            throw new HostInputException($"the trade store {options.Describe()} cannot be opened: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new HostInputException($"the trade store {options.Describe()}: {ex.Message}", ex);
        }
    }

    private static async Task<int> RunConnectedAsync(RunConfig config, RunVenueBinding binding, FileSequenceReservation reservation, TradeStoreOptions store, string controlToken,
        double? durationSeconds, TextWriter output, TextWriter error, RunHooks hooks, TimeProvider time, CancellationTokenSource stop, Action onReconciled,
        string? journalPath, JournalRotation? journalRotation, ILogger log, ICoordinationService coordination, string holder)
    {
        // 3. The venue's instrument specs finish the validation (listing, status, step sizes).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        (Dictionary<string, InstrumentSpec> venueSpecs, string? listProblem) = await binding.ListInstrumentsAsync(config, http, time, stop.Token).ConfigureAwait(false);
        if (listProblem is not null)
        {
            error.WriteLine($"error: {config.SourcePath}: {listProblem}");
            log.ZLogError($"{listProblem}");
            return ExitUsage;
        }
        ResolvedRun resolved;
        try
        {
            resolved = config.Resolve(venueSpecs);
        }
        catch (RunConfigException ex)
        {
            return ConfigErrors(error, config.SourcePath, ex);
        }
        foreach (var spec in resolved.Specs)
            output.WriteLine($"  {spec.Symbol} on the venue: tick {Decimal(spec.TickSize.Raw, spec.PriceDecimals)}, step {Decimal(spec.StepSize.Raw, spec.QtyDecimals)}, " +
                $"min qty {Decimal(spec.MinQty.Raw, spec.QtyDecimals)}, min notional {Decimal(spec.MinNotional.Raw, spec.PriceDecimals)}, status {spec.Status}");

        // 4. Durable client ids (the high-water file was read at start): a crash can skip ids, never reuse one.
        // The epoch in every id is the lease's fencing epoch: any order traces back to the lease that sent it.
        var format = new ClientOrderIdFormat(config.ClientOrderIdPrefix);
        ClusterSettings cluster = config.Cluster.ToSettings(resolved.Specs, config.Store.ConnectionStringVariable);
        var clock = new MonotonicClock(time);
        var durationArmed = new StrongBox<bool>(false);
        // The JIT warm-up once per process, before standing by (a throwaway core that cannot send): a takeover
        // then composes a warm engine at once instead of spending it after the lease is taken.
        if (config.WarmupFrames > 0)
        {
            var warmVenue = binding.CreateVenue(config, config.Symbols, http, time);
            var warm = warmVenue.WarmUp(new CoreSetup(resolved.Specs, resolved.Limits, resolved.Strategies, config.Execution, config.InstanceId, 0),
                config.WarmupFrames, config.Strategies);
            output.WriteLine($"warm-up: {warm.Frames} frames per instrument, {warm.Commands} commands, {warm.Fills} fills on a throwaway core in {warm.Elapsed.TotalMilliseconds:F0} ms");
            log.ZLogInformation($"warm-up: {warm.Frames} frames per instrument, {warm.Commands} commands, {warm.Fills} fills in {warm.Elapsed.TotalMilliseconds:F0} ms");
        }
        int worst = ExitClean;
        bool tradedBefore = false;
        while (true)
        {
            // 5. The lease: standby until this instance may send for its scope, then the takeover cooldown.
            await using var keeper = new LeaseKeeper(coordination, cluster, holder, config.InstanceId, clock, time, line => log.ZLogWarning($"{line}"));
            LeaseGrant grant;
            try
            {
                grant = await keeper.AcquireAsync(line =>
                {
                    output.WriteLine(line);
                    output.Flush();
                    log.ZLogInformation($"{line}");
                }, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested && tradedBefore)
            {
                output.WriteLine("stopped while standing by; this instance holds no lease and no order.");
                return worst;
            }
            catch (CoordinationConflictException ex)
            {
                error.WriteLine($"error: {ex.Message}");
                log.ZLogError($"{ex.Message}");
                return ExitUsage;
            }
            // Sharding: this lease's shard and only its symbols (re-indexed), its store in the shard's schema.
            RunConfig runConfig = config;
            ResolvedRun runResolved = resolved;
            TradeStoreOptions runStore = store;
            if (config.Cluster.SymbolsOf(grant.Scope) is { } shardSymbols)
            {
                runConfig = config with
                {
                    Symbols = [.. config.Symbols.Where(s => shardSymbols.Contains(s.Symbol))],
                    // A balance check holds one scope's position against the account: only one whose symbols are all in this shard.
                    BalanceChecks = [.. config.BalanceChecks.Where(c => c.Symbols.All(shardSymbols.Contains))],
                };
                runResolved = runConfig.Resolve(venueSpecs);
                runStore = TradeStoreOptions.Postgres(store.ConnectionString!, NpgsqlTradeStore.SchemaFor(grant.Scope));
                output.WriteLine($"shard '{grant.Scope}': {string.Join(", ", shardSymbols)}");
            }
            IVenue venue = binding.CreateVenue(config, runConfig.Symbols, http, time);
            (int code, bool lost) = await RunUnderLeaseAsync(runConfig, runResolved, venue, format, keeper, grant, reservation, runStore, controlToken,
                durationSeconds, durationArmed, output, error, hooks, time, stop, onReconciled, journalPath, journalRotation, log).ConfigureAwait(false);
            tradedBefore = true;
            worst = Math.Max(worst, code);
            if (!lost)
            {
                await keeper.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
                return worst;
            }
            string why = keeper.LostReason ?? "the trade store failed (its database is the lease's)";
            output.WriteLine($"lease lost: {why}; every order was cancelled. Standing by for a fresh lease (a new epoch, a full reconciliation).");
            output.Flush();
            log.ZLogWarning($"lease lost: {why}; standing by for a fresh lease");
        }
    }

    /// <summary>
    /// One lease's run: the engine composed under the lease's epoch (and the scope's earlier holders' nodes),
    /// reconciled, quoting until a stop or the lease is lost, then shut down (cancel all, confirm, flush).
    /// Returns the exit code and whether it ended because the lease was lost (the caller stands by again).
    /// </summary>
    private static async Task<(int Code, bool Lost)> RunUnderLeaseAsync(RunConfig config, ResolvedRun resolved, IVenue venue,
        ClientOrderIdFormat format, LeaseKeeper keeper, LeaseGrant grant,
        FileSequenceReservation reservation, TradeStoreOptions store, string controlToken, double? durationSeconds, StrongBox<bool> durationArmed,
        TextWriter output, TextWriter error, RunHooks hooks, TimeProvider time, CancellationTokenSource stop, Action onReconciled,
        string? journalPath, JournalRotation? journalRotation, ILogger log)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, keeper.Lost);
        ushort[] scopeNodes = [.. grant.History.Select(h => h.Node).Where(n => n != config.InstanceId).Distinct()];
        bool shared = config.Cluster.Kind == CoordinationKind.Postgres;
        EngineHost startedHost;
        try
        {
            startedHost = await EngineHost.StartAsync(new EngineHostOptions
            {
                Venue = venue,
                Core = new CoreSetup(resolved.Specs, resolved.Limits, resolved.Strategies, config.Execution, config.InstanceId, grant.Epoch) { ScopeNodes = scopeNodes },
                IdReservation = reservation,
                JournalPath = journalPath,
                JournalRotation = journalRotation,
                IdFormat = format,
                Store = store,
                MetricsPort = config.MetricsPort,
                ControlToken = controlToken,
                Time = time,
                Strategies = config.Strategies,
                // Another scope's position shares the account's balances: the check cannot tell them apart.
                BalanceChecks = config.BalanceChecks,
                WarmupFrames = 0, // warmed once per process, before standing by
                ReconcileNotBefore = keeper.CooldownElapsed,
                StoreFaultLosesLease = shared,
                ExtraMetrics = keeper.Metrics,
            }, run.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (keeper.IsLost && !stop.IsCancellationRequested)
        {
            return (ExitClean, true);
        }
        await using var host = startedHost;
        log.ZLogInformation($"connected: order entry logged on, metrics and control at {host.MetricsAddress}; strategies {string.Join(", ", resolved.Strategies.Select(s => s.Name))}; lease epoch {grant.Epoch}");
        using var onStopRequest = host.StopRequested.Register(stop.Cancel);
        // 5. Reconciliation (done by the host before anything quotes): what a previous run left at the venue.
        if (host.Reconciliation is { } rec)
        {
            onReconciled();
            foreach (string line in DescribeReconciliation(rec, config))
            {
                output.WriteLine(line);
                log.ZLogInformation($"{line}");
            }
            output.WriteLine("balances: " + DescribeBalances(rec.Balances, config.Symbols));
            if (rec.Mismatch is { } mismatch)
            {
                error.WriteLine($"error: reconciliation: {mismatch}");
                log.ZLogError($"reconciliation: {mismatch}");
            }
        }
        // What the store brought back (after a crash: the position, the day's loss, a halt still in force).
        string restoredLine = $"restored from the store: {host.Engine.RestoredFills} fill(s) into positions, {host.Restored.OpenOrders.Count} order(s) stored as open, " +
            $"risk day {host.Engine.DayIndex}" + (host.Engine.HaltReason is { } haltReason ? $"; HALTED: {haltReason}" : "");
        output.WriteLine(restoredLine);
        log.ZLogInformation($"{restoredLine}");
        if (journalPath is not null)
            output.WriteLine($"journal: every core input and command goes to {journalPath} ({RunJournal.Describe(journalRotation)})");
        if (host.Reconciliation is { Zombies: > 0 } z)
            output.WriteLine($"takeover: cancelled {z.Zombies} open order(s) earlier holders of scope '{keeper.Settings.Scope}' left (older epochs)");
        // The lease binds the engine before anything quotes: its deadline, and the quotas at their first blocks.
        try
        {
            await keeper.AttachAsync(host, run.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CoordinationUnavailableException or OperationCanceledException && !stop.IsCancellationRequested)
        {
            output.WriteLine($"lease: could not set up the quotas ({ex.Message}); stepping down");
            await keeper.DetachAsync().ConfigureAwait(false);
            await host.StopAsync(config.ShutdownTimeout).ConfigureAwait(false);
            return (ExitClean, true);
        }
        hooks.OnQuoting?.Invoke(host);
        host.StartTrading();
        if (durationSeconds is double d && !durationArmed.Value)
        {
            durationArmed.Value = true;
            stop.CancelAfter(TimeSpan.FromSeconds(d));
        }
        bool terminal = !Console.IsInputRedirected && ReferenceEquals(output, Console.Out);
        output.WriteLine($"quoting {string.Join(", ", config.Symbols.Select(i => i.Symbol))} on {config.VenueName}; metrics at {host.MetricsAddress}metrics; " +
            $"control: POST {host.MetricsAddress}control/{{halt|resume|pause|flatten|stop}} with 'Authorization: Bearer <the control token>'. " +
            (terminal ? "Keys: p pause/resume, f flatten, h halt, r resume, q quit. " : "") +
            (durationSeconds is null ? "Ctrl+C or SIGTERM stops (cancels all orders first)." : $"Running {durationSeconds} s."));
        output.Flush();
        log.ZLogInformation($"quoting {string.Join(", ", config.Symbols.Select(i => i.Symbol))} on {config.VenueName}");

        long nextStatus = 0;
        // Order entry that stopped trying for good (a refused key or login) halts trading with its reason, once; while
        // it reconnects, each new reason is printed and logged once ("order entry reconnected" is logged by LogChanges);
        // so is each new reason a clock re-sync after a refused timestamp failed for.
        var orderEntry = new OrderEntryWatch(venue,
            halted: reason =>
            {
                error.WriteLine($"error: {reason}; trading halted");
                log.ZLogError($"{reason}; trading halted");
            },
            warning: reason =>
            {
                error.WriteLine($"warning: {reason}");
                log.ZLogWarning($"{reason}");
            });
        try
        {
            while (!run.IsCancellationRequested && !Lapsed(host))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, run.Token).ConfigureAwait(false);
                orderEntry.Poll(host.Engine);
                if (terminal)
                    host.HandleKeys(output);
                // Off the core thread: what the core buffered since the last look.
                host.LogChanges(log);
                if ((long)host.Elapsed.TotalMilliseconds >= nextStatus)
                {
                    nextStatus = (long)(host.Elapsed + config.StatusInterval).TotalMilliseconds;
                    output.Write(host.Status());
                    output.Flush();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        bool lost = !stop.IsCancellationRequested;
        await keeper.DetachAsync().ConfigureAwait(false);
        // 7. Shutdown: stop quoting, cancel all, wait for the venue, check with it, flush the store.
        if (lost)
            output.WriteLine($"lease lost ({keeper.LostReason ?? host.Engine.LeaseLostReason ?? "lapsed"}): stepping down");
        output.WriteLine($"stopping: quoting stopped, cancelling every order (waiting up to {config.ShutdownTimeout.TotalSeconds} s for the venue to confirm)");
        output.Flush();
        log.ZLogInformation($"stopping: quoting stopped, cancelling every order");
        var report = await host.StopAsync(config.ShutdownTimeout).ConfigureAwait(false);
        host.LogChanges(log);
        string summary = host.Summary();
        output.Write(summary);
        log.ZLogInformation($"{summary.TrimEnd()}");
        if (host.Journal is { } journal)
            output.WriteLine($"journal: {journal.Sequence} inputs in {journalPath}{(journal.Segment > 0 ? $" and {journal.Segment} later segments" : "")}{(journal.Dropped > 0 ? $", {journal.Dropped} records DROPPED (replay cannot be exact)" : "")}");
        if (report.Problems.Count == 0)
        {
            log.ZLogInformation($"shutdown clean: the venue lists no open order of ours");
            output.WriteLine("shutdown clean: the venue lists no open order of ours.");
            output.Flush();
            return (ExitClean, lost);
        }
        error.WriteLine("error: shutdown was not clean:");
        foreach (string p in report.Problems)
        {
            error.WriteLine("  " + p);
            log.ZLogError($"shutdown was not clean: {p}");
        }
        return (ExitFailure, lost);
    }

    /// <summary>True once the engine's lease lapsed or was lost (its own deadline, or a failing store).</summary>
    private static bool Lapsed(EngineHost host)
    {
        lock (host.CoreLock)
            return host.Execution.LeaseLapsed;
    }

    private static string Decimal(long raw, int decimals) => FixedPoint.ToTrimmedString(raw, decimals);

    /// <summary>The reconciliation's lines for the console and the log.</summary>
    private static IEnumerable<string> DescribeReconciliation(ReconciliationResult r, RunConfig config)
    {
        yield return $"reconciliation: the venue listed {r.VenueOpen} open order(s) of prefix '{config.ClientOrderIdPrefix}' instance {config.InstanceId} " +
            $"from earlier runs: {r.Adoption.Kept} adopted as quotes, {r.Adoption.Cancelled} adopted and cancelled; " +
            $"{r.Adoption.Recovered} order(s) the store held as open are not listed (queried to settle them); " +
            $"{r.MissedFills} fill(s) missed while down applied";
        if (r.OtherInstances > 0)
            yield return $"reconciliation: {r.OtherInstances} open order(s) with prefix '{config.ClientOrderIdPrefix}' belong to another instance id; left untouched";
        if (config.BalanceChecks.Count == 0)
            yield return "reconciliation: no balance baselines configured: the position is not checked against the venue's balances";
        foreach (string line in r.BalanceLines)
            yield return "balance check: " + line;
    }

    /// <summary>The configured symbols' assets (a testnet account holds hundreds of others: only counted).</summary>
    private static string DescribeBalances(IReadOnlyList<VenueBalance> balances, IReadOnlyList<RunSymbol> symbols)
    {
        var assets = symbols.SelectMany(i => new[] { i.BaseAsset, i.QuoteAsset }).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var parts = new List<string>();
        foreach (string asset in assets)
        {
            var b = balances.FirstOrDefault(x => string.Equals(x.Asset, asset, StringComparison.OrdinalIgnoreCase));
            parts.Add(b.Asset is null
                ? $"{asset} 0"
                : $"{asset} free {Decimal(b.Free, VenueBalance.Decimals)} locked {Decimal(b.Locked, VenueBalance.Decimals)}");
        }
        int others = balances.Count(b => !assets.Contains(b.Asset, StringComparer.OrdinalIgnoreCase));
        return string.Join("; ", parts) + (others > 0 ? string.Create(CultureInfo.InvariantCulture, $" (and {others} other asset(s))") : "");
    }
}
