namespace Fathom.Simulator;

/// <summary>Binance symbol status; only <see cref="Trading"/> accepts new orders, cancels are always allowed.</summary>
public enum SymbolStatus : byte
{
    Trading,
    Halt,
    Break,
    EndOfDay,
}
