namespace Fathom.Core;

/// <summary>The first venue filter an order would fail, checked locally before it is sent.</summary>
public enum OrderFilterResult : byte
{
    Ok = 0,
    PriceNotPositive,
    PriceOffTick,
    PriceBelowMin,
    PriceAboveMax,
    QtyNotPositive,
    QtyOffStep,
    QtyBelowMin,
    QtyAboveMax,
    NotionalBelowMin,
    NotTrading,
}
