namespace Fathom.Strategy.Abstractions;

/// <summary>
/// The life of one of our orders. Pending* states mean a command is in flight; Unknown means its
/// fate is not known (timeout, 5xx, disconnect) and must be resolved by query, never by resending.
/// </summary>
public enum OrderState : byte
{
    New = 0,
    PendingNew,
    Accepted,
    PartiallyFilled,
    Filled,
    PendingCancel,
    Canceled,
    PendingReplace,
    Rejected,
    Expired,
    Unknown,
}
