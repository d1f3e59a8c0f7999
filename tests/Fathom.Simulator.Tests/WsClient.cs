using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>A plain ClientWebSocket that collects text frames in the background; every wait is bounded.</summary>
internal sealed class WsClient : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket _socket = new();
    private readonly List<JsonElement> _frames = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly List<(JsonElement Frame, DateTimeOffset ReceivedAt)> _pending = [];
    private Task _loop = Task.CompletedTask;

    public bool Closed { get; private set; }
    public WebSocketState State => _socket.State;

    public static async Task<WsClient> ConnectAsync(Uri uri, bool receive = true)
    {
        var c = new WsClient();
        using var timeout = new CancellationTokenSource(Patience);
        await c._socket.ConnectAsync(uri, timeout.Token);
        if (receive)
            c._loop = c.ReceiveLoopAsync();
        return c;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var r = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (r.MessageType == WebSocketMessageType.Close)
                    break;
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage)
                    continue;
                var doc = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                var receivedAt = DateTimeOffset.UtcNow;
                lock (_frames)
                {
                    _frames.Add(doc.RootElement.Clone());
                    _pending.Add((_frames[^1], receivedAt));
                }
                _arrived.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        Closed = true;
        _arrived.Release();
    }

    public Task SendAsync(string json) => _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    public int Count
    {
        get { lock (_frames) return _frames.Count; }
    }

    public List<JsonElement> All()
    {
        lock (_frames)
            return [.. _frames];
    }

    /// <summary>The oldest not yet taken frame matching <paramref name="match"/>; others stay for later calls.</summary>
    public async Task<JsonElement> NextAsync(Func<JsonElement, bool>? match = null, TimeSpan? timeout = null) =>
        (await NextTimedAsync(match, timeout)).Frame;

    /// <summary>As <see cref="NextAsync"/>, with the wall-clock time the frame came off the socket.</summary>
    public async Task<(JsonElement Frame, DateTimeOffset ReceivedAt)> NextTimedAsync(Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (true)
        {
            lock (_frames)
            {
                for (int i = 0; i < _pending.Count; i++)
                {
                    var f = _pending[i];
                    if (match is null || match(f.Frame))
                    {
                        _pending.RemoveAt(i);
                        return f;
                    }
                }
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || Closed)
                Assert.Fail($"no matching frame within the timeout (closed: {Closed}); received: {string.Join("\n", All().Select(x => x.GetRawText()))}");
            await _arrived.WaitAsync(left > TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : left);
        }
    }

    /// <summary>Asserts that no frame matching <paramref name="match"/> arrives within <paramref name="window"/>.</summary>
    public async Task AssertNoneAsync(Func<JsonElement, bool> match, TimeSpan window)
    {
        await Task.Delay(window);
        lock (_frames)
            Assert.DoesNotContain(_pending, e => match(e.Frame));
    }

    /// <summary>Sends a WS API request and waits for the response with that id.</summary>
    public async Task<JsonElement> RequestAsync(string id, string method, object? parameters = null)
    {
        await SendRequestAsync(id, method, parameters);
        return await ResponseAsync(id);
    }

    /// <summary>Sends a WS API request without waiting for its response.</summary>
    public Task SendRequestAsync(string id, string method, object? parameters = null) =>
        SendAsync(JsonSerializer.Serialize(new Dictionary<string, object?> { ["id"] = id, ["method"] = method, ["params"] = parameters }));

    /// <summary>The response to the request with string id <paramref name="id"/>.</summary>
    public Task<JsonElement> ResponseAsync(string id) => NextAsync(f => IsResponse(f, id));

    public static bool IsResponse(JsonElement f, string id) =>
        f.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String && i.GetString() == id;

    /// <summary>A user data frame carrying an event of type <paramref name="type"/> (and execution type <paramref name="x"/>, client order id <paramref name="c"/> if given).</summary>
    public static bool IsEvent(JsonElement f, string type, string? x = null, string? c = null) =>
        f.TryGetProperty("event", out var e) && e.GetProperty("e").GetString() == type &&
        (x is null || e.GetProperty("x").GetString() == x) && (c is null || e.GetProperty("c").GetString() == c);

    public Task WaitClosedAsync(TimeSpan timeout) => _loop.WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        try { await _loop.WaitAsync(TimeSpan.FromSeconds(2)); } catch (TimeoutException) { }
        _socket.Dispose();
    }
}
