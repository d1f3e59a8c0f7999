using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Persistence;

/// <summary>
/// One row waiting for the background writer: a fill, an order's state change (with the order as it
/// stands), the risk day or a halt. Fixed size and copied by value, so the core allocates nothing to
/// append one; <see cref="Text"/> only references a string the engine already made (a halt's reason).
/// </summary>
internal struct StoreRecord
{
    public StoreRecordKind Kind;
    public int InstrumentId;
    public long OrderSeq;
    public ushort Node;
    public uint Epoch;
    public long CurrentSeq;
    public long VenueOrderId;
    public long TradeId;
    public OrderSide Side;
    public OrderType Type;
    public long Price;
    public long Qty;
    public long Filled;
    public long Fee;
    public long FeeQty;
    public bool IsMaker;
    public OrderState From;
    public OrderState To;
    public byte Event;
    public bool Illegal;
    public long TimeNs;
    /// <summary>Risk day: its index and start PnL; halt: whether one is in force (reason in <see cref="Text"/>).</summary>
    public long DayIndex;
    public long StartPnl;
    public bool Halted;
    public string? Text;
    /// <summary>Risk event: the trigger and the reasons in force (<see cref="From"/>/<see cref="To"/> hold the risk states' codes).</summary>
    public byte Trigger;
    public long Reasons;
}

internal enum StoreRecordKind : byte { None, Fill, OrderTransition, RiskDay, RiskHalt, RiskEvent }
