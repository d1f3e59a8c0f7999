using Fathom.Core;

namespace Fathom.Simulator;

/// <summary>
/// Balances, notionals and commissions are fixed-point longs at 8 decimals, the precision Binance
/// reports every spot asset at. Symbol prices and quantities (at most 8 decimals) scale up exactly.
/// </summary>
public static class Assets
{
    public const int Decimals = 8;
    public const long One = 100_000_000;

    /// <summary>A quantity at <paramref name="qtyDecimals"/> as base-asset units.</summary>
    public static long FromQty(long qtyRaw, int qtyDecimals) => checked(qtyRaw * FixedPoint.Pow10(Decimals - qtyDecimals));

    /// <summary>price × qty in quote units, truncated: what a buyer pays and a seller receives.</summary>
    public static long NotionalFloor(long priceRaw, long qtyRaw, InstrumentSpec spec) =>
        FixedPoint.Rescale(FixedPoint.Multiply(priceRaw, qtyRaw), spec.PriceDecimals + spec.QtyDecimals, Decimals);

    /// <summary>price × qty in quote units, rounded up: what a resting buy must lock so every fill is covered.</summary>
    public static long NotionalCeil(long priceRaw, long qtyRaw, InstrumentSpec spec)
    {
        int from = spec.PriceDecimals + spec.QtyDecimals;
        Int128 exact = FixedPoint.Multiply(priceRaw, qtyRaw);
        if (from <= Decimals)
            return FixedPoint.Rescale(exact, from, Decimals);
        Int128 unit = FixedPoint.Pow10(from - Decimals);
        Int128 q = Int128.DivRem(exact, unit).Quotient;
        return checked((long)(q * unit == exact ? q : q + 1));
    }

    /// <summary>The most quantity (floored to the step) that <paramref name="quote"/> buys at <paramref name="priceRaw"/>.</summary>
    public static long QtyForQuote(long quote, long priceRaw, InstrumentSpec spec)
    {
        Int128 num = (Int128)quote * FixedPoint.Pow10(spec.PriceDecimals + spec.QtyDecimals);
        Int128 den = (Int128)priceRaw * One;
        long qty = checked((long)(num / den));
        return qty - qty % spec.StepSize.Raw;
    }

    /// <summary>amount × rate (both at 8 decimals), truncated toward zero.</summary>
    public static long Commission(long amount, long rate8) => checked((long)((Int128)amount * rate8 / One));

    /// <summary>Scales a symbol price or quantity up to 8 decimals for the wire.</summary>
    public static long To8(long raw, int decimals) => checked(raw * FixedPoint.Pow10(Decimals - decimals));
}
