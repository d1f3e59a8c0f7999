namespace Fathom.Simulator;

public enum ApiKeyKind : byte
{
    Hmac,
    Ed25519,
}
