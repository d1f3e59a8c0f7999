using Fathom.Engine;
using Fathom.Gateway.Abstractions;

namespace Fathom.Hosting;

/// <summary>
/// Order entry that cannot come back by itself, watched from the host's loop (off the core thread): the venue's
/// fault (order entry stopped for good, its key or login refused) halts trading with the reason, once, as an input
/// through the engine's one door (so the dashboard, <c>/health</c> and the log carry it); while order entry
/// reconnects, each new reason it gives is reported once (the gateway retries with back-off and would repeat the same
/// reason every attempt; it clears once order entry is up). A clock re-sync after a refused timestamp that failed is
/// reported with its reason even when a later one succeeded before the poll: once per new reason, and the same reason
/// again at most once a minute while it keeps failing. <c>fathom run</c> and <c>fathom demo</c> each poll one.
/// </summary>
public sealed class OrderEntryWatch
{
    private readonly IVenue _venue;
    private readonly Action<string> _halted;
    private readonly Action<string> _warning;
    private string? _reconnectReported;
    private bool _faultReported; // the fault has halted trading: after it, the fault is the reason (no reconnect reasons)
    private long _clockFailuresSeen;
    private string? _clockReported;
    private long _clockReportedAtMs;

    /// <summary>The same clock re-sync failure is reported again at most this often.</summary>
    internal const long ClockRepeatMs = 60_000;

    /// <param name="halted">Told the halt's reason (<c>order entry stopped: …</c>) once, after the engine has it.</param>
    /// <param name="warning">
    /// Told <c>order entry down, reconnecting: …</c> once per new reason, and <c>order entry clock re-sync failed (N so far): …</c>
    /// once per new reason and at most once a minute for the same one.
    /// </param>
    public OrderEntryWatch(IVenue venue, Action<string> halted, Action<string> warning)
    {
        ArgumentNullException.ThrowIfNull(venue);
        ArgumentNullException.ThrowIfNull(halted);
        ArgumentNullException.ThrowIfNull(warning);
        _venue = venue;
        _halted = halted;
        _warning = warning;
    }

    /// <summary>Reads the venue once; halts <paramref name="engine"/> on a new fault, reports a new reconnect reason and failed clock re-syncs.</summary>
    public void Poll(TradingEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (!_faultReported && _venue.OrderEntryFault is { } fault)
        {
            _faultReported = true;
            string reason = $"order entry stopped: {fault.Message}";
            engine.ReportFault(EngineFault.Background, reason);
            _halted(reason);
        }
        string? reconnect = _faultReported ? null : _venue.OrderEntryReconnectError?.Message;
        if (reconnect != _reconnectReported)
        {
            _reconnectReported = reconnect;
            if (reconnect is not null)
                _warning($"order entry down, reconnecting: {reconnect}");
        }
        if (!_faultReported)
            ReportClockSyncFailures(Environment.TickCount64);
    }

    /// <summary>Reports clock re-syncs that failed since the last look (see the class summary), at <paramref name="nowMs"/> (monotonic).</summary>
    internal void ReportClockSyncFailures(long nowMs)
    {
        ClockSyncFailures clock = _venue.OrderEntryClockSyncFailures;
        if (clock.Count <= _clockFailuresSeen)
            return;
        _clockFailuresSeen = clock.Count;
        string reason = clock.Last?.Message ?? "no reason given";
        if (reason == _clockReported && nowMs - _clockReportedAtMs < ClockRepeatMs)
            return;
        _clockReported = reason;
        _clockReportedAtMs = nowMs;
        _warning($"order entry clock re-sync failed ({clock.Count} so far): {reason} (orders may be refused for their timestamp until a sync succeeds)");
    }
}
