namespace Fathom.Core;

/// <summary>
/// The life of one of our orders. Pending* states mean a command is in flight; Unknown means its
/// fate is not known (timeout, 5xx, disconnect) and must be resolved by query, never by resending.
/// </summary>
/// <remarks>
/// In Core because both sides of the strategy boundary name it: the strategy API shows it in
/// <c>OrderView</c>, execution drives it, persistence stores it. Values are stored: never renumber.
/// </remarks>
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
