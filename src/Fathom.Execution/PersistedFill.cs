using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Execution;

/// <summary>A fill as read back from the store, keyed by symbol; <see cref="ClientId"/> says whose order it was (none: foreign).</summary>
public readonly record struct PersistedFill(
    string Symbol, long TradeId, long VenueOrderId, ClientOrderId ClientId, OrderSide Side, Price Price, Qty Qty, long Fee, Qty FeeQty,
    bool IsMaker, long TimeNs);
