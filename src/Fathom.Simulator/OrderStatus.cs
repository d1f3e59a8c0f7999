namespace Fathom.Simulator;

/// <summary>Binance order status (enums.md); <see cref="ExpiredInMatch"/> is an STP expiry.</summary>
public enum OrderStatus : byte
{
    New,
    PartiallyFilled,
    Filled,
    Canceled,
    Rejected,
    Expired,
    ExpiredInMatch,
}
