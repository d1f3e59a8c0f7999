namespace Fathom.Simulator;

/// <summary>
/// A validated new-order command. <see cref="Price"/> and <see cref="Qty"/> are raw at the symbol's
/// decimals; <see cref="QuoteOrderQty"/> at 8 decimals (MARKET only, instead of <see cref="Qty"/>).
/// <see cref="CancelIfWouldTake"/>: a <see cref="OrderType.LimitMaker"/> that would take is accepted and
/// canceled at once (OKX <c>post_only</c>) instead of rejected (Binance <c>LIMIT_MAKER</c>, -2010).
/// </summary>
public readonly record struct NewOrder(
    SymbolBook Book,
    OrderSide Side,
    OrderType Type,
    TimeInForce TimeInForce,
    long Price,
    long Qty,
    long QuoteOrderQty = 0,
    string? ClientOrderId = null,
    SelfTradePreventionMode? Stp = null,
    bool CancelIfWouldTake = false);
