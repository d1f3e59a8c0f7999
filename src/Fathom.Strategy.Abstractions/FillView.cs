using Fathom.Core;

namespace Fathom.Strategy.Abstractions;

/// <summary>One execution of one of our orders, as applied to the position (once: fills are de-duplicated upstream).</summary>
public readonly record struct FillView(
    long OrderId,
    int InstrumentId,
    OrderSide Side,
    Price Price,
    Qty Quantity,
    long Fee,
    bool IsMaker,
    long TradeId,
    long TimeNs);
