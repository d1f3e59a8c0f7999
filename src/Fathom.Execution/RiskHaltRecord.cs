namespace Fathom.Execution;

/// <summary>
/// An operator or fault halt put in force (<see cref="Halted"/> with its <see cref="Reason"/>) or lifted by
/// an operator resume (<see cref="Halted"/> false). Only these are stored: the other halts (daily drawdown,
/// venue errors, in-flight age) are re-derived by risk from restored positions and live inputs.
/// </summary>
public readonly record struct RiskHaltRecord(bool Halted, string? Reason, long TimeNs);
