namespace Fathom.Risk;

/// <summary>What moves an <see cref="InstrumentGate"/>: the columns of <see cref="InstrumentGateMachine"/>'s table.</summary>
public enum InstrumentGateTrigger : byte
{
    /// <summary>Volatility fell below the widen level's release (threshold × release ratio), or was never above it.</summary>
    Calm = 0,
    /// <summary>Volatility is at the widen level: above its threshold, or down from paused but not below its release.</summary>
    Widen,
    /// <summary>Volatility is at the pause level.</summary>
    Pause,
    /// <summary>A recent fill's markout loss passed the limit (a new cool-down, or a renewal of the running one).</summary>
    MarkoutBreach,
    /// <summary>The markout cool-down has run out.</summary>
    MarkoutElapsed,
    /// <summary>Mid moved past the VWAP stop from the position's entry.</summary>
    VwapStop,
    /// <summary>The position is zero.</summary>
    Flat,
    /// <summary>The operator resumed: every hold is cleared (volatility is a measurement and stays).</summary>
    OperatorResume,
}
