using Fathom.Core;

namespace Fathom.Testing;

/// <summary>Instrument specs tests share (Binance's BTCUSDT filters at 8 decimals, as the venue sends them).</summary>
public static class Specs
{
    /// <summary>BTCUSDT spot: tick 0.01, step 0.00001, min qty 0.00001, price 0.01–1,000,000, min notional 5.</summary>
    public static InstrumentSpec BtcUsdt { get; } = new InstrumentSpec
    {
        Symbol = "BTCUSDT", Venue = Venue.BinanceSpot, PriceDecimals = 8, QtyDecimals = 8,
        TickSize = new Price(1_000_000), StepSize = new Qty(1_000), MinQty = new Qty(1_000),
        MinPrice = new Price(1_000_000), MaxPrice = new Price(100_000_000_000_000), MinNotional = new Price(500_000_000),
    }.Validate();
}
