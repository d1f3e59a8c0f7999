using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Fathom.Venues.Okx;

/// <summary>
/// OKX v5 request signing (EXCHANGES.md §8.5): <c>Base64(HMAC-SHA256(secret, prehash))</c>, where the prehash is
/// <c>timestamp + METHOD + requestPath(+?query) + body</c>. The WebSocket login signs
/// <c>unixSeconds + "GET" + "/users/self/verify"</c>; REST signs with an ISO-8601 ms timestamp. The secret is used
/// as its UTF-8 bytes (not base64-decoded). Allocation-free in <see cref="Sign(ReadOnlySpan{byte}, Span{byte})"/>.
/// </summary>
public sealed class OkxSigner
{
    /// <summary>Base64 characters of a SHA-256 MAC.</summary>
    public const int SignatureLength = 44;

    private readonly byte[] _key;

    public OkxSigner(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _key = Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>Writes the 44 base64 characters of HMAC-SHA256(secret, prehash).</summary>
    public void Sign(ReadOnlySpan<byte> prehash, Span<byte> destination)
    {
        if (destination.Length < SignatureLength)
            throw new ArgumentException($"destination needs {SignatureLength} bytes", nameof(destination));
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, prehash, mac);
        Base64.EncodeToUtf8(mac, destination, out _, out _);
    }

    /// <summary>For cold paths and tests (allocates).</summary>
    public string Sign(string prehash)
    {
        Span<byte> sig = stackalloc byte[SignatureLength];
        Sign(Encoding.UTF8.GetBytes(prehash), sig);
        return Encoding.ASCII.GetString(sig);
    }

    /// <summary>The WebSocket login signature for <paramref name="unixSeconds"/>.</summary>
    public string SignLogin(long unixSeconds) =>
        Sign(unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "GET/users/self/verify");

    /// <summary>The REST signature: <paramref name="isoTimestamp"/> + method + path (with ?query for GET) + body.</summary>
    public string SignRest(string isoTimestamp, string method, string requestPathAndQuery, string body) =>
        Sign(isoTimestamp + method + requestPathAndQuery + body);

    /// <summary>OKX's REST timestamp: ISO-8601 UTC with milliseconds, e.g. 2020-12-08T09:08:57.715Z.</summary>
    public static string IsoTimestamp(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
