using Fathom.MarketData;

namespace Fathom.Journal;

/// <summary>Which venue report a <see cref="RecordKind.VenueReport"/> journal record holds. On disk: never renumber.</summary>
public enum JournalReportKind
{
    Ack = 1,
    Reject = 2,
    Canceled = 3,
    Expired = 4,
    Amended = 5,
    StatusUnknown = 6,
    OrderStatus = 7,
    Fill = 8,
    VenueHealth = 9,
}
