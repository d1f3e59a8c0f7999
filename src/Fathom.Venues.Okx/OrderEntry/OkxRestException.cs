namespace Fathom.Venues.Okx;

/// <summary>
/// An OKX request that did not succeed: HTTP status and the venue's <c>code</c>/<c>msg</c> (never the request,
/// which carries the key and signature).
/// </summary>
public sealed class OkxRestException(string message, int httpStatus, int code) : Exception(message)
{
    public int HttpStatus { get; } = httpStatus;
    public int Code { get; } = code;
}

/// <summary>
/// The venue refused the WebSocket login (60009 and kin: wrong key, passphrase, signature, IP). Not retried: a
/// wrong credential does not heal, so the gateway stops reconnecting, reports order entry down and
/// <see cref="OkxOrderGateway.Fault"/> holds this.
/// </summary>
public sealed class OkxLoginException(string message, int code) : Exception(message)
{
    public int Code { get; } = code;
}
