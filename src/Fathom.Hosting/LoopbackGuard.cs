using Microsoft.AspNetCore.Http;

namespace Fathom.Hosting;

/// <summary>
/// Tells a request a local tool made (curl, a Prometheus scraper, a script) from one a web page made the
/// operator's browser send: the reason to refuse it, or null. See <see cref="MetricsServer"/>.
/// </summary>
public static class LoopbackGuard
{
    private static readonly string[] s_loopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    // The content types a browser sends cross-site without a CORS preflight (the "simple" requests).
    private static readonly string[] s_formTypes = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

    /// <summary>Why <paramref name="request"/> is refused, or null when it may proceed. Never echoes a header's value.</summary>
    public static string? Refusal(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // DNS rebinding: the page's own name, now resolving to 127.0.0.1, is in Host.
        if (!request.Host.HasValue || !IsLoopbackName(request.Host.Host))
            return "the Host header must be localhost, 127.0.0.1 or [::1] (with any port): this server answers only requests addressed to a loopback name, " +
                "so a web page whose name was rebound to 127.0.0.1 cannot use it";
        foreach (string? origin in request.Headers.Origin)
        {
            if (origin is null || !IsLoopbackOrigin(origin))
                return "cross-site request: the Origin header is not a loopback origin (http://localhost, http://127.0.0.1 or http://[::1])";
        }
        if (string.Equals(request.Headers["Sec-Fetch-Site"], "cross-site", StringComparison.OrdinalIgnoreCase))
            return "cross-site request (Sec-Fetch-Site: cross-site)";
        if (IsFormContentType(request.ContentType))
            return "form content types (application/x-www-form-urlencoded, multipart/form-data, text/plain) are refused: a browser sends them cross-site " +
                "without asking; send no body";
        return null;
    }

    /// <summary>localhost, 127.0.0.1 or [::1], without the port, any case.</summary>
    public static bool IsLoopbackName(string host) =>
        s_loopbackHosts.Any(h => string.Equals(h, host, StringComparison.OrdinalIgnoreCase));

    /// <summary>An http(s) origin whose host is a loopback name (<c>null</c>, the opaque origin, is not).</summary>
    public static bool IsLoopbackOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && IsLoopbackName(uri.Host)
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.UserInfo.Length == 0;

    /// <summary>True for the media types of an HTML form (parameters and case ignored).</summary>
    public static bool IsFormContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
            return false;
        int semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        string media = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return s_formTypes.Any(t => string.Equals(t, media, StringComparison.OrdinalIgnoreCase));
    }
}
