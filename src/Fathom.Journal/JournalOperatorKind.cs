namespace Fathom.Journal;

/// <summary>Operator commands as journaled. On disk: never renumber.</summary>
public enum JournalOperatorKind
{
    Start = 1,
    Stop = 2,
    Pause = 3,
    Resume = 4,
    Halt = 5,
    /// <summary>Argument: the slippage bound in ticks.</summary>
    Flatten = 6,
    /// <summary>The durable store refused a fill: trading halts. Only in older journals; a refusal is now <see cref="FaultHalt"/> with the engine's <c>EngineFault.Store</c>.</summary>
    StoreRefusedHalt = 7,
    /// <summary>A new trading day starts (the drawdown limit's period). Argument: the day's index (days since the Unix epoch, after the configured day-start offset).</summary>
    NewDay = 8,
    /// <summary>Something outside the core failed (argument: the engine's <c>EngineFault</c>): trading halts with the reason until an operator resumes.</summary>
    FaultHalt = 9,
    /// <summary>The lease was renewed: argument, its new deadline (monotonic ns) for sending.</summary>
    LeaseDeadline = 10,
    /// <summary>The lease was lost (taken over or refused at renewal): only cancels go out from here.</summary>
    LeaseLost = 11,
    /// <summary>A position quota: argument, the instrument in the top 16 bits and the raw quantity in the low 48 (all ones: none).</summary>
    PositionQuota = 12,
    /// <summary>An order-budget quota: argument, new orders per budget window (−1: none).</summary>
    OrderBudgetQuota = 13,
    /// <summary>Other instances' best resting bid: argument, the instrument in the top 16 bits and the raw price in the low 48.</summary>
    PeerBid = 14,
    /// <summary>Other instances' best resting ask: as <see cref="PeerBid"/>.</summary>
    PeerAsk = 15,
}
