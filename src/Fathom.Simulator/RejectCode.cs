namespace Fathom.Simulator;

/// <summary>
/// Why the engine refused a command. Each maps to exactly one Binance code and message in
/// <see cref="BinanceErrors.For(RejectCode)"/>; the engine itself knows no wire text.
/// </summary>
public enum RejectCode : byte
{
    None,
    // -1013 filter failures, checked before the engine (filters.md).
    FilterPrice,
    FilterLotSize,
    FilterMarketLotSize,
    FilterNotional,
    FilterPercentPriceBySide,
    FilterMaxNumOrders,
    // -2010 engine rejections.
    MarketClosed,
    InsufficientBalance,
    WouldTake,
    DuplicateOrder,
    StpModeNotAllowed,
    NoLiquidityForQuoteOrder,
    PriceTimesQtyNotPositive,
    // -2011 cancel rejections.
    UnknownOrder,
    CancelRestricted,
    // -2013 query.
    NoSuchOrder,
    // -2038 amend.
    AmendQtyIncrease,
    AmendNoChange,
}
