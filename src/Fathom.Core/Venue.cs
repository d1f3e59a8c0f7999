namespace Fathom.Core;

/// <summary>The trading venues Fathom knows. Venue-specific code lives in the Venues.* projects.</summary>
public enum Venue : byte
{
    Unknown = 0,
    BinanceSpot,
    BinanceUsdM,
    Okx,
    Simulator,
}
