using System.Net.WebSockets;

namespace Fathom.Venues.Binance;

/// <summary>Receives one complete text frame; the span is the connection's receive buffer, valid during the call.</summary>
public delegate void FrameHandler(BinanceStreamConnection connection, ReadOnlySpan<byte> frame);

/// <summary>
/// One WebSocket connection to Binance market streams. Frames are received into one reusable buffer
/// (grown only for a frame larger than any before) and handed to the callback in place, so steady
/// state allocates nothing per message. Server pings are answered by the WebSocket stack itself.
/// </summary>
public sealed class BinanceStreamConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly TimeProvider _time;
    private byte[] _buffer = new byte[64 * 1024];
    private long _lastFrameTimestamp;

    public BinanceStreamConnection(int id, Uri url, TimeProvider time)
    {
        Id = id;
        Url = url;
        _time = time;
        // Unsolicited pongs keep NATs warm; Binance's own pings are answered automatically.
        _socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
    }

    public int Id { get; }
    public Uri Url { get; }
    public DateTimeOffset OpenedAt { get; private set; }
    public long Frames { get; private set; }
    public WebSocketState State => _socket.State;
    public string? CloseReason { get; private set; }

    /// <summary>Time since the last frame (or since opening), on the injected clock.</summary>
    public TimeSpan SinceLastFrame => _time.GetElapsedTime(Volatile.Read(ref _lastFrameTimestamp));

    public async Task ConnectAsync(CancellationToken cancel)
    {
        await _socket.ConnectAsync(Url, cancel).ConfigureAwait(false);
        OpenedAt = _time.GetUtcNow();
        Volatile.Write(ref _lastFrameTimestamp, _time.GetTimestamp());
    }

    /// <summary>Receives until the connection closes, fails or is cancelled; never throws for those.</summary>
    public async Task ReceiveLoopAsync(FrameHandler onFrame, CancellationToken cancel)
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
                    CloseReason = $"closed by server: {_socket.CloseStatus} {_socket.CloseStatusDescription}";
                    break;
                }
                filled += r.Count;
                if (!r.EndOfMessage)
                    continue;
                Volatile.Write(ref _lastFrameTimestamp, _time.GetTimestamp());
                Frames++;
                if (r.MessageType == WebSocketMessageType.Text)
                    onFrame(this, _buffer.AsSpan(0, filled));
                filled = 0;
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

    /// <summary>Drops the connection at once (silent stream, shutdown); the receive loop then ends.</summary>
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
        return ValueTask.CompletedTask;
    }
}
