using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Fathom.Testing;

/// <summary>
/// A minimal Binance spot REST client for tests, written from Binance's docs and independent of the venue
/// adapter (a signing bug cannot hide on both sides): HMAC-SHA256 signed requests with every parameter in the
/// query, the timestamp then the signature last, the API key in <c>X-MBX-APIKEY</c>. For driving a second
/// simulator account and reading an account's records (trades, orders, balances) the way an auditor would.
/// </summary>
public sealed class SignedRestClient(Uri baseAddress, string apiKey, string secret) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(15) };
    private readonly byte[] _secret = Encoding.UTF8.GetBytes(secret);

    /// <summary>A signed request; throws <see cref="HttpRequestException"/> with the venue's answer unless it is 2xx.</summary>
    public async Task<JsonElement> SignedAsync(HttpMethod method, string path, string parameters, CancellationToken cancel = default)
    {
        string query = (parameters.Length > 0 ? parameters + "&" : "") + "recvWindow=10000&timestamp=" +
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        string signature = Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(query)));
        using var request = new HttpRequestMessage(method, $"{path}?{query}&signature={signature}");
        request.Headers.Add("X-MBX-APIKEY", apiKey);
        using var response = await _http.SendAsync(request, cancel).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{method} {path}?{parameters}: {(int)response.StatusCode} {text}", null, response.StatusCode);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>An unsigned public request (depth, exchangeInfo).</summary>
    public async Task<JsonElement> PublicAsync(string pathAndQuery, CancellationToken cancel = default)
    {
        using var response = await _http.GetAsync(new Uri(pathAndQuery, UriKind.Relative), cancel).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new HttpRequestException($"GET {pathAndQuery}: {(int)response.StatusCode} {text}", null, response.StatusCode);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public void Dispose() => _http.Dispose();
}
