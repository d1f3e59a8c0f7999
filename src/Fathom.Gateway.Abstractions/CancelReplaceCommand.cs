using Fathom.Core;

namespace Fathom.Gateway.Abstractions;

/// <summary>
/// Cancel one order and place another in one request (Binance <c>order.cancelReplace</c>, mode
/// STOP_ON_FAILURE: if the cancel fails the new order is not attempted). Three ids: the cancel's own,
/// the order being cancelled, and the new order's.
/// </summary>
public readonly record struct CancelReplaceCommand(
    int InstrumentId, ClientOrderId CancelClientOrderId, ClientOrderId OrigClientOrderId, long VenueOrderId,
    ClientOrderId NewClientOrderId, OrderSide Side, OrderType Type, Price Price, Qty Qty);
