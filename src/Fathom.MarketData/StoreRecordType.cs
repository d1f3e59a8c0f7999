namespace Fathom.MarketData;

/// <summary>Record types of the <c>.fathomstore</c> normalized store (see docs/formats.md). On disk: never renumber.</summary>
public enum StoreRecordType : byte
{
    BookDelta = 1,
    BookSnapshot = 2,
    TopOfBook = 3,
    Trade = 4,
    BookGridChanged = 5,
    ServerShutdown = 6,
    MessageError = 7,
    Instrument = 8,
}
