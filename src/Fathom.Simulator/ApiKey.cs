using System.Security.Cryptography;
using NSec.Cryptography;

namespace Fathom.Simulator;

/// <summary>
/// One API key of a simulated account. HMAC keys hold the shared secret; Ed25519 keys hold only the
/// public key (Binance never sees the private key either). <see cref="Verify"/> checks a REST
/// signature over the exact payload bytes (EXCHANGES.md §5.1, §5.4). An HMAC key with a
/// <see cref="Passphrase"/> also signs for the OKX front (<see cref="VerifyBase64"/>, EXCHANGES.md §8.5).
/// </summary>
public sealed class ApiKey
{
    private readonly byte[]? _secret;
    private readonly PublicKey? _publicKey;

    private ApiKey(string key, SimAccount account, ApiKeyKind kind, byte[]? secret, PublicKey? publicKey, string? passphrase = null)
    {
        Passphrase = passphrase;
        Key = key;
        Account = account;
        Kind = kind;
        _secret = secret;
        _publicKey = publicKey;
    }

    public string Key { get; }
    public SimAccount Account { get; }
    public ApiKeyKind Kind { get; }
    /// <summary>OKX's third credential (<c>OK-ACCESS-PASSPHRASE</c>, WS login); null: the key cannot be used on the OKX front.</summary>
    public string? Passphrase { get; }

    public static ApiKey Hmac(string key, SimAccount account, string secret, string? passphrase = null) =>
        new(key, account, ApiKeyKind.Hmac, System.Text.Encoding.UTF8.GetBytes(secret), null, passphrase);

    /// <summary>The passphrase matches (constant time); false for a key without one.</summary>
    public bool CheckPassphrase(string? passphrase) =>
        Passphrase is not null && passphrase is not null &&
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(Passphrase), System.Text.Encoding.UTF8.GetBytes(passphrase));

    /// <summary>OKX: <paramref name="signature"/> is Base64(HMAC-SHA256(secret, payload)). Ed25519 keys never verify.</summary>
    public bool VerifyBase64(ReadOnlySpan<byte> payload, string signature)
    {
        if (Kind != ApiKeyKind.Hmac)
            return false;
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(_secret, payload, expected);
        Span<byte> given = stackalloc byte[48];
        return Convert.TryFromBase64String(signature, given, out int n) && n == 32 && CryptographicOperations.FixedTimeEquals(expected, given[..32]);
    }

    /// <summary>An Ed25519 key from its raw 32-byte public key or a PEM "PUBLIC KEY" (SubjectPublicKeyInfo).</summary>
    public static ApiKey Ed25519(string key, SimAccount account, string publicKey)
    {
        var algorithm = SignatureAlgorithm.Ed25519;
        PublicKey pk = publicKey.Contains("BEGIN PUBLIC KEY", StringComparison.Ordinal)
            ? PublicKey.Import(algorithm, System.Text.Encoding.ASCII.GetBytes(publicKey), KeyBlobFormat.PkixPublicKeyText)
            : PublicKey.Import(algorithm, Convert.FromBase64String(publicKey), KeyBlobFormat.RawPublicKey);
        return new ApiKey(key, account, ApiKeyKind.Ed25519, null, pk);
    }

    /// <summary>HMAC: lower or upper-case hex of HMAC-SHA256. Ed25519: base64 of the signature over the bytes (no pre-hash).</summary>
    public bool Verify(ReadOnlySpan<byte> payload, string signature)
    {
        if (Kind == ApiKeyKind.Hmac)
        {
            if (signature.Length != 64)
                return false;
            Span<byte> expected = stackalloc byte[32];
            HMACSHA256.HashData(_secret, payload, expected);
            Span<byte> given = stackalloc byte[32];
            if (Convert.FromHexString(signature, given, out _, out int written) != System.Buffers.OperationStatus.Done || written != 32)
                return false;
            return CryptographicOperations.FixedTimeEquals(expected, given);
        }
        Span<byte> sig = stackalloc byte[96];
        if (!Convert.TryFromBase64String(signature, sig, out int n) || n != 64)
            return false;
        return SignatureAlgorithm.Ed25519.Verify(_publicKey!, payload, sig[..64]);
    }
}
