using Fathom.Book;

namespace Fathom.MarketData;

/// <summary>
/// A venue's checksum of a book (OKX: CRC32 over the top 25 levels per side). <see cref="BookSync"/>
/// calls it after applying a message that carries a checksum and goes Stale on a mismatch. The venue
/// adapter supplies it, so this project stays free of any venue's text format. Must not allocate.
/// </summary>
public interface IBookChecksum
{
    /// <summary>The checksum the venue would send for <paramref name="book"/> as it stands.</summary>
    int Compute(OrderBook book);
}
