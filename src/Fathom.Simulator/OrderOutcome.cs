namespace Fathom.Simulator;

/// <summary>
/// The result of an engine command: either a <see cref="Reject"/> or the order after the command.
/// <see cref="Fills"/> is the engine's reusable buffer: read it before the next command.
/// </summary>
public readonly record struct OrderOutcome(RejectCode Reject, SimOrder? Order, IReadOnlyList<Fill> Fills)
{
    public bool Ok => Reject == RejectCode.None;
}
