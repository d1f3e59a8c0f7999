namespace Fathom.Risk;

/// <summary>What moves <see cref="RiskState"/>: the columns of <see cref="RiskStateMachine"/>'s table.</summary>
public enum RiskTrigger : byte
{
    /// <summary>A rule whose severity is Reducing is breached.</summary>
    Reduce = 0,
    /// <summary>A rule whose severity is Halted is breached.</summary>
    Halt,
    /// <summary>Every breached rule has released and the cool-down has passed.</summary>
    Release,
    OperatorHalt,
    OperatorResume,
}
