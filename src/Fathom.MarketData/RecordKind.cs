namespace Fathom.MarketData;

/// <summary>What a record in a <c>.fathomrec</c> recording holds (see docs/formats.md). Values are on disk: never renumber.</summary>
public enum RecordKind : byte
{
    /// <summary>One raw WebSocket text frame as received. <c>Arg</c> is the connection id.</summary>
    StreamFrame = 1,
    /// <summary>A REST depth snapshot body. <c>Tag</c> is the symbol, <c>Arg</c> the depth limit asked for.</summary>
    RestSnapshot = 2,
    /// <summary>A raw instrument-metadata body (Binance <c>exchangeInfo</c>).</summary>
    ExchangeInfo = 3,
    /// <summary>UTF-8 <c>key=value</c> lines describing the session (venue, url, symbols, start time).</summary>
    SessionInfo = 4,
    /// <summary>
    /// The writer's queue was full and records were dropped just before this one; the payload is the
    /// count as a little-endian int64. A replay must expect a hole here.
    /// </summary>
    DroppedRecords = 5,
}
