using System.Text;
using System.Text.Json;

namespace Fathom.Simulator;

/// <summary>
/// The WebSocket API (<c>/ws-api/v3</c>, EXCHANGES.md §4): one JSON request per text frame,
/// <c>{"id","method","params"}</c>, answered <c>{"id","status","result"|"error","rateLimits"}</c>.
/// Methods map onto the REST handlers (same checks, same bodies); signatures are over the sorted
/// params (§5.2); <c>session.logon</c> (Ed25519 only) lets later requests omit apiKey and signature.
/// </summary>
public sealed partial class SimulatorApi
{
    private static readonly Dictionary<string, (string Method, string Path)> s_wsMethods = new(StringComparer.Ordinal)
    {
        ["ping"] = ("GET", "/api/v3/ping"),
        ["time"] = ("GET", "/api/v3/time"),
        ["exchangeInfo"] = ("GET", "/api/v3/exchangeInfo"),
        ["depth"] = ("GET", "/api/v3/depth"),
        ["trades.recent"] = ("GET", "/api/v3/trades"),
        ["ticker.book"] = ("GET", "/api/v3/ticker/bookTicker"),
        ["ticker.price"] = ("GET", "/api/v3/ticker/price"),
        ["ticker.24hr"] = ("GET", "/api/v3/ticker/24hr"),
        ["ticker"] = ("GET", "/api/v3/ticker"),
        ["avgPrice"] = ("GET", "/api/v3/avgPrice"),
        ["trades.aggregate"] = ("GET", "/api/v3/aggTrades"),
        ["klines"] = ("GET", "/api/v3/klines"),
        ["uiKlines"] = ("GET", "/api/v3/uiKlines"),
        ["allOrders"] = ("GET", "/api/v3/allOrders"),
        ["order.place"] = ("POST", "/api/v3/order"),
        ["order.test"] = ("POST", "/api/v3/order/test"),
        ["order.status"] = ("GET", "/api/v3/order"),
        ["order.cancel"] = ("DELETE", "/api/v3/order"),
        ["order.cancelReplace"] = ("POST", "/api/v3/order/cancelReplace"),
        ["order.amend.keepPriority"] = ("PUT", "/api/v3/order/amend/keepPriority"),
        ["openOrders.status"] = ("GET", "/api/v3/openOrders"),
        ["openOrders.cancelAll"] = ("DELETE", "/api/v3/openOrders"),
        ["account.status"] = ("GET", "/api/v3/account"),
        ["account.commission"] = ("GET", "/api/v3/account/commission"),
        ["myTrades"] = ("GET", "/api/v3/myTrades"),
    };

    private static readonly BinanceError s_notLoggedOn = new(401, -2015, "Invalid API-key, IP, or permissions for action.");
    private static readonly BinanceError s_hmacLogon = new(400, -4056, "HMAC_SHA256 API key is not supported.");
    private static readonly BinanceError s_alreadySubscribed = new(400, -1210, "User Data Stream subscription already active.");
    private static readonly BinanceError s_badRequest = new(400, -1000, "Invalid request.");

    /// <summary>
    /// Entry from a connection's receive loop. Without delay faults the request is handled at once;
    /// with <see cref="SimulatorFaults.RequestDelay"/> or <see cref="SimulatorFaults.VenueDelay"/> it goes
    /// through the connection's <see cref="RequestPipeline"/>, which holds it and keeps the order.
    /// </summary>
    internal void ReceiveWsApi(WsApiSession session, string text)
    {
        var requestDelay = Faults.RequestDelay;
        var venueDelay = Faults.VenueDelay;
        if (requestDelay <= TimeSpan.Zero && venueDelay <= TimeSpan.Zero && session.Pipeline.Pending == 0)
        {
            HandleWsApi(session, text);
            return;
        }
        session.Pipeline.Submit(WsMethodReachesEngine(text), () => HandleWsApi(session, text));
    }

    /// <summary>What the delay faults hold a WS API request for now (engine requests: both delays).</summary>
    internal TimeSpan WsApiDelay(bool reachesEngine) => Faults.RequestDelay + (reachesEngine ? Faults.VenueDelay : TimeSpan.Zero);

    /// <summary>Whether a request frame's method goes through the matching engine (malformed frames do not).</summary>
    private static bool WsMethodReachesEngine(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String
                && s_wsMethods.TryGetValue(m.GetString()!, out var rest) && s_routes[rest].ReachesEngine;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Handles one request frame: under the gate, answers on the session's socket (unless an ack
    /// fault holds or drops the answer), then publishes what the request changed, so a client sees
    /// its order's response before that order's user data events.
    /// </summary>
    internal void HandleWsApi(WsApiSession session, string text)
    {
        string idRaw = "null";
        byte[]? response;
        ApiResponse answer;
        lock (_gate)
        {
            int usedWeight = 0;
            (int TenSeconds, int Day)? orderCounts = null;
            bool returnRateLimits = true;
            try
            {
                using var doc = JsonDocument.Parse(text);
                var root = doc.RootElement;
                if (root.TryGetProperty("id", out var id))
                    idRaw = id.GetRawText();
                string method = root.TryGetProperty("method", out var m) ? m.GetString() ?? "" : "";
                var parameters = root.TryGetProperty("params", out var ps) ? ps : default;
                var p = RequestParameters.FromJson(parameters);
                returnRateLimits = p["returnRateLimits"] != "false";
                answer = method switch
                {
                    "session.logon" => SessionLogon(session, p, out usedWeight),
                    "session.status" => SessionStatus(session),
                    "session.logout" => SessionLogout(session),
                    "userDataStream.subscribe" => SubscribeUserData(session, null, out usedWeight),
                    "userDataStream.subscribe.signature" => SubscribeUserData(session, p, out usedWeight),
                    "userDataStream.unsubscribe" => UnsubscribeUserData(session, p),
                    _ when s_wsMethods.TryGetValue(method, out var rest) =>
                        Execute(s_routes[rest], p, session.Ip, p["apiKey"], session.Account, out usedWeight, out orderCounts),
                    _ => Error(new BinanceError(400, -1100, $"Illegal characters found in parameter 'method'; legal range is '{string.Join("|", s_wsMethods.Keys)}'."), 0),
                };
            }
            catch (JsonException)
            {
                answer = Error(s_badRequest, 0);
            }
            catch (BinanceException ex)
            {
                answer = Error(ex.Error, 0);
            }
            response = answer.Fault == AckFault.Drop ? null : WsEnvelope(idRaw, answer, usedWeight, orderCounts, returnRateLimits);
            var delay = answer.Fault == AckFault.Timeout ? Faults.TimeoutHang
                : answer.OrderCountHeaders ? Faults.AckDelay : TimeSpan.Zero;
            if (response is not null && delay <= TimeSpan.Zero)
                session.Connection.Send(response);
            Streams.Flush();
            if (response is null || delay <= TimeSpan.Zero)
                return;
            _ = SendLaterAsync(session.Connection, response, delay);
        }
    }

    private static async Task SendLaterAsync(StreamConnection connection, byte[] frame, TimeSpan delay)
    {
        // Transport delay: real time, like the network it stands for.
        await Task.Delay(delay).ConfigureAwait(false);
        connection.Send(frame);
    }

    private byte[] WsEnvelope(string idRaw, in ApiResponse answer, int usedWeight, (int TenSeconds, int Day)? orderCounts, bool returnRateLimits)
    {
        var w = BeginJson();
        w.WriteStartObject();
        w.WritePropertyName("id");
        w.WriteRawValue(idRaw);
        w.WriteNumber("status", answer.Status);
        if (answer.Status == 200)
        {
            w.WritePropertyName("result");
            w.WriteRawValue(answer.Body);
        }
        else
        {
            w.WritePropertyName("error");
            if (answer.RetryAfterSeconds > 0)
            {
                // 418/429 carry when to come back, as epoch ms (EXCHANGES.md §4).
                using var doc = JsonDocument.Parse(answer.Body);
                w.WriteStartObject();
                foreach (var prop in doc.RootElement.EnumerateObject())
                    prop.WriteTo(w);
                w.WriteStartObject("data");
                w.WriteNumber("serverTime", _clock.UtcNowUnixMs);
                w.WriteNumber("retryAfter", _clock.UtcNowUnixMs + answer.RetryAfterSeconds * 1000L);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            else
            {
                w.WriteRawValue(answer.Body);
            }
        }
        if (returnRateLimits)
        {
            var limits = _limiter.Settings;
            w.WriteStartArray("rateLimits");
            WriteRateLimitCount(w, "REQUEST_WEIGHT", "MINUTE", 1, limits.RequestWeightPerMinute, usedWeight);
            if (orderCounts is { } counts)
            {
                WriteRateLimitCount(w, "ORDERS", "SECOND", 10, limits.OrdersPer10Seconds, counts.TenSeconds);
                WriteRateLimitCount(w, "ORDERS", "DAY", 1, limits.OrdersPerDay, counts.Day);
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        return EndJson();
    }

    private static void WriteRateLimitCount(Utf8JsonWriter w, string type, string interval, int num, int limit, int count)
    {
        w.WriteStartObject();
        w.WriteString("rateLimitType", type);
        w.WriteString("interval", interval);
        w.WriteNumber("intervalNum", num);
        w.WriteNumber("limit", limit);
        w.WriteNumber("count", count);
        w.WriteEndObject();
    }

    private ApiResponse Ok(Action<Utf8JsonWriter> body)
    {
        var w = BeginJson();
        body(w);
        return new ApiResponse(200, EndJson());
    }

    private ApiResponse SessionLogon(WsApiSession session, RequestParameters p, out int usedWeight)
    {
        var weightError = _limiter.ChargeWeight(session.Ip, 2, out usedWeight, out int retryAfter);
        if (weightError is { } we)
            return Error(we, retryAfter);
        string apiKey = p.Required("apiKey");
        if (_keys.TryGetValue(apiKey, out var key) && key.Kind != ApiKeyKind.Ed25519)
            return Error(s_hmacLogon, 0);
        var account = Authenticate(p, apiKey);
        session.Account = account;
        session.ApiKey = apiKey;
        session.AuthorizedSince = _clock.UtcNowUnixMs;
        return SessionStatus(session);
    }

    private ApiResponse SessionStatus(WsApiSession session) => Ok(w =>
    {
        w.WriteStartObject();
        if (session.ApiKey is null)
            w.WriteNull("apiKey");
        else
            w.WriteString("apiKey", session.ApiKey);
        if (session.ApiKey is null)
            w.WriteNull("authorizedSince");
        else
            w.WriteNumber("authorizedSince", session.AuthorizedSince);
        w.WriteNumber("connectedSince", session.ConnectedSince);
        w.WriteBoolean("returnRateLimits", true);
        w.WriteNumber("serverTime", _clock.UtcNowUnixMs);
        w.WriteBoolean("userDataStream", Streams.HasSession(session));
        w.WriteEndObject();
    });

    private ApiResponse SessionLogout(WsApiSession session)
    {
        session.Account = null;
        session.ApiKey = null;
        return SessionStatus(session);
    }

    /// <summary>
    /// <c>userDataStream.subscribe</c> (params null: needs session.logon) or <c>.subscribe.signature</c>
    /// (apiKey + timestamp + signature, any key type); one subscription per account per connection.
    /// </summary>
    private ApiResponse SubscribeUserData(WsApiSession session, RequestParameters? p, out int usedWeight)
    {
        var weightError = _limiter.ChargeWeight(session.Ip, 2, out usedWeight, out int retryAfter);
        if (weightError is { } we)
            return Error(we, retryAfter);
        SimAccount account = p is null
            ? session.Account ?? throw new BinanceException(s_notLoggedOn)
            : Authenticate(p, p.Required("apiKey"));
        if (Streams.HasSubscription(session, account))
            return Error(s_alreadySubscribed, 0);
        var sub = Streams.SubscribeUser(session, account);
        return Ok(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("subscriptionId", sub.Id);
            w.WriteEndObject();
        });
    }

    private ApiResponse UnsubscribeUserData(WsApiSession session, RequestParameters p)
    {
        int? id = p["subscriptionId"] is { } text && int.TryParse(text, out int n) ? n : null;
        Streams.UnsubscribeUser(session, id);
        return Ok(w =>
        {
            w.WriteStartObject();
            w.WriteEndObject();
        });
    }
}
