using Fathom.Core;

namespace Fathom.Venues.Binance.Tests;

internal static class TestInstruments
{
    /// <summary>BTCUSDT on Binance spot as in the shared recording: tick 0.01, step 0.00001.</summary>
    public static InstrumentSpec BtcUsdt => new()
    {
        Symbol = "BTCUSDT",
        Venue = Venue.BinanceSpot,
        PriceDecimals = 8,
        QtyDecimals = 8,
        TickSize = new Price(1_000_000),
        StepSize = new Qty(1_000),
    };

    public static InstrumentSpec EthUsdt => BtcUsdt with { Symbol = "ETHUSDT" };

    /// <summary>A tick that is not a power of ten (0.05), to exercise the division path.</summary>
    public static InstrumentSpec OddTick => BtcUsdt with { Symbol = "ODDUSDT", TickSize = new Price(5_000_000) };
}
