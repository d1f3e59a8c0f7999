namespace Fathom.Engine;

/// <summary>
/// What the operator (and a strategy fault) has made of the engine: started or stopped, trading, paused or
/// flattening, and whether the strategy has faulted. Moved only by <see cref="EngineOperatorStateMachine"/>;
/// <see cref="TradingEngine.Paused"/>, <see cref="TradingEngine.Flattening"/> and
/// <see cref="TradingEngine.StrategyHalted"/> are views of it.
/// </summary>
/// <remarks>
/// The value is <c>mode + 3 × started + 6 × faulted</c> (mode: 0 trading, 1 paused, 2 flattening), which
/// the views rely on. Only <see cref="Running"/> calls the strategy. Risk halts (operator or fault) are not
/// here: they are <see cref="Fathom.Risk.RiskState"/>'s table.
/// </remarks>
public enum EngineOperatorState : byte
{
    /// <summary>Not started, or stopped: market data does not reach the core; reports, timers and operator inputs do.</summary>
    Stopped = 0,
    /// <summary>Paused before a start or stopped while paused.</summary>
    StoppedPaused = 1,
    /// <summary>Flattening while stopped: the flatten still trades the position to zero.</summary>
    StoppedFlattening = 2,
    /// <summary>Started: the strategy is called.</summary>
    Running = 3,
    /// <summary>Started, but the operator paused the strategy: no callbacks, its orders cancelled.</summary>
    Paused = 4,
    /// <summary>Paused, and trading every position back to flat; Paused once all are flat.</summary>
    Flattening = 5,
    /// <summary>Stopped after the strategy faulted.</summary>
    StoppedFaulted = 6,
    StoppedFaultedPaused = 7,
    StoppedFaultedFlattening = 8,
    /// <summary>Started, but the strategy threw: it is never called again in this process.</summary>
    Faulted = 9,
    FaultedPaused = 10,
    FaultedFlattening = 11,
}
