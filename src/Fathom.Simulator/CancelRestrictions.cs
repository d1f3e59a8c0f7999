namespace Fathom.Simulator;

/// <summary>Binance <c>cancelRestrictions</c>.</summary>
public enum CancelRestrictions : byte
{
    None,
    OnlyNew,
    OnlyPartiallyFilled,
}
