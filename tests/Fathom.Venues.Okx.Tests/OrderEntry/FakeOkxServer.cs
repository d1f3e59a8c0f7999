using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fathom.Venues.Okx.Tests.OrderEntry;

/// <summary>
/// A scripted OKX v5 look-alike (Kestrel on 127.0.0.1, a free port) for the order gateway tests. The private
/// WebSocket (<c>/ws/v5/private</c>) checks each login's signature with the shared secret (its own HMAC, not
/// Fathom's signer) and answers it, answers subscribe and <c>ping</c>; every trade op is handed to the test
/// (<see cref="NextOpAsync"/>), which answers and pushes by hand. REST verifies every signed request's headers the
/// same way (a bad signature answers 50113 and is counted in <see cref="SignatureFailures"/>) and answers from
/// <see cref="RestHandler"/>, which the test sets per path.
/// </summary>
internal sealed class FakeOkxServer : IAsyncDisposable
{
    public const string ApiKey = "test-api-key";
    public const string Passphrase = "test-passphrase";
    public const string Secret = OkxSigningTests.Secret;

    private readonly WebApplication _app;
    private readonly Channel<(WebSocket Socket, JsonElement Op)> _ops = Channel.CreateUnbounded<(WebSocket, JsonElement)>();
    private readonly ConcurrentDictionary<int, WebSocket> _sockets = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private int _socketIds;

    public FakeOkxServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Map("/ws/v5/private", AcceptAsync);
        _app.Map("/api/v5/{**rest}", RestAsync);
    }

    public Uri BaseUrl { get; private set; } = null!;
    /// <summary>Login code to answer ("0" accepts; anything else is sent as an error event).</summary>
    public volatile string LoginCode = "0";
    /// <summary>Refuse WebSocket upgrades (the private WebSocket is down; REST still answers).</summary>
    public volatile bool RefuseWebSockets;
    /// <summary>Answer pings with pong.</summary>
    public volatile bool AnswerPings = true;
    /// <summary>The next N <c>/api/v5/public/time</c> requests answer 503 50001.</summary>
    public int FailTimeRequests;

    private static bool Take(ref int counter)
    {
        int n;
        do
        {
            n = Volatile.Read(ref counter);
            if (n <= 0)
                return false;
        }
        while (Interlocked.CompareExchange(ref counter, n - 1, n) != n);
        return true;
    }
    public int Logins;
    /// <summary>When each login arrived (<see cref="System.Diagnostics.Stopwatch"/> timestamps), in order.</summary>
    public ConcurrentQueue<long> LoginStamps { get; } = new();
    public int Pings;
    public int SignatureFailures;
    public int Connections => Volatile.Read(ref _socketIds);
    public ConcurrentQueue<(string Method, string PathAndQuery, string Body, bool Simulated)> RestRequests { get; } = new();
    /// <summary>Answers a verified REST request: (status, body). Null answers 404.</summary>
    public Func<string, string, string, (int Status, string Body)?> RestHandler { get; set; } = (_, _, _) => null;
    /// <summary>Server clock offset from the local one (to test clock-skew handling).</summary>
    public long ServerTimeOffsetMs;
    /// <summary>Every trade op received, in order, as raw text (to count resends).</summary>
    public ConcurrentQueue<string> OpsReceived { get; } = new();

    public async Task StartAsync()
    {
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.First());
    }

    public OkxOrderGatewayOptions Options() => OkxOrderGatewayOptions.Local(BaseUrl) with
    {
        RequestTimeout = TimeSpan.FromSeconds(2),
        ControlTimeout = TimeSpan.FromSeconds(3),
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
        SweepPeriod = TimeSpan.FromMilliseconds(20),
    };

    public static OkxCredentials Credentials() => new(ApiKey, Secret, Passphrase);

    /// <summary>The next trade op (order, cancel-order, amend-order, batch-cancel-orders) a client sent.</summary>
    public async Task<(WebSocket Socket, JsonElement Op)> NextOpAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _ops.Reader.ReadAsync(cts.Token);
    }

    /// <summary>True when no op arrives within <paramref name="wait"/>.</summary>
    public async Task<bool> NoOpWithinAsync(TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        try
        {
            await _ops.Reader.WaitToReadAsync(cts.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public async Task SendAsync(WebSocket socket, string text)
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Pushes to every open connection (an orders channel push).</summary>
    public async Task PushAsync(string text)
    {
        foreach (var socket in _sockets.Values)
            if (socket.State == WebSocketState.Open)
                await SendAsync(socket, text);
    }

    /// <summary>Aborts every client connection (a network drop).</summary>
    public void DropAll()
    {
        foreach (var (id, socket) in _sockets)
        {
            socket.Abort();
            _sockets.TryRemove(id, out _);
        }
    }

    public static string Reply(JsonElement op, int code, string data, string msg = "") =>
        $"{{\"id\":\"{op.GetProperty("id").GetString()}\",\"op\":\"{op.GetProperty("op").GetString()}\",\"code\":\"{code}\",\"msg\":\"{msg}\",\"data\":[{data}],\"inTime\":\"1700000000000100\",\"outTime\":\"1700000000000350\"}}";

    public static string OrdersPush(string data) => "{\"arg\":{\"channel\":\"orders\",\"instType\":\"SPOT\",\"uid\":\"1\"},\"data\":[" + data + "]}";

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest || RefuseWebSockets)
        {
            context.Response.StatusCode = 400;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        int id = Interlocked.Increment(ref _socketIds);
        _sockets[id] = socket;
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                int used = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, used, buffer.Length - used), CancellationToken.None);
                    used += result.Count;
                } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                    break;
                string text = Encoding.UTF8.GetString(buffer, 0, used);
                await HandleAsync(socket, text);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
        _sockets.TryRemove(id, out _);
    }

    private async Task HandleAsync(WebSocket socket, string text)
    {
        if (text == "ping")
        {
            Interlocked.Increment(ref Pings);
            if (AnswerPings)
                await SendAsync(socket, "pong");
            return;
        }
        var doc = JsonDocument.Parse(text);
        var root = doc.RootElement.Clone();
        string op = root.GetProperty("op").GetString()!;
        if (op == "login")
        {
            LoginStamps.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
            Interlocked.Increment(ref Logins);
            var args = root.GetProperty("args")[0];
            string ts = args.GetProperty("timestamp").GetString()!;
            string expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(ts + "GET/users/self/verify")));
            long skew = Math.Abs(long.Parse(ts, System.Globalization.CultureInfo.InvariantCulture) - (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + ServerTimeOffsetMs) / 1000);
            bool ok = args.GetProperty("apiKey").GetString() == ApiKey && args.GetProperty("passphrase").GetString() == Passphrase
                && args.GetProperty("sign").GetString() == expected;
            if (!ok)
                Interlocked.Increment(ref SignatureFailures);
            string code = !ok ? "60009" : skew > 30 ? "60006" : LoginCode;
            await SendAsync(socket, code == "0"
                ? "{\"event\":\"login\",\"code\":\"0\",\"msg\":\"\",\"connId\":\"a4d3ae55\"}"
                : $"{{\"event\":\"error\",\"code\":\"{code}\",\"msg\":\"Login failed.\",\"connId\":\"a4d3ae55\"}}");
            return;
        }
        if (op == "subscribe")
        {
            await SendAsync(socket, "{\"event\":\"subscribe\",\"arg\":{\"channel\":\"orders\",\"instType\":\"SPOT\"},\"connId\":\"a4d3ae55\"}");
            return;
        }
        OpsReceived.Enqueue(text);
        await _ops.Writer.WriteAsync((socket, root));
    }

    private async Task RestAsync(HttpContext context)
    {
        string method = context.Request.Method;
        string pathAndQuery = context.Request.Path + context.Request.QueryString;
        string body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        bool simulated = context.Request.Headers["x-simulated-trading"] == "1";
        RestRequests.Enqueue((method, pathAndQuery, body, simulated));
        if (context.Request.Path == "/api/v5/public/time" && FakeOkxServer.Take(ref FailTimeRequests))
        {
            await Write(context, 503, "{\"code\":\"50001\",\"msg\":\"Service temporarily unavailable. Please try again later.\",\"data\":[]}");
            return;
        }
        if (context.Request.Path == "/api/v5/public/time")
        {
            await Write(context, 200, $"{{\"code\":\"0\",\"msg\":\"\",\"data\":[{{\"ts\":\"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + ServerTimeOffsetMs}\"}}]}}");
            return;
        }
        string timestamp = context.Request.Headers["OK-ACCESS-TIMESTAMP"].ToString();
        string expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(timestamp + method + pathAndQuery + body)));
        if (context.Request.Headers["OK-ACCESS-KEY"] != ApiKey || context.Request.Headers["OK-ACCESS-PASSPHRASE"] != Passphrase
            || context.Request.Headers["OK-ACCESS-SIGN"] != expected || !DateTimeOffset.TryParse(timestamp, out _))
        {
            Interlocked.Increment(ref SignatureFailures);
            await Write(context, 401, "{\"code\":\"50113\",\"msg\":\"Invalid Sign\",\"data\":[]}");
            return;
        }
        var answer = RestHandler(method, pathAndQuery, body);
        if (answer is null)
        {
            await Write(context, 404, "{\"code\":\"50000\",\"msg\":\"not scripted\",\"data\":[]}");
            return;
        }
        await Write(context, answer.Value.Status, answer.Value.Body);
    }

    private static async Task Write(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        DropAll();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
