namespace Fathom.Venues.Okx;

/// <summary>
/// Where an OKX v5 deployment lives: the REST base, the public and private WebSocket URLs, and whether it is
/// OKX's demo trading (which takes the REST header <c>x-simulated-trading: 1</c>; its WebSockets are on
/// <c>wspap.okx.com</c>). Demo is what a user gets without choosing; production needs an explicit choice.
/// </summary>
public sealed record OkxEndpoints(Uri RestBase, Uri PublicWs, Uri PrivateWs, bool Simulated)
{
    /// <summary>Production (EXCHANGES.md §8.1): real money.</summary>
    public static OkxEndpoints Production { get; } = new(new Uri("https://www.okx.com"),
        new Uri("wss://ws.okx.com:8443/ws/v5/public"), new Uri("wss://ws.okx.com:8443/ws/v5/private"), Simulated: false);

    /// <summary>Demo trading: the production REST host with <c>x-simulated-trading: 1</c>, WebSockets on wspap.okx.com.</summary>
    public static OkxEndpoints Demo { get; } = new(new Uri("https://www.okx.com"),
        new Uri("wss://wspap.okx.com:8443/ws/v5/public"), new Uri("wss://wspap.okx.com:8443/ws/v5/private"), Simulated: true);

    /// <summary>The REST header demo trading requires on every request.</summary>
    public const string SimulatedTradingHeader = "x-simulated-trading";

    /// <summary>A local simulator or test server speaking OKX v5 on http://host:port: <c>/api/v5/…</c>, <c>/ws/v5/public</c>, <c>/ws/v5/private</c>.</summary>
    public static OkxEndpoints Local(Uri httpBase, bool simulated = false)
    {
        ArgumentNullException.ThrowIfNull(httpBase);
        var ws = new UriBuilder(httpBase) { Scheme = httpBase.Scheme == "https" ? "wss" : "ws" }.Uri;
        return new OkxEndpoints(httpBase, new Uri(ws, "/ws/v5/public"), new Uri(ws, "/ws/v5/private"), simulated);
    }
}
