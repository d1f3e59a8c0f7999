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

    // ---- Input journal (a .fathomjnl file, same container): every core input, stamped, in order.
    // Tag of every journal record: [seq int64][monotonic ns int64][a int32][b int32] (see CoreJournal in
    // Fathom.Journal). The kinds stay in this one enum: both files share the container and its kind byte.

    /// <summary>UTF-8 JSON describing how the core was composed (instruments, strategy, limits, ids).</summary>
    JournalMeta = 16,
    /// <summary>A market-data frame handed to the parser. Arg: connection id. Payload: the frame.</summary>
    CoreFrame = 17,
    /// <summary>A REST depth snapshot handed to the parser. Arg: depth; tag a: instrument. Payload: the body.</summary>
    CoreSnapshot = 18,
    /// <summary>A feed-state input (books marked stale, snapshot request taken or repeated). Arg: <c>FeedEventKind</c>; tag a/b: its arguments.</summary>
    FeedEvent = 19,
    /// <summary>A venue report (ack, reject, fill, ...). Arg: report kind. Payload: the report's fields.</summary>
    VenueReport = 20,
    /// <summary>A timer tick.</summary>
    TimerTick = 21,
    /// <summary>An operator command (start, stop, pause, resume, halt, flatten). Arg: the command; tag a/b: its argument.</summary>
    OperatorCommand = 22,
    /// <summary>A block of client-order-id sequence numbers reserved durably. Payload: first (int64), count (int32). Not an input of its own: it carries the sequence number of the input that needed it.</summary>
    IdReservation = 23,
    /// <summary>Output, not input: an order command the core handed to the gateway, with the sequence number of the input that caused it.</summary>
    CommandOut = 24,
}
