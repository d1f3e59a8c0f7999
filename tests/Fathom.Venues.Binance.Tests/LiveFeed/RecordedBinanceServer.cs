using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fathom.Venues.Binance.Tests.LiveFeed;

/// <summary>
/// A local Binance look-alike for feed tests (Kestrel on 127.0.0.1, a free port): it publishes the
/// recorded BTCUSDT frames of ../shared/data over <c>/stream</c> to every connected socket, and answers
/// <c>/api/v3/depth</c> with the book at its current position, kept by its own reference book
/// (decimal keys, System.Text.Json; nothing shared with Fathom's parser or book).
/// Faults are switched from the test: drop all connections, go silent while open, answer 429.
/// </summary>
internal sealed class RecordedBinanceServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<byte[]> _frames = [];
    private readonly SortedDictionary<decimal, string> _bids = new(Comparer<decimal>.Create((a, b) => b.CompareTo(a)));
    private readonly SortedDictionary<decimal, string> _asks = new();
    private readonly Lock _bookLock = new();
    private readonly ConcurrentDictionary<int, WebSocket> _sockets = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _clientConnected = new(0);
    private long _lastUpdateId;
    private int _socketIds;
    private Task? _publisher;

    /// <param name="keepAliveTimeout">
    /// How long the server waits for the client's pong before dropping it (pings every 100 ms). 10 s unless a
    /// test is about pongs: a shorter deadline turns a stall of the shared test machine into a disconnect.
    /// </param>
    public RecordedBinanceServer(string recording, int maxFrames, TimeSpan? keepAliveTimeout = null)
    {
        LoadRecording(recording, maxFrames);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.UseWebSockets(new WebSocketOptions
        {
            // The server pings and drops a client that does not answer: the client must pong.
            KeepAliveInterval = TimeSpan.FromMilliseconds(100),
            KeepAliveTimeout = keepAliveTimeout ?? TimeSpan.FromSeconds(10),
        });
        _app.Map("/stream", AcceptStreamAsync);
        _app.MapGet("/api/v3/depth", Depth);
    }

    public Uri BaseUrl { get; private set; } = null!;
    public int FramesPublished { get; private set; }
    public int FrameCount => _frames.Count;
    public long FinalUpdateId { get; private set; }
    public int Connections => Volatile.Read(ref _socketIds);
    public List<DateTimeOffset> DepthRequests { get; } = [];
    public volatile bool Silent;
    public int RateLimitNextDepthRequests;
    public int PingTimeouts;

    /// <summary>Publishing pace: frames per batch and the pause between batches.</summary>
    public int FramesPerBatch { get; set; } = 40;
    public TimeSpan BatchPause { get; set; } = TimeSpan.FromMilliseconds(2);

    public async Task StartAsync()
    {
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.First());
    }

    /// <summary>Starts publishing once a client has connected (so it sees the stream from the start).</summary>
    public void StartPublishing() => _publisher = Task.Run(() => PublishAsync(_stop.Token));

    public Task WaitForClientAsync(TimeSpan timeout) => _clientConnected.WaitAsync(timeout);

    public Task Finished => _publisher ?? Task.CompletedTask;

    /// <summary>Pauses publishing until <see cref="Resume"/> (frames are not lost, only delayed).</summary>
    public void Pause() => _paused.Reset();
    public void Resume() => _paused.Set();
    private readonly ManualResetEventSlim _paused = new(true);

    /// <summary>Client connections open now.</summary>
    public int OpenConnections => _sockets.Count;

    /// <summary>Aborts one client connection, by its order of arrival (1 = the first).</summary>
    public void DropConnection(int id)
    {
        if (_sockets.TryRemove(id, out var socket))
            socket.Abort();
    }

    /// <summary>Aborts every open client connection (a network drop mid-stream).</summary>
    public void DropAllConnections()
    {
        foreach (var (id, socket) in _sockets)
        {
            socket.Abort();
            _sockets.TryRemove(id, out _);
        }
    }

    private void LoadRecording(string path, int maxFrames)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        bool haveSnapshot = false;
        while (reader.ReadLine() is { } line && _frames.Count < maxFrames)
        {
            string json = line[(line.IndexOf(' ') + 1)..];
            if (json.StartsWith("{\"lastUpdateId\"", StringComparison.Ordinal))
            {
                if (haveSnapshot)
                    continue;
                haveSnapshot = true;
                using var doc = JsonDocument.Parse(json);
                _lastUpdateId = doc.RootElement.GetProperty("lastUpdateId").GetInt64();
                Apply(doc.RootElement.GetProperty("bids"), _bids);
                Apply(doc.RootElement.GetProperty("asks"), _asks);
                continue;
            }
            _frames.Add(Encoding.UTF8.GetBytes(json));
        }
        if (!haveSnapshot)
            throw new InvalidDataException("the recording has no snapshot to start the server's book from");
        // The book starts at the recorded snapshot; frames that precede it are still published
        // (the client must drop them by the spot rule), and the server's book skips them too.
    }

    private static void Apply(JsonElement levels, SortedDictionary<decimal, string> side)
    {
        foreach (var level in levels.EnumerateArray())
        {
            string price = level[0].GetString()!, qty = level[1].GetString()!;
            decimal p = decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture);
            if (decimal.Parse(qty, System.Globalization.CultureInfo.InvariantCulture) == 0)
                side.Remove(p);
            else
                side[p] = qty;
        }
    }

    private async Task PublishAsync(CancellationToken ct)
    {
        for (int i = 0; i < _frames.Count && !ct.IsCancellationRequested; i++)
        {
            _paused.Wait(ct);
            byte[] frame = _frames[i];
            ApplyToBook(frame);
            if (!Silent)
            {
                foreach (var (id, socket) in _sockets)
                {
                    try
                    {
                        await socket.SendAsync(frame, WebSocketMessageType.Text, true, ct);
                    }
                    catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
                    {
                        _sockets.TryRemove(id, out _);
                    }
                }
            }
            FramesPublished = i + 1;
            if (i % FramesPerBatch == 0)
                await Task.Delay(BatchPause, ct);
        }
        FinalUpdateId = _lastUpdateId;
    }

    private void ApplyToBook(byte[] frame)
    {
        using var doc = JsonDocument.Parse(frame);
        var data = doc.RootElement.GetProperty("data");
        if (!data.TryGetProperty("e", out var e) || e.GetString() != "depthUpdate")
            return;
        long u = data.GetProperty("u").GetInt64();
        lock (_bookLock)
        {
            if (u <= _lastUpdateId)
                return; // already in the book (the recording's first diffs precede its snapshot)
            Apply(data.GetProperty("b"), _bids);
            Apply(data.GetProperty("a"), _asks);
            _lastUpdateId = u;
        }
    }

    private IResult Depth(HttpContext context, string symbol, int limit)
    {
        lock (DepthRequests)
            DepthRequests.Add(DateTimeOffset.UtcNow);
        if (Interlocked.Decrement(ref RateLimitNextDepthRequests) >= 0)
        {
            context.Response.Headers.RetryAfter = "1";
            return Results.Json(new { code = -1003, msg = "Too much request weight used; current limit is 6000 request weight per 1 MINUTE." }, statusCode: 429);
        }
        context.Response.Headers["X-MBX-USED-WEIGHT-1M"] = "50";
        var sb = new StringBuilder();
        lock (_bookLock)
        {
            sb.Append("{\"lastUpdateId\":").Append(_lastUpdateId).Append(",\"bids\":[");
            AppendLevels(sb, _bids);
            sb.Append("],\"asks\":[");
            AppendLevels(sb, _asks);
            sb.Append("]}");
        }
        return Results.Text(sb.ToString(), "application/json");
    }

    private static void AppendLevels(StringBuilder sb, SortedDictionary<decimal, string> side)
    {
        bool first = true;
        foreach (var (price, qty) in side)
        {
            if (!first) sb.Append(',');
            first = false;
            sb.Append("[\"").Append(price.ToString("0.00000000", System.Globalization.CultureInfo.InvariantCulture)).Append("\",\"").Append(qty).Append("\"]");
        }
    }

    private async Task AcceptStreamAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
        int id = Interlocked.Increment(ref _socketIds);
        _sockets[id] = socket;
        _clientConnected.Release();
        // Read until the client closes or the keep-alive times out (no pong): that is how pings are enforced.
        var buffer = new byte[1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var r = await socket.ReceiveAsync(buffer, _stop.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                    break;
            }
        }
        catch (WebSocketException)
        {
            Interlocked.Increment(ref PingTimeouts);
        }
        catch (OperationCanceledException)
        {
        }
        _sockets.TryRemove(id, out _);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _paused.Set();
        try { if (_publisher is not null) await _publisher; } catch (OperationCanceledException) { }
        DropAllConnections();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stop.Dispose();
    }
}
