using Fathom.Hosting;
using Fathom.Venues.Binance;

namespace Fathom.Cli;

/// <summary>The one rule every command that talks to Binance follows: testnet unless told otherwise.</summary>
internal static class CliEndpoints
{
    /// <summary>
    /// <c>--url</c> (a local Binance-compatible server such as <c>fathom sim</c>) wins; otherwise mainnet
    /// only with <c>--mainnet</c>, else testnet. False (with the error written) for a bad URL.
    /// </summary>
    public static bool TryResolve(string? url, bool mainnet, TextWriter error, out BinanceEndpoints endpoints)
    {
        if (url is null)
        {
            endpoints = mainnet ? BinanceEndpoints.Mainnet : BinanceEndpoints.Testnet;
            return true;
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != "http" && baseUrl.Scheme != "https"))
        {
            error.WriteLine($"error: --url must be an absolute http(s) URL, got '{url}'.");
            endpoints = BinanceEndpoints.Testnet;
            return false;
        }
        endpoints = BinanceEndpoints.Local(baseUrl);
        return true;
    }
}
