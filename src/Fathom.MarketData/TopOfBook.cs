namespace Fathom.MarketData;

/// <summary>
/// A real-time best bid/ask (Binance <c>bookTicker</c>): prices in ticks, raw quantities, and the
/// book update id it reflects, so it can be ordered against depth diffs.
/// </summary>
public readonly record struct TopOfBook(
    int InstrumentId, long UpdateId, long BidTick, long BidQty, long AskTick, long AskQty,
    long ExchangeTimeMs, long ReceiveTimeNs);
