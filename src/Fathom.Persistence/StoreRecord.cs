using Fathom.Core;

namespace Fathom.Persistence;

/// <summary>One row waiting for the background writer: a fill or an order's state change (fixed size, no allocation).</summary>
internal struct StoreRecord
{
    public byte Kind; // 1 fill, 2 order transition
    public int InstrumentId;
    public long OrderSeq;
    public long VenueOrderId;
    public long TradeId;
    public OrderSide Side;
    public long Price;
    public long Qty;
    public long Fee;
    public long FeeQty;
    public bool IsMaker;
    public OrderState From;
    public OrderState To;
    public byte Event;
    public bool Illegal;
    public long TimeNs;
}
