using System.Diagnostics;

namespace Fathom.Simulator;

/// <summary>
/// One WebSocket API connection's requests while a delay fault (<see cref="SimulatorFaults.VenueDelay"/>,
/// <see cref="SimulatorFaults.RequestDelay"/>) holds some of them. Each request becomes due at its
/// arrival plus its delay (fixed on arrival, real time) and is handled by one loop, one at a time.
/// </summary>
/// <remarks>
/// Ordering rule: requests are handled in arrival order, except that a request that does not reach
/// the matching engine (ping, time, queries, session and subscription methods) may overtake pending
/// engine requests. So an engine request never overtakes anything sent before it (a cancel never
/// overtakes its place, an order never overtakes its session.logon), non-engine requests never
/// overtake each other, and a ping is answered while orders are held. Invariant: at most two requests
/// are candidates at any time, the oldest one and the oldest non-engine one.
/// With no delay and nothing pending, <see cref="Submit"/> runs the request inline on the receive loop
/// (the no-fault path is unchanged). Requests still pending when the connection drops are handled
/// anyway: the venue received them; only their answers are lost.
/// </remarks>
internal sealed class RequestPipeline
{
    private readonly Lock _lock = new();
    // Invariant: arrival order; an item stays listed while it is being handled, so "empty" means idle.
    private readonly List<Item> _items = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private bool _looping;

    private sealed record Item(bool ReachesEngine, long Due, Action Work);

    /// <summary>Runs <paramref name="work"/> inline when nothing is pending and there is no delay, else queues it.</summary>
    public void Submit(bool reachesEngine, TimeSpan delay, Action work)
    {
        bool inline = false, startLoop = false;
        lock (_lock)
        {
            // Nothing to keep order with: the receive loop is the only submitter, so running inline
            // cannot race a queued request.
            if (_items.Count == 0 && delay <= TimeSpan.Zero)
            {
                inline = true;
            }
            else
            {
                _items.Add(new Item(reachesEngine, Stopwatch.GetTimestamp() + ToStopwatchTicks(delay), work));
                startLoop = !_looping;
                _looping = true;
                _arrived.Release();
            }
        }
        if (inline)
            work();
        else if (startLoop)
            _ = Task.Run(LoopAsync);
    }

    private static long ToStopwatchTicks(TimeSpan delay) =>
        delay <= TimeSpan.Zero ? 0 : (long)(delay.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Requests accepted and not yet handled (including one being handled).</summary>
    public int Pending
    {
        get { lock (_lock) return _items.Count; }
    }

    private async Task LoopAsync()
    {
        try
        {
            await RunAsync().ConfigureAwait(false);
        }
        catch
        {
            // An unexpected exception from a request: the requests behind it must not be stranded.
            bool restart;
            lock (_lock)
                restart = _looping = _items.Count > 0;
            if (restart)
                _ = Task.Run(LoopAsync);
            throw;
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            Item? next = null;
            long waitUntil = long.MaxValue;
            lock (_lock)
            {
                if (_items.Count == 0)
                {
                    // Under the lock, so a Submit racing this exit sees _looping false and starts a new loop.
                    _looping = false;
                    return;
                }
                long now = Stopwatch.GetTimestamp();
                var head = _items[0];
                var firstNonEngine = _items.Find(i => !i.ReachesEngine);
                // The oldest request may always go; the oldest non-engine one may pass engine requests.
                if (head.Due <= now)
                    next = head;
                else if (firstNonEngine is not null && firstNonEngine.Due <= now)
                    next = firstNonEngine;
                else
                    waitUntil = Math.Min(head.Due, firstNonEngine?.Due ?? long.MaxValue);
            }
            if (next is null)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), waitUntil);
                // Woken early by a new arrival (it may be a non-engine request that can go sooner).
                await _arrived.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero).ConfigureAwait(false);
                continue;
            }
            try
            {
                next.Work();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
            {
                // The server is shutting down under a held request.
            }
            finally
            {
                lock (_lock)
                    _items.Remove(next);
            }
        }
    }
}
