using Fathom.Book;

namespace Fathom.MarketData;

/// <summary>
/// A normalized depth diff: absolute quantities per level (0 removes) with the venue's update ids.
/// Binance: <see cref="FirstUpdateId"/> = U, <see cref="FinalUpdateId"/> = u,
/// <see cref="PrevFinalUpdateId"/> = pu (USD-M only, else -1). The level spans point into the
/// parser's scratch buffers: valid only during the callback that receives the delta.
/// </summary>
/// <remarks>
/// OKX: <see cref="FirstUpdateId"/> = <see cref="PrevFinalUpdateId"/> = prevSeqId, <see cref="FinalUpdateId"/> = seqId
/// (both <see cref="NoSequence"/> when the message has none), and <see cref="Checksum"/> when the venue sent a non-zero one.
/// </remarks>
public readonly ref struct BookDelta
{
    /// <summary>The id of a message that carries no sequence ids (OKX recordings before seqId existed).</summary>
    public const long NoSequence = long.MinValue;

    public BookDelta(int instrumentId, long firstUpdateId, long finalUpdateId, long prevFinalUpdateId,
        long exchangeTimeMs, long receiveTimeNs, ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks)
        : this(instrumentId, firstUpdateId, finalUpdateId, prevFinalUpdateId, exchangeTimeMs, receiveTimeNs, bids, asks, 0, false)
    {
    }

    public BookDelta(int instrumentId, long firstUpdateId, long finalUpdateId, long prevFinalUpdateId,
        long exchangeTimeMs, long receiveTimeNs, ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks, int checksum, bool hasChecksum)
    {
        Checksum = checksum;
        HasChecksum = hasChecksum;
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
    /// <summary>The venue's checksum of the book after this message (see <see cref="IBookChecksum"/>); meaningful when <see cref="HasChecksum"/>.</summary>
    public int Checksum { get; }
    public bool HasChecksum { get; }
}
