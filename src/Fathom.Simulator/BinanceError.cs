namespace Fathom.Simulator;

/// <summary>A Binance error answer: HTTP status, Binance code and Binance's own message text.</summary>
public readonly record struct BinanceError(int HttpStatus, int Code, string Message);
