namespace Fathom.Venues.Okx;

/// <summary>
/// Where and how <see cref="OkxOrderGateway"/> talks to OKX v5. <see cref="Local"/> points both paths at a
/// simulator (http://host:port and ws://host:port/ws/v5/private). A record: derive variants with <c>with</c>.
/// </summary>
public sealed record OkxOrderGatewayOptions
{
    /// <summary>REST base, e.g. https://www.okx.com (queries, reconciliation, server time, fallback commands).</summary>
    public required Uri RestBase { get; init; }
    /// <summary>The private WebSocket (login, <c>orders</c> channel, trade ops), e.g. wss://ws.okx.com:8443/ws/v5/private.</summary>
    public required Uri PrivateWsUrl { get; init; }
    /// <summary>Demo trading: every REST request carries <c>x-simulated-trading: 1</c> (demo keys only work with it).</summary>
    public bool SimulatedTrading { get; init; }
    /// <summary>A command without an answer this long is reported StatusUnknown(Timeout) and never resent.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How often the pending map is swept for timeouts and the keep-alive checked (on the injected TimeProvider).</summary>
    public TimeSpan SweepPeriod { get; init; } = TimeSpan.FromMilliseconds(50);
    /// <summary>
    /// The reconnect back-off's base: the pause before the first attempt after a drop is drawn from
    /// [ReconnectDelay/2, ReconnectDelay], and it doubles with each consecutive failed attempt (a refused handshake,
    /// a login refused as busy) up to <see cref="ReconnectDelayMax"/>; a connection logged on and subscribed starts it
    /// over. Reconciliation retries after a reconnect back off the same way, from this pause.
    /// </summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(250);
    /// <summary>
    /// The longest pause between reconnect attempts (the market-data feed's cap): once the back-off has reached it, a
    /// venue that keeps refusing is asked again every ReconnectDelayMax/2 to ReconnectDelayMax, however long it refuses.
    /// </summary>
    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Login, subscribe, the WebSocket handshake and REST queries give up after this long.</summary>
    public TimeSpan ControlTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// A text <c>ping</c> goes out when nothing was sent for this long (OKX drops a connection idle for 30 s,
    /// EXCHANGES.md §8.1); its <c>pong</c> round trip is reported as <c>VenueHealthReport.Probe</c>.
    /// </summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>A ping without a pong for this long means a stalled connection: order entry goes down and it is replaced.</summary>
    public TimeSpan LivenessTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Commands queued between the core and the send thread (power of two).</summary>
    public int QueueCapacity { get; init; } = 4096;
    /// <summary>
    /// Order ops (place, amend; a cancel-replace's new order) allowed per instrument per <see cref="RateWindow"/>:
    /// OKX's 60 requests / 2 s per user and instrument, shared by REST and WebSocket (EXCHANGES.md §8.5). Over it
    /// the gateway refuses locally (<c>RateLimited</c>) rather than send. Cancels are counted separately and never
    /// refused locally (the engine never holds a cancel back; OKX's own cancel limit answers 50011 if crossed).
    /// </summary>
    public int OrderOpsPerWindow { get; init; } = 60;
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// How long every order op is held after the venue answers 50011/50061 or HTTP 429 without a Retry-After
    /// (OKX gives none on the WebSocket): one rate window. Carried as the reject's <c>RetryAfterNs</c>.
    /// </summary>
    public TimeSpan VenueBackoff { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// OKX counts connection attempts per IP (3 a second, EXCHANGES.md §8.1), market data's and order entry's together:
    /// give the market-data feed's <see cref="OkxMarketDataFeed.Gate"/> here and every attempt of the gateway (its first
    /// connection and each reconnect) waits for a slot in the same window as the feed's. Null: not counted.
    /// </summary>
    public OkxRequestGate? ConnectGate { get; init; }
    /// <summary><c>stpMode</c> of every new order.</summary>
    public OkxSelfTradePreventionMode SelfTradePrevention { get; init; } = OkxSelfTradePreventionMode.CancelMaker;
    /// <summary>Fills asked for per <c>GET /api/v5/trade/fills</c> page (OKX's maximum, 100). Internal: tests page small.</summary>
    internal int FillsPageLimit { get; init; } = 100;

    public static OkxOrderGatewayOptions Production { get; } = new()
    {
        RestBase = new Uri("https://www.okx.com"),
        PrivateWsUrl = new Uri("wss://ws.okx.com:8443/ws/v5/private"),
    };

    /// <summary>Demo trading: production hosts, the demo WebSocket and <c>x-simulated-trading: 1</c> on REST.</summary>
    public static OkxOrderGatewayOptions Demo { get; } = new()
    {
        RestBase = new Uri("https://www.okx.com"),
        PrivateWsUrl = new Uri("wss://wspap.okx.com:8443/ws/v5/private"),
        SimulatedTrading = true,
    };

    /// <summary>A local simulator: REST at <paramref name="httpBase"/>, the private WebSocket at the same host's /ws/v5/private.</summary>
    public static OkxOrderGatewayOptions Local(Uri httpBase)
    {
        ArgumentNullException.ThrowIfNull(httpBase);
        var ws = new UriBuilder(httpBase) { Scheme = httpBase.Scheme == "https" ? "wss" : "ws", Path = "/ws/v5/private" }.Uri;
        return new OkxOrderGatewayOptions { RestBase = httpBase, PrivateWsUrl = ws };
    }
}
