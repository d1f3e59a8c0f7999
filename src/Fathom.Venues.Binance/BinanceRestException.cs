namespace Fathom.Venues.Binance;

/// <summary>
/// A Binance REST call that did not succeed. <see cref="StatusUnknown"/> is true for 5xx and
/// timeouts: the request may have been executed (EXCHANGES.md §7), so it is not a rejection.
/// </summary>
public sealed class BinanceRestException(string message, int httpStatus, int code, TimeSpan? retryAfter, Exception? inner = null, bool local = false)
    : Exception(message, inner)
{
    /// <summary>Refused by our own limiter before anything was sent (no venue response).</summary>
    public bool Local { get; } = local;
    public int HttpStatus { get; } = httpStatus;
    /// <summary>Binance's error code (e.g. -1003), 0 when the body had none.</summary>
    public int Code { get; } = code;
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public bool IsRateLimited => HttpStatus is 429 or 418;
    public bool StatusUnknown => HttpStatus >= 500 || HttpStatus == 0;
}
