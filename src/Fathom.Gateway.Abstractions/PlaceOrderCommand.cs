using Fathom.Core;

namespace Fathom.Gateway.Abstractions;

/// <summary>Send a new order. Prices and quantities are already rounded and filter-checked.</summary>
public readonly record struct PlaceOrderCommand(
    int InstrumentId, ClientOrderId ClientOrderId, OrderSide Side, OrderType Type, Price Price, Qty Qty);
