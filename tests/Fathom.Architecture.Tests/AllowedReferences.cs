namespace Fathom.Architecture.Tests;

/// <summary>
/// The dependency table (issue 15, "Dependencies point inward, enforced"): for each project under
/// <c>src/</c>, the projects, packages and shared frameworks it may reference directly. Any other
/// edge fails <see cref="DependencyTableTests"/>; so does a project missing from the table.
/// </summary>
/// <remarks>
/// Allowed is not required: a project may reference less. Layers, innermost first:
/// <code>
/// Core                                  numbers, clocks, rings, and the domain enums both sides name
/// Book, Gateway.Abstractions            the order book; venue reports and order commands
/// MarketData                            book sync, recording container
/// Journal                               the input journal (below the engine and the venues, which both journal)
/// Strategy.Abstractions, Signals, Risk
/// Execution                             order lifecycle, and ITradeStore, the store seam
/// Strategies | Persistence | Venues.*   a strategy | the store's writer and SQLite | a venue adapter
/// Persistence.Postgres                  the PostgreSQL store (Npgsql), on Persistence's writer
/// Engine                                the core: no venue, no database
/// Hosting                               the composition root: the one library that sees engine and venue
/// Cli                                   parses arguments and renders, through Hosting
/// </code>
/// Where shared things live, and why:
/// <list type="bullet">
/// <item><c>OrderState</c> is in Core: the strategy API shows it (<c>OrderView</c>), execution drives it,
/// persistence stores it. The strategy API may see only Core, Book and MarketData, and persistence
/// must not see the strategy API, so Core is the lowest project all three reach
/// (Gateway.Abstractions is closed to strategies).</item>
/// <item><c>ISequenceReservation</c> is in Core so the journal can decorate it (journaled and
/// replayed id blocks) without referencing Execution, which the venues must not reach.</item>
/// <item><c>ITradeStore</c> is in Execution: it speaks in execution's <c>OrderTransition</c> and the
/// gateway's <c>FillReport</c>, and Execution is already below both the engine and Persistence.</item>
/// <item>The journal's record kinds stay in MarketData's <c>RecordKind</c>: journals and recordings
/// share one container and its kind byte.</item>
/// </list>
/// </remarks>
internal static class AllowedReferences
{
    private const string Core = "Fathom.Core", Book = "Fathom.Book", MarketData = "Fathom.MarketData", Journal = "Fathom.Journal",
        Signals = "Fathom.Signals", StrategyApi = "Fathom.Strategy.Abstractions", Strategies = "Fathom.Strategies",
        GatewayApi = "Fathom.Gateway.Abstractions", Risk = "Fathom.Risk", Execution = "Fathom.Execution",
        Persistence = "Fathom.Persistence", PersistencePostgres = "Fathom.Persistence.Postgres", Binance = "Fathom.Venues.Binance",
        Okx = "Fathom.Venues.Okx",
        Simulator = "Fathom.Simulator",
        Engine = "Fathom.Engine", Hosting = "Fathom.Hosting";

    private const string AspNetCore = "Microsoft.AspNetCore.App";
    // Hosting and the CLI may take the generic host's configuration and logging packages.
    private const string Extensions = "Microsoft.Extensions.*";

    /// <summary>Project to the references it may declare; a trailing <c>*</c> allows every id with that prefix.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Table = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [Core] = [],
        [Book] = [Core],
        [MarketData] = [Core, Book],
        [GatewayApi] = [Core],
        // The container comes from MarketData, the report and command layouts from Gateway.Abstractions.
        [Journal] = [Core, MarketData, GatewayApi],
        [Signals] = [Core, Book, MarketData],
        // What a strategy may see: numbers, books, normalized market data. No venue, gateway or database.
        [StrategyApi] = [Core, Book, MarketData],
        // A strategy sees the strategy API only (Core, Book and MarketData arrive through it).
        [Strategies] = [StrategyApi],
        [Risk] = [Core, GatewayApi],
        [Execution] = [Core, Book, MarketData, StrategyApi, GatewayApi, Risk],
        [Persistence] = [Core, GatewayApi, Execution, "Microsoft.Data.Sqlite"],
        // The PostgreSQL store: Persistence's writer and SQL on Npgsql. Nothing in the core reaches it.
        [PersistencePostgres] = [Core, GatewayApi, Execution, Persistence, "Npgsql"],
        [Binance] = [Core, Book, MarketData, Journal, GatewayApi, "NSec.Cryptography", "HdrHistogram"],
        // The same allowances as Binance (its order entry will need Journal and Gateway.Abstractions).
        [Okx] = [Core, Book, MarketData, Journal, GatewayApi, "NSec.Cryptography", "HdrHistogram"],
        [Simulator] = [Core, "NSec.Cryptography", AspNetCore],
        // The core: neither a venue nor a database (the store is ITradeStore, from Execution).
        [Engine] = [Core, Book, MarketData, Journal, Signals, StrategyApi, GatewayApi, Risk, Execution, "HdrHistogram"],
        // The composition root: the one library that references both the engine and a venue.
        // ZLogger is the host's lifecycle log provider; Utf8StringInterpolation is its own dependency, pinned.
        [Hosting] = [Core, Book, MarketData, Journal, Signals, StrategyApi, Strategies, GatewayApi, Risk, Execution,
            Persistence, PersistencePostgres, Binance, Okx, Engine, AspNetCore, Extensions, "ZLogger", "Utf8StringInterpolation"],
        // The backtester: the production composition (through Hosting) in virtual time against a simulated venue.
        ["Fathom.Backtest"] = [Hosting],
        // An executable: composes through Hosting. It still opens the SQLite store and the simulator itself.
        ["Fathom.Cli"] = [Core, Book, MarketData, Journal, Strategies, Persistence, Binance, Okx, Simulator, Engine, Hosting,
            "Fathom.Backtest", AspNetCore, Extensions, "System.CommandLine", "Spectre.Console"],
    };

    public static bool Allows(string project, string reference) =>
        Table.TryGetValue(project, out string[]? allowed) &&
        allowed.Any(a => a.EndsWith('*') ? reference.StartsWith(a[..^1], StringComparison.Ordinal) : a == reference);
}
