using System.Net.WebSockets;

namespace Fathom.Venues.Okx;

/// <summary>Receives one complete text frame; the span is the connection's receive buffer, valid during the call.</summary>
public delegate void OkxFrameHandler(OkxStreamConnection connection, ReadOnlySpan<byte> frame);

/// <summary>
/// One WebSocket connection to OKX's <c>/ws/v5/public</c>. Frames are received into one reusable buffer (grown
/// only for a frame larger than any before) and handed to the callback in place, so steady state allocates
/// nothing per message. OKX's keep-alive is in the application protocol (text <c>ping</c>/<c>pong</c>), so the
/// connection remembers when the last frame and the last <c>pong</c> arrived; the <c>pong</c> itself is not
/// handed on (it changes nothing in the core). Sends (subscribe ops, pings) are serialized.
/// </summary>
public sealed class OkxStreamConnection : IAsyncDisposable
{
    private static readonly byte[] PingText = "ping"u8.ToArray();
    private readonly ClientWebSocket _socket = new();
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _send = new(1, 1);
    private byte[] _buffer = new byte[64 * 1024];
    private long _lastFrameTimestamp;
    private long _pingTimestamp;
    private long _pongs;

    private readonly Action? _onPong;

    /// <param name="onPong">Called on the receiving thread for each <c>pong</c> (rare: one per ping).</param>
    public OkxStreamConnection(int id, Uri url, TimeProvider time, Action? onPong = null)
    {
        _onPong = onPong;
        Id = id;
        Url = url;
        _time = time;
        // OKX watches its own text ping; WebSocket-level keep-alive frames are not what it counts.
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    public int Id { get; }
    public Uri Url { get; }
    public long Frames { get; private set; }
    public long Pongs => Volatile.Read(ref _pongs);
    public WebSocketState State => _socket.State;
    public string? CloseReason { get; private set; }

    /// <summary>Time since the last frame of any kind (or since opening), on the injected clock.</summary>
    public TimeSpan SinceLastFrame => _time.GetElapsedTime(Volatile.Read(ref _lastFrameTimestamp));

    /// <summary>Time since the unanswered <c>ping</c> went out, or null when none is outstanding.</summary>
    public TimeSpan? PingOutstandingFor
    {
        get
        {
            long sent = Volatile.Read(ref _pingTimestamp);
            return sent == 0 ? null : _time.GetElapsedTime(sent);
        }
    }

    public async Task ConnectAsync(CancellationToken cancel)
    {
        await _socket.ConnectAsync(Url, cancel).ConfigureAwait(false);
        Volatile.Write(ref _lastFrameTimestamp, _time.GetTimestamp());
    }

    /// <summary>Sends one text message (a subscribe op).</summary>
    public async Task SendTextAsync(ReadOnlyMemory<byte> text, CancellationToken cancel)
    {
        await _send.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(text, WebSocketMessageType.Text, true, cancel).ConfigureAwait(false);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Sends the text <c>ping</c> and starts waiting for its <c>pong</c>.</summary>
    public async Task PingAsync(CancellationToken cancel)
    {
        Volatile.Write(ref _pingTimestamp, Math.Max(1, _time.GetTimestamp()));
        await SendTextAsync(PingText, cancel).ConfigureAwait(false);
    }

    /// <summary>Receives until the connection closes, fails or is cancelled; never throws for those.</summary>
    public async Task ReceiveLoopAsync(OkxFrameHandler onFrame, CancellationToken cancel)
    {
        int filled = 0;
        try
        {
            while (_socket.State == WebSocketState.Open && !cancel.IsCancellationRequested)
            {
                if (filled == _buffer.Length)
                    Array.Resize(ref _buffer, _buffer.Length * 2); // a frame larger than any before
                ValueWebSocketReceiveResult r = await _socket.ReceiveAsync(_buffer.AsMemory(filled), cancel).ConfigureAwait(false);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    CloseReason ??= $"closed by server: {_socket.CloseStatus} {_socket.CloseStatusDescription}";
                    break;
                }
                filled += r.Count;
                if (!r.EndOfMessage)
                    continue;
                Volatile.Write(ref _lastFrameTimestamp, _time.GetTimestamp());
                Frames++;
                ReadOnlySpan<byte> frame = _buffer.AsSpan(0, filled);
                filled = 0;
                if (r.MessageType != WebSocketMessageType.Text)
                    continue;
                if (frame.SequenceEqual("pong"u8))
                {
                    Interlocked.Increment(ref _pongs);
                    Volatile.Write(ref _pingTimestamp, 0);
                    _onPong?.Invoke();
                    continue;
                }
                onFrame(this, frame);
            }
        }
        catch (OperationCanceledException)
        {
            // Our cancellation, or Abort() cancelling the pending receive.
            CloseReason ??= cancel.IsCancellationRequested ? "cancelled" : "aborted";
        }
        catch (ObjectDisposedException)
        {
            CloseReason ??= "disposed";
        }
        catch (WebSocketException ex)
        {
            CloseReason ??= "connection lost: " + ex.Message;
        }
        catch (IOException ex)
        {
            CloseReason ??= "connection lost: " + ex.Message;
        }
    }

    /// <summary>Drops the connection at once (no pong, shutdown); the receive loop then ends.</summary>
    public void Abort(string reason)
    {
        CloseReason ??= reason;
        _socket.Abort();
    }

    /// <summary>Closes politely, with a bound on how long the server may take to answer.</summary>
    public async Task CloseAsync(string reason)
    {
        CloseReason ??= reason;
        if (_socket.State != WebSocketState.Open)
            return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            _socket.Abort();
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _send.Dispose();
        return ValueTask.CompletedTask;
    }
}
