namespace Fathom.MarketData;

/// <summary>Per-parser message counters (core thread only).</summary>
public sealed class MarketDataCounters
{
    public long Messages;
    public long Deltas;
    public long Snapshots;
    public long TopOfBooks;
    public long Trades;
    public long ServerShutdowns;
    /// <summary>Subscription acks and other control responses.</summary>
    public long ControlResponses;
    /// <summary>Well-formed events of kinds we do not consume (e.g. kline).</summary>
    public long IgnoredEvents;
    /// <summary>Fields we do not know, skipped (venues add fields).</summary>
    public long UnknownFields;
    public long Malformed;
    public long Truncated;
    public long BadNumbers;
    public long OffTick;
    /// <summary>Prices between grid points that moved an instrument to a finer book grid.</summary>
    public long GridRefinements;
    public long UnknownSymbols;
}
