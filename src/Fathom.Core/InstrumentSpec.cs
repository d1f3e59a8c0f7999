using System.Runtime.CompilerServices;

namespace Fathom.Core;

/// <summary>
/// What Fathom needs to know about an instrument: precision, tick and step sizes, quantity and
/// notional limits and trading status. Prices and quantities are raw fixed-point values at
/// <see cref="PriceDecimals"/> and <see cref="QtyDecimals"/>; a book tick is <see cref="TickSize"/> raw units.
/// </summary>
/// <remarks>
/// Outgoing orders are rounded at the intent boundary: bids floor to the tick (never pay more than
/// intended), asks ceil (never sell for less), quantities floor to the step (never trade more).
/// A zero <see cref="MaxQty"/>, <see cref="MinPrice"/>, <see cref="MaxPrice"/> or
/// <see cref="MinNotional"/> disables that rule, as in Binance's filters.
/// </remarks>
public sealed record InstrumentSpec
{
    public required string Symbol { get; init; }
    public Venue Venue { get; init; }
    public required int PriceDecimals { get; init; }
    public required int QtyDecimals { get; init; }
    public required Price TickSize { get; init; }
    public required Qty StepSize { get; init; }
    public Qty MinQty { get; init; }
    public Qty MaxQty { get; init; }
    public Price MinPrice { get; init; }
    public Price MaxPrice { get; init; }
    /// <summary>Minimum price × qty, at <see cref="PriceDecimals"/> (quote currency units).</summary>
    public Price MinNotional { get; init; }
    public InstrumentStatus Status { get; init; } = InstrumentStatus.Trading;

    /// <summary>Checks the invariants every other method relies on; throws with a clear message.</summary>
    public InstrumentSpec Validate()
    {
        if (string.IsNullOrWhiteSpace(Symbol))
            ThrowHelper.ThrowArgument(nameof(Symbol), "Symbol is required.");
        if ((uint)PriceDecimals > DecimalParser.MaxDecimals || (uint)QtyDecimals > DecimalParser.MaxDecimals)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(PriceDecimals), $"{Symbol}: decimals must be 0..18.");
        if (TickSize.Raw <= 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(TickSize), $"{Symbol}: tick size must be positive.");
        if (StepSize.Raw <= 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(StepSize), $"{Symbol}: step size must be positive.");
        if (MinQty.Raw < 0 || MaxQty.Raw < 0 || MinNotional.Raw < 0 || MinPrice.Raw < 0 || MaxPrice.Raw < 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(MinQty), $"{Symbol}: limits must not be negative.");
        if (MaxQty.Raw != 0 && MaxQty < MinQty)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(MaxQty), $"{Symbol}: max qty is below min qty.");
        return this;
    }

    /// <summary>Largest on-tick price ≤ <paramref name="price"/> (for bids).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Price FloorToTick(Price price) => new(FloorTo(price.Raw, TickSize.Raw));

    /// <summary>Smallest on-tick price ≥ <paramref name="price"/> (for asks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Price CeilToTick(Price price) => new(CeilTo(price.Raw, TickSize.Raw));

    /// <summary>Largest multiple of the step ≤ <paramref name="qty"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Qty FloorToStep(Qty qty) => new(FloorTo(qty.Raw, StepSize.Raw));

    /// <summary>Bids round down, asks round up: the passive direction, never through the intent.</summary>
    public Price RoundForSide(Price price, bool isBid) => isBid ? FloorToTick(price) : CeilToTick(price);

    public bool IsOnTick(Price price) => price.Raw % TickSize.Raw == 0;
    public bool IsOnStep(Qty qty) => qty.Raw % StepSize.Raw == 0;

    /// <summary>The book tick index of an on-tick price; false when the price is off the grid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryToTicks(Price price, out long ticks)
    {
        ticks = Math.DivRem(price.Raw, TickSize.Raw, out long rem);
        return rem == 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Price FromTicks(long ticks) => new(checked(ticks * TickSize.Raw));

    /// <summary>price × qty as quote currency at <see cref="PriceDecimals"/>, exact in <see cref="Int128"/>.</summary>
    public static Int128 NotionalExact(Price price, Qty qty) => FixedPoint.Multiply(price.Raw, qty.Raw);

    /// <summary>The first filter (price, quantity, notional, status) an order would fail.</summary>
    public OrderFilterResult CheckOrder(Price price, Qty qty)
    {
        if (Status != InstrumentStatus.Trading)
            return OrderFilterResult.NotTrading;
        if (price.Raw <= 0)
            return OrderFilterResult.PriceNotPositive;
        if (!IsOnTick(price))
            return OrderFilterResult.PriceOffTick;
        if (MinPrice.Raw != 0 && price < MinPrice)
            return OrderFilterResult.PriceBelowMin;
        if (MaxPrice.Raw != 0 && price > MaxPrice)
            return OrderFilterResult.PriceAboveMax;
        if (qty.Raw <= 0)
            return OrderFilterResult.QtyNotPositive;
        if (!IsOnStep(qty))
            return OrderFilterResult.QtyOffStep;
        if (qty < MinQty)
            return OrderFilterResult.QtyBelowMin;
        if (MaxQty.Raw != 0 && qty > MaxQty)
            return OrderFilterResult.QtyAboveMax;
        // Notional is at PriceDecimals + QtyDecimals; compare against MinNotional scaled the same way.
        if (MinNotional.Raw != 0 &&
            NotionalExact(price, qty) < FixedPoint.Multiply(MinNotional.Raw, FixedPoint.Pow10(QtyDecimals)))
            return OrderFilterResult.NotionalBelowMin;
        return OrderFilterResult.Ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long FloorTo(long value, long unit)
    {
        long rem = value % unit;
        // C# remainder takes the dividend's sign; floor moves negatives further down.
        return rem < 0 ? checked(value - rem - unit) : value - rem;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long CeilTo(long value, long unit)
    {
        long rem = value % unit;
        return rem > 0 ? checked(value - rem + unit) : value - rem;
    }
}
