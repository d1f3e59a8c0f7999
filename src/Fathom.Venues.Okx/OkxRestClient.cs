using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Venues.Okx;

/// <summary>
/// OKX v5 public REST for market data: order-book snapshots (<c>GET /api/v5/market/books</c>) and the
/// instrument list (<c>GET /api/v5/public/instruments</c>). Off the hot path (recovery and start-up only), so it
/// may allocate. Demo trading adds <c>x-simulated-trading: 1</c> to every request. Every request is bounded by
/// <c>timeout</c>; an HTTP error, a timeout or an answer with a non-zero <c>code</c> surfaces as
/// <see cref="OkxRestException"/>, with the venue's Retry-After on 429/5xx. After a 429 nothing goes out until the
/// Retry-After (2 s, OKX's window, when it gives none) has passed, and at most
/// <see cref="RequestsPerWindow"/> requests go out per 2 s (OKX allows 40 for books, 20 for instruments per IP).
/// Thread-safe.
/// </summary>
public sealed class OkxRestClient(HttpClient http, OkxEndpoints endpoints, TimeProvider time, TimeSpan timeout)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);
    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _inWindow;
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;

    /// <summary>Requests allowed per 2 s window (the stricter instruments limit, shared by both calls).</summary>
    public int RequestsPerWindow { get; init; } = 20;
    public long RateLimitResponses { get; private set; }
    public long Throttled { get; private set; }

    /// <summary>GET market/books: the raw JSON body, for <see cref="OkxStreamParser.ParseRestBooks{THandler}"/> (which checks its code).</summary>
    public Task<byte[]> GetBooksAsync(string instId, int depth, CancellationToken cancel) =>
        GetAsync($"/api/v5/market/books?instId={Uri.EscapeDataString(instId)}&sz={depth}", cancel);

    /// <summary>
    /// GET public/instruments for <paramref name="instType"/> (SPOT): every instrument's spec with what order entry
    /// needs besides it (<c>instIdCode</c>, <c>baseCcy</c>, <c>quoteCcy</c>), keyed by instId.
    /// </summary>
    public async Task<Dictionary<string, OkxListedInstrument>> GetListedInstrumentsAsync(string instType, CancellationToken cancel)
    {
        byte[] body = await GetAsync($"/api/v5/public/instruments?instType={Uri.EscapeDataString(instType)}", cancel).ConfigureAwait(false);
        var listed = new Dictionary<string, OkxListedInstrument>(StringComparer.Ordinal);
        try
        {
            OkxInstruments.ParseListed(body, listed);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            throw new OkxRestException($"GET /api/v5/public/instruments?instType={instType}: unusable answer: {ex.Message}", 200, null, null, ex);
        }
        return listed;
    }

    private async Task<byte[]> GetAsync(string pathAndQuery, CancellationToken cancel)
    {
        TimeSpan wait = TryAcquire();
        if (wait > TimeSpan.Zero)
            throw new OkxRestException($"GET {pathAndQuery}: request budget exhausted or backing off; retry in {wait.TotalMilliseconds:F0} ms", 429, null, wait, local: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoints.RestBase, pathAndQuery));
        if (endpoints.Simulated)
            request.Headers.Add(OkxEndpoints.SimulatedTradingHeader, "1");
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        bounded.CancelAfter(timeout);
        HttpResponseMessage response;
        byte[] body;
        try
        {
            response = await http.SendAsync(request, bounded.Token).ConfigureAwait(false);
            body = await response.Content.ReadAsByteArrayAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new OkxRestException($"GET {pathAndQuery} failed: {ex.Message}", 0, null, null, ex);
        }
        catch (OperationCanceledException ex) when (!cancel.IsCancellationRequested)
        {
            throw new OkxRestException($"GET {pathAndQuery} timed out after {timeout.TotalMilliseconds:F0} ms", 0, null, null, ex);
        }
        using (response)
        {
            int status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                string? code = ReadCode(body, out string msg);
                // OKX answers some refusals with HTTP 200 and a code (50011: too many requests).
                if (code is not null && code != "0" && code == "50011")
                {
                    OnRateLimited(null);
                    throw new OkxRestException($"GET {pathAndQuery}: code {code}: {msg}", status, code, Window);
                }
                return body;
            }
            TimeSpan? retryAfter = response.Headers.RetryAfter?.Delta
                ?? (response.Headers.RetryAfter?.Date is { } date ? date - time.GetUtcNow() : null);
            if (status == 429)
                OnRateLimited(retryAfter);
            string? errorCode = ReadCode(body, out string message);
            throw new OkxRestException($"GET {pathAndQuery}: HTTP {status} {(HttpStatusCode)status}{(errorCode is null ? "" : $", code {errorCode}")}: {message}",
                status, errorCode, retryAfter);
        }
    }

    private TimeSpan TryAcquire()
    {
        lock (_gate)
        {
            DateTimeOffset now = time.GetUtcNow();
            if (now < _blockedUntil)
            {
                Throttled++;
                return _blockedUntil - now;
            }
            if (now - _windowStart >= Window)
            {
                _windowStart = now;
                _inWindow = 0;
            }
            if (_inWindow >= RequestsPerWindow)
            {
                Throttled++;
                return _windowStart + Window - now;
            }
            _inWindow++;
            return TimeSpan.Zero;
        }
    }

    private void OnRateLimited(TimeSpan? retryAfter)
    {
        lock (_gate)
        {
            RateLimitResponses++;
            DateTimeOffset until = time.GetUtcNow() + (retryAfter ?? Window);
            if (until > _blockedUntil)
                _blockedUntil = until;
        }
    }

    /// <summary>OKX's <c>code</c> (a string, "0" for success) and <c>msg</c>, or null when the body is not such an object.</summary>
    private static string? ReadCode(byte[] body, out string message)
    {
        message = "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return null;
            if (doc.RootElement.TryGetProperty("msg", out var m) && m.ValueKind == JsonValueKind.String)
                message = m.GetString() ?? "";
            return doc.RootElement.TryGetProperty("code", out var c)
                ? c.ValueKind == JsonValueKind.String ? c.GetString() : c.ValueKind == JsonValueKind.Number ? c.GetRawText() : null
                : null;
        }
        catch (JsonException)
        {
            message = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));
            return null;
        }
    }
}
