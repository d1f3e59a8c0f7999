using Fathom.Core;

namespace Fathom.Strategy.Abstractions;

/// <summary>What a strategy may know about one of its orders.</summary>
public readonly record struct OrderView(
    long OrderId,
    int InstrumentId,
    OrderSide Side,
    Price Price,
    Qty Quantity,
    Qty Filled,
    OrderState State,
    bool PostOnly)
{
    public Qty Remaining => new(Quantity.Raw - Filled.Raw);
    public bool IsWorking => State is OrderState.PendingNew or OrderState.Accepted or OrderState.PartiallyFilled
        or OrderState.PendingCancel or OrderState.PendingReplace or OrderState.Unknown;
}
