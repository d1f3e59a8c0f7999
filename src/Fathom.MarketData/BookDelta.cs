using Fathom.Book;

namespace Fathom.MarketData;

/// <summary>
/// A normalized depth diff: absolute quantities per level (0 removes) with the venue's update ids.
/// Binance: <see cref="FirstUpdateId"/> = U, <see cref="FinalUpdateId"/> = u,
/// <see cref="PrevFinalUpdateId"/> = pu (USD-M only, else -1). The level spans point into the
/// parser's scratch buffers: valid only during the callback that receives the delta.
/// </summary>
public readonly ref struct BookDelta
{
    public BookDelta(int instrumentId, long firstUpdateId, long finalUpdateId, long prevFinalUpdateId,
        long exchangeTimeMs, long receiveTimeNs, ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks)
    {
        InstrumentId = instrumentId;
        FirstUpdateId = firstUpdateId;
        FinalUpdateId = finalUpdateId;
        PrevFinalUpdateId = prevFinalUpdateId;
        ExchangeTimeMs = exchangeTimeMs;
        ReceiveTimeNs = receiveTimeNs;
        Bids = bids;
        Asks = asks;
    }

    public int InstrumentId { get; }
    public long FirstUpdateId { get; }
    public long FinalUpdateId { get; }
    public long PrevFinalUpdateId { get; }
    public long ExchangeTimeMs { get; }
    /// <summary>Local receive stamp (monotonic or wall-clock ns, as the source provides).</summary>
    public long ReceiveTimeNs { get; }
    public ReadOnlySpan<Level> Bids { get; }
    public ReadOnlySpan<Level> Asks { get; }
    public int LevelCount => Bids.Length + Asks.Length;
}
