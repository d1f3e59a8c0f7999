namespace Fathom.Risk;

/// <summary>The account-wide risk state: Active → Reducing → Halted, and back by rule or operator.</summary>
public enum RiskState : byte
{
    /// <summary>Every check applies; new quotes and takes may pass.</summary>
    Active = 0,
    /// <summary>Only orders that reduce the position pass; cancels always.</summary>
    Reducing = 1,
    /// <summary>No new order passes; resting orders are cancelled. Cancels always pass.</summary>
    Halted = 2,
}
