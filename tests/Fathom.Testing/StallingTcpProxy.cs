using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Fathom.Testing;

/// <summary>
/// A TCP proxy for fault tests: listens on 127.0.0.1 (a free port, <see cref="Port"/>) and forwards
/// every accepted connection to a target host and port, both ways, byte for byte. Point a client's
/// market data and order entry at it (<see cref="Through"/> rewrites a URL) and it can:
/// <list type="bullet">
/// <item><see cref="Stall"/>: stop forwarding in both directions on every connection, current and new,
/// without closing anything: no FIN, no RST, sockets stay open and connected. Bytes that arrive while
/// stalled (and a peer's FIN) are <b>kept</b>, in order, and delivered after <see cref="Resume"/>;
/// nothing is dropped, so the byte streams stay intact (a client that gave up meanwhile and closed its
/// socket just sees its own close).</item>
/// <item><see cref="Latency"/> / <see cref="AddLatency"/>: every chunk, each direction, is delivered no
/// earlier than that long after the proxy read it (one way: a request/response round trip gets it
/// twice). Chunks are pipelined, not serialized: N chunks read together arrive together, one latency
/// later.</item>
/// </list>
/// <see cref="Dispose"/> stops listening and closes every socket. Loopback only; every wait inside is
/// cancelled by <see cref="Dispose"/>.
/// </summary>
public sealed class StallingTcpProxy : IDisposable
{
    private readonly Socket _listener;
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Socket> _sockets = [];
    private TaskCompletionSource? _resumed; // non-null while stalled
    private long _latencyTicks;
    private long _bytesForwarded;
    private int _accepted;

    /// <summary>Starts listening on 127.0.0.1 with a free port; connections go to <paramref name="targetHost"/>:<paramref name="targetPort"/>.</summary>
    public StallingTcpProxy(string targetHost, int targetPort)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetHost);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetPort);
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _ = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Forwards to the host and port of <paramref name="target"/> (e.g. a simulator's base address).</summary>
    public StallingTcpProxy(Uri target) : this(target?.Host ?? throw new ArgumentNullException(nameof(target)), target.Port)
    {
    }

    public IPEndPoint EndPoint { get; }
    public int Port => EndPoint.Port;

    /// <summary><paramref name="uri"/> with host and port replaced by the proxy's (scheme, path and query kept): http://, ws://, any TCP URL.</summary>
    public Uri Through(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return new UriBuilder(uri) { Host = EndPoint.Address.ToString(), Port = Port }.Uri;
    }

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionsAccepted => Volatile.Read(ref _accepted);

    /// <summary>While true, every new connection is accepted and closed at once (a venue refusing connections); counted.</summary>
    public bool RefuseNew
    {
        get => Volatile.Read(ref _refuseNew);
        set => Volatile.Write(ref _refuseNew, value);
    }

    private bool _refuseNew;
    private readonly List<DateTime> _acceptedAt = [];

    /// <summary>When each connection was accepted (UTC), refused ones included, in order.</summary>
    public IReadOnlyList<DateTime> AcceptedAt
    {
        get { lock (_lock) return [.. _acceptedAt]; }
    }

    /// <summary>Bytes delivered, both directions, all connections.</summary>
    public long BytesForwarded => Interlocked.Read(ref _bytesForwarded);

    public bool IsStalled
    {
        get { lock (_lock) return _resumed is not null; }
    }

    /// <summary>
    /// Stops forwarding both ways on every connection (held bytes are kept for <see cref="Resume"/>).
    /// Takes effect for every chunk not already being written. Idempotent.
    /// </summary>
    public void Stall()
    {
        lock (_lock)
            _resumed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Forwards again, held bytes first, in order. Idempotent.</summary>
    public void Resume()
    {
        TaskCompletionSource? resumed;
        lock (_lock)
        {
            resumed = _resumed;
            _resumed = null;
        }
        resumed?.TrySetResult();
    }

    /// <summary>One-way delay of every chunk read from now on (each direction). Zero = none.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _latencyTicks, value.Ticks);
        }
    }

    /// <summary>Adds <paramref name="extra"/> to <see cref="Latency"/> (negative takes it off, never below zero); returns the new latency.</summary>
    public TimeSpan AddLatency(TimeSpan extra)
    {
        long ticks = Math.Max(0, Interlocked.Add(ref _latencyTicks, extra.Ticks));
        Interlocked.Exchange(ref _latencyTicks, ticks);
        return TimeSpan.FromTicks(ticks);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            lock (_lock)
                _acceptedAt.Add(DateTime.UtcNow);
            if (RefuseNew)
            {
                client.Close(0);
                continue;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var target = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        if (!Track(client) || !Track(target))
        {
            Close(client, target);
            return;
        }
        try
        {
            await target.ConnectAsync(_targetHost, _targetPort, _stop.Token).ConfigureAwait(false);
            Task up = PumpAsync(client, target), down = PumpAsync(target, client);
            // A FIN ends one direction and the other goes on; a reset or error on either side ends both.
            if (await Task.WhenAny(up, down).ConfigureAwait(false) is { IsCompletedSuccessfully: false })
                Close(client, target);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            Close(client, target);
        }
    }

    private readonly record struct Chunk(byte[]? Data, int Count, long ReadAt, long Latency);

    /// <summary>
    /// One direction: a reader that keeps reading (so a stall never pushes back on the sender) and a
    /// writer that delivers each chunk when its latency is over and the proxy is not stalled. An empty
    /// chunk is the sender's FIN, forwarded as a shutdown of the send side.
    /// </summary>
    private async Task PumpAsync(Socket from, Socket to)
    {
        var chunks = Channel.CreateUnbounded<Chunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var token = _stop.Token;
        var writer = Task.Run(async () =>
        {
            try
            {
                await DeliverAsync(chunks.Reader, to, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // The connection is being torn down (Dispose, or the other side reset).
            }
        }, token);
        try
        {
            while (true)
            {
                var buffer = new byte[16 * 1024];
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
                chunks.Writer.TryWrite(new Chunk(n == 0 ? null : buffer, n, Stopwatch.GetTimestamp(), Interlocked.Read(ref _latencyTicks)));
                if (n == 0)
                    break;
            }
        }
        finally
        {
            chunks.Writer.TryComplete();
        }
        await writer.ConfigureAwait(false);
    }

    private async Task DeliverAsync(ChannelReader<Chunk> chunks, Socket to, CancellationToken token)
    {
        await foreach (var c in chunks.ReadAllAsync(token).ConfigureAwait(false))
        {
            // Loop: a timer may fire a fraction of a millisecond early, and a chunk must never be early.
            while (TimeSpan.FromTicks(c.Latency) - Stopwatch.GetElapsedTime(c.ReadAt) is { Ticks: > 0 } left)
                await Task.Delay(left, token).ConfigureAwait(false);
            await WhileStalledAsync(token).ConfigureAwait(false);
            if (c.Data is null)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }
            int sent = 0;
            while (sent < c.Count)
                sent += await to.SendAsync(c.Data.AsMemory(sent, c.Count - sent), SocketFlags.None, token).ConfigureAwait(false);
            Interlocked.Add(ref _bytesForwarded, c.Count);
        }
    }

    private Task WhileStalledAsync(CancellationToken token)
    {
        TaskCompletionSource? resumed;
        lock (_lock)
            resumed = _resumed;
        return resumed is null ? Task.CompletedTask : resumed.Task.WaitAsync(token);
    }

    private bool Track(Socket s)
    {
        lock (_lock)
        {
            if (_stop.IsCancellationRequested)
                return false;
            _sockets.Add(s);
            return true;
        }
    }

    private void Close(params Socket[] sockets)
    {
        foreach (var s in sockets)
        {
            lock (_lock)
                _sockets.Remove(s);
            s.Dispose();
        }
    }

    /// <summary>Stops listening and closes every connection (both sides).</summary>
    public void Dispose()
    {
        Socket[] open;
        lock (_lock)
        {
            if (_stop.IsCancellationRequested)
                return;
            _stop.Cancel();
            open = [.. _sockets];
            _sockets.Clear();
        }
        _listener.Dispose();
        foreach (var s in open)
            s.Dispose();
        Resume();
    }
}
