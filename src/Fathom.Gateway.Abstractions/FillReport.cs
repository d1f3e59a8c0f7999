using Fathom.Core;

namespace Fathom.Gateway.Abstractions;

/// <summary>
/// One execution of one of our orders. Unique by (instrument, <see cref="TradeId"/>, <see cref="VenueOrderId"/>):
/// a self-trade reports two fills with one trade id, one per order. <see cref="Fee"/> is the fee's value in
/// the quote currency (raw at the instrument's price decimals); <see cref="FeeQty"/> is what the venue took
/// out of the base balance (spot buys pay commission in base unless paid in another asset), so the
/// position moves by the traded quantity less it.
/// </summary>
public readonly record struct FillReport(
    int InstrumentId, ClientOrderId ClientOrderId, long VenueOrderId, long TradeId, OrderSide Side,
    Price Price, Qty Qty, Qty CumulativeQty, long Fee, Qty FeeQty, bool IsMaker, long TimeNs);
