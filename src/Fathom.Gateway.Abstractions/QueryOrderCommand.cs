namespace Fathom.Gateway.Abstractions;

/// <summary>
/// Ask the venue for an order's status; the answer is an <see cref="OrderStatusReport"/> naming
/// <see cref="OrigClientOrderId"/>. With <see cref="VenueOrderId"/> (the order was acknowledged) a venue that can
/// looks the order up by it: an amend may have renamed the order at the venue to an id we never heard of (its answer
/// lost, or a crash before the store had it), and the venue's id never changes.
/// </summary>
public readonly record struct QueryOrderCommand(int InstrumentId, ClientOrderId OrigClientOrderId, long VenueOrderId = 0);
