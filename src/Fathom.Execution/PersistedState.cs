using Fathom.Gateway.Abstractions;

namespace Fathom.Execution;

/// <summary>
/// What a restart reloads from the store before trading (<see cref="ITradeStore.Load"/>), all keyed by symbol.
/// </summary>
/// <remarks>
/// Positions are not stored as such: they are derived from <see cref="Fills"/> (every fill, in the order
/// they were stored) by the engine's own <see cref="PositionLedger"/>, so they can never disagree with the
/// fills. <see cref="OpenOrders"/> are the orders whose last stored state is not terminal: reconciliation's
/// input (they are not put back into the order table here). <see cref="FirstOrderSeq"/> is the lowest
/// order sequence number the store holds (0: it holds no order): client order ids come from one durable
/// high-water file per state directory, so orders below it were placed before this store existed.
/// </remarks>
public sealed record PersistedState(
    IReadOnlyList<PersistedFill> Fills,
    IReadOnlyList<PersistedOrder> OpenOrders,
    IReadOnlyDictionary<string, long> LastTradeIds,
    RiskDayRecord? Day,
    RiskHaltRecord? Halt,
    long FirstOrderSeq = 0,
    IReadOnlyList<StoredRiskEvent>? RecentRiskEvents = null)
{
    /// <summary>How many of the latest risk events <see cref="ITradeStore.Load"/> returns (newest last).</summary>
    public const int RiskEventsLoaded = 20;

    /// <summary>A store that holds nothing yet.</summary>
    public static PersistedState Empty { get; } = new([], [], new Dictionary<string, long>(), null, null);

    /// <summary>The latest risk state changes stored (kill-switch trips and releases, halts), oldest first; for operators, not restored.</summary>
    public IReadOnlyList<StoredRiskEvent> RiskEvents => RecentRiskEvents ?? [];

    /// <summary>The position <paramref name="symbol"/>'s stored fills add up to (fills of <paramref name="node"/> only, as execution counts them).</summary>
    public PositionLedger PositionOf(string symbol, ushort node, int priceDecimals, int qtyDecimals) =>
        PositionOf(symbol, id => id.Node == node, priceDecimals, qtyDecimals);

    /// <summary>The position <paramref name="symbol"/>'s stored fills add up to, counting the fills whose client id <paramref name="ours"/> accepts.</summary>
    public PositionLedger PositionOf(string symbol, Func<ClientOrderId, bool> ours, int priceDecimals, int qtyDecimals)
    {
        ArgumentNullException.ThrowIfNull(ours);
        var ledger = new PositionLedger(priceDecimals, qtyDecimals);
        foreach (PersistedFill f in Fills)
            if (f.Symbol == symbol && !f.ClientId.IsNone && ours(f.ClientId))
                ledger.Apply(f.Side, f.Price, f.Qty, f.Fee, f.FeeQty);
        return ledger;
    }
}

/// <summary>
/// One stored risk state change: the states and trigger as their enum names' codes (<c>RiskState</c>,
/// <c>RiskTrigger</c>), the reasons as <c>RiskReason</c> flags, the symbol (null: account-wide) and the core time.
/// </summary>
public readonly record struct StoredRiskEvent(string? Symbol, Fathom.Risk.RiskState From, Fathom.Risk.RiskState To,
    Fathom.Risk.RiskTrigger Trigger, Fathom.Risk.RiskReason Reasons, bool Illegal, long TimeNs);
