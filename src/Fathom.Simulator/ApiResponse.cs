namespace Fathom.Simulator;

/// <summary>An answer before it is written: status, JSON body, and the headers Binance adds.</summary>
public readonly record struct ApiResponse(int Status, byte[] Body, int RetryAfterSeconds = 0, bool OrderCountHeaders = false, int? AccountId = null);
