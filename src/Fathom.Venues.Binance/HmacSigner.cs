using System.Security.Cryptography;
using System.Text;

namespace Fathom.Venues.Binance;

/// <summary>
/// HMAC-SHA256 request signing (EXCHANGES.md §5.1): the signature of the exact payload bytes sent
/// (REST: the percent-encoded query string followed by the body; WS API: params sorted by name,
/// not encoded), as lowercase hex. Allocation-free after construction.
/// </summary>
public sealed class HmacSigner
{
    /// <summary>Hex characters of a SHA-256 signature.</summary>
    public const int SignatureLength = 64;

    private readonly byte[] _key;

    public HmacSigner(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _key = Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>Writes the 64 lowercase hex characters of HMAC-SHA256(secret, payload) to <paramref name="destination"/>.</summary>
    public void Sign(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (destination.Length < SignatureLength)
            throw new ArgumentException("destination needs 64 bytes", nameof(destination));
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, payload, mac);
        for (int i = 0; i < 32; i++)
        {
            destination[2 * i] = Hex(mac[i] >> 4);
            destination[2 * i + 1] = Hex(mac[i] & 0xF);
        }
    }

    /// <summary>Convenience for cold paths and tests (allocates).</summary>
    public string Sign(string payload)
    {
        Span<byte> sig = stackalloc byte[SignatureLength];
        Sign(Encoding.UTF8.GetBytes(payload), sig);
        return Encoding.ASCII.GetString(sig);
    }

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
