namespace Fathom.Simulator;

/// <summary>
/// Faults switched on and off at run time, from tests (<see cref="ExchangeSimulator.Faults"/>) or the
/// <c>fathom sim</c> options. Every setter is thread-safe; counts are consumed one per affected message
/// or request. Each fault is observable by a client: a gap or duplicate in <c>U/u</c>, a closed or
/// silent socket, a missing or late answer, a 5xx after the order was accepted, a 429, a skewed
/// <c>serverTime</c>, a symbol that answers "Market is closed.".
/// </summary>
public sealed class SimulatorFaults
{
    private int _dropDepth, _duplicateDepth, _reorderDepth, _dropAcks, _unknownAfterAccept, _rateLimitBurst, _timeoutAfterAccept;
    private long _ackDelayTicks;
    private volatile bool _silentStreams;

    /// <summary>The next N depth diffs (every connection, every depth stream) are not sent: clients see a gap.</summary>
    public void DropDepthMessages(int count) => Interlocked.Add(ref _dropDepth, count);

    /// <summary>The next N depth diffs are sent twice: clients see duplicates.</summary>
    public void DuplicateDepthMessages(int count) => Interlocked.Add(ref _duplicateDepth, count);

    /// <summary>The next N depth diffs are held back and sent after the one that follows them: out of order.</summary>
    public void ReorderDepthMessages(int count) => Interlocked.Add(ref _reorderDepth, count);

    /// <summary>Market streams stay open (pings still go) but carry no data.</summary>
    public bool SilentStreams { get => _silentStreams; set => _silentStreams = value; }

    /// <summary>The next N accepted orders (REST or WS API) are executed and answered with nothing: REST aborts the connection, WS API sends no response.</summary>
    public void DropAcks(int count) => Interlocked.Add(ref _dropAcks, count);

    /// <summary>Answers to order requests are held back this long (transport delay; real time).</summary>
    public TimeSpan AckDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _ackDelayTicks));
        set => Interlocked.Exchange(ref _ackDelayTicks, value.Ticks);
    }

    /// <summary>The next N accepted orders are executed and answered 503 -1007 (execution status unknown).</summary>
    public void UnknownStatusAfterAccept(int count) => Interlocked.Add(ref _unknownAfterAccept, count);

    /// <summary>The next N accepted orders are executed and the answer never comes in the client's time: the request hangs for <see cref="TimeoutHang"/>, then the connection is aborted.</summary>
    public void TimeoutAfterAccept(int count) => Interlocked.Add(ref _timeoutAfterAccept, count);

    public TimeSpan TimeoutHang { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The next N requests (REST or WS API) are answered 429 -1003 with Retry-After, whatever their weight.</summary>
    public void RateLimitBurst(int count) => Interlocked.Add(ref _rateLimitBurst, count);

    internal static bool Take(ref int counter)
    {
        while (true)
        {
            int n = Volatile.Read(ref counter);
            if (n <= 0)
                return false;
            if (Interlocked.CompareExchange(ref counter, n - 1, n) == n)
                return true;
        }
    }

    internal bool TakeDropDepth() => Take(ref _dropDepth);
    internal bool TakeDuplicateDepth() => Take(ref _duplicateDepth);
    internal bool TakeReorderDepth() => Take(ref _reorderDepth);
    internal bool TakeDropAck() => Take(ref _dropAcks);
    internal bool TakeUnknownAfterAccept() => Take(ref _unknownAfterAccept);
    internal bool TakeTimeoutAfterAccept() => Take(ref _timeoutAfterAccept);
    internal bool TakeRateLimit() => Take(ref _rateLimitBurst);

    /// <summary>Clears every pending fault (the symbol halts and clock skew are switched where they live).</summary>
    public void Clear()
    {
        _dropDepth = _duplicateDepth = _reorderDepth = _dropAcks = _unknownAfterAccept = _rateLimitBurst = _timeoutAfterAccept = 0;
        AckDelay = TimeSpan.Zero;
        SilentStreams = false;
    }
}
