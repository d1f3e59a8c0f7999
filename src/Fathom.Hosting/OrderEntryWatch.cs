using Fathom.Engine;

namespace Fathom.Hosting;

/// <summary>
/// Order entry that cannot come back by itself, watched from the host's loop (off the core thread): the venue's
/// fault (order entry stopped for good, its key or login refused) halts trading with the reason, once, as an input
/// through the engine's one door (so the dashboard, <c>/health</c> and the log carry it); while order entry
/// reconnects, each new reason it gives is reported once (the gateway retries with back-off and would repeat the same
/// reason every attempt; it clears once order entry is up). <c>fathom run</c> and <c>fathom demo</c> each poll one.
/// </summary>
public sealed class OrderEntryWatch
{
    private readonly IVenue _venue;
    private readonly Action<string> _halted;
    private readonly Action<string> _reconnecting;
    private string? _reconnectReported;
    private bool _faultReported; // the fault has halted trading: after it, the fault is the reason (no reconnect reasons)

    /// <param name="halted">Told the halt's reason (<c>order entry stopped: …</c>) once, after the engine has it.</param>
    /// <param name="reconnecting">Told <c>order entry down, reconnecting: …</c> once per new reason.</param>
    public OrderEntryWatch(IVenue venue, Action<string> halted, Action<string> reconnecting)
    {
        ArgumentNullException.ThrowIfNull(venue);
        ArgumentNullException.ThrowIfNull(halted);
        ArgumentNullException.ThrowIfNull(reconnecting);
        _venue = venue;
        _halted = halted;
        _reconnecting = reconnecting;
    }

    /// <summary>Reads the venue once; halts <paramref name="engine"/> on a new fault, reports a new reconnect reason.</summary>
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
        if (reconnect == _reconnectReported)
            return;
        _reconnectReported = reconnect;
        if (reconnect is not null)
            _reconnecting($"order entry down, reconnecting: {reconnect}");
    }
}
