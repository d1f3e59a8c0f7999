using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Execution;

/// <summary>One order as the store last saw it (upserted from its transitions).</summary>
public readonly record struct PersistedOrder(
    long OrderSeq, ClientOrderId ClientId, ClientOrderId CurrentClientId, long VenueOrderId, string Symbol, OrderSide Side, OrderType Type,
    Price Price, Qty Qty, Qty Filled, OrderState State, long UpdatedNs);
