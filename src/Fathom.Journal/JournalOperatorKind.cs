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
}
