using Fathom.Core;

namespace Fathom.Strategy.Abstractions;

/// <summary>
/// A strategy's position and PnL on one instrument. Spot: the base balance against the configured
/// baseline. Money is raw fixed-point at the instrument's price decimals (quote currency), net of fees.
/// </summary>
public readonly record struct PositionView(
    int InstrumentId,
    Qty Position,
    Price AverageEntryPrice,
    long RealizedPnl,
    long UnrealizedPnl,
    long FeesPaid,
    Qty BuyQty,
    Qty SellQty)
{
    public bool IsFlat => Position.Raw == 0;
}
