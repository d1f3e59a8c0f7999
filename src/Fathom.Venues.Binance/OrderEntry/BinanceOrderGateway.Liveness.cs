using System.Globalization;
using System.Text;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Binance;

/// <summary>
/// Order-entry health: liveness probes (WS API <c>ping</c>) and their round trips, stall detection on an
/// open socket, and the order-entry up/down reports the core's risk acts on.
/// </summary>
/// <remarks>
/// Invariants: OrderEntryDown is reported at once when the published connection drops or stalls (never
/// twice in a row); OrderEntryUp only at the first successful start and after a reconnect is logged on
/// and its reconciliation (open orders, trades since the last fill) has been delivered to the sink, so
/// the core sees what it missed before risk lets it quote again. Every report goes under
/// <see cref="_reportGate"/>, ordered with the order reports. A reconnect's "up" is tied to the
/// <see cref="_downEpoch"/> it started in: a drop during its reconciliation invalidates it.
/// </remarks>
public sealed partial class BinanceOrderGateway
{
    private enum OrderEntryState : byte { NotReported, Up, Down }

    // Guarded by _reportGate.
    private OrderEntryState _orderEntryState;
    // Guarded by _reportGate: bumped on every drop or stall of the published connection.
    private long _downEpoch;

    private long _probesSent, _probeAnswers, _stalls, _lastProbeRoundTripNs, _deferredWrites;

    /// <summary>Liveness probes sent (<see cref="BinanceOrderGatewayOptions.ProbeInterval"/>).</summary>
    public long ProbesSent => Interlocked.Read(ref _probesSent);
    /// <summary>Probe answers received (each reported as a <see cref="VenueHealthKind.ProbeRoundTrip"/>).</summary>
    public long ProbeAnswers => Interlocked.Read(ref _probeAnswers);
    /// <summary>The last probe's round trip, ns on the injected clock (0 before the first).</summary>
    public long LastProbeRoundTripNs => Interlocked.Read(ref _lastProbeRoundTripNs);
    /// <summary>Connections found stalled (open socket, no answer within <see cref="BinanceOrderGatewayOptions.LivenessTimeout"/>) and replaced.</summary>
    public long Stalls => Interlocked.Read(ref _stalls);
    /// <summary>Inline writes the socket did not complete at once, left to finish while the caller returned (see <see cref="BinanceOrderGatewayOptions.InlineSend"/>).</summary>
    public long DeferredWrites => Interlocked.Read(ref _deferredWrites);

    /// <summary>What the sink was last told about order entry: true after an OrderEntryUp, false after an OrderEntryDown or before either.</summary>
    public bool OrderEntryReportedUp
    {
        get { lock (_reportGate) return _orderEntryState == OrderEntryState.Up; }
    }

    /// <summary>The options' convention for periods and timeouts: zero or infinite switches the feature off.</summary>
    private static bool IsEnabled(TimeSpan t) => t > TimeSpan.Zero && t != Timeout.InfiniteTimeSpan;

    private static long Nanos(TimeSpan t) => t.Ticks * 100;

    /// <summary>
    /// Sweep timer: is the published connection stalled (report down, abort, reconnect)? Otherwise, is a
    /// probe due? <paramref name="oldestPendingTimestamp"/> is the send stamp of the oldest request on it
    /// still without an answer (timed out or not), or <see cref="long.MaxValue"/>.
    /// </summary>
    private void CheckLiveness(WsLink? link, long oldestPendingTimestamp)
    {
        if (link is null || link.Lost || !_wsReady || _stopping || _ws != link)
            return;
        long now = _monotonic.NowNanos();
        if (IsEnabled(_options.LivenessTimeout) && IsStalled(link, now, oldestPendingTimestamp))
        {
            OnStalled(link);
            return;
        }
        if (IsEnabled(_options.ProbeInterval))
            TrySendProbe(link, now);
    }

    private bool IsStalled(WsLink link, long now, long oldestPendingTimestamp)
    {
        long limit = Nanos(_options.LivenessTimeout);
        // The probe is answered by the venue's gateway without touching the matching engine: no answer
        // in this long means the connection (or the venue's side of it) is not processing requests.
        if (Volatile.Read(ref link.ProbeId) != 0 && now - Volatile.Read(ref link.ProbeSentNs) >= limit)
            return true;
        // An order may legitimately take long (an overloaded matching engine answers 5xx later), so it
        // counts only while the connection delivers nothing at all, not even user data or other answers.
        return oldestPendingTimestamp != long.MaxValue
            && now - Volatile.Read(ref link.LastReceiveNs) >= limit
            && _time.GetElapsedTime(oldestPendingTimestamp) >= _options.LivenessTimeout;
    }

    /// <summary>One probe at a time, <see cref="BinanceOrderGatewayOptions.ProbeInterval"/> after the previous one was sent.</summary>
    private void TrySendProbe(WsLink link, long now)
    {
        if (Volatile.Read(ref link.ProbeId) != 0 || now - Volatile.Read(ref link.LastProbeNs) < Nanos(_options.ProbeInterval))
            return;
        // A rate-limit back-off in force: the venue asked for silence (pinging through a 429 earns a 418 ban).
        if (_limiter.TryAcquire(1) > TimeSpan.Zero)
            return;
        long id = Interlocked.Increment(ref _nextRequestId);
        Volatile.Write(ref link.ProbeSentNs, now);
        Volatile.Write(ref link.LastProbeNs, now);
        if (Interlocked.CompareExchange(ref link.ProbeId, id, 0) != 0)
            return; // an overlapping sweep sent one
        Interlocked.Increment(ref _probesSent);
        // Once a second at most: a small allocation on a cold path. The send thread writes it (one writer per socket).
        _controlFrames.Enqueue((link, Encoding.ASCII.GetBytes("{\"id\":" + id.ToString(CultureInfo.InvariantCulture) + ",\"method\":\"ping\"}")));
        Wake();
    }

    /// <summary>The answer to <paramref name="link"/>'s outstanding probe, if <paramref name="id"/> is its id: its round trip goes to the sink.</summary>
    private bool TryCompleteProbe(WsLink? link, long id, int status, ReadOnlySpan<byte> body)
    {
        if (link is null || id <= 0 || Volatile.Read(ref link.ProbeId) != id)
            return false;
        long now = _monotonic.NowNanos();
        long sent = Volatile.Read(ref link.ProbeSentNs);
        if (Interlocked.CompareExchange(ref link.ProbeId, 0, id) != id)
            return false;
        if (status is 429 or 418)
            _limiter.OnRateLimited(status, RetryAfterFromWsError(status, body));
        // Any answer proves the connection alive; its round trip is latency evidence whatever the status.
        long roundTrip = Math.Max(0, now - sent);
        Interlocked.Increment(ref _probeAnswers);
        Interlocked.Exchange(ref _lastProbeRoundTripNs, roundTrip);
        var report = VenueHealthReport.Probe(roundTrip, LocalNowNs());
        lock (_reportGate)
            _sink.OnVenueHealth(report);
        return true;
    }

    /// <summary>An open socket that answers nothing: order entry is down now; the abort sends it through the reconnect path.</summary>
    private void OnStalled(WsLink link)
    {
        if (Interlocked.Exchange(ref link.Stalled, 1) == 1)
            return;
        Interlocked.Increment(ref _stalls);
        lock (_connectGate)
        {
            if (_ws == link)
                _wsReady = false; // commands go over REST until the replacement is up
        }
        ReportOrderEntryDown();
        // The receive loop ends: requests in flight → StatusUnknown(Disconnected), then the reconnect loop
        // (re-subscribe, reconcile, OrderEntryUp). A send-thread write stuck on the full socket fails too.
        link.Socket.Abort();
    }

    private long DownEpoch()
    {
        lock (_reportGate)
            return _downEpoch;
    }

    /// <summary>The published connection dropped or stalled. Not while stopping: closing on purpose is no venue fact.</summary>
    private void ReportOrderEntryDown()
    {
        if (_stopping)
            return;
        lock (_reportGate)
        {
            _downEpoch++;
            if (_orderEntryState == OrderEntryState.Down)
                return;
            _orderEntryState = OrderEntryState.Down;
            _sink.OnVenueHealth(VenueHealthReport.OrderEntry(false, LocalNowNs()));
        }
    }

    /// <summary>
    /// Order entry is usable again, if nothing dropped since <paramref name="epoch"/> was read and a
    /// connection is published (or the gateway is REST-only). False when it was not reported.
    /// </summary>
    private bool TryReportOrderEntryUp(long epoch)
    {
        lock (_reportGate)
        {
            if (_stopping || _downEpoch != epoch || _orderEntryState == OrderEntryState.Up)
                return false;
            if (!_options.RestOnly && (!_wsReady || _ws is null))
                return false;
            _orderEntryState = OrderEntryState.Up;
            _sink.OnVenueHealth(VenueHealthReport.OrderEntry(true, LocalNowNs()));
            return true;
        }
    }
}
