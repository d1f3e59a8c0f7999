using System.Text.Json;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Signals;
using Fathom.Strategy.Abstractions;

namespace Fathom.Hosting;

/// <summary>
/// Everything that decides what the core does, and nothing about where it runs: instruments, risk
/// limits, the strategy instances (catalog name, instruments, parameters), execution options and the client-order-id node and epoch.
/// <c>fathom demo</c>, <c>fathom run</c>, the warm-up and <c>fathom replay</c> all build their core
/// from one of these through <see cref="CoreComposition.Build"/>, and a journal's meta record is this,
/// as JSON, so a replay rebuilds exactly the core that wrote it.
/// </summary>
public sealed record CoreSetup(
    IReadOnlyList<InstrumentSpec> Specs,
    RiskLimits Limits,
    IReadOnlyList<StrategySetup> Strategies,
    ExecutionOptions Execution,
    ushort Node,
    uint Epoch)
{
    /// <summary>
    /// Other nodes that held this instance's lease scope before it (a hot-standby takeover): their fills are
    /// the scope's position and their open orders older-epoch orders to cancel (<see cref="ClientOrderIdGenerator.AddScopeNode"/>).
    /// </summary>
    public IReadOnlyList<ushort> ScopeNodes { get; init; } = [];
}

public sealed record CoreParts(TradingEngine Engine, ExecutionEngine Execution, RiskManager Risk, IReadOnlyList<SignalEngine> Signals);

public static class CoreComposition
{
    /// <summary>Marks a journal meta record written by this composition (bump on any change to what it builds).</summary>
    public const string Format = "fathom-core/4";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>
    /// The analyzer in each instrument's feed path, risk, execution, the market makers and the engine,
    /// on <paramref name="core"/>'s books and lock (any venue's feed core); the engine runs after every applied input. With a
    /// <paramref name="journal"/>, its meta record is written, id blocks are journaled while it is
    /// attached, and the feed core and the engine journal every input (see <see cref="DetachJournal"/>).
    /// The strategies are built from the setup through <paramref name="catalog"/> (the default catalog when null);
    /// <paramref name="strategies"/>, when given, are hosted instead (a test's own strategies); the journal's meta
    /// record still names only the setup's, so such a core does not replay. <paramref name="inboxCapacity"/> sizes
    /// the engine's ring for inputs from other threads (a power of two; a backtest, on one thread, uses a small one);
    /// <paramref name="measureLatency"/> false (a backtest, on a virtual clock) records no latencies and maps no histograms.
    /// </summary>
    public static CoreParts Build(IFeedCore core, CoreSetup setup, MonotonicClock clock, ISequenceReservation reservation,
        Action<RiskTransition>? riskObserver = null, Action<OrderTransition>? orderObserver = null, CoreJournal? journal = null,
        StrategyCatalog? catalog = null, IReadOnlyList<IStrategy>? strategies = null, int inboxCapacity = TradingEngine.InboxCapacity,
        bool measureLatency = true)
    {
        ArgumentNullException.ThrowIfNull(core);
        ArgumentNullException.ThrowIfNull(setup);
        if (journal is not null)
        {
            journal.Meta(ToJson(setup, core is MultiVenueFeedCore multi ? multi.Venues.Count : 1));
            reservation = new JournaledSequenceReservation(reservation, () => core.Journal);
        }
        IReadOnlyList<InstrumentSpec> specs = setup.Specs;
        // Built first: a strategy the catalog refuses fails the composition before anything is attached.
        IReadOnlyList<IStrategy> strategy = strategies ?? CreateStrategies(setup, catalog ?? StrategyCatalog.CreateDefault());
        var signals = new SignalEngine[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            // The analyzer sits in the feed's path: it sees each level's old and new size.
            signals[i] = new SignalEngine();
            core.SetHandler(i, new SignalFeed(core.Books[i], signals[i]));
        }
        // Every risk state change goes to the engine's store (the audit trail of trips), then to the caller's observer.
        TradingEngine? built = null;
        var risk = new RiskManager(setup.Limits, specs, t =>
        {
            built?.OnRiskTransition(t);
            riskObserver?.Invoke(t);
        });
        var ids = new ClientOrderIdGenerator(setup.Node, setup.Epoch, reservation);
        foreach (ushort node in setup.ScopeNodes)
            ids.AddScopeNode(node);
        // Every order state change goes through the engine (store, the strategy's OnOrderUpdate), then to the caller's observer.
        var execution = new ExecutionEngine(specs, setup.Execution, risk, ids, t =>
        {
            built!.OnOrderTransition(t);
            orderObserver?.Invoke(t);
        });
        // One instance per configured entry, each with its own context (timers, intents, orders). The signal view is
        // rebuilt only when the analyzer moved (a ticker frame does not move it).
        var views = new SignalViewCache(signals);
        var engine = new TradingEngine(core.CoreLock, specs, core.Books, execution, strategy, clock,
            views.Get, inboxCapacity, measureLatency);
        built = engine;
        // The analyzers' leftover work (a diff's level sizes into the size window) runs after the frame's orders went out.
        engine.AfterFrame = views.Settle;
        // A live core keeps its decision and send path warm; a backtest's virtual clock has nothing to gain from it.
        engine.RehearsesDecisions = measureLatency;
        // A failed id reservation (ids remain for cancels: the next block is reserved ahead) halts trading.
        ids.ReservationFailed = ex => engine.ReportFault(EngineFault.IdReservation, $"reserving client order ids failed: {ex.Message}");
        core.AfterApply = engine.OnMarketDataApplied;
        core.Journal = journal;
        engine.Journal = journal;
        return new CoreParts(engine, execution, risk, signals);
    }

    /// <summary>
    /// Every instance of <paramref name="setup"/> built through <paramref name="catalog"/>; each must trade exactly the
    /// instruments its entry names (the engine routes market data, fills and timers by what a strategy declares).
    /// </summary>
    public static IReadOnlyList<IStrategy> CreateStrategies(CoreSetup setup, StrategyCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(catalog);
        var built = new List<IStrategy>(setup.Strategies.Count);
        foreach (var s in setup.Strategies)
        {
            IStrategy strategy = catalog.Create(s, setup.Specs);
            if (!strategy.InstrumentIds.Order().SequenceEqual(s.Instruments.Order()))
                throw new InvalidOperationException($"strategy '{s.Name}' declares instruments [{string.Join(", ", strategy.InstrumentIds)}] " +
                    $"but its configuration gives it [{string.Join(", ", s.Instruments)}]: return the instruments of StrategyArguments.InstrumentIds");
            built.Add(strategy);
        }
        return built;
    }

    /// <summary>
    /// Stops journaling under the core lock, so the journal ends on a whole input with all its commands,
    /// and waits until it is in the file. Returns the journal that was attached, or null.
    /// </summary>
    public static CoreJournal? DetachJournal(IFeedCore core, TradingEngine engine)
    {
        ArgumentNullException.ThrowIfNull(core);
        ArgumentNullException.ThrowIfNull(engine);
        CoreJournal? journal;
        lock (core.CoreLock)
        {
            journal = core.Journal;
            core.Journal = null;
            engine.Journal = null;
        }
        journal?.Flush();
        return journal;
    }

    /// <summary>
    /// Why a journal written by a core on several venues (<see cref="MultiVenueFeedCore"/>) is refused by replay: its
    /// market-data records carry each venue's local instrument ids and connection ids, not the venue.
    /// </summary>
    public const string MultiVenueReplayRefusal =
        "the journal was written by a core holding several venues' instruments; replaying a multi-venue journal is not supported yet " +
        "(its market-data records are not tagged with their venue), so it is refused rather than replayed wrongly";

    /// <summary>
    /// The journal meta record: <see cref="Format"/> and the setup, and, for a core on several venues, how many
    /// (<paramref name="venues"/> &gt; 1, which <see cref="FromJson"/> refuses).
    /// </summary>
    public static string ToJson(CoreSetup setup, int venues = 1) =>
        JsonSerializer.Serialize(new Meta(Format, setup) { Venues = venues > 1 ? venues : null }, Json);

    public static CoreSetup FromJson(ReadOnlySpan<byte> json)
    {
        Meta? meta;
        try
        {
            meta = JsonSerializer.Deserialize<Meta>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the journal's meta record is not a core setup: {ex.Message}", ex);
        }
        if (meta?.Core != Format)
            throw new InvalidDataException($"the journal was written by core '{meta?.Core}'; this build replays '{Format}'");
        if (meta.Venues > 1)
            throw new InvalidDataException($"{MultiVenueReplayRefusal} ({meta.Venues} venues)");
        CoreSetup s = meta.Setup;
        // Re-validate: the journal is input like any other.
        foreach (var spec in s.Specs)
            spec.Validate();
        s.Limits.Validate();
        if (s.Strategies is null || s.Strategies.Count == 0)
            throw new InvalidDataException("the journal's meta record has no strategy");
        s.Execution.Validate();
        return s;
    }

    private sealed record Meta(string Core, CoreSetup Setup)
    {
        /// <summary>Venues the core held, when more than one (absent otherwise, so single-venue meta records are unchanged).</summary>
        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        public int? Venues { get; init; }
    }
}
