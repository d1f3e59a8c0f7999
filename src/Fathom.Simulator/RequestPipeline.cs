using System.Diagnostics;

namespace Fathom.Simulator;

/// <summary>
/// One WebSocket API connection's requests while a delay fault (<see cref="SimulatorFaults.VenueDelay"/>,
/// <see cref="SimulatorFaults.RequestDelay"/>) holds some of them. A request is due once its age (real
/// time since it arrived) reaches its current delay, so raising a delay holds what is pending longer
/// and lowering or clearing it releases what is held at once. One loop handles them, one at a time.
/// </summary>
/// <remarks>
/// Ordering rule: requests are handled in arrival order, except that a request that does not reach
/// the matching engine (ping, time, queries, session and subscription methods) may overtake pending
/// engine requests. So an engine request never overtakes anything sent before it (a cancel never
/// overtakes its place, an order never overtakes its session.logon), non-engine requests never
/// overtake each other, and a ping is answered while orders are held. Invariant: at most two requests
/// are candidates at any time, the oldest one and the oldest non-engine one.
/// The receive loop only queues here when a delay is on or something is pending (the no-fault path
/// handles requests inline, unchanged). Requests still pending when the connection drops are handled
/// anyway: the venue received them; only their answers are lost.
/// </remarks>
internal sealed class RequestPipeline(Func<bool, TimeSpan> delayOf)
{
    private readonly Lock _lock = new();
    // Invariant: arrival order; an item stays listed while it is being handled, so "empty" means idle.
    private readonly List<Item> _items = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private bool _looping;

    private sealed record Item(bool ReachesEngine, long Arrived, Action Work);

    /// <summary>Requests accepted and not yet handled (including one being handled).</summary>
    public int Pending
    {
        get { lock (_lock) return _items.Count; }
    }

    /// <summary>Queues a request that arrived now; <paramref name="work"/> runs on the pipeline's loop when it is due.</summary>
    public void Submit(bool reachesEngine, Action work)
    {
        bool startLoop;
        lock (_lock)
        {
            _items.Add(new Item(reachesEngine, Stopwatch.GetTimestamp(), work));
            startLoop = !_looping;
            _looping = true;
        }
        _arrived.Release();
        if (startLoop)
            _ = Task.Run(LoopAsync);
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
            TimeSpan wait = SimulatorFaults.PollInterval;
            lock (_lock)
            {
                if (_items.Count == 0)
                {
                    // Under the lock, so a Submit racing this exit sees _looping false and starts a new loop.
                    _looping = false;
                    return;
                }
                var head = _items[0];
                var firstNonEngine = _items.Find(i => !i.ReachesEngine);
                // The oldest request may always go; the oldest non-engine one may pass engine requests.
                foreach (var candidate in (ReadOnlySpan<Item?>)[head, firstNonEngine])
                {
                    if (candidate is null)
                        continue;
                    var left = delayOf(candidate.ReachesEngine) - Stopwatch.GetElapsedTime(candidate.Arrived);
                    if (left <= TimeSpan.Zero)
                    {
                        next = candidate;
                        break;
                    }
                    wait = left < wait ? left : wait;
                }
            }
            if (next is null)
            {
                // Woken early by a new arrival (it may be a non-engine request that can go sooner);
                // the poll interval bounds how long a lowered delay goes unnoticed.
                await _arrived.WaitAsync(wait).ConfigureAwait(false);
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
