namespace Fathom.Venues.Binance;

/// <summary>
/// Where a Binance spot deployment lives: REST base and market-stream base. Testnet is the default
/// everywhere a user does not choose explicitly; mainnet needs an explicit choice.
/// </summary>
public sealed record BinanceEndpoints(Uri RestBase, Uri StreamBase)
{
    /// <summary>Mainnet market data (EXCHANGES.md §1.1).</summary>
    public static BinanceEndpoints Mainnet { get; } = new(new Uri("https://api.binance.com"), new Uri("wss://stream.binance.com:9443"));

    /// <summary>Spot testnet (EXCHANGES.md §1.1).</summary>
    public static BinanceEndpoints Testnet { get; } = new(new Uri("https://testnet.binance.vision"), new Uri("wss://stream.testnet.binance.vision"));

    /// <summary>A local simulator or test server speaking the same protocol: http://host:port for both.</summary>
    public static BinanceEndpoints Local(Uri httpBase)
    {
        ArgumentNullException.ThrowIfNull(httpBase);
        var ws = new UriBuilder(httpBase) { Scheme = httpBase.Scheme == "https" ? "wss" : "ws" }.Uri;
        return new BinanceEndpoints(httpBase, ws);
    }

    /// <summary>The combined-stream URL for <paramref name="streams"/> (e.g. "btcusdt@depth@100ms").</summary>
    public Uri CombinedStreamUrl(IEnumerable<string> streams) =>
        new(StreamBase, "/stream?streams=" + string.Join('/', streams));
}
