using Fathom.Core;

namespace Fathom.Risk;

/// <summary>
/// A new order as risk sees it, with what only execution knows: the quantity already resting on the
/// same side (working orders count toward the position limit as if filled) and the best price of our
/// own resting orders on the opposite side (0 when none) for the self-trade check.
/// </summary>
public readonly record struct OrderCheck(
    int InstrumentId, OrderSide Side, Price Price, Qty Qty, Qty OpenSameSideQty, Price OwnOppositeBest);
