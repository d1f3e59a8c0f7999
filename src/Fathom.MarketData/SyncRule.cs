namespace Fathom.MarketData;

/// <summary>How a venue chains depth diffs to each other and to a snapshot (see protocols/EXCHANGES.md).</summary>
public enum SyncRule : byte
{
    /// <summary>
    /// Binance spot: drop diffs with u ≤ lastUpdateId; the first applied has U ≤ lastUpdateId+1 ≤ u;
    /// then each U == previous u + 1 (a diff overlapping the book id is applied; u ≤ id is old).
    /// </summary>
    BinanceSpot = 0,
    /// <summary>
    /// Binance USD-M: drop diffs with u &lt; lastUpdateId; the first applied has U ≤ lastUpdateId ≤ u;
    /// then each pu == previous u. Ids are shared across symbols, so U/u jump between events.
    /// </summary>
    BinanceUsdM = 1,
    /// <summary>
    /// OKX v5 <c>books</c>: each update carries <c>prevSeqId</c> (<see cref="BookDelta.PrevFinalUpdateId"/>)
    /// and <c>seqId</c> (<see cref="BookDelta.FinalUpdateId"/>); apply iff prevSeqId == the book's seqId.
    /// A heartbeat (prevSeqId == seqId, no levels) keeps sync; a reset (seqId &lt; prevSeqId) chains
    /// normally. After a REST snapshot: drop seqId ≤ snapshot seqId; the first kept needs
    /// prevSeqId ≤ snapshot seqId &lt; seqId. Messages without sequence ids
    /// (<see cref="BookDelta.NoSequence"/>, as in 2022 recordings) are applied in stream order and
    /// checked by their checksum only.
    /// </summary>
    Okx = 2,
}
