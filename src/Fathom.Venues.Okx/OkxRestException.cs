namespace Fathom.Venues.Okx;

/// <summary>
/// A failed OKX REST call: the HTTP status (0 when none came back), OKX's <c>code</c> when the body had one,
/// and how long to wait before asking again (the venue's Retry-After, or our own limiter's wait when
/// <see cref="Local"/>).
/// </summary>
public sealed class OkxRestException(string message, int status, string? code, TimeSpan? retryAfter, Exception? inner = null, bool local = false)
    : Exception(message, inner)
{
    public int Status { get; } = status;
    public string? Code { get; } = code;
    public TimeSpan? RetryAfter { get; } = retryAfter;
    /// <summary>Refused before sending (our own rate gate), not by the venue.</summary>
    public bool Local { get; } = local;
    /// <summary>HTTP 429, or OKX's "too many requests" code 50011.</summary>
    public bool IsRateLimited => Status == 429 || Code == "50011";
}
