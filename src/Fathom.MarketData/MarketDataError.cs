namespace Fathom.MarketData;

/// <summary>Why a market-data message could not be used.</summary>
public enum MarketDataError : byte
{
    None = 0,
    /// <summary>Not valid JSON, or a required field is missing or of the wrong type.</summary>
    Malformed,
    /// <summary>The message ended before the JSON did.</summary>
    Truncated,
    /// <summary>A price or quantity is not a valid non-negative decimal at the venue's precision.</summary>
    BadNumber,
    /// <summary>A price is off the instrument's tick grid (the tick size may have changed).</summary>
    OffTick,
    /// <summary>The message is for a symbol we have not registered.</summary>
    UnknownSymbol,
}
