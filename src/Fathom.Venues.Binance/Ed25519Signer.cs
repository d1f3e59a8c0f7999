using System.Text;
using NSec.Cryptography;

namespace Fathom.Venues.Binance;

/// <summary>
/// Ed25519 request signing (EXCHANGES.md §5.4): the signature of the payload bytes (no pre-hash),
/// base64. Required for the WebSocket API's <c>session.logon</c>. Uses NSec (libsodium).
/// </summary>
public sealed class Ed25519Signer : IDisposable
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    /// <summary>From a raw 32-byte private key seed.</summary>
    public Ed25519Signer(ReadOnlySpan<byte> privateKeySeed)
    {
        _key = Key.Import(Algorithm, privateKeySeed, KeyBlobFormat.RawPrivateKey);
    }

    /// <summary>The public key, raw 32 bytes (what Binance's key registration wants, PEM-wrapped).</summary>
    public byte[] PublicKey => _key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    public const int SignatureBase64Length = 88; // 64 bytes → 88 base64 characters

    /// <summary>Signs <paramref name="payload"/>; the 64-byte signature goes to <paramref name="signature"/>.</summary>
    public void Sign(ReadOnlySpan<byte> payload, Span<byte> signature) => Algorithm.Sign(_key, payload, signature);

    /// <summary>Base64 of the signature of <paramref name="payload"/> (allocates; handshake-time use).</summary>
    public string SignBase64(string payload)
    {
        Span<byte> sig = stackalloc byte[64];
        Sign(Encoding.UTF8.GetBytes(payload), sig);
        return Convert.ToBase64String(sig);
    }

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> signature)
    {
        var key = NSec.Cryptography.PublicKey.Import(Algorithm, publicKey, KeyBlobFormat.RawPublicKey);
        return Algorithm.Verify(key, payload, signature);
    }

    /// <summary>
    /// Reads a private key file: either base64 of the raw 32-byte seed, or a PKCS#8 PEM
    /// ("-----BEGIN PRIVATE KEY-----", as openssl genpkey -algorithm ed25519 writes it).
    /// </summary>
    public static byte[] ReadPrivateKeyFile(string path)
    {
        string text = File.ReadAllText(path).Trim();
        if (text.StartsWith("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal))
        {
            using var key = Key.Import(Algorithm, Encoding.ASCII.GetBytes(text), KeyBlobFormat.PkixPrivateKeyText,
                new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
            return key.Export(KeyBlobFormat.RawPrivateKey);
        }
        byte[] seed;
        try
        {
            seed = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{path}: not a PKCS#8 PEM nor base64 of a 32-byte Ed25519 seed.");
        }
        if (seed.Length != 32)
            throw new InvalidDataException($"{path}: an Ed25519 seed is 32 bytes, the file holds {seed.Length}.");
        return seed;
    }

    public void Dispose() => _key.Dispose();
}
