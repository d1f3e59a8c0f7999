namespace Fathom.Simulator;

/// <summary>
/// Faults switched on and off at run time, from tests (<see cref="ExchangeSimulator.Faults"/>) or the
/// <c>fathom sim</c> options. Every setter is thread-safe; counts are consumed one per affected message
/// or request. Each fault is observable by a client: a gap or duplicate in <c>U/u</c>, a closed or
/// silent socket, a missing or late answer, a 5xx after the order was accepted, a 429, a skewed
/// <c>serverTime</c>, a symbol that answers "Market is closed.", a venue that is slow to match
/// (<see cref="VenueDelay"/>), a slow API path (<see cref="RequestDelay"/>), market data that lags its
/// event times (<see cref="MarketDataLag"/>).
/// </summary>
/// <remarks>
/// The three delays are transport-like and run on real time (like <see cref="AckDelay"/>), whatever
/// clock the exchange runs on: a test on virtual time still waits for them on the wall clock, and the
/// exchange's timestamps (<c>E</c>, <c>T</c>, <c>transactTime</c>) do not move while a request or a
/// frame is held unless the exchange clock itself moves. A held request or frame goes once its age
/// reaches the delay in force now: raising a delay holds what is waiting longer, lowering or clearing
/// it releases what is held (within <see cref="PollInterval"/>), always in order. So a test can hold
/// requests for as long as it likes, look, and then restore the venue.
/// </remarks>
public sealed class SimulatorFaults
{
    private int _dropDepth, _duplicateDepth, _reorderDepth, _dropAcks, _unknownAfterAccept, _rateLimitBurst, _timeoutAfterAccept, _failTime;
    private long _ackDelayTicks, _venueDelayTicks, _requestDelayTicks, _marketDataLagTicks;
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

    /// <summary>
    /// Slow venue: every request that reaches the matching engine (new order, cancel, cancel-all,
    /// cancel-replace, amend; REST and WS API; not <c>order.test</c> or queries) waits this long after it
    /// arrived before it is handled, so its answer and its user data events (executionReport,
    /// outboundAccountPosition) come that much later, in the order they always come. Requests stay in
    /// order per connection (a cancel sent after a place never overtakes it; a WS API connection's
    /// non-engine requests, <c>ping</c> and <c>time</c> included, are not held behind them); other
    /// connections and the streams are not slowed. The timestamp window is checked after the wait, as
    /// Binance re-checks it just before the engine. A held request is executed even if its client
    /// disconnects meanwhile: only the answer is lost.
    /// </summary>
    public TimeSpan VenueDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _venueDelayTicks));
        set => Interlocked.Exchange(ref _venueDelayTicks, NonNegative(value).Ticks);
    }

    /// <summary>
    /// Slow API path: every REST and WebSocket API request, <c>ping</c> and <c>time</c> included, waits
    /// this long after it arrived before it is handled (engine requests wait <see cref="VenueDelay"/> on
    /// top). A client measuring latency with pings sees its round trip grow by this much; <c>time</c>'s
    /// <c>serverTime</c> is read after the wait (the inbound path is the slow one). Per-connection order
    /// is kept as for <see cref="VenueDelay"/>.
    /// </summary>
    public TimeSpan RequestDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _requestDelayTicks));
        set => Interlocked.Exchange(ref _requestDelayTicks, NonNegative(value).Ticks);
    }

    /// <summary>
    /// Lagging market data: every frame on a market-stream connection (depth diffs, bookTicker, trades,
    /// aggTrades, serverShutdown, control replies) is written this long after it was produced, in
    /// order; event times (<c>E</c>, <c>T</c>) stay the time it was produced, so (receive − <c>E</c>)
    /// grows by the lag. Frames never overtake each other. WebSocket ping frames are not held (the
    /// connection stays alive). The WebSocket API is not affected.
    /// </summary>
    public TimeSpan MarketDataLag
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _marketDataLagTicks));
        set => Interlocked.Exchange(ref _marketDataLagTicks, NonNegative(value).Ticks);
    }

    /// <summary>How often something held re-reads a delay that may have been lowered.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until real time since <paramref name="since"/> (a Stopwatch timestamp) reaches <paramref name="delay"/>(), re-read as it changes.</summary>
    internal static async ValueTask HoldAsync(long since, Func<TimeSpan> delay, CancellationToken cancel = default)
    {
        while (delay() - System.Diagnostics.Stopwatch.GetElapsedTime(since) is { Ticks: > 0 } left)
            await Task.Delay(left < PollInterval ? left : PollInterval, cancel).ConfigureAwait(false);
    }

    private static TimeSpan NonNegative(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
        return value;
    }

    /// <summary>The next N accepted orders are executed and answered 503 -1007 (execution status unknown).</summary>
    public void UnknownStatusAfterAccept(int count) => Interlocked.Add(ref _unknownAfterAccept, count);

    /// <summary>The next N accepted orders are executed and the answer never comes in the client's time: the request hangs for <see cref="TimeoutHang"/>, then the connection is aborted.</summary>
    public void TimeoutAfterAccept(int count) => Interlocked.Add(ref _timeoutAfterAccept, count);

    public TimeSpan TimeoutHang { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The next N requests (REST or WS API) are answered 429 -1003 with Retry-After, whatever their weight.</summary>
    public void RateLimitBurst(int count) => Interlocked.Add(ref _rateLimitBurst, count);

    /// <summary>
    /// The next N server-time requests (Binance REST <c>/api/v3/time</c> and WS API <c>time</c>, OKX
    /// <c>/api/v5/public/time</c>) fail: Binance 500 -1001, OKX 503 50001. A client that re-syncs its clock
    /// after a refused timestamp sees its sync fail.
    /// </summary>
    public void FailTimeRequests(int count) => Interlocked.Add(ref _failTime, count);

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
    internal bool TakeFailTime() => Take(ref _failTime);

    /// <summary>Clears every pending fault (the symbol halts and clock skew are switched where they live).</summary>
    public void Clear()
    {
        _dropDepth = _duplicateDepth = _reorderDepth = _dropAcks = _unknownAfterAccept = _rateLimitBurst = _timeoutAfterAccept = _failTime = 0;
        AckDelay = VenueDelay = RequestDelay = MarketDataLag = TimeSpan.Zero;
        SilentStreams = false;
    }
}
