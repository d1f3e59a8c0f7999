namespace Fathom.Venues.Okx;

/// <summary>
/// The venue refused the WebSocket login (60009 and kin: wrong key, passphrase, signature, IP). Not retried: a
/// wrong credential does not heal, so the gateway stops reconnecting, reports order entry down and
/// <see cref="OkxOrderGateway.Fault"/> holds this.
/// </summary>
public sealed class OkxLoginException(string message, int code) : Exception(message)
{
    public int Code { get; } = code;
}
