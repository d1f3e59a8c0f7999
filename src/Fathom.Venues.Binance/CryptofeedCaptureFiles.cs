using System.Text;

namespace Fathom.Venues.Binance;

/// <summary>
/// The files of one cryptofeed Binance capture, told apart by their first line (not their names): the exchangeInfo
/// file (<c>EXCHANGE.0</c>, first line <c>…/exchangeInfo -&gt; …</c>), the REST snapshot file (<c>EXCHANGE.http.0.0</c>,
/// <c>…/depth?… -&gt; …</c>) and one connection file (<c>EXCHANGE.ws.N.0</c>, <c>wss://… &lt;-&gt; …</c>). Any may be gzip.
/// </summary>
public sealed record CryptofeedCaptureFiles(string? ExchangeInfo, string Http, string Ws)
{
    /// <summary>Sorts <paramref name="paths"/> into a capture's files.</summary>
    /// <param name="requireExchangeInfo">True when the exchangeInfo file must be among them (conversion takes the instruments from it).</param>
    /// <exception cref="ArgumentException">A file is none of the three, one is given twice, or a required one is missing; the message names it.</exception>
    public static CryptofeedCaptureFiles Identify(IReadOnlyList<string> paths, bool requireExchangeInfo)
    {
        ArgumentNullException.ThrowIfNull(paths);
        string? ws = null, http = null, info = null;
        foreach (string path in paths)
        {
            string first = FirstBytes(path);
            ref string? slot = ref info;
            string role = "exchangeInfo";
            if (first.StartsWith("wss://", StringComparison.Ordinal))
            {
                slot = ref ws;
                role = "connection";
            }
            else if (first.Contains("/depth?", StringComparison.Ordinal))
            {
                slot = ref http;
                role = "snapshot";
            }
            else if (!first.Contains("exchangeInfo -> ", StringComparison.Ordinal))
                throw new ArgumentException($"{path} is not a cryptofeed exchangeInfo, snapshot or websocket recording (its first line is none of " +
                    "'…/exchangeInfo -> <ts>: <json>', '…/depth?… -> <ts>: <json>', 'wss://… <-> <ts>').");
            if (slot is not null)
                throw new ArgumentException($"{path} and {slot} are both a capture's {role} file; give one of each.");
            slot = path;
        }
        if (ws is null || http is null || (requireExchangeInfo && info is null))
            throw new ArgumentException("a cryptofeed capture is EXCHANGE.0[.gz] (exchangeInfo" + (requireExchangeInfo ? "" : ", optional") +
                "), EXCHANGE.http.0.0 (snapshots) and EXCHANGE.ws.N.0 (the connection); missing: " +
                string.Join(", ", new[] { ws is null ? "the connection file" : null, http is null ? "the snapshot file" : null,
                    requireExchangeInfo && info is null ? "the exchangeInfo file" : null }.Where(m => m is not null)) + ".");
        return new CryptofeedCaptureFiles(info, http, ws);
    }

    private static string FirstBytes(string path)
    {
        using Stream data = CryptofeedMessageReader.OpenMaybeGzip(path);
        var buffer = new byte[512];
        int n;
        try
        {
            n = data.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException ex)
        {
            throw new ArgumentException($"{path}: not readable as gzip: {ex.Message}", ex);
        }
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
