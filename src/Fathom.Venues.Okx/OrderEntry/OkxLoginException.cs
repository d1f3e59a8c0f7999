namespace Fathom.Venues.Okx;

/// <summary>
/// The venue refused the WebSocket login; <see cref="Code"/> is its code. A refusal that needs a person
/// (<see cref="OkxErrorMap.IsLoginFailure"/>: 60009 and kin, wrong key, passphrase, signature, IP; a blocked or
/// restricted account; the public endpoint) does not heal: the gateway stops reconnecting, order entry stays down and
/// <see cref="OkxOrderGateway.Fault"/> holds this. Any other code (the venue busy or failing inside) is retried with
/// back-off, and <see cref="OkxOrderGateway.LastConnectError"/> holds this meanwhile. At start every refusal fails
/// <see cref="OkxOrderGateway.StartAsync"/>.
/// </summary>
public sealed class OkxLoginException(string message, int code) : Exception(message)
{
    public int Code { get; } = code;
}
