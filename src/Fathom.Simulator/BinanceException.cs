namespace Fathom.Simulator;

/// <summary>Thrown by request parsing (a cold path) to answer with a Binance error.</summary>
public sealed class BinanceException(BinanceError error) : Exception(error.Message)
{
    public BinanceError Error { get; } = error;
}
