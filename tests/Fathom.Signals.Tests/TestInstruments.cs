using Fathom.Core;

namespace Fathom.Signals.Tests;

internal static class TestInstruments
{
    /// <summary>BTCUSDT on Binance spot as in the shared recording: tick 0.01, step 0.00001, 8 decimals.</summary>
    public static InstrumentSpec BtcUsdt => new()
    {
        Symbol = "BTCUSDT",
        Venue = Venue.BinanceSpot,
        PriceDecimals = 8,
        QtyDecimals = 8,
        TickSize = new Price(1_000_000),
        StepSize = new Qty(1_000),
    };

    /// <summary>A toy instrument for hand-built books: tick 1, qty in whole units.</summary>
    public static InstrumentSpec Toy => new()
    {
        Symbol = "TOY",
        Venue = Venue.BinanceSpot,
        PriceDecimals = 0,
        QtyDecimals = 0,
        TickSize = new Price(1),
        StepSize = new Qty(1),
    };
}
