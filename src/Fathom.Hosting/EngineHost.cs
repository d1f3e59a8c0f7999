using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fathom.Book;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Persistence;
using Fathom.Risk;
using Fathom.Signals;
using Fathom.Strategy.Abstractions;

namespace Fathom.Hosting;

/// <summary>Everything <see cref="EngineHost"/> composes, chosen by the command that hosts it.</summary>
public sealed record EngineHostOptions
{
    /// <summary>The venue: its market data feed and its order entry (e.g. <see cref="BinanceVenue"/>).</summary>
    public required IVenue Venue { get; init; }
    /// <summary>What the core does: instruments, limits, strategies, execution options, id node and epoch.</summary>
    public required CoreSetup Core { get; init; }
    /// <summary>Durable id blocks (a high-water mark file): a crash can skip ids, never reuse one.</summary>
    public required ISequenceReservation IdReservation { get; init; }
    public required ClientOrderIdFormat IdFormat { get; init; }
    /// <summary>Journal every core input and command here (see <c>fathom replay</c>); null: no journal.</summary>
    public string? JournalPath { get; init; }
    /// <summary>When the journal starts its next segment (by size, by age); null: one file.</summary>
    public JournalRotation? JournalRotation { get; init; }
    /// <summary>Frames per instrument for the JIT warm-up on a throwaway core before the live one starts (0: none).</summary>
    public int WarmupFrames { get; init; } = 5_000;
    public IReadOnlyList<InstrumentSpec> Specs => Core.Specs;
    /// <summary>The SQLite file fills and order state changes are written to, when <see cref="Store"/> is null.</summary>
    public string? StorePath { get; init; }
    /// <summary>Delete the store first (a simulator whose trade ids restart at 1 each run).</summary>
    public bool FreshStore { get; init; }
    /// <summary>The trade store to open (SQLite or PostgreSQL, <see cref="TradeStoreOptions"/>); null: SQLite at <see cref="StorePath"/>.</summary>
    public TradeStoreOptions? Store { get; init; }
    /// <summary>Port of /metrics, /health and /control on 127.0.0.1 (0: any free port).</summary>
    public int MetricsPort { get; init; }
    /// <summary>The token <c>POST /control/{action}</c> requires (see <see cref="Fathom.Hosting.ControlToken"/>); null: no control endpoints.</summary>
    public string? ControlToken { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>Where the core's strategies are built from by name (<see cref="CoreSetup.Strategies"/>); null: the built-in ones.</summary>
    public StrategyCatalog? Strategies { get; init; }
    /// <summary>Period of the engine's timer input (risk evaluation, kill switches, unknown-order queries).</summary>
    public TimeSpan TimerPeriod { get; init; } = TimeSpan.FromMilliseconds(20);
    /// <summary>
    /// Restart reconciliation's position-against-balance checks, one per base asset (none: the position is
    /// not checked against balances; open orders and missed fills are still reconciled).
    /// </summary>
    public IReadOnlyList<BalanceCheck> BalanceChecks { get; init; } = [];
    /// <summary>
    /// Restart reconciliation (listing the venue's open orders, cancelling older epochs', fetching missed fills)
    /// waits for this (a takeover's cooldown); everything before it (store, gateway logon) goes on meanwhile.
    /// </summary>
    public Task? ReconcileNotBefore { get; init; }
    /// <summary>Several instances on one database: a failing store loses the lease (the instance steps down) instead of halting.</summary>
    public bool StoreFaultLosesLease { get; init; }
    /// <summary>More Prometheus text for <c>/metrics</c> (the lease keeper's), read off the core lock.</summary>
    public Func<string>? ExtraMetrics { get; init; }
}

/// <summary>An operator input, from a key or from <c>POST /control/{action}</c>.</summary>
public enum OperatorAction
{
    /// <summary>Pause when running, resume when paused (the <c>p</c> key).</summary>
    TogglePause,
    Pause,
    Resume,
    Halt,
    Flatten,
    /// <summary>Graceful shutdown, like Ctrl+C or SIGTERM.</summary>
    Stop,
}

/// <summary>How a shutdown ended; <see cref="Problems"/> is empty when nothing of ours was left behind.</summary>
public sealed record ShutdownReport(int LeftOpen, IReadOnlyList<string> VenueOpen, string? VenueCheckError, string? StoreError, string? StrategyError)
{
    public IReadOnlyList<string> Problems
    {
        get
        {
            var problems = new List<string>();
            if (LeftOpen > 0)
                problems.Add($"{LeftOpen} order(s) not confirmed cancelled by the venue before the shutdown timeout");
            if (VenueOpen.Count > 0)
                problems.Add($"the venue still lists {VenueOpen.Count} open order(s) of ours: {string.Join(", ", VenueOpen)}");
            if (VenueCheckError is not null)
                problems.Add($"could not confirm with the venue that no order is open: {VenueCheckError}");
            if (StoreError is not null)
                problems.Add($"the trade store was not flushed: {StoreError}");
            if (StrategyError is not null)
                problems.Add($"the strategy halted: {StrategyError}");
            return problems;
        }
    }
}

/// <summary>
/// The engine composed on a venue (<see cref="IVenue"/>): the venue's market-data feed with the signal analyzer on
/// every instrument, risk, execution with the durable client-id generator, the strategies, the trading engine,
/// the trade store (SQLite or PostgreSQL), the venue's order entry and the metrics/control server. <c>fathom run</c> and
/// <c>fathom demo</c> both run on it: one start, one shutdown path, one summary.
/// </summary>
/// <remarks>
/// Entry points: <see cref="StartAsync"/> (connects; nothing is quoted yet), <see cref="StartTrading"/>
/// (starts the strategy, the feed and the timers), <see cref="Apply"/> (operator actions),
/// <see cref="Status"/>, <see cref="StopAsync"/> (stop quoting, cancel all, wait for the venue to confirm,
/// check with the venue, flush the store), <see cref="DisposeAsync"/>.
/// Invariant: every read of engine state here happens under the feed's core lock, like any other core input.
/// </remarks>
public sealed class EngineHost : IAsyncDisposable
{
    private readonly EngineHostOptions _options;
    private readonly MonotonicClock _clock;
    private readonly CancellationTokenSource _run = new();
    private readonly CancellationTokenSource _stopRequested = new();
    private readonly List<string> _feedTransitions = [];
    private readonly List<string> _riskTransitions = [];
    private readonly OrderView[] _scratch = new OrderView[64];
    private IMarketDataFeed? _feed;
    private SignalEngine[] _signals = [];
    private WriteBehindTradeStore? _store;
    private ExecutionEngine? _execution;
    private TradingEngine? _engine;
    private IOrderGateway? _gateway;
    private MetricsServer? _metrics;
    private CoreJournal? _journal;
    private Task? _feedTask;
    private Task? _feedWatch;
    private Task? _timers;
    private System.Runtime.GCLatencyMode _previousLatency;
    private (int Gen0, int Gen1, int Gen2) _gcAtStart;
    private long _allocatedAtStart;
    private bool _trading;
    private bool _stopped;
    private bool _disposed;

    private EngineHost(EngineHostOptions options)
    {
        _options = options;
        _clock = new MonotonicClock(options.Time);
    }

    public TradingEngine Engine => _engine!;
    public ExecutionEngine Execution => _execution!;
    public IMarketDataFeed Feed => _feed!;
    public IOrderGateway Gateway => _gateway!;
    /// <summary>The core's lock: every input runs under it, and every read of core state here takes it.</summary>
    public Lock CoreLock { get; } = new();
    public IReadOnlyList<BookSync> Books => _feed!.Core.Books;
    public WriteBehindTradeStore Store => _store!;

    /// <summary>What the store held when this host started (restored into the engine before trading).</summary>
    public PersistedState Restored { get; private set; } = PersistedState.Empty;

    /// <summary>What start-up reconciliation with the venue found and did (adopted orders, missed fills, balances).</summary>
    public ReconciliationResult? Reconciliation { get; private set; }
    public IReadOnlyList<InstrumentSpec> Specs => _options.Specs;
    public IReadOnlyList<SignalEngine> Signals => _signals;
    public Uri MetricsAddress => _metrics!.Address;
    public CoreJournal? Journal => _journal;
    /// <summary>What the JIT warm-up did, when it ran.</summary>
    public CoreWarmup.Result? Warmup { get; private set; }
    /// <summary>Cancelled when the operator asks to stop (<c>q</c> or <c>POST /control/stop</c>).</summary>
    public CancellationToken StopRequested => _stopRequested.Token;
    public TimeSpan Elapsed => _started.Elapsed;
    private readonly Stopwatch _started = new();

    /// <summary>Builds and connects everything (feed objects, store, gateway logged on, metrics server listening); quotes nothing.</summary>
    public static async Task<EngineHost> StartAsync(EngineHostOptions options, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(options);
        var host = new EngineHost(options);
        try
        {
            await host.ComposeAsync(cancel).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ComposeAsync(CancellationToken cancel)
    {
        var o = _options;
        var specs = o.Specs;
        _feed = o.Venue.CreateMarketData(specs, CoreLock,
            t => { lock (_feedTransitions) _feedTransitions.Add($"{DateTime.UtcNow:HH:mm:ss} {specs[t.InstrumentId].Symbol} {t.From} -> {t.To} ({t.Reason})"); });
        // Fills, order state changes, the risk day and halts go to the store (SQLite by default) through a background writer.
        TradeStoreOptions storeOptions = o.Store ?? TradeStoreOptions.Sqlite(
            o.StorePath ?? throw new InvalidOperationException("EngineHostOptions: set Store or StorePath"), o.FreshStore);
        _store = storeOptions.Open([.. specs.Select(s => s.Symbol)], o.Core.Node);
        var store = _store;
        // JIT warm-up: the same composition on a throwaway core, before the live one exists.
        if (o.WarmupFrames > 0)
            Warmup = o.Venue.WarmUp(o.Core, o.WarmupFrames, o.Strategies);
        // The core: the same composition a journal replay rebuilds from the journal's meta record.
        if (o.JournalPath is not null)
            _journal = CoreJournal.Create(o.JournalPath, rotation: o.JournalRotation);
        CoreParts parts = CoreComposition.Build(_feed.Core, o.Core, _clock, o.IdReservation,
            t => { lock (_riskTransitions) _riskTransitions.Add($"{DateTime.UtcNow:HH:mm:ss} {t}"); }, null, _journal, catalog: o.Strategies);
        _signals = [.. parts.Signals];
        _execution = parts.Execution;
        _engine = parts.Engine;
        _engine.StoreFaultLosesLease = o.StoreFaultLosesLease;
        _engine.Store = _store;
        _engine.FaultObserver = reason => { lock (_riskTransitions) _riskTransitions.Add($"{DateTime.UtcNow:HH:mm:ss} FAULT, trading halted: {reason}"); };
        // Restart: positions (from the stored fills), the risk day and a halt in force come back before
        // anything trades or a gateway exists; an empty store restores nothing and starts today's day.
        Restored = _store.Load();
        _engine.Restore(Restored, TradingDay.IndexOf(o.Time.GetUtcNow(), o.Core.Limits.TradingDayStartOffsetNs));

        _gateway = o.Venue.CreateOrderEntry(_engine, o.IdFormat, _engine.Latency);
        await _gateway.StartAsync(cancel).ConfigureAwait(false);
        _engine.AttachGateway(_gateway);
        // Before anything quotes: adopt what the venue still holds of ours, settle what the store thought
        // open, apply the fills missed while down, and check the position against the balances.
        if (o.ReconcileNotBefore is { } notBefore)
            await notBefore.WaitAsync(cancel).ConfigureAwait(false);
        Reconciliation = await StartupReconciliation.RunAsync(_engine, _gateway, specs, Restored, o.Core.Node, o.BalanceChecks, cancel)
            .ConfigureAwait(false);
        _metrics = await MetricsServer.StartAsync(CoreLock, _engine, Books, o.MetricsPort, cancel,
            o.ControlToken is null ? null : Control, o.ControlToken, o.IdFormat, o.ExtraMetrics).ConfigureAwait(false);
    }

    /// <summary>Starts the strategy, the market-data feed and the timer input.</summary>
    public void StartTrading()
    {
        if (_trading)
            return;
        _trading = true;
        // Keep blocking gen2 collections away while quoting (workstation concurrent GC is the default).
        _previousLatency = System.Runtime.GCSettings.LatencyMode;
        System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
        _started.Start();
        _gcAtStart = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        _allocatedAtStart = GC.GetTotalAllocatedBytes();
        Engine.Start();
        _feedTask = Feed.RunAsync(_run.Token);
        _feedWatch = WatchFeedAsync(_feedTask, Engine, _run.Token);
        _timers = RunTimersAsync(Engine, _options.TimerPeriod, _options.Time, _run.Token, _options.Core.Limits.TradingDayStartOffsetNs);
    }

    /// <summary>
    /// Halts trading with the reason when the market-data feed's run ends before the host asked it to
    /// (<paramref name="run"/> not cancelled): by an exception (its type and message) or by returning. A feed
    /// that stopped leaves its books as they were, so without this a strategy could keep quotes resting on a
    /// market nobody watches any more. The halt goes in as a core input (<see cref="TradingEngine.ReportFault"/>).
    /// </summary>
    internal static async Task WatchFeedAsync(Task feed, TradingEngine engine, CancellationToken run)
    {
        try
        {
            await feed.ConfigureAwait(false);
        }
        catch (Exception ex) when (run.IsCancellationRequested && ex is OperationCanceledException)
        {
            return;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (!run.IsCancellationRequested)
                engine.ReportFault(EngineFault.Background, $"market-data feed stopped: {ex.GetType().Name}: {ex.Message}");
            return;
        }
        if (!run.IsCancellationRequested)
            engine.ReportFault(EngineFault.Background, "market-data feed stopped: its run ended without being asked to");
    }

    /// <summary>
    /// The engine's timer input every <paramref name="period"/> until <paramref name="cancel"/> (no exception
    /// on cancel), and a new-day input whenever the wall clock enters the next trading day (day start
    /// <paramref name="dayStartOffsetNs"/> after 00:00 UTC). An exception halts trading with the reason
    /// (<see cref="TradingEngine.ReportFault"/>) and the loop goes on: the kill switches live on this path.
    /// </summary>
    internal static async Task RunTimersAsync(TradingEngine engine, TimeSpan period, TimeProvider time, CancellationToken cancel,
        long dayStartOffsetNs = 0, Action? beforeTick = null)
    {
        long day = TradingDay.IndexOf(time.GetUtcNow(), dayStartOffsetNs);
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, time, cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                beforeTick?.Invoke();
                long today = TradingDay.IndexOf(time.GetUtcNow(), dayStartOffsetNs);
                if (today != day)
                {
                    day = today;
                    engine.StartNewDay(today);
                }
                engine.OnTimer();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                engine.ReportFault(EngineFault.Timer, $"timer loop: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    /// <summary>One operator input into the core; returns what was done.</summary>
    public string Apply(OperatorAction action)
    {
        var engine = Engine;
        switch (action)
        {
            case OperatorAction.TogglePause:
                return Apply(engine.Paused ? OperatorAction.Resume : OperatorAction.Pause);
            case OperatorAction.Pause:
                engine.Pause();
                return "paused: quotes cancelled, strategy not called until resume";
            case OperatorAction.Resume:
                engine.Resume();
                return "resumed: operator halt, pause and flatten lifted";
            case OperatorAction.Halt:
                engine.Halt();
                return "halted: risk Halted (cancels only) until resume";
            case OperatorAction.Flatten:
                engine.Flatten();
                return "flattening: quotes cancelled, position traded back to zero, then paused until resume";
            case OperatorAction.Stop:
                _stopRequested.Cancel();
                return "stopping: quoting stops, every order is cancelled, then the process exits";
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, null);
        }
    }

    /// <summary>The HTTP control surface's actions by name; null for an unknown one.</summary>
    private string? Control(string name)
    {
        OperatorAction? action = name switch
        {
            "halt" => OperatorAction.Halt,
            "resume" => OperatorAction.Resume,
            "pause" => OperatorAction.Pause,
            "flatten" => OperatorAction.Flatten,
            "stop" => OperatorAction.Stop,
            _ => null,
        };
        return action is OperatorAction a ? Apply(a) : null;
    }

    /// <summary>p pause/resume, f flatten, h halt, r resume, q quit: keys from a terminal, when there is one.</summary>
    public void HandleKeys(TextWriter output) => HandleKeys(output, otherKey: null);

    /// <summary>As <see cref="HandleKeys(TextWriter)"/>; a key that is not an operator key goes to <paramref name="otherKey"/>.</summary>
    public void HandleKeys(TextWriter output, Action<char>? otherKey)
    {
        try
        {
            while (Console.KeyAvailable)
            {
                char key = char.ToLowerInvariant(Console.ReadKey(intercept: true).KeyChar);
                OperatorAction? action = key switch
                {
                    'p' => OperatorAction.TogglePause,
                    'f' => OperatorAction.Flatten,
                    'h' => OperatorAction.Halt,
                    'r' => OperatorAction.Resume,
                    'q' => OperatorAction.Stop,
                    _ => null,
                };
                if (action is OperatorAction a)
                    output.WriteLine("operator: " + Apply(a));
                else
                    otherKey?.Invoke(key);
            }
        }
        catch (InvalidOperationException)
        {
            // No console to read keys from (redirected input): the HTTP control surface still works.
        }
    }

    /// <summary>Orders the engine still holds live (working, cancel pending or unknown) on every instrument.</summary>
    public int OpenOrders()
    {
        int n = 0;
        lock (CoreLock)
            for (int i = 0; i < Specs.Count; i++)
                n += Execution.LiveOrders(i, _scratch);
        return n;
    }

    private static string Px(InstrumentSpec spec, long raw) => FixedPoint.ToTrimmedString(raw, spec.PriceDecimals);
    private static string Qx(InstrumentSpec spec, long raw) => FixedPoint.ToTrimmedString(raw, spec.QtyDecimals);
    private static string Money(InstrumentSpec spec, long raw) => (raw / (double)FixedPoint.Pow10(spec.PriceDecimals)).ToString("F2", CultureInfo.InvariantCulture);

    private static string P(HdrHistogram.HistogramBase h, double percentile) =>
        h.TotalCount == 0 ? "-" : !EngineLatency.HasEnoughSamples(h.TotalCount, percentile) ? "n/a"
            : string.Create(CultureInfo.InvariantCulture, $"{h.GetValueAtPercentile(percentile) / 1e3:F1}µs");

    /// <summary>Plain status: one line per instrument and one for the engine (no terminal control codes).</summary>
    public string Status()
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        TimeSpan elapsed = _started.Elapsed;
        lock (CoreLock)
        {
            var engine = Engine;
            for (int i = 0; i < Specs.Count; i++)
            {
                var spec = Specs[i];
                BookSync sync = Books[i];
                OrderBook book = sync.Book;
                int n = Execution.LiveOrders(i, _scratch);
                PositionView pos = Execution.Position(i);
                sb.Append(ci, $"[{elapsed:hh\\:mm\\:ss}] {spec.Symbol} {sync.State} ");
                if (book.IsTwoSided)
                    sb.Append(ci, $"{Px(spec, book.PriceOf(book.BestBidTick).Raw)}/{Px(spec, book.PriceOf(book.BestAskTick).Raw)} ");
                var risk0 = Execution.Risk;
                if (risk0.StatusOf(i) != InstrumentStatus.Trading)
                    sb.Append(ci, $"venue status {risk0.StatusOf(i)} ");
                if (risk0.VolatilityLevelOf(i) > 0)
                    sb.Append(risk0.VolatilityLevelOf(i) == 1 ? "volatile: quotes wider and smaller " : "volatile: quotes paused ");
                sb.Append(ci, $"orders {n} pos {Qx(spec, pos.Position.Raw)} pnl {Money(spec, pos.RealizedPnl + pos.UnrealizedPnl - pos.FeesPaid)} (fees {Money(spec, pos.FeesPaid)})\n");
            }
            var risk = Execution.Risk;
            sb.Append(ci, $"[{elapsed:hh\\:mm\\:ss}] engine {(engine.Flattening ? "FLATTENING" : engine.Paused ? "PAUSED" : "quoting")} risk {risk.State}");
            if (risk.Reasons != 0)
                sb.Append(ci, $" ({risk.Reasons})");
            sb.Append(ci, $" fills {engine.Fills} commands {engine.CommandsSent} tick-to-order p50 {P(engine.Latency.TickToOrder, 50)} p99.9 {P(engine.Latency.TickToOrder, 99.9)} (n={engine.Latency.TickToOrder.TotalCount})");
            sb.Append(ci, $" command-to-ack p50 {P(engine.Latency.CommandToAck, 50)} (n={engine.Latency.CommandToAck.TotalCount})");
            sb.Append(ci, $" gateway {(Gateway.IsReady ? "ready" : "NOT READY")} reconnects {Gateway.Reconnects} feed reconnects {Feed.Disconnects}");
            if (engine.StrategyError is { } err)
                sb.Append(" strategy HALTED: ").Append(err);
            if (engine.HaltReason is { } halt)
                sb.Append(" HALTED: ").Append(halt);
            if (Store.Failure is { } storeFailure)
                sb.Append(" STORE FAILING: ").Append(storeFailure);
            sb.Append('\n');
        }
        // Transitions since the previous status, each printed once.
        lock (_riskTransitions)
        {
            foreach (string t in _riskTransitions.Skip(_riskPrinted))
                sb.Append("risk  ").Append(t).Append('\n');
            _riskPrinted = _riskTransitions.Count;
        }
        lock (_feedTransitions)
        {
            foreach (string t in _feedTransitions.Skip(_feedPrinted))
                sb.Append("feed  ").Append(t).Append('\n');
            _feedPrinted = _feedTransitions.Count;
        }
        return sb.ToString();
    }

    /// <summary>Risk transitions and faults, stamped, oldest first (lock it to read; for dashboards).</summary>
    internal List<string> RiskTransitionLog => _riskTransitions;
    /// <summary>Book sync transitions, stamped, oldest first (lock it to read; for dashboards).</summary>
    internal List<string> FeedTransitionLog => _feedTransitions;

    private int _riskPrinted;
    private int _feedPrinted;
    private int _riskLogged;
    private int _feedLogged;
    private long _gatewayReconnectsLogged;
    private long _feedDisconnectsLogged;
    private string? _haltLogged;

    /// <summary>
    /// Logs what changed since the last call: risk transitions and faults, book sync transitions, order-entry
    /// reconnects, feed disconnects and a halt. For the host's status loop: it reads what the core's callbacks
    /// buffered, off the core thread, so nothing on the per-event path ever logs.
    /// </summary>
    public void LogChanges(Microsoft.Extensions.Logging.ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        lock (_riskTransitions)
        {
            for (; _riskLogged < _riskTransitions.Count; _riskLogged++)
            {
                string t = _riskTransitions[_riskLogged];
                if (t.Contains("FAULT", StringComparison.Ordinal))
                    ZLogger.ZLoggerExtensions.ZLogError(logger, $"risk {t}");
                else
                    ZLogger.ZLoggerExtensions.ZLogWarning(logger, $"risk {t}");
            }
        }
        lock (_feedTransitions)
            for (; _feedLogged < _feedTransitions.Count; _feedLogged++)
                ZLogger.ZLoggerExtensions.ZLogInformation(logger, $"feed {_feedTransitions[_feedLogged]}");
        long gatewayReconnects, feedDisconnects;
        string? halt, feedLost;
        lock (CoreLock)
        {
            gatewayReconnects = Gateway.Reconnects;
            feedDisconnects = Feed.Disconnects;
            feedLost = Feed.LastDisconnect;
            halt = Engine.HaltReason;
        }
        if (gatewayReconnects != _gatewayReconnectsLogged)
        {
            ZLogger.ZLoggerExtensions.ZLogWarning(logger, $"order entry reconnected ({gatewayReconnects} reconnects so far)");
            _gatewayReconnectsLogged = gatewayReconnects;
        }
        if (feedDisconnects != _feedDisconnectsLogged)
        {
            ZLogger.ZLoggerExtensions.ZLogWarning(logger, $"market data disconnected and reconnecting ({feedDisconnects} disconnects so far; last: {feedLost})");
            _feedDisconnectsLogged = feedDisconnects;
        }
        if (halt != _haltLogged)
        {
            if (halt is not null)
                ZLogger.ZLoggerExtensions.ZLogError(logger, $"trading HALTED: {halt}");
            _haltLogged = halt;
        }
    }

    /// <summary>
    /// Graceful stop: the strategy's OnStop and cancel-all through execution, wait (bounded) until the venue
    /// confirmed every cancel, ask the venue for any open order of ours, stop feed and timers, flush the store.
    /// </summary>
    public async Task<ShutdownReport> StopAsync(TimeSpan confirmTimeout)
    {
        if (_stopped)
            throw new InvalidOperationException("already stopped");
        _stopped = true;
        if (_trading)
            System.Runtime.GCSettings.LatencyMode = _previousLatency;
        Engine.Stop();
        // Timers and feed keep running meanwhile: the timer drives queries of orders whose fate is unknown.
        var deadline = DateTime.UtcNow + confirmTimeout;
        while (OpenOrders() > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50).ConfigureAwait(false);
        int leftOpen = OpenOrders();

        // The venue's own list is the proof: the engine could be wrong about an order it never heard of.
        var venueOpen = new List<string>();
        string? venueError = null;
        IVenueQueries venue = Gateway;
        for (int i = 0; i < Specs.Count; i++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                foreach (var order in await venue.GetOpenOrdersAsync(i, timeout.Token).ConfigureAwait(false))
                    venueOpen.Add($"{Specs[i].Symbol} {_options.IdFormat.Format(order.ClientOrderId)}");
            }
            catch (Exception ex) when (ex is not (OutOfMemoryException or StackOverflowException))
            {
                // Any venue's failure to answer: reported as a shutdown problem, never taken for "nothing open".
                venueError = ex.Message;
            }
        }

        await _run.CancelAsync().ConfigureAwait(false);
        await Feed.DisposeAsync().ConfigureAwait(false);
        if (_feedTask is not null)
        {
            // A feed that failed while trading was reported by WatchFeedAsync (the halt); the shutdown goes on.
            try { await _feedTask.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); }
            catch (Exception ex) when (ex is not OutOfMemoryException) { }
        }
        if (_feedWatch is not null && _feedTask!.IsCompleted)
            await _feedWatch.ConfigureAwait(false); // never throws; ends right after the feed's run
        if (_timers is not null)
            await _timers.ConfigureAwait(false);
        CoreComposition.DetachJournal(Feed.Core, Engine);

        string? storeError = null;
        try
        {
            await Store.FlushAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            if (Store.Failure is { } failure)
                storeError = failure;
        }
        catch (TimeoutException ex)
        {
            storeError = ex.Message;
        }
        string? strategyError;
        lock (CoreLock)
            strategyError = Engine.StrategyHalted ? Engine.StrategyError ?? "halted" : null;
        return new ShutdownReport(leftOpen, venueOpen, venueError, storeError, strategyError);
    }

    /// <summary>
    /// The end-of-run summary: orders (and, given the <paramref name="shutdown"/> report, how many were left open),
    /// fills, positions, risk, latency, collections since trading started, store.
    /// </summary>
    public string Summary(ShutdownReport? shutdown = null)
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        lock (CoreLock)
        {
            var engine = Engine;
            var c = Execution.Counters;
            sb.Append(ci, $"summary after {_started.Elapsed.TotalSeconds:F1} s\n");
            sb.Append(ci, $"  orders: {c.Places} placed, {c.Cancels} cancels, {c.CancelReplaces} replaces, {c.Amends} amends, {c.RiskRefusals} refused by risk");
            var refusals = Enum.GetValues<Fathom.Risk.RiskDecision>()
                .Select(d => (Decision: d, Count: Execution.Risk.Counters.RefusedBy(d)))
                .Where(x => x.Count > 0)
                .Select(x => $"{x.Decision} {x.Count}")
                .ToList();
            if (refusals.Count > 0)
                sb.Append(" (").Append(string.Join(", ", refusals)).Append(')');
            if (shutdown is not null)
                sb.Append(ci, $"; open at exit {shutdown.LeftOpen}");
            sb.Append('\n');
            sb.Append(ci, $"  fills: {engine.Fills}\n");
            for (int i = 0; i < Specs.Count; i++)
            {
                var spec = Specs[i];
                PositionView pos = Execution.Position(i);
                sb.Append(ci, $"  {spec.Symbol}: position {Qx(spec, pos.Position.Raw)}; PnL realized {Money(spec, pos.RealizedPnl)}, unrealized {Money(spec, pos.UnrealizedPnl)}, fees {Money(spec, pos.FeesPaid)}; ");
                sb.Append(ci, $"feed {Books[i].Counters.DiffsApplied} diffs, {Books[i].Counters.Gaps} gaps\n");
            }
            sb.Append(ci, $"  risk: {Execution.Risk.State}; strategy {(engine.StrategyHalted ? "HALTED: " + engine.StrategyError : "ok")}\n");
            sb.Append(ci, $"  tick-to-order: {EngineLatency.Describe(engine.Latency.TickToOrder)}\n");
            sb.Append(ci, $"  tick-to-wire: {EngineLatency.Describe(engine.Latency.TickToWire)}; queued behind another: {EngineLatency.Describe(engine.Latency.TickToWireQueued)}\n");
            sb.Append(ci, $"  core per event: {EngineLatency.Describe(engine.Latency.CoreCost)}\n");
            sb.Append(ci, $"  command-to-ack (frame handed to the socket → answer read): {EngineLatency.Describe(engine.Latency.CommandToAck)}\n");
            sb.Append(ci, $"  tick-to-ack (trigger frame read → answer read): {EngineLatency.Describe(engine.Latency.TickToAck)}\n");
            sb.Append(ci, $"  decision-to-answer (on the core): {EngineLatency.Describe(engine.Latency.DecisionToAnswer)}\n");
        }
        long allocated = GC.GetTotalAllocatedBytes() - _allocatedAtStart;
        double seconds = Math.Max(1e-3, _started.Elapsed.TotalSeconds);
        sb.Append(ci, $"  GCs since trading started (after warm-up): gen0 {GC.CollectionCount(0) - _gcAtStart.Gen0}, gen1 {GC.CollectionCount(1) - _gcAtStart.Gen1}, gen2 {GC.CollectionCount(2) - _gcAtStart.Gen2}; ");
        sb.Append(ci, $"allocated {allocated / 1024} KiB ({allocated / 1024.0 / seconds:F1} KiB/s, every thread of this process)\n");
        try
        {
            sb.Append(ci, $"  store: {Store.CountFills()} fills and {Store.CountTransitions()} order state changes in {Store.Location} (this run wrote {Store.Written} records)\n");
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or TimeoutException) // SQLite locked, PostgreSQL down
        {
            sb.Append(ci, $"  store: {Store.Location} (this run wrote {Store.Written} records); reading it back failed: {ex.Message}\n");
        }
        return sb.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await _run.CancelAsync().ConfigureAwait(false);
        if (_metrics is not null)
            await _metrics.DisposeAsync().ConfigureAwait(false);
        if (_gateway is not null)
            await _gateway.DisposeAsync().ConfigureAwait(false);
        if (_feed is not null)
            await _feed.DisposeAsync().ConfigureAwait(false);
        if (_store is not null)
            await _store.DisposeAsync().ConfigureAwait(false);
        _journal?.Dispose();
        _run.Dispose();
        _stopRequested.Dispose();
    }
}
