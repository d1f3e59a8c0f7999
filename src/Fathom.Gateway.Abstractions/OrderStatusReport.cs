using Fathom.Core;

namespace Fathom.Gateway.Abstractions;

/// <summary>
/// The answer to a <see cref="QueryOrderCommand"/>. Fills are never taken from it (they need trade ids
/// to be applied once): <see cref="CumulativeQty"/> only tells how much the fill reports should add up to.
/// <see cref="ClientOrderId"/> names the order as it was asked about; <see cref="VenueClientOrderId"/>, when the
/// venue gives it, is the id the venue holds the order under now, which an amend may have changed (Binance's
/// order amend renames the order to the amend's new id): an order recovered after a crash whose last amend never
/// reached the store is named by its old id, and learns its current one from this. None when the venue did not
/// say, or keeps one id for the order's life (OKX).
/// </summary>
public readonly record struct OrderStatusReport(
    int InstrumentId, ClientOrderId ClientOrderId, VenueOrderStatus Status, long VenueOrderId, Qty CumulativeQty, long TimeNs,
    ClientOrderId VenueClientOrderId = default);
