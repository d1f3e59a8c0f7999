namespace Fathom.Simulator;

/// <summary>
/// Binance spot symbol status (exchangeInfo <c>status</c>, EXCHANGES.md §3.4). Only <see cref="Trading"/>
/// accepts new orders (others: -2010 "Market is closed."); cancels are always allowed. Binance sends no
/// stream event when a status changes: exchangeInfo is the announcement.
/// </summary>
public enum SymbolStatus : byte
{
    Trading,
    Halt,
    Break,
    EndOfDay,
    /// <summary>CANCEL_ONLY (Binance, 2026-07-07): new orders blocked, cancels allowed.</summary>
    CancelOnly,
}
