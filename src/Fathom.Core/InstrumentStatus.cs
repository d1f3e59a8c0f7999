namespace Fathom.Core;

/// <summary>Trading status as the venue reports it (Binance's symbol status values, venue-neutral).</summary>
public enum InstrumentStatus : byte
{
    Unknown = 0,
    Trading,
    Halt,
    Break,
    EndOfDay,
    CancelOnly,
    PreTrading,
    PostTrading,
}
