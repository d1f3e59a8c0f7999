namespace Fathom.Venues.Okx;

/// <summary>
/// An OKX request that did not succeed: HTTP status and the venue's <c>code</c>/<c>msg</c> (never the request,
/// which carries the key and signature).
/// </summary>
public sealed class OkxTradeRestException(string message, int httpStatus, int code) : Exception(message)
{
    public int HttpStatus { get; } = httpStatus;
    public int Code { get; } = code;
}
