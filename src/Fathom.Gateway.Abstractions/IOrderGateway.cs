namespace Fathom.Gateway.Abstractions;

/// <summary>
/// Venue-neutral order entry. No venue type crosses it: commands in, reports out through the
/// <see cref="IReportSink"/> given at construction.
/// </summary>
/// <remarks>
/// <see cref="Send"/> hands the command to the wire and returns; it never waits for the venue and
/// never throws for a venue outcome. A command whose fate becomes unknown (timeout, 5xx,
/// disconnect) is reported as <see cref="StatusUnknownReport"/> and is never resent by the gateway:
/// the core decides, by query. After any reconnect the gateway re-subscribes to user data and
/// queries open orders and trades since the last fill it saw, so no report is lost.
/// </remarks>
public interface IOrderGateway : IAsyncDisposable
{
    /// <summary>Connects, authenticates, subscribes to user data. Completes when orders can be sent.</summary>
    Task StartAsync(CancellationToken cancel);

    /// <summary>Sends one command (called on the core thread; must not block on the network).</summary>
    void Send(in OrderCommand command);

    /// <summary>True while commands can be sent (connected and logged on).</summary>
    bool IsReady { get; }
}
