using Fathom.Gateway.Abstractions;

namespace Fathom.Execution;

/// <summary>
/// The durable record of fills, orders, the risk day and halts, and what a restart reloads: a real seam (SQLite in
/// <c>Fathom.Persistence</c>, PostgreSQL in <c>Fathom.Persistence.Postgres</c>), so the engine names no database.
/// </summary>
/// <remarks>
/// Invariants every implementation keeps, because the engine's halting relies on them:
/// <list type="bullet">
/// <item><c>TryAppend</c> is called on the core thread under the core lock: it must not block, do
/// I/O or allocate (queue the record and let a writer of its own commit it). False means the record
/// was not taken (queue full, writer stopped): the engine halts trading, so nothing is dropped
/// silently.</item>
/// <item>A write that fails is kept and retried, never dropped; while writes fail
/// <see cref="Failure"/> says why and <see cref="FaultObserver"/> is told once per failing spell,
/// on the writer's thread, holding no lock of the store's.</item>
/// <item>A record is stored once even when appended twice (a fill reported by the request's
/// answer and by the user stream).</item>
/// <item>Records are committed in the order they were appended; everything is keyed by symbol (an
/// implementation is opened with the engine's symbol list and maps instrument indices itself), so a
/// store outlives a change to the config's symbol order.</item>
/// <item><see cref="Load"/> sees every record committed before it was called.</item>
/// </list>
/// Here rather than next to its implementations so the engine references the seam without a
/// database client: it speaks in execution's own values (<see cref="OrderTransition"/>) and the
/// venue reports of <c>Fathom.Gateway.Abstractions</c>.
/// </remarks>
public interface ITradeStore : IAsyncDisposable
{
    /// <summary>Queues a fill for writing; false when the queue is full or the writer stopped (halt trading).</summary>
    bool TryAppend(in FillReport fill);

    /// <summary>Queues an order state change; false when the queue is full or the writer stopped (halt trading).</summary>
    bool TryAppend(in OrderTransition transition);

    /// <summary>Queues the current risk day (on start and at each new day); the stored day is replaced. False: halt trading.</summary>
    bool TryAppend(in RiskDayRecord day);

    /// <summary>Queues an operator or fault halt, or its lifting by an operator resume; the stored halt is replaced. False: halt trading.</summary>
    bool TryAppend(in RiskHaltRecord halt);

    /// <summary>
    /// Queues a risk state change (kill switches tripping and releasing, halts, with trigger and reasons): the
    /// audit trail of why trading stopped; not read back at a restart. False: halt trading.
    /// </summary>
    bool TryAppend(in Fathom.Risk.RiskTransition transition);

    /// <summary>
    /// Reads back what a restart needs (fills, open orders, last trade id per symbol, risk day, halt).
    /// Called before trading, off the core thread; it may block on I/O.
    /// </summary>
    PersistedState Load();

    /// <summary>Why writes are failing now (disk full, database locked or unreachable), or null: trading must halt while it is set.</summary>
    string? Failure { get; }

    /// <summary>True while writes succeed (<see cref="Failure"/> is null).</summary>
    bool IsHealthy { get; }

    /// <summary>
    /// Told when writes start failing, with the reason. The engine installs it when the store is
    /// attached (<c>TradingEngine.Store</c>) and turns it into a fault input that halts trading.
    /// </summary>
    Action<string>? FaultObserver { get; set; }

    /// <summary>Waits until everything appended so far is committed (shutdown, tests); throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    Task FlushAsync(TimeSpan timeout);
}
