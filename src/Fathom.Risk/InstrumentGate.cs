namespace Fathom.Risk;

/// <summary>
/// One instrument's risk gate: its volatility level (normal, widened, paused) together with what holds it
/// reduce-only (a markout cool-down, a VWAP stop, both, or nothing). Moved only by
/// <see cref="InstrumentGateMachine"/>; the account-wide <see cref="RiskState"/> is a separate table.
/// </summary>
/// <remarks>
/// The value is <c>volatility + 3 × hold</c> (hold: 0 none, 1 cooling, 2 stopped, 3 both), which
/// <see cref="InstrumentGateMachine"/>'s views rely on. Open and Widened allow orders that increase the
/// position (when the account is Active); every other gate allows only reducing ones. Paused gates also
/// cancel resting orders.
/// </remarks>
public enum InstrumentGate : byte
{
    /// <summary>Normal volatility, nothing holding: every check applies as usual.</summary>
    Open = 0,
    /// <summary>Volatility above the widen level: quotes wider and smaller.</summary>
    Widened = 1,
    /// <summary>Volatility above the pause level: resting orders cancelled, reduce-only.</summary>
    Paused = 2,
    /// <summary>A fill's markout loss passed the limit: reduce-only until the cool-down ends.</summary>
    Cooling = 3,
    CoolingWidened = 4,
    CoolingPaused = 5,
    /// <summary>Mid moved past the VWAP stop from the position's entry: reduce-only until flat.</summary>
    Stopped = 6,
    StoppedWidened = 7,
    StoppedPaused = 8,
    /// <summary>Stopped and cooling: flat lifts the stop, the cool-down's end lifts the markout hold.</summary>
    StoppedCooling = 9,
    StoppedCoolingWidened = 10,
    StoppedCoolingPaused = 11,
}
