namespace Fathom.Risk;

/// <summary>
/// One change of risk state (or of an instrument's gate when <see cref="InstrumentId"/> ≥ 0), logged with
/// the reasons holding at that moment. Illegal table edges are reported with <see cref="Illegal"/> set.
/// </summary>
/// <remarks>
/// For an instrument, <see cref="From"/> and <see cref="To"/> say whether the hold named in
/// <see cref="Reasons"/> (<see cref="RiskReason.MarkoutLoss"/>, <see cref="RiskReason.VwapStop"/>) began
/// (Active → Reducing) or was lifted (Reducing → Active); the full gate is <see cref="RiskManager.GateOf"/>.
/// </remarks>
public readonly record struct RiskTransition(
    RiskState From, RiskState To, RiskTrigger Trigger, RiskReason Reasons, int InstrumentId, bool Illegal, long TimeNs)
{
    public override string ToString() =>
        InstrumentId >= 0
            ? $"instrument {InstrumentId}: {From} -> {To} ({Trigger}{(Illegal ? ", illegal" : "")}) reasons {Reasons} at {TimeNs} ns"
            : $"risk: {From} -> {To} ({Trigger}{(Illegal ? ", illegal" : "")}) reasons {Reasons} at {TimeNs} ns";
}
