using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace Fathom.Simulator.Benchmarks;

/// <summary>
/// Latency of single signed requests against the demo simulator (wall clock, rate limits raised so
/// the benchmark never meets a 429): <c>POST /api/v3/order</c> (LIMIT_MAKER buy 0.001 BTCUSDT at
/// 50000, far below the seeded book, so it rests) and <c>DELETE /api/v3/order</c> of it by orderId,
/// each timed alone: the other half runs in <c>[IterationSetup]</c>/<c>[IterationCleanup]</c>, outside
/// the measurement, and every iteration is one request, so the percentile columns are per request.
/// <list type="bullet">
/// <item><c>Http*</c>: HttpClient to Kestrel on 127.0.0.1 (one kept-alive connection): client signing
/// (HMAC-SHA256 over the query, as the connectors do), HTTP/1.1 over loopback, the handler, the body read.</item>
/// <item><c>Handle*</c>: the same request through <see cref="SimulatorApi.Handle"/> in process (no socket,
/// no Kestrel, no HttpClient), so the difference is the transport.</item>
/// <item><c>HttpPing</c>: unsigned <c>GET /api/v3/ping</c>, the transport floor.</item>
/// </list>
/// </summary>
[Config(typeof(LatencyBenchmarkConfig))]
public class RestLatencyBenchmarks
{
    private const string Key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    private static readonly byte[] Secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"u8.ToArray();
    private const string OrderParams = "symbol=BTCUSDT&side=BUY&type=LIMIT_MAKER&quantity=0.001&price=50000&newOrderRespType=RESULT";

    private ExchangeSimulator _sim = null!;
    private SimulatorServer _server = null!;
    private HttpClient _http = null!;
    private byte[] _lastBody = [];
    private long _orderId;

    [GlobalSetup]
    public void GlobalSetup()
    {
        var config = SimulatorConfig.Demo();
        config.RateLimits = new RateLimitSettings { RequestWeightPerMinute = 1_000_000_000, OrdersPer10Seconds = 1_000_000_000, OrdersPerDay = 1_000_000_000 };
        _sim = ExchangeSimulator.Create(config, TimeProvider.System);
        _server = SimulatorServer.StartAsync(_sim.Api, IPAddress.Loopback, 0).GetAwaiter().GetResult();
        _http = new HttpClient { BaseAddress = _server.BaseAddress };
        // Warm up both paths (JIT tiers, the connection) before BenchmarkDotNet's own warmup.
        for (int i = 0; i < 1000; i++)
        {
            HttpPost();
            _orderId = OrderIdOf(_lastBody);
            HttpDelete();
            HandlePost();
            _orderId = OrderIdOf(_lastBody);
            HandleDelete();
            HttpPing();
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _http.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _sim.Dispose();
    }

    private static string Signed(string parameters)
    {
        string query = parameters + "&timestamp=" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        string signature = Convert.ToHexStringLower(HMACSHA256.HashData(Secret, Encoding.UTF8.GetBytes(query)));
        return query + "&signature=" + signature;
    }

    private static long OrderIdOf(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.TryGetProperty("orderId", out var id)
            ? id.GetInt64()
            : throw new InvalidOperationException("no orderId in " + Encoding.UTF8.GetString(body));
    }

    private static void Expect(int status, byte[] body)
    {
        if (status != 200)
            throw new InvalidOperationException($"HTTP {status}: {Encoding.UTF8.GetString(body)}");
    }

    private byte[] Send(HttpMethod method, string pathAndQuery, bool signed)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        if (signed)
            request.Headers.Add("X-MBX-APIKEY", Key);
        using var response = _http.Send(request);
        using var stream = response.Content.ReadAsStream();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        byte[] body = copy.ToArray();
        Expect((int)response.StatusCode, body);
        return body;
    }

    // ---------------------------------------------------------------- HTTP over loopback

    [IterationCleanup(Target = nameof(HttpPost))]
    public void CancelPlaced() => CancelDirect(OrderIdOf(_lastBody));

    [Benchmark(Description = "HTTP POST order (LIMIT_MAKER)")]
    public int HttpPost()
    {
        _lastBody = Send(HttpMethod.Post, "/api/v3/order?" + Signed(OrderParams), signed: true);
        return _lastBody.Length;
    }

    [IterationSetup(Target = nameof(HttpDelete))]
    public void PlaceForHttpDelete() => _orderId = PlaceDirect();

    [Benchmark(Description = "HTTP DELETE order")]
    public int HttpDelete() =>
        Send(HttpMethod.Delete, "/api/v3/order?" + Signed("symbol=BTCUSDT&orderId=" + _orderId.ToString(CultureInfo.InvariantCulture)), signed: true).Length;

    [Benchmark(Description = "HTTP GET ping (unsigned)")]
    public int HttpPing() => Send(HttpMethod.Get, "/api/v3/ping", signed: false).Length;

    // ---------------------------------------------------------------- SimulatorApi.Handle in process

    [IterationCleanup(Target = nameof(HandlePost))]
    public void CancelHandled() => CancelDirect(OrderIdOf(_lastBody));

    [Benchmark(Description = "Handle POST order (no HTTP)")]
    public int HandlePost()
    {
        var answer = _sim.Api.Handle("POST", "/api/v3/order", "?" + Signed(OrderParams), "", "127.0.0.1", Key, out _, out _);
        Expect(answer.Status, answer.Body);
        _lastBody = answer.Body;
        return answer.Body.Length;
    }

    [IterationSetup(Target = nameof(HandleDelete))]
    public void PlaceForHandleDelete() => _orderId = PlaceDirect();

    [Benchmark(Description = "Handle DELETE order (no HTTP)")]
    public int HandleDelete()
    {
        var answer = _sim.Api.Handle("DELETE", "/api/v3/order",
            "?" + Signed("symbol=BTCUSDT&orderId=" + _orderId.ToString(CultureInfo.InvariantCulture)), "", "127.0.0.1", Key, out _, out _);
        Expect(answer.Status, answer.Body);
        return answer.Body.Length;
    }

    // The unmeasured halves go through Handle: same state change, less time between iterations.
    private long PlaceDirect()
    {
        var answer = _sim.Api.Handle("POST", "/api/v3/order", "?" + Signed(OrderParams), "", "127.0.0.1", Key, out _, out _);
        Expect(answer.Status, answer.Body);
        return OrderIdOf(answer.Body);
    }

    private void CancelDirect(long orderId)
    {
        var answer = _sim.Api.Handle("DELETE", "/api/v3/order",
            "?" + Signed("symbol=BTCUSDT&orderId=" + orderId.ToString(CultureInfo.InvariantCulture)), "", "127.0.0.1", Key, out _, out _);
        Expect(answer.Status, answer.Body);
    }
}
