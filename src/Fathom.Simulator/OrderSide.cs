namespace Fathom.Simulator;

/// <summary>Binance <c>side</c>.</summary>
public enum OrderSide : byte
{
    Buy,
    Sell,
}
