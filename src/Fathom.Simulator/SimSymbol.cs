using Fathom.Core;

namespace Fathom.Simulator;

/// <summary>
/// A simulated spot symbol and its Binance filters. <see cref="Spec"/> carries PRICE_FILTER
/// (tick, min, max) and LOT_SIZE (step, min, max) at the symbol's decimals; notional limits are
/// in quote-asset units at <see cref="Assets.Decimals"/>. A zero limit disables that rule, as in Binance.
/// </summary>
public sealed record SimSymbol
{
    public required InstrumentSpec Spec { get; init; }
    public required string BaseAsset { get; init; }
    public required string QuoteAsset { get; init; }
    public string Name => Spec.Symbol;

    /// <summary>NOTIONAL.minNotional (quote units at 8 decimals).</summary>
    public long MinNotional { get; init; }
    /// <summary>NOTIONAL.maxNotional (quote units at 8 decimals); 0 disables.</summary>
    public long MaxNotional { get; init; }
    public bool ApplyMinToMarket { get; init; } = true;
    public bool ApplyMaxToMarket { get; init; }

    /// <summary>MARKET_LOT_SIZE.maxQty at the symbol's quantity decimals; 0 = LOT_SIZE's.</summary>
    public long MarketMaxQty { get; init; }

    /// <summary>PERCENT_PRICE_BY_SIDE multipliers at <see cref="MultiplierDecimals"/>; 0 disables that bound.</summary>
    public long BidMultiplierUp { get; init; }
    public long BidMultiplierDown { get; init; }
    public long AskMultiplierUp { get; init; }
    public long AskMultiplierDown { get; init; }
    public const int MultiplierDecimals = 4;

    public int MaxNumOrders { get; init; } = 200;
    public SelfTradePreventionMode DefaultStp { get; init; } = SelfTradePreventionMode.ExpireMaker;

    /// <summary>Throws when the symbol cannot be simulated exactly (decimals above the asset precision).</summary>
    public SimSymbol Validate()
    {
        Spec.Validate();
        if (Spec.PriceDecimals > Assets.Decimals || Spec.QtyDecimals > Assets.Decimals)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(Spec), $"{Name}: price and quantity decimals must be at most {Assets.Decimals}.");
        if (string.IsNullOrWhiteSpace(BaseAsset) || string.IsNullOrWhiteSpace(QuoteAsset) || BaseAsset == QuoteAsset)
            ThrowHelper.ThrowArgument(nameof(BaseAsset), $"{Name}: base and quote assets must be set and differ.");
        if (MaxNumOrders <= 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(MaxNumOrders), $"{Name}: MAX_NUM_ORDERS must be positive.");
        return this;
    }

    /// <summary>A BTCUSDT-like symbol (tick 0.01, step 0.00001, min notional 5 USDT).</summary>
    public static SimSymbol Create(string symbol, string baseAsset, string quoteAsset, int priceDecimals = 2, int qtyDecimals = 5,
        long tickRaw = 1, long stepRaw = 1, long minNotional8 = 5_00000000)
    {
        return new SimSymbol
        {
            Spec = new InstrumentSpec
            {
                Symbol = symbol,
                Venue = Venue.BinanceSpot,
                PriceDecimals = priceDecimals,
                QtyDecimals = qtyDecimals,
                TickSize = new Price(tickRaw),
                StepSize = new Qty(stepRaw),
                MinQty = new Qty(stepRaw),
                MaxQty = new Qty(9000 * FixedPoint.Pow10(qtyDecimals)),
                MinPrice = new Price(tickRaw),
                MaxPrice = new Price(1_000_000 * FixedPoint.Pow10(priceDecimals)),
            },
            BaseAsset = baseAsset,
            QuoteAsset = quoteAsset,
            MinNotional = minNotional8,
            MaxNotional = 9_000_000 * Assets.One,
            BidMultiplierUp = 5 * 10_000,
            BidMultiplierDown = 2_000,
            AskMultiplierUp = 5 * 10_000,
            AskMultiplierDown = 2_000,
        }.Validate();
    }
}
