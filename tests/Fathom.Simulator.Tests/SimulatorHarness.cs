using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fathom.Core;
using Fathom.Simulator;

namespace Fathom.Simulator.Tests;

/// <summary>
/// A demo-config simulator on a free loopback port with virtual time, and a minimal signed client
/// written here from the Binance docs (not from the simulator's code, so a signing bug cannot hide on both sides).
/// </summary>
internal sealed class SimulatorHarness : IAsyncDisposable
{
    public const string HmacKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    public const string HmacSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

    private SimulatorHarness(ExchangeSimulator sim, SimulatorServer server, ManualTimeProvider time)
    {
        Sim = sim;
        Server = server;
        Time = time;
        Http = new HttpClient { BaseAddress = server.BaseAddress };
    }

    public ExchangeSimulator Sim { get; }
    public SimulatorServer Server { get; }
    public ManualTimeProvider Time { get; }
    public HttpClient Http { get; }

    public static async Task<SimulatorHarness> StartAsync(Action<SimulatorConfig>? configure = null, Action<ExchangeSimulator>? beforeStart = null)
    {
        var config = SimulatorConfig.Demo();
        config.SeedLevels = 0;
        configure?.Invoke(config);
        var time = new ManualTimeProvider();
        var sim = ExchangeSimulator.Create(config, time);
        beforeStart?.Invoke(sim);
        var server = await SimulatorServer.StartAsync(sim.Api);
        return new SimulatorHarness(sim, server, time);
    }

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public static string Sign(string payload, string secret = HmacSecret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(payload)));

    /// <summary>Signed request the way the official connectors send it: everything in the query, timestamp then signature last.</summary>
    public Task<Reply> SignedAsync(HttpMethod method, string path, string parameters, string apiKey = HmacKey, string secret = HmacSecret, long? timestamp = null)
    {
        string query = (parameters.Length > 0 ? parameters + "&" : "") + "timestamp=" + (timestamp ?? NowMs);
        return SendAsync(method, $"{path}?{query}&signature={Sign(query, secret)}", apiKey);
    }

    public async Task<Reply> SendAsync(HttpMethod method, string pathAndQuery, string? apiKey = null, HttpContent? body = null)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery) { Content = body };
        if (apiKey is not null)
            request.Headers.Add("X-MBX-APIKEY", apiKey);
        using var response = await Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        var headers = response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new Reply(response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), headers);
    }

    public Uri WsUri(string pathAndQuery) => new(new UriBuilder(Server.BaseAddress) { Scheme = "ws" }.Uri, pathAndQuery);

    public async Task<WsClient> ConnectAsync(string pathAndQuery) => await WsClient.ConnectAsync(WsUri(pathAndQuery));

    /// <summary>
    /// A WebSocket API connection logged on with the demo account's Ed25519 key (session.logon) and
    /// subscribed to its user data: later requests need only a timestamp.
    /// </summary>
    public async Task<WsClient> ConnectUserDataAsync()
    {
        var ws = await ConnectAsync("/ws-api/v3");
        var key = SimulatorConfig.Demo().Accounts[0].Keys[1];
        using var ed = NSec.Cryptography.Key.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, Convert.FromBase64String(key.Ed25519PrivateKey!), NSec.Cryptography.KeyBlobFormat.RawPrivateKey);
        long ts = NowMs;
        string sig = Convert.ToBase64String(NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(ed, Encoding.UTF8.GetBytes($"apiKey={key.ApiKey}&timestamp={ts}")));
        var logon = await ws.RequestAsync("logon", "session.logon", new Dictionary<string, object> { ["apiKey"] = key.ApiKey, ["timestamp"] = ts, ["signature"] = sig });
        if (logon.GetProperty("status").GetInt32() != 200)
            throw new InvalidOperationException("logon failed: " + logon.GetRawText());
        var sub = await ws.RequestAsync("subscribe", "userDataStream.subscribe");
        if (sub.GetProperty("status").GetInt32() != 200)
            throw new InvalidOperationException("subscribe failed: " + sub.GetRawText());
        return ws;
    }

    /// <summary>Params of a LIMIT GTC order for a logged-on WS API session (timestamp now, no signature).</summary>
    public Dictionary<string, object> LimitOrder(string side, string qty, string price, string clientOrderId, string symbol = "BTCUSDT") => new()
    {
        ["symbol"] = symbol, ["side"] = side, ["type"] = "LIMIT", ["timeInForce"] = "GTC", ["quantity"] = qty, ["price"] = price,
        ["newClientOrderId"] = clientOrderId, ["timestamp"] = NowMs,
    };

    /// <summary>Publishes the 100 ms depth diffs now (what the timer does on virtual time).</summary>
    public void PublishDepth()
    {
        lock (Sim.Api.Gate)
            Sim.Streams.PublishDepth(StreamHub.Depth100Ms);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Sim.Dispose();
    }
}

internal sealed record Reply(HttpStatusCode Status, JsonElement Json, Dictionary<string, string> Headers)
{
    public int Code => Json.GetProperty("code").GetInt32();
    public string Msg => Json.GetProperty("msg").GetString()!;
    public string Str(string name) => Json.GetProperty(name).GetString()!;
}
