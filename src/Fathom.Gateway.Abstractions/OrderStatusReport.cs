using Fathom.Core;

namespace Fathom.Gateway.Abstractions;

/// <summary>
/// The answer to a <see cref="QueryOrderCommand"/>. Fills are never taken from it (they need trade ids
/// to be applied once): <see cref="CumulativeQty"/> only tells how much the fill reports should add up to.
/// </summary>
public readonly record struct OrderStatusReport(
    int InstrumentId, ClientOrderId ClientOrderId, VenueOrderStatus Status, long VenueOrderId, Qty CumulativeQty, long TimeNs);
