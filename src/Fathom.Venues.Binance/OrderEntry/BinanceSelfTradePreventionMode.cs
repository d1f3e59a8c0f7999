namespace Fathom.Venues.Binance;

/// <summary>
/// The <c>selfTradePreventionMode</c> sent with every new order and with the new order of every
/// cancel-replace (EXCHANGES.md §3.4, Binance's faqs/stp_faq.md). The taker's mode decides at Binance:
/// the mode of an order that rests is never consulted again. An order expired by STP comes back
/// <c>EXPIRED_IN_MATCH</c> (executionReport <c>x=TRADE_PREVENTION</c>), which the gateway reports as expired.
/// </summary>
/// <remarks>
/// <see cref="None"/> is Binance's NONE and is sent: it exempts the order from STP (it may trade with
/// the account's own orders). Leaving the parameter out is <see cref="SymbolDefault"/>: the symbol's
/// exchangeInfo <c>defaultSelfTradePreventionMode</c> applies (EXPIRE_MAKER on Binance spot symbols
/// today), which is not NONE, so the two are kept apart. DECREMENT and TRANSFER are not offered: they
/// leave a partly prevented order working, which nothing in Fathom models.
/// </remarks>
public enum BinanceSelfTradePreventionMode : byte
{
    /// <summary>Not sent: the symbol's <c>defaultSelfTradePreventionMode</c> applies.</summary>
    SymbolDefault,
    /// <summary>NONE: no prevention; the order may trade with the account's own orders.</summary>
    None,
    /// <summary>EXPIRE_TAKER: the incoming order's remaining quantity expires; the resting one stays.</summary>
    ExpireTaker,
    /// <summary>EXPIRE_MAKER: the resting order expires; the incoming one goes on matching.</summary>
    ExpireMaker,
    /// <summary>EXPIRE_BOTH: both expire.</summary>
    ExpireBoth,
}
