namespace Fathom.Simulator;

/// <summary>Binance <c>timeInForce</c>.</summary>
public enum TimeInForce : byte
{
    Gtc,
    Ioc,
    Fok,
}
