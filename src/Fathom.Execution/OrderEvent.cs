namespace Fathom.Execution;

/// <summary>What can happen to an order: the columns of <see cref="OrderStateMachine"/>'s table.</summary>
public enum OrderEvent : byte
{
    /// <summary>We sent the new order.</summary>
    Submit = 0,
    /// <summary>The venue accepted it (response, stream NEW, or a query saying NEW/PARTIALLY_FILLED).</summary>
    Ack,
    /// <summary>A fill that leaves quantity open (applied before the transition).</summary>
    PartialFill,
    /// <summary>A fill that completes the order, or a query saying FILLED.</summary>
    Fill,
    CancelRequest,
    /// <summary>Our cancel was refused while the order lives (rate limit, cancel restrictions).</summary>
    CancelReject,
    Canceled,
    /// <summary>We sent an amend or a cancel-replace for this order.</summary>
    ReplaceRequest,
    /// <summary>A keep-priority amend took effect.</summary>
    Replaced,
    ReplaceReject,
    /// <summary>The new order was refused.</summary>
    Reject,
    Expire,
    /// <summary>The command in flight for this order has no known outcome (timeout, 5xx, disconnect).</summary>
    StatusUnknown,
    /// <summary>A query found nothing, but too soon after the timeout to prove anything: re-query later.</summary>
    NotFound,
    /// <summary>A query found nothing after the receive window passed: the order never reached the venue.</summary>
    NotFoundFinal,
    /// <summary>
    /// Restart: an earlier run's order the venue lists as open is taken into the table as working
    /// (Accepted, PartiallyFilled with fills), with the terms and executed quantity the venue gave.
    /// </summary>
    Adopt,
    /// <summary>
    /// Restart: an order the store holds as open that the venue does not list: its fate is unknown
    /// until a query (or a report) says, so it enters the table as Unknown.
    /// </summary>
    Recover,
    /// <summary>
    /// A query's answer or a fill named the order by a later id of ours than its current one: an amend took effect whose answer
    /// was lost, or that the store never recorded before a crash. The state stays; the transition carries the new
    /// current id to the store. Not counted as a duplicate.
    /// </summary>
    Renamed,
}
