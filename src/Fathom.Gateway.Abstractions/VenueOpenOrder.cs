using Fathom.Core;

namespace Fathom.Gateway.Abstractions;

/// <summary>
/// One of our orders the venue lists as open (<see cref="IVenueQueries.GetOpenOrdersAsync"/>): its status
/// and, because a restart adopts it, its terms as the venue holds them (side, type, limit price, original
/// quantity). Read for reconciliation, never on the hot path.
/// </summary>
/// <param name="Status">Status, venue order id, the client id the venue knows it by now (an amend renames
/// it), executed quantity and the venue's last update time.</param>
public readonly record struct VenueOpenOrder(OrderStatusReport Status, OrderSide Side, OrderType Type, Price Price, Qty Qty)
{
    public int InstrumentId => Status.InstrumentId;
    public ClientOrderId ClientOrderId => Status.ClientOrderId;
    public long VenueOrderId => Status.VenueOrderId;
    /// <summary>Executed so far, as of <see cref="UpdatedNs"/>.</summary>
    public Qty Filled => Status.CumulativeQty;
    /// <summary>The venue's last change to the order (its last fill, amend or placement), Unix nanoseconds.</summary>
    public long UpdatedNs => Status.TimeNs;
}
