using Fathom.Core;

namespace Fathom.Testing;

/// <summary>Instrument specs tests share, all at 8 decimals with tick 0.01 and step 0.00001.</summary>
public static class Specs
{
    /// <summary>BTCUSDT spot: tick 0.01, step 0.00001, min qty 0.00001, price 0.01–1,000,000, min notional 5.</summary>
    public static InstrumentSpec BtcUsdt { get; } = new InstrumentSpec
    {
        Symbol = "BTCUSDT", Venue = Venue.BinanceSpot, PriceDecimals = 8, QtyDecimals = 8,
        TickSize = new Price(1_000_000), StepSize = new Qty(1_000), MinQty = new Qty(1_000),
        MinPrice = new Price(1_000_000), MaxPrice = new Price(100_000_000_000_000), MinNotional = new Price(500_000_000),
    }.Validate();

    /// <summary>
    /// BTCUSDT with only its grid (tick 0.01, step and min qty 0.00001): no price or notional filters, so a
    /// test may quote tiny sizes at toy prices (100.00 for 10 000 ticks).
    /// </summary>
    public static InstrumentSpec Btc { get; } = Grid("BTCUSDT");

    /// <summary>ETHUSDT on the same grid as <see cref="Btc"/>.</summary>
    public static InstrumentSpec Eth { get; } = Grid("ETHUSDT");

    private static InstrumentSpec Grid(string symbol) => new InstrumentSpec
    {
        Symbol = symbol, Venue = Venue.Simulator, PriceDecimals = 8, QtyDecimals = 8,
        TickSize = new Price(1_000_000), StepSize = new Qty(1_000), MinQty = new Qty(1_000),
    }.Validate();
}
