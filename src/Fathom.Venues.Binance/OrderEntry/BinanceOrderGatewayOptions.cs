namespace Fathom.Venues.Binance;

/// <summary>
/// Where and how <see cref="BinanceOrderGateway"/> talks to Binance spot. <see cref="Local"/> points both
/// paths at a simulator (http://host:port and ws://host:port/ws-api/v3). A record: derive variants with <c>with</c>.
/// </summary>
public sealed record BinanceOrderGatewayOptions
{
    public required Uri RestBase { get; init; }
    /// <summary>The WebSocket API (EXCHANGES.md §4), e.g. wss://ws-api.binance.com:443/ws-api/v3.</summary>
    public required Uri WsApiUrl { get; init; }
    /// <summary>recvWindow sent with every signed request (ms, ≤ 60000).</summary>
    public int RecvWindowMs { get; init; } = 5000;
    /// <summary>A command without an answer this long is reported StatusUnknown(Timeout) and never resent.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How often the pending map is swept for timeouts (on the injected TimeProvider).</summary>
    public TimeSpan SweepPeriod { get; init; } = TimeSpan.FromMilliseconds(50);
    /// <summary>
    /// The WS API reconnect's first pause; each failed attempt doubles it (jittered, <see cref="Fathom.Core.ReconnectBackoff"/>)
    /// up to <see cref="ReconnectDelayMax"/>, and a connection logged on starts it over. Binance allows 300 connections
    /// per 5 minutes per IP and bans the IP past it (EXCHANGES.md), so a venue that keeps refusing is not retried
    /// at this pause for ever. A failed reconciliation after a reconnect is retried the same way.
    /// </summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest pause between reconnect attempts, however many failed.</summary>
    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// Control requests (logon, subscribe, time, reconciliation queries) and the WebSocket handshake of a
    /// (re)connect give up after this long, so a venue that accepts the TCP connection but never answers
    /// cannot hold a reconnect forever.
    /// </summary>
    public TimeSpan ControlTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// A WS API <c>ping</c> (weight 1) goes out this long after the previous one was sent, one at a time, on
    /// the connection commands use; its round trip is reported as <c>VenueHealthReport.Probe</c> (latency
    /// evidence while no order flows). Skipped while a rate-limit back-off is in force. Zero or infinite
    /// disables probes (a stall is then seen only through unanswered orders).
    /// </summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// The connection is stalled, though its socket is open, when a probe has had no answer this long, or
    /// an order request has waited this long while nothing at all arrived on the connection for as long:
    /// order entry is reported down at once, the socket is aborted and the reconnect path replaces it.
    /// Zero or infinite disables the check.
    /// </summary>
    public TimeSpan LivenessTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Commands queued between the core and the send thread (power of two).</summary>
    public int QueueCapacity { get; init; } = 4096;
    /// <summary>
    /// A WS API connection this old is replaced, overlapping, before Binance's 24 h limit cuts it
    /// (EXCHANGES.md §4); zero or infinite disables. serverShutdown / eventStreamTerminated rotate at once.
    /// </summary>
    public TimeSpan MaxConnectionAge { get; init; } = TimeSpan.FromHours(23.5);
    /// <summary>
    /// exchangeInfo and commission rates are reloaded this often (zero or infinite: only at start); each load
    /// reports the instruments whose trading status changed (all of them on the first load). Any positive
    /// period works (tests use fractions of a second); in production mind exchangeInfo's weight (20).
    /// </summary>
    public TimeSpan MetadataRefreshPeriod { get; init; } = TimeSpan.FromHours(1);
    /// <summary>
    /// Trades asked for per <c>myTrades</c> page (Binance's maximum, 1000); reconciliation and
    /// <c>GetTradesAsync</c> page on with <c>fromId</c> while pages come back full. Internal: tests page small.
    /// </summary>
    internal int TradesPageLimit { get; init; } = 1000;
    /// <summary>Send every command over signed REST (testing the fallback; never faster).</summary>
    public bool RestOnly { get; init; }
    /// <summary>
    /// Encode and write a command's frame on the calling (core) thread when the WS API is up and nothing
    /// is queued ahead of it, so the frame is on the socket before <c>Send</c> returns (DESIGN.md's run to
    /// completion), instead of waking the send thread. The send thread still takes whatever cannot go
    /// inline (a busy socket, a queue, REST fallback). The calling thread never waits: when the socket does
    /// not take the frame at once (its send buffer is full, e.g. a stalled venue), the write finishes in the
    /// background and the send thread, which alone may wait, takes every later frame until it has.
    /// </summary>
    public bool InlineSend { get; init; } = true;

    /// <summary><see cref="SelfTradePrevention"/>'s default.</summary>
    public const BinanceSelfTradePreventionMode DefaultSelfTradePrevention = BinanceSelfTradePreventionMode.ExpireTaker;

    /// <summary>
    /// The <c>selfTradePreventionMode</c> of every new order and cancel-replace, the venue's backstop when
    /// several instances trade one account. Default EXPIRE_TAKER because the taker's mode decides at Binance,
    /// so the order that would self-trade is the one refused, as Fathom's local self-trade check refuses the
    /// crossing order and leaves the resting quote alone. <see cref="BinanceSelfTradePreventionMode.SymbolDefault"/>
    /// sends nothing (the symbol's default applies); <see cref="BinanceSelfTradePreventionMode.None"/> sends NONE.
    /// </summary>
    public BinanceSelfTradePreventionMode SelfTradePrevention { get; init; } = DefaultSelfTradePrevention;

    public static BinanceOrderGatewayOptions Mainnet { get; } = new()
    {
        RestBase = new Uri("https://api.binance.com"),
        WsApiUrl = new Uri("wss://ws-api.binance.com:443/ws-api/v3"),
    };

    public static BinanceOrderGatewayOptions Testnet { get; } = new()
    {
        RestBase = new Uri("https://testnet.binance.vision"),
        WsApiUrl = new Uri("wss://ws-api.testnet.binance.vision/ws-api/v3"),
    };

    /// <summary>A local simulator: REST at <paramref name="httpBase"/>, WS API at the same host's /ws-api/v3.</summary>
    public static BinanceOrderGatewayOptions Local(Uri httpBase)
    {
        ArgumentNullException.ThrowIfNull(httpBase);
        var ws = new UriBuilder(httpBase) { Scheme = httpBase.Scheme == "https" ? "wss" : "ws", Path = "/ws-api/v3" }.Uri;
        return new BinanceOrderGatewayOptions { RestBase = httpBase, WsApiUrl = ws };
    }
}
