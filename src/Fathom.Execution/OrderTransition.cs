using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Execution;

/// <summary>
/// One applied (or refused, when <see cref="Illegal"/>) edge of an order's state machine, for logs, the
/// journal and the store. The init-only members carry the order as it stands after the edge, so the store
/// can upsert the whole order from its transitions alone (all values: building one allocates nothing).
/// </summary>
public readonly record struct OrderTransition(
    long OrderSeq, int InstrumentId, OrderState From, OrderEvent Event, OrderState To, bool Illegal, long TimeNs)
{
    /// <summary>The id the order was placed with: its node and epoch say which instance owns it.</summary>
    public ClientOrderId ClientId { get; init; }
    /// <summary>The id the venue knows the order by now (differs from <see cref="ClientId"/> after a keep-priority amend).</summary>
    public ClientOrderId CurrentClientId { get; init; }
    public long VenueOrderId { get; init; }
    public OrderSide Side { get; init; }
    public OrderType Type { get; init; }
    public Price Price { get; init; }
    public Qty Qty { get; init; }
    public Qty Filled { get; init; }

    public override string ToString() =>
        $"order {OrderSeq} (instrument {InstrumentId}): {From} + {Event} -> {(Illegal ? "ILLEGAL" : To.ToString())} at {TimeNs} ns";
}
