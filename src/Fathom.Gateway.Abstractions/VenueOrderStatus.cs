namespace Fathom.Gateway.Abstractions;

/// <summary>An order's status as a venue query returned it.</summary>
public enum VenueOrderStatus : byte
{
    /// <summary>The venue says the order does not exist (Binance -2013). Just after a timeout this proves nothing.</summary>
    NotFound = 0,
    New,
    PartiallyFilled,
    Filled,
    Canceled,
    Rejected,
    Expired,
}
