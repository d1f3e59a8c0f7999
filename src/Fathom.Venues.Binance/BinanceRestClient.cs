using System.Net;
using System.Text.Json;
using Fathom.Core;

namespace Fathom.Venues.Binance;

/// <summary>
/// Binance public REST for market data: depth snapshots and exchangeInfo, through the
/// <see cref="RestWeightLimiter"/>. Off the hot path (recovery and start-up only), so it may allocate.
/// Errors surface as <see cref="BinanceRestException"/> with the venue's code and Retry-After.
/// </summary>
public sealed class BinanceRestClient(HttpClient http, BinanceEndpoints endpoints, RestWeightLimiter limiter, bool usdm = false)
{
    public RestWeightLimiter Limiter => limiter;

    /// <summary>Spot depth weight by limit (EXCHANGES.md §1.4); USD-M §2.4.</summary>
    public int DepthWeight(int limit) => usdm
        ? limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20
        : limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;

    /// <summary>GET depth: the raw JSON body, for <see cref="BinanceStreamParser.ParseSnapshot{THandler}"/>.</summary>
    public Task<byte[]> GetDepthAsync(string symbol, int limit, CancellationToken cancel) =>
        GetAsync($"{(usdm ? "/fapi/v1" : "/api/v3")}/depth?symbol={Uri.EscapeDataString(symbol.ToUpperInvariant())}&limit={limit}", DepthWeight(limit), cancel);

    /// <summary>GET exchangeInfo for the given symbols (all when empty).</summary>
    public async Task<Dictionary<string, InstrumentSpec>> GetExchangeInfoAsync(IReadOnlyCollection<string> symbols, CancellationToken cancel)
    {
        string path = (usdm ? "/fapi/v1" : "/api/v3") + "/exchangeInfo";
        if (!usdm && symbols.Count > 0)
            path += "?symbols=" + Uri.EscapeDataString(JsonSerializer.Serialize(symbols.Select(s => s.ToUpperInvariant()).ToArray()));
        byte[] body = await GetAsync(path, 20, cancel).ConfigureAwait(false);
        return BinanceExchangeInfo.Parse(body, usdm ? Venue.BinanceUsdM : Venue.BinanceSpot);
    }

    private async Task<byte[]> GetAsync(string pathAndQuery, int weight, CancellationToken cancel)
    {
        TimeSpan wait = limiter.TryAcquire(weight);
        if (wait > TimeSpan.Zero)
            throw new BinanceRestException($"request weight budget exhausted or backing off; retry in {wait.TotalMilliseconds:F0} ms", 429, -1003, wait, local: true);
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(new Uri(endpoints.RestBase, pathAndQuery), cancel).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new BinanceRestException($"GET {pathAndQuery} failed: {ex.Message}", 0, 0, null, ex);
        }
        catch (TaskCanceledException ex) when (!cancel.IsCancellationRequested)
        {
            throw new BinanceRestException($"GET {pathAndQuery} timed out", 0, 0, null, ex);
        }
        using (response)
        {
            if (response.Headers.TryGetValues("X-MBX-USED-WEIGHT-1M", out var values) && int.TryParse(values.FirstOrDefault(), out int used))
                limiter.OnUsedWeight(used);
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancel).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
                return body;
            int status = (int)response.StatusCode;
            TimeSpan? retryAfter = response.Headers.RetryAfter?.Delta
                ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
            if (status is 429 or 418)
                limiter.OnRateLimited(status, retryAfter);
            (int code, string msg) = ReadError(body);
            throw new BinanceRestException($"GET {pathAndQuery}: HTTP {status} {(HttpStatusCode)status}, code {code}: {msg}", status, code, retryAfter);
        }
    }

    private static (int Code, string Message) ReadError(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            int code = doc.RootElement.TryGetProperty("code", out var c) && c.TryGetInt32(out int v) ? v : 0;
            string msg = doc.RootElement.TryGetProperty("msg", out var m) ? m.GetString() ?? "" : "";
            return (code, msg);
        }
        catch (JsonException)
        {
            return (0, body.Length > 200 ? System.Text.Encoding.UTF8.GetString(body, 0, 200) : System.Text.Encoding.UTF8.GetString(body));
        }
    }
}
