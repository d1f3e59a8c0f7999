using System.Buffers;
using System.Text;
using System.Text.Json;
using Fathom.Core;
using Microsoft.AspNetCore.Http;

namespace Fathom.Simulator;

/// <summary>
/// The Binance spot REST API over a <see cref="MatchingEngine"/>: routing, request weight and order
/// limits, API keys, signatures and the timestamp window, then the endpoint handlers (partials by
/// concern: <c>.MarketData</c>, <c>.Orders</c>, <c>.Account</c>).
/// </summary>
/// <remarks>
/// Every request runs to completion under one lock, so the engine, the limiter and the clock reads
/// of one request are consistent. <see cref="Handle"/> is transport-free (tests and benchmarks call
/// it directly); <see cref="HandleAsync"/> adapts it to Kestrel.
/// Check order: weight (429/418) → API key (-2014/-2015) → signature present (-1102) → timestamp and
/// recvWindow syntax → signature (-1022) → timestamp window (-1021) → parameters (-11xx) → filters
/// (-1013) → engine (-2010/-2011/-2013).
/// </remarks>
public sealed partial class SimulatorApi
{
    private readonly Lock _gate = new();
    private readonly MatchingEngine _engine;
    private readonly RateLimiter _limiter;
    private readonly MonotonicClock _clock;
    private readonly Dictionary<string, ApiKey> _keys = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private long _acceptedOrders;

    public SimulatorApi(MatchingEngine engine, RateLimiter limiter)
    {
        _engine = engine;
        _limiter = limiter;
        _clock = engine.Clock;
        _json = new Utf8JsonWriter(_buffer);
        Streams = new StreamHub(this, Faults);
        Okx = new OkxFront(this);
    }

    /// <summary>Run-time fault switches shared by REST, the WebSocket API and the streams.</summary>
    public SimulatorFaults Faults { get; } = new();

    /// <summary>Market streams, the WebSocket API and user data.</summary>
    public StreamHub Streams { get; }

    /// <summary>
    /// Runs <paramref name="action"/> on the engine under the gate, then publishes what it changed
    /// (streams, user data): how anything outside a request (market flow, tests, deposits) must touch the engine.
    /// </summary>
    public void Run(Action<MatchingEngine> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_gate)
        {
            try
            {
                action(_engine);
            }
            finally
            {
                Streams.Flush();
            }
        }
    }

    /// <summary>
    /// Changes a symbol's status at once (fault injection: halt, break, end of day, cancel-only, and back):
    /// exchangeInfo shows it from the next request on; while it is not <see cref="SymbolStatus.Trading"/>
    /// new orders (and the new half of a cancel-replace) get -2010 "Market is closed.", cancels and
    /// amends still work. Binance announces a status change only through exchangeInfo (no stream
    /// event), so nothing is published. Returns the previous status.
    /// </summary>
    /// <exception cref="ArgumentException">The symbol is not listed.</exception>
    public SymbolStatus SetSymbolStatus(string symbol, SymbolStatus status)
    {
        lock (_gate)
        {
            if (!_engine.TryGetBook(symbol, out var book))
                throw new ArgumentException($"unknown symbol {symbol}", nameof(symbol));
            var previous = book.Status;
            book.Status = status;
            return previous;
        }
    }

    /// <summary>A symbol's current status.</summary>
    /// <exception cref="ArgumentException">The symbol is not listed.</exception>
    public SymbolStatus GetSymbolStatus(string symbol)
    {
        lock (_gate)
            return _engine.TryGetBook(symbol, out var book) ? book.Status : throw new ArgumentException($"unknown symbol {symbol}", nameof(symbol));
    }

    public MatchingEngine Engine => _engine;
    public RateLimiter Limiter => _limiter;
    /// <summary>Serializes direct engine access (e.g. seeding liquidity) with request handling.</summary>
    public Lock Gate => _gate;

    /// <summary>
    /// Fault injection: when positive, every N-th accepted order is executed but answered with
    /// 503 -1007 (execution status unknown), to test a client's unknown-status handling.
    /// </summary>
    public int UnknownStatusEveryNthOrder { get; set; }

    public void AddKey(ApiKey key) { lock (_gate) _keys.Add(key.Key, key); }

    /// <summary>
    /// Fault injection: revokes a key, as a venue does when a key is deleted. Later requests and logins with it are
    /// refused as an unknown key; sessions already logged on stay until they drop. Returns the key (give it back with
    /// <see cref="AddKey"/>), or null when there is none by that id.
    /// </summary>
    internal ApiKey? RemoveKey(string key)
    {
        lock (_gate)
            return _keys.Remove(key, out var removed) ? removed : null;
    }

    private readonly List<ApiKey> _revoked = [];

    /// <summary>
    /// Fault injection: revokes every key (both fronts share them), as a venue does when an account's keys are
    /// deleted: later requests and logins are refused as an unknown key; sessions already logged on stay until they
    /// drop. <see cref="RestoreKeys"/> gives them back. Returns how many this call revoked.
    /// </summary>
    internal int RevokeKeys()
    {
        lock (_gate)
        {
            int n = _keys.Count;
            _revoked.AddRange(_keys.Values);
            _keys.Clear();
            return n;
        }
    }

    /// <summary>Gives back the keys <see cref="RevokeKeys"/> took; returns how many.</summary>
    internal int RestoreKeys()
    {
        lock (_gate)
        {
            foreach (ApiKey key in _revoked)
                _keys.TryAdd(key.Key, key);
            int n = _revoked.Count;
            _revoked.Clear();
            return n;
        }
    }

    /// <summary>A key by its id (the OKX front shares the key store; call under the gate).</summary>
    internal bool TryGetKey(string key, out ApiKey apiKey) => _keys.TryGetValue(key, out apiKey!);

    /// <summary>The OKX v5 front (REST <c>/api/v5/…</c>, WebSockets <c>/ws/v5/public</c> and <c>/ws/v5/private</c>) on this engine.</summary>
    public OkxFront Okx { get; }

    private enum Security : byte { None, Signed }

    private delegate void Handler(SimulatorApi api, RequestParameters p, SimAccount? account);

    /// <summary>
    /// One endpoint. <paramref name="IsOrder"/>: counts as a new order (ORDERS limits, ack faults).
    /// <paramref name="ReachesEngine"/>: goes through the matching engine (held by <see cref="SimulatorFaults.VenueDelay"/>).
    /// </summary>
    private readonly record struct Route(Security Security, Func<RequestParameters, int> Weight, Handler Handle, bool IsOrder = false, bool ReachesEngine = false);

    private static readonly Dictionary<(string Method, string Path), Route> s_routes = new()
    {
        [("GET", "/api/v3/ping")] = new(Security.None, _ => 1, static (a, p, _) => a.Ping()),
        [("GET", "/api/v3/time")] = new(Security.None, _ => 1, static (a, p, _) => a.Time()),
        [("GET", "/api/v3/exchangeInfo")] = new(Security.None, _ => 20, static (a, p, _) => a.ExchangeInfo(p)),
        [("GET", "/api/v3/depth")] = new(Security.None, DepthWeight, static (a, p, _) => a.Depth(p)),
        [("GET", "/api/v3/trades")] = new(Security.None, _ => 25, static (a, p, _) => a.Trades(p)),
        [("GET", "/api/v3/ticker/bookTicker")] = new(Security.None, p => p.Has("symbol") ? 2 : 4, static (a, p, _) => a.BookTicker(p)),
        [("GET", "/api/v3/ticker/price")] = new(Security.None, p => TickerWeight(p, 2, 4, 4), static (a, p, _) => a.TickerPrice(p)),
        [("GET", "/api/v3/ticker/24hr")] = new(Security.None, p => TickerWeight(p, 2, 40, 80), static (a, p, _) => a.Ticker24h(p)),
        [("GET", "/api/v3/ticker")] = new(Security.None, RollingTickerWeight, static (a, p, _) => a.TickerRolling(p)),
        [("GET", "/api/v3/avgPrice")] = new(Security.None, _ => 2, static (a, p, _) => a.AvgPrice(p)),
        [("GET", "/api/v3/aggTrades")] = new(Security.None, _ => 4, static (a, p, _) => a.AggTrades(p)),
        [("GET", "/api/v3/klines")] = new(Security.None, _ => 2, static (a, p, _) => a.Klines(p)),
        [("GET", "/api/v3/uiKlines")] = new(Security.None, _ => 2, static (a, p, _) => a.Klines(p)),
        [("GET", "/sapi/v1/system/status")] = new(Security.None, _ => 1, static (a, p, _) => a.SystemStatus()),
        [("POST", "/api/v3/order")] = new(Security.Signed, _ => 1, static (a, p, acct) => a.NewOrder(p, acct!, test: false), IsOrder: true, ReachesEngine: true),
        [("POST", "/api/v3/order/test")] = new(Security.Signed, p => p["computeCommissionRates"] == "true" ? 20 : 1, static (a, p, acct) => a.NewOrder(p, acct!, test: true)),
        [("DELETE", "/api/v3/order")] = new(Security.Signed, _ => 1, static (a, p, acct) => a.CancelOrder(p, acct!), ReachesEngine: true),
        [("GET", "/api/v3/order")] = new(Security.Signed, _ => 4, static (a, p, acct) => a.QueryOrder(p, acct!)),
        [("GET", "/api/v3/openOrders")] = new(Security.Signed, p => p.Has("symbol") ? 6 : 80, static (a, p, acct) => a.OpenOrders(p, acct!)),
        [("GET", "/api/v3/allOrders")] = new(Security.Signed, _ => 20, static (a, p, acct) => a.AllOrders(p, acct!)),
        [("DELETE", "/api/v3/openOrders")] = new(Security.Signed, _ => 1, static (a, p, acct) => a.CancelOpenOrders(p, acct!), ReachesEngine: true),
        [("POST", "/api/v3/order/cancelReplace")] = new(Security.Signed, _ => 1, static (a, p, acct) => a.CancelReplace(p, acct!), IsOrder: true, ReachesEngine: true),
        [("PUT", "/api/v3/order/amend/keepPriority")] = new(Security.Signed, _ => 4, static (a, p, acct) => a.Amend(p, acct!), ReachesEngine: true),
        [("GET", "/api/v3/account")] = new(Security.Signed, _ => 20, static (a, p, acct) => a.Account(p, acct!)),
        [("GET", "/api/v3/myTrades")] = new(Security.Signed, _ => 20, static (a, p, acct) => a.MyTrades(p, acct!)),
        [("GET", "/api/v3/account/commission")] = new(Security.Signed, _ => 20, static (a, p, acct) => a.Commission(p, acct!)),
    };

    private static int DepthWeight(RequestParameters p)
    {
        int limit = int.TryParse(p["limit"], out int l) ? l : 100;
        return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
    }

    /// <summary>Kestrel entry: reads the raw query and form body, answers with Binance's status, headers and JSON.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        long arrived = System.Diagnostics.Stopwatch.GetTimestamp();
        var request = context.Request;
        string body = "";
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }
        string ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        string? apiKey = request.Headers["X-MBX-APIKEY"].FirstOrDefault();
        // Delay faults: HTTP/1.1 answers one request at a time per connection, so waiting here keeps
        // each connection's requests in order. Not cancelled by the client going away: a request the
        // venue received is executed; only its answer is lost.
        bool engine = ReachesEngine(request.Method, request.Path.Value);
        if (Faults.RequestDelay > TimeSpan.Zero || (engine && Faults.VenueDelay > TimeSpan.Zero))
            await SimulatorFaults.HoldAsync(arrived, () => Faults.RequestDelay + (engine ? Faults.VenueDelay : TimeSpan.Zero)).ConfigureAwait(false);
        ApiResponse answer = Handle(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", body, ip, apiKey,
            out int usedWeight, out var orderCounts);
        if (answer.Fault != AckFault.None)
        {
            // The order was executed; the client never learns it from this answer.
            if (answer.Fault == AckFault.Timeout)
            {
                try { await Task.Delay(Faults.TimeoutHang, context.RequestAborted).ConfigureAwait(false); }
                catch (OperationCanceledException) { }
            }
            context.Abort();
            return;
        }
        if (answer.OrderCountHeaders && Faults.AckDelay > TimeSpan.Zero)
            await Task.Delay(Faults.AckDelay, context.RequestAborted).ConfigureAwait(false);

        var response = context.Response;
        response.StatusCode = answer.Status;
        response.ContentType = "application/json;charset=UTF-8";
        response.Headers["X-MBX-USED-WEIGHT-1M"] = usedWeight.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (orderCounts is { } counts)
        {
            response.Headers["X-MBX-ORDER-COUNT-10S"] = counts.TenSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["X-MBX-ORDER-COUNT-1D"] = counts.Day.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (answer.RetryAfterSeconds > 0)
            response.Headers.RetryAfter = answer.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await response.Body.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static bool ReachesEngine(string method, string? path) =>
        s_routes.TryGetValue((method, path ?? ""), out var route) && route.ReachesEngine;

    /// <summary>Handles one request end to end; the body is a copy and safe to keep.</summary>
    public ApiResponse Handle(string method, string path, string rawQuery, string rawBody, string ip, string? apiKey,
        out int usedWeight, out (int TenSeconds, int Day)? orderCounts)
    {
        lock (_gate)
        {
            orderCounts = null;
            usedWeight = 0;
            if (!s_routes.TryGetValue((method, path), out var route))
                return new ApiResponse(404, "{\"code\":-1000,\"msg\":\"Unknown endpoint.\"}"u8.ToArray());
            ApiResponse answer;
            try
            {
                answer = Execute(route, new RequestParameters(rawQuery, rawBody), ip, apiKey, null, out usedWeight, out orderCounts);
            }
            catch (BinanceException ex)
            {
                answer = Error(ex.Error, 0);
            }
            Streams.Flush();
            return answer;
        }
    }

    /// <summary>
    /// One request after routing, for REST and the WebSocket API alike (caller holds the gate).
    /// <paramref name="session"/> is the WebSocket API's logged-on account: a signed request without
    /// apiKey and signature then only needs its timestamp.
    /// </summary>
    private ApiResponse Execute(Route route, RequestParameters p, string ip, string? apiKey, SimAccount? session,
        out int usedWeight, out (int TenSeconds, int Day)? orderCounts)
    {
        orderCounts = null;
        usedWeight = 0;
        SimAccount? account = null;
        try
        {
            if (Faults.TakeRateLimit())
                return Error(BinanceErrors.TooMuchWeight(_limiter.Settings.RequestWeightPerMinute, "1 MINUTE"), 1);
            var weightError = _limiter.ChargeWeight(ip, route.Weight(p), out usedWeight, out int retryAfter);
            if (weightError is { } we)
                return Error(we, retryAfter);
            if (route.Security == Security.Signed)
                account = session is not null && p.Signature is null && !p.Has("apiKey") ? AuthenticateSession(p, session) : Authenticate(p, apiKey);
            if (route.IsOrder)
            {
                var orderError = _limiter.ChargeOrder(account!.Id, out int orderRetry);
                orderCounts = _limiter.OrderCounts(account.Id);
                if (orderError is { } oe)
                    return Error(oe, orderRetry);
            }
            BeginJson();
            route.Handle(this, p, account);
            var ok = new ApiResponse(_status, EndJson(), 0, route.IsOrder, account?.Id);
            if (route.IsOrder && ok.Status == 200)
            {
                // A 5xx or a missing answer does not mean rejected: the order below was executed.
                if ((UnknownStatusEveryNthOrder > 0 && ++_acceptedOrders % UnknownStatusEveryNthOrder == 0) || Faults.TakeUnknownAfterAccept())
                    return Error(BinanceErrors.ExecutionUnknown, 0);
                if (Faults.TakeDropAck())
                    return ok with { Fault = AckFault.Drop };
                if (Faults.TakeTimeoutAfterAccept())
                    return ok with { Fault = AckFault.Timeout };
            }
            return ok;
        }
        catch (BinanceException ex)
        {
            return Error(ex.Error, 0);
        }
    }

    private int _status = 200;

    private Utf8JsonWriter BeginJson()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _status = 200;
        return _json;
    }

    private byte[] EndJson()
    {
        _json.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    private ApiResponse Error(BinanceError error, int retryAfter)
    {
        var w = BeginJson();
        w.WriteStartObject();
        w.WriteNumber("code", error.Code);
        w.WriteString("msg", error.Message);
        w.WriteEndObject();
        return new ApiResponse(error.HttpStatus, EndJson(), retryAfter);
    }

    // ---------------------------------------------------------------- authentication

    private SimAccount Authenticate(RequestParameters p, string? apiKey)
    {
        if (string.IsNullOrEmpty(apiKey) || apiKey.Length > 128 || !apiKey.All(char.IsAsciiLetterOrDigit))
            throw new BinanceException(BinanceErrors.ApiKeyFormat);
        if (!_keys.TryGetValue(apiKey, out var key))
            throw new BinanceException(BinanceErrors.RejectedApiKey);
        string signature = p.Signature is { Length: > 0 } s ? s : throw new BinanceException(BinanceErrors.Mandatory("signature"));
        if (!key.Verify(CheckTimestampSyntax(p, out long timestampUs, out long recvWindowUs), signature))
            throw new BinanceException(BinanceErrors.InvalidSignature);
        CheckTimestampWindow(timestampUs, recvWindowUs);
        if (!key.Account.CanTrade)
            throw new BinanceException(BinanceErrors.RejectedApiKey);
        return key.Account;
    }

    /// <summary>A WebSocket API request on a logged-on session: no signature, the timestamp window still applies.</summary>
    private SimAccount AuthenticateSession(RequestParameters p, SimAccount account)
    {
        CheckTimestampSyntax(p, out long timestampUs, out long recvWindowUs);
        CheckTimestampWindow(timestampUs, recvWindowUs);
        if (!account.CanTrade)
            throw new BinanceException(BinanceErrors.RejectedApiKey);
        return account;
    }

    private static byte[] CheckTimestampSyntax(RequestParameters p, out long timestampUs, out long recvWindowUs)
    {
        timestampUs = ParseTimestampMicros(p.Required("timestamp"));
        recvWindowUs = 5_000_000;
        if (p["recvWindow"] is { } rw)
        {
            if (DecimalParser.TryParse(Encoding.ASCII.GetBytes(rw), 3, false, out long w) != DecimalParseError.None || w <= 0)
                throw new BinanceException(BinanceErrors.Mandatory("recvWindow"));
            if (w > 60_000_000)
                throw new BinanceException(BinanceErrors.RecvWindowTooLarge);
            recvWindowUs = w;
        }
        return p.SignedPayload;
    }

    private void CheckTimestampWindow(long timestampUs, long recvWindowUs)
    {
        // EXCHANGES.md §5.3: accept iff timestamp < serverTime + 1000 ms and serverTime − timestamp ≤ recvWindow.
        long nowUs = (_clock.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10;
        if (timestampUs >= nowUs + 1_000_000)
            throw new BinanceException(BinanceErrors.TimestampAhead);
        if (nowUs - timestampUs > recvWindowUs)
            throw new BinanceException(BinanceErrors.TimestampOutsideRecvWindow);
    }

    /// <summary>Binance accepts milliseconds or microseconds; a 16-digit value is microseconds.</summary>
    private static long ParseTimestampMicros(string text)
    {
        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long ts) || ts <= 0)
            throw new BinanceException(BinanceErrors.Mandatory("timestamp"));
        return ts >= 10_000_000_000_000 ? ts : checked(ts * 1000);
    }

    // ---------------------------------------------------------------- shared parameter parsing

    private SymbolBook Symbol(RequestParameters p)
    {
        string name = p.Required("symbol");
        return _engine.TryGetBook(name, out var book) ? book : throw new BinanceException(BinanceErrors.BadSymbol);
    }

    private static long ParseLong(RequestParameters p, string name, long fallback)
    {
        string? text = p[name];
        if (text is null)
            return fallback;
        return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long v)
            ? v : throw new BinanceException(BinanceErrors.Mandatory(name));
    }

    /// <summary>
    /// Parses a decimal at 8 places (Binance's precision: more is -1111), then to the symbol's
    /// <paramref name="decimals"/>. A value between the symbol's grid points cannot satisfy its
    /// filter, so it becomes -1 and fails PRICE_FILTER or LOT_SIZE, as on Binance.
    /// </summary>
    private static long ParseDecimal(string name, string text, int decimals)
    {
        var error = DecimalParser.TryParse(Encoding.UTF8.GetBytes(text), Assets.Decimals, false, out long raw8);
        if (error == DecimalParseError.TooManyDecimals)
            throw new BinanceException(BinanceErrors.TooMuchPrecision(name));
        if (error != DecimalParseError.None)
            throw new BinanceException(BinanceErrors.IllegalChars(name, "^([0-9]{1,20})(\\.[0-9]{1,20})?$"));
        long unit = FixedPoint.Pow10(Assets.Decimals - decimals);
        return raw8 % unit == 0 ? raw8 / unit : -1;
    }

    private static void WriteError(Utf8JsonWriter w, BinanceError error)
    {
        w.WriteStartObject();
        w.WriteNumber("code", error.Code);
        w.WriteString("msg", error.Message);
        w.WriteEndObject();
    }
}
