using Fathom.Core;

namespace Fathom.Gateway.Abstractions;

/// <summary>
/// A keep-priority amend took effect (Binance user stream <c>x=REPLACED</c>). The venue now knows the order
/// by <see cref="NewClientOrderId"/>; <see cref="NewQty"/> is its new total quantity.
/// </summary>
public readonly record struct AmendedReport(
    int InstrumentId, ClientOrderId OrigClientOrderId, ClientOrderId NewClientOrderId, Qty NewQty, long TimeNs);
