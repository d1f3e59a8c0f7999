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
}
