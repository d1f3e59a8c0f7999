using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace Fathom.Simulator;

/// <summary>
/// One client WebSocket of the simulator (market streams or WebSocket API). Frames are queued by
/// the publisher (which runs under the exchange lock and must never block) and written by this
/// connection's own send loop, so a slow client delays only itself; one whose queue overflows is
/// dropped, as Binance drops clients that do not keep up. With a <c>lag</c> source (market streams:
/// <see cref="SimulatorFaults.MarketDataLag"/>) each frame is written once it has been queued for the
/// lag in force; frames keep their order.
/// </summary>
internal sealed class StreamConnection
{
    public const int MaxQueuedFrames = 100_000;
    private readonly WebSocket _socket;
    private readonly Channel<(byte[] Frame, long Queued)> _out = Channel.CreateBounded<(byte[], long)>(new BoundedChannelOptions(MaxQueuedFrames)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private readonly CancellationTokenSource _abort = new();
    private readonly HashSet<string> _streams = new(StringComparer.Ordinal);
    private readonly Func<TimeSpan>? _lag;

    public StreamConnection(int id, WebSocket socket, bool combined, string ip, Func<TimeSpan>? lag = null)
    {
        Id = id;
        _socket = socket;
        Combined = combined;
        Ip = ip;
        _lag = lag;
    }

    public int Id { get; }
    public bool Combined { get; }
    public string Ip { get; }
    public long FramesSent;
    public CancellationToken Aborted => _abort.Token;

    public bool IsSubscribed(string stream)
    {
        lock (_streams)
            return _streams.Contains(stream);
    }

    public void Subscribe(string stream) { lock (_streams) _streams.Add(stream); }
    public void Unsubscribe(string stream) { lock (_streams) _streams.Remove(stream); }
    public string[] Subscriptions() { lock (_streams) return [.. _streams.Order(StringComparer.Ordinal)]; }

    /// <summary>Queues a text frame; never blocks. A full queue means the client cannot keep up: drop it.</summary>
    public void Send(byte[] frame)
    {
        // Real time, like the network the lag stands for.
        if (!_out.Writer.TryWrite((frame, _lag is null ? 0 : Stopwatch.GetTimestamp())))
            Abort();
    }

    /// <summary>Drops the connection at once, without a close handshake (a network failure, as the client sees it).</summary>
    public void Abort()
    {
        _out.Writer.TryComplete();
        try { _abort.Cancel(); } catch (ObjectDisposedException) { }
        _socket.Abort();
    }

    /// <summary>Sends queued frames until the connection ends.</summary>
    public async Task SendLoopAsync(CancellationToken cancel)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, _abort.Token);
        try
        {
            await foreach (var (frame, queued) in _out.Reader.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                if (_lag is not null)
                    await SimulatorFaults.HoldAsync(queued, _lag, linked.Token).ConfigureAwait(false);
                if (_socket.State != WebSocketState.Open)
                    break;
                await _socket.SendAsync(frame, WebSocketMessageType.Text, true, linked.Token).ConfigureAwait(false);
                Interlocked.Increment(ref FramesSent);
            }
            // The queue was completed on purpose (CloseAsync): everything queued is out, now close.
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Receives text messages until the client closes; returns null at the end.</summary>
    public async Task<string?> ReceiveAsync(CancellationToken cancel)
    {
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, _abort.Token);
        try
        {
            while (true)
            {
                var r = await _socket.ReceiveAsync(buffer, linked.Token).ConfigureAwait(false);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    Close(); // the send loop answers the close after what is queued
                    return null;
                }
                message.Write(buffer, 0, r.Count);
                if (message.Length > 1 << 20)
                    return null; // Binance closes on oversized requests too
                if (r.EndOfMessage)
                    return System.Text.Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Ends the send loop after the queued frames are written; the send loop then closes politely.</summary>
    public void Close() => _out.Writer.TryComplete();
}
