using Fathom.Core;

namespace Fathom.Persistence;

/// <summary>A fill as read back from the store (recovery, reconciliation, reports).</summary>
public readonly record struct StoredFill(
    int InstrumentId, long TradeId, long VenueOrderId, long OrderSeq, OrderSide Side, Price Price, Qty Qty, long Fee, Qty FeeQty, bool IsMaker, long TimeNs);
