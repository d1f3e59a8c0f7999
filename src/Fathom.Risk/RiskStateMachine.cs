namespace Fathom.Risk;

/// <summary>The one transition table of <see cref="RiskState"/>.</summary>
public static class RiskStateMachine
{
    public const byte Illegal = 0xFF;

    // Rows: state (Active, Reducing, Halted); columns: RiskTrigger. Non-obvious edges:
    // * Halted + Reduce stays Halted: a new soft breach never lowers a halt.
    // * Halted + Release → Reducing, not Active: after a halt clears by rule we first trade only toward
    //   flat for a cool-down; a second Release (evaluated after the cool-down) returns to Active.
    // * Active + Release is illegal: nothing was breached, so a release means the caller lost track.
    // * OperatorResume from anywhere → Active: the operator clears every reason, sticky ones included;
    //   a rule still breached re-trips at the next evaluation, so this can only unblock, never hide.
    private static readonly byte[,] s_table =
    {
        //              Reduce                    Halt                    Release                   OperatorHalt            OperatorResume
        /* Active   */ { (byte)RiskState.Reducing, (byte)RiskState.Halted, Illegal,                  (byte)RiskState.Halted, (byte)RiskState.Active },
        /* Reducing */ { (byte)RiskState.Reducing, (byte)RiskState.Halted, (byte)RiskState.Active,   (byte)RiskState.Halted, (byte)RiskState.Active },
        /* Halted   */ { (byte)RiskState.Halted,   (byte)RiskState.Halted, (byte)RiskState.Reducing, (byte)RiskState.Halted, (byte)RiskState.Active },
    };

    /// <summary>The next state, or false when the edge is illegal (the caller counts and logs it).</summary>
    public static bool TryNext(RiskState state, RiskTrigger trigger, out RiskState next)
    {
        byte to = s_table[(int)state, (int)trigger];
        next = to == Illegal ? state : (RiskState)to;
        return to != Illegal;
    }
}
