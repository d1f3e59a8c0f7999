using Fathom.Core;

namespace Fathom.Gateway.Abstractions;

/// <summary>
/// Reduce an order's quantity in place, keeping its queue priority (Binance
/// <c>order.amend.keepPriority</c>: reductions only, 0 &lt; NewQty &lt; current quantity). NewQty is the
/// new total quantity including what has already filled. After the amend the venue knows the order by
/// <see cref="ClientOrderId"/> (the amend's own id).
/// </summary>
public readonly record struct AmendQtyCommand(
    int InstrumentId, ClientOrderId ClientOrderId, ClientOrderId OrigClientOrderId, long VenueOrderId, Qty NewQty);
