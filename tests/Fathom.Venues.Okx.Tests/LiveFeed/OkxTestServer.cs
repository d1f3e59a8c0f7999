using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fathom.Venues.Okx.Tests.LiveFeed;

/// <summary>
/// A local OKX v5 look-alike for feed tests (Kestrel on 127.0.0.1, a free port): <c>/ws/v5/public</c> records the
/// subscribe ops, answers the text <c>ping</c> with <c>pong</c> (unless told not to) and sends whatever frames the
/// test publishes; <c>/api/v5/market/books</c> answers from a queue of scripted responses (status, body,
/// Retry-After), repeating the last one. Faults are switched from the test: drop every connection, stop answering pings.
/// </summary>
internal sealed class OkxTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<int, WebSocket> _sockets = new();
    private readonly ConcurrentQueue<(int Status, string Body, string? RetryAfter)> _books = new();
    private (int Status, string Body, string? RetryAfter) _lastBooks = (500, "{\"code\":\"50001\",\"msg\":\"no snapshot scripted\"}", null);
    private readonly SemaphoreSlim _subscribed = new(0);
    private int _socketIds;

    public OkxTestServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Map("/ws/v5/public", AcceptAsync);
        _app.MapGet("/api/v5/market/books", Books);
    }

    public Uri BaseUrl { get; private set; } = null!;
    public volatile bool AnswerPings = true;
    public int Connections => Volatile.Read(ref _socketIds);
    public ConcurrentQueue<string> Received { get; } = new();
    public ConcurrentQueue<string> BooksRequests { get; } = new();
    public int PingsReceived;
    /// <summary>Frames sent to each socket as soon as it subscribes (an in-stream snapshot, say).</summary>
    public Func<IEnumerable<byte[]>>? OnSubscribe { get; set; }

    public async Task StartAsync()
    {
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.First());
    }

    /// <summary>Waits for the next subscribe op from any client.</summary>
    public Task<bool> WaitForSubscribeAsync(TimeSpan timeout) => _subscribed.WaitAsync(timeout);

    public void ScriptBooks(int status, string body, string? retryAfter = null)
    {
        _books.Enqueue((status, body, retryAfter));
    }

    public async Task PublishAsync(params byte[][] frames)
    {
        foreach (byte[] frame in frames)
            foreach (var (id, socket) in _sockets)
            {
                try { await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None); }
                catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException) { _sockets.TryRemove(id, out _); }
            }
    }

    public Task PublishAsync(string text) => PublishAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Aborts every open client connection (a network drop).</summary>
    public void DropAllConnections()
    {
        foreach (var (id, socket) in _sockets)
        {
            socket.Abort();
            _sockets.TryRemove(id, out _);
        }
    }

    private IResult Books(HttpContext context, string instId, int sz)
    {
        BooksRequests.Enqueue($"{instId} sz={sz} simulated={context.Request.Headers["x-simulated-trading"]}");
        if (_books.TryDequeue(out var next))
            _lastBooks = next;
        var (status, body, retryAfter) = _lastBooks;
        if (retryAfter is not null)
            context.Response.Headers.RetryAfter = retryAfter;
        return Results.Text(body, "application/json", Encoding.UTF8, status);
    }

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
        int id = Interlocked.Increment(ref _socketIds);
        _sockets[id] = socket;
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var r = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (r.MessageType == WebSocketMessageType.Close)
                    break;
                string text = Encoding.UTF8.GetString(buffer, 0, r.Count);
                if (text == "ping")
                {
                    Interlocked.Increment(ref PingsReceived);
                    if (AnswerPings)
                        await socket.SendAsync("pong"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
                    continue;
                }
                Received.Enqueue(text);
                if (text.Contains("\"op\":\"subscribe\"", StringComparison.Ordinal))
                {
                    if (OnSubscribe is { } frames)
                        foreach (byte[] f in frames())
                            await socket.SendAsync(f, WebSocketMessageType.Text, true, CancellationToken.None);
                    _subscribed.Release();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
        _sockets.TryRemove(id, out _);
    }

    public async ValueTask DisposeAsync()
    {
        DropAllConnections();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
