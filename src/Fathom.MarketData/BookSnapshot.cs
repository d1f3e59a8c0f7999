using Fathom.Book;

namespace Fathom.MarketData;

/// <summary>
/// A normalized full-depth snapshot (Binance REST <c>depth</c>). <see cref="DepthLimit"/> is the
/// depth that was asked for: a side with fewer levels than that is complete. Spans are valid only
/// during the callback that receives the snapshot.
/// </summary>
public readonly ref struct BookSnapshot
{
    public BookSnapshot(int instrumentId, long lastUpdateId, long exchangeTimeMs, long receiveTimeNs,
        ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks, int depthLimit)
        : this(instrumentId, lastUpdateId, exchangeTimeMs, receiveTimeNs, bids, asks, depthLimit, 0, false)
    {
    }

    /// <summary>A snapshot with the venue's checksum of it (OKX <c>books</c> <c>action:"snapshot"</c>).</summary>
    public BookSnapshot(int instrumentId, long lastUpdateId, long exchangeTimeMs, long receiveTimeNs,
        ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks, int depthLimit, int checksum, bool hasChecksum)
    {
        Checksum = checksum;
        HasChecksum = hasChecksum;
        InstrumentId = instrumentId;
        LastUpdateId = lastUpdateId;
        ExchangeTimeMs = exchangeTimeMs;
        ReceiveTimeNs = receiveTimeNs;
        Bids = bids;
        Asks = asks;
        DepthLimit = depthLimit;
    }

    public int InstrumentId { get; }
    public long LastUpdateId { get; }
    /// <summary>Venue time if the snapshot carries one (USD-M <c>E</c>), else 0.</summary>
    public long ExchangeTimeMs { get; }
    public long ReceiveTimeNs { get; }
    public ReadOnlySpan<Level> Bids { get; }
    public ReadOnlySpan<Level> Asks { get; }
    /// <summary>The requested depth; 0 when unknown (then no side is assumed complete).</summary>
    public int DepthLimit { get; }
    /// <summary>The venue's checksum of the snapshot's book; meaningful when <see cref="HasChecksum"/>.</summary>
    public int Checksum { get; }
    public bool HasChecksum { get; }
    public bool BidsComplete => DepthLimit > 0 && Bids.Length < DepthLimit;
    public bool AsksComplete => DepthLimit > 0 && Asks.Length < DepthLimit;
}
