using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Strategy.Abstractions;

namespace Fathom.Execution;

/// <summary>
/// One of our orders as execution tracks it; lives in <see cref="OrderTable"/>'s pre-sized array and is
/// changed in place by ref. An alias record (<see cref="AliasOf"/> ≠ 0) only maps an amend's client id
/// back to the order it renamed.
/// </summary>
internal struct OrderRecord
{
    public long Seq;
    public long AliasOf;
    public ClientOrderId Id;
    /// <summary>The id the venue knows the order by now (changes with every keep-priority amend).</summary>
    public ClientOrderId CurrentId;
    public long VenueOrderId;
    public int InstrumentId;
    public OrderSide Side;
    public OrderType Type;
    public Price Price;
    public Qty Qty;
    public Qty Filled;
    public OrderState State;
    public bool IsQuote;
    public bool WasAcked;
    /// <summary>
    /// Cancel as soon as nothing is in flight for it and its back-off has run out (a cancel-all found it
    /// busy, or the venue rejected the cancel).
    /// </summary>
    public bool CancelWanted;
    /// <summary>
    /// Consecutive rejects of a cancel, cancel-replace or amend of this order, and the earliest time the
    /// next of those may go (exponential back-off; reset by a successful amend).
    /// </summary>
    public int ModifyRejects;
    public long NextModifyNs;

    /// <summary>The in-flight command (its own sequence number, kind and send time).</summary>
    public long PendingSeq;
    public CommandKind PendingKind;
    public long PendingSentNs;
    public Qty PendingAmendQty;

    /// <summary>The command whose fate became unknown, and when it was sent (the proof window runs from there).</summary>
    public CommandKind UnknownKind;
    public long UnknownSentNs;
    public long NextQueryNs;
    public int QueryAttempts;
    public bool QueryInFlight;

    /// <summary>
    /// Taken over from an earlier run at a restart (<see cref="OrderEvent.Adopt"/> or <see cref="OrderEvent.Recover"/>);
    /// <see cref="AdoptedAsOfNs"/> is the venue's last update of it when listed (its executed quantity includes
    /// every fill up to then).
    /// </summary>
    public bool Adopted;
    /// <summary>
    /// Taken over by <see cref="OrderEvent.Recover"/>: the store held it open and the venue did not list it, so its
    /// fills are history, not a sign that it rests; only the query's answer (or a fill that completes it) settles it.
    /// </summary>
    public bool Recovered;
    public long AdoptedAsOfNs;

    /// <summary>Cancel-replace links: the order replacing this one, and the one this one replaces.</summary>
    public long ReplacedBySeq;
    public long ReplacesSeq;

    public readonly Qty Remaining => new(Qty.Raw - Filled.Raw);
    public readonly bool IsLive => Seq != 0 && AliasOf == 0 && State != OrderState.New && !OrderStateMachine.IsTerminal(State);

    public readonly OrderView ToView() =>
        new(Seq, InstrumentId, Side, Price, Qty, Filled, State, Type == OrderType.LimitMaker);
}
