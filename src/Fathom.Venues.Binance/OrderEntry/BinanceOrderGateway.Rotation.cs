using System.Net.WebSockets;

namespace Fathom.Venues.Binance;

/// <summary>
/// One WS API connection: its socket, when it was opened, whether its session is logged on and whether it
/// is gone, and its liveness (last frame received, the outstanding probe). Liveness fields are monotonic
/// ns of the gateway's clock, read and written with <see cref="Volatile"/> / <see cref="Interlocked"/>.
/// </summary>
internal sealed class WsLink(ClientWebSocket socket, long openedTimestamp, long openedNs)
{
    public ClientWebSocket Socket { get; } = socket;
    public long OpenedTimestamp { get; } = openedTimestamp;
    public volatile bool LoggedOn;
    public volatile bool Lost;
    /// <summary>When the last complete frame arrived (or when the connection opened).</summary>
    public long LastReceiveNs = openedNs;
    /// <summary>Request id of the probe awaiting its answer; 0 when none.</summary>
    public long ProbeId;
    /// <summary>When that probe was queued (its round trip includes our own send queue).</summary>
    public long ProbeSentNs;
    /// <summary>When the last probe was queued; the next waits <c>ProbeInterval</c> after it.</summary>
    public long LastProbeNs = openedNs;
    /// <summary>1 once found stalled (reported once, aborted once).</summary>
    public int Stalled;
}

public sealed partial class BinanceOrderGateway
{
    // Execution ids (instrument index, executionReport "I") seen while two connections carry user data.
    private readonly HashSet<(int Index, long ExecutionId)> _seenExecutions = [];
    private volatile bool _dedupe;
    private WsLink? _retiring;

    /// <summary>
    /// Starts replacing the connection (age limit, serverShutdown, eventStreamTerminated) without a gap:
    /// the new connection is opened, logged on and subscribed while the old one still carries orders;
    /// then commands switch to it, the old one is closed once its answers are in. No-op while a
    /// reconnect or another rotation runs.
    /// </summary>
    private void RequestRotation()
    {
        if (_stopping || !_started || _options.RestOnly || _ws is null)
            return;
        if (Interlocked.CompareExchange(ref _reconnecting, 1, 0) != 0)
            return;
        _ = Task.Run(RotateAsync);
    }

    private async Task RotateAsync()
    {
        var old = _ws;
        WsLink? next = null;
        bool published = false;
        try
        {
            if (old is null)
                return;
            lock (_reportGate)
            {
                // From here until the old connection is gone both may deliver the same event: keep the first.
                // A rotation that starts while an earlier one's connection is still retiring keeps what was
                // seen: three connections may deliver then, and clearing would let the retiring one's copy through.
                if (!_dedupe)
                    _seenExecutions.Clear();
                _dedupe = true;
            }
            next = await OpenAsync(_stop.Token).ConfigureAwait(false);
            published = TryPublish(next, expected: old);
            if (published)
            {
                Interlocked.Increment(ref _rotations);
                Volatile.Write(ref _retiring, old);
            }
            else
            {
                next.Socket.Abort();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or BinanceRestException or TimeoutException or OperationCanceledException or IOException)
        {
            next?.Socket.Abort();
        }
        finally
        {
            Volatile.Write(ref _reconnecting, 0);
        }
        if (!published)
        {
            lock (_reportGate)
                _dedupe = false;
            // The old connection may have died meanwhile (its reconnect was suppressed by this rotation).
            if (!_stopping && _started && _ws is null)
                _ = ReconnectLoopAsync();
            return;
        }
        await RetireAsync(old!).ConfigureAwait(false);
    }

    /// <summary>Waits for the old connection's outstanding answers (bounded by RequestTimeout), then closes it.</summary>
    private async Task RetireAsync(WsLink old)
    {
        long start = _time.GetTimestamp();
        try
        {
            do
                await Task.Delay(_options.SweepPeriod, _time, _stop.Token).ConfigureAwait(false);
            while (HasPendingOn(old) && _time.GetElapsedTime(start) < _options.RequestTimeout);
            // Nothing is sent on it any more (commands moved before the drain); the socket serializes
            // this close frame with any straggler send of the send thread.
            using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(1), _time);
            await old.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "rotated", closeTimeout.Token).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1), _time, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException or InvalidOperationException or IOException)
        {
        }
        // The server normally closes at once; if it did not, the receive loop ends now.
        if (!old.Lost)
            old.Socket.Abort();
    }

    /// <summary>A connection's receive loop ended: once the retired connection is gone, the new one is the only stream.</summary>
    private void OnLinkClosed(WsLink link)
    {
        if (Volatile.Read(ref _retiring) != link)
            return;
        Volatile.Write(ref _retiring, null);
        // The new connection may still hold copies of events the old one delivered last: keep de-duplicating briefly.
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            lock (_reportGate)
            {
                if (Volatile.Read(ref _reconnecting) == 0 && Volatile.Read(ref _retiring) is null)
                {
                    _dedupe = false;
                    _seenExecutions.Clear();
                }
            }
        });
    }

    /// <summary>False for the second copy of an execution report during a rotation overlap.</summary>
    private bool FirstSighting(int index, long executionId)
    {
        if (!_dedupe || executionId < 0)
            return true;
        lock (_reportGate)
        {
            if (!_dedupe || _seenExecutions.Add((index, executionId)))
                return true;
        }
        Interlocked.Increment(ref _duplicateEvents);
        return false;
    }

    /// <summary>Sweep timer: rotate a connection that reached <see cref="BinanceOrderGatewayOptions.MaxConnectionAge"/>.</summary>
    private void CheckConnectionAge()
    {
        var link = _ws;
        var max = _options.MaxConnectionAge;
        if (link is null || !IsEnabled(max))
            return;
        if (_time.GetElapsedTime(link.OpenedTimestamp) >= max)
            RequestRotation();
    }

    /// <summary><c>serverShutdown</c> (the server is going away) or <c>eventStreamTerminated</c> (the subscription ended): move to a new connection.</summary>
    private void OnShutdownNotice()
    {
        Interlocked.Increment(ref _shutdownNotices);
        RequestRotation();
    }
}
