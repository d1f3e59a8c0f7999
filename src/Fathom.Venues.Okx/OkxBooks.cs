using Fathom.Book;
using Fathom.MarketData;

namespace Fathom.Venues.Okx;

/// <summary>Builds the per-instrument sync state machine for OKX: <see cref="SyncRule.Okx"/> with the CRC32 checksum attached.</summary>
public static class OkxBooks
{
    /// <summary>A <see cref="BookSync"/> for <paramref name="instrument"/> that chains by seqId and verifies every non-zero checksum.</summary>
    public static BookSync CreateSync(OkxInstrument instrument, SyncOptions? options = null, Action<SyncTransition>? observer = null, BookOptions? bookOptions = null)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        return new BookSync(instrument.Id, new OrderBook(instrument.Spec, bookOptions), SyncRule.Okx, options, observer)
        {
            Checksum = OkxBookChecksum.Instance,
        };
    }
}
