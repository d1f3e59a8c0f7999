namespace Fathom.Gateway.Abstractions;

/// <summary>
/// What the core sends to a venue: commands in, reports out through the <see cref="IReportSink"/> given at
/// construction. No venue type crosses it. The engine holds only this side
/// (<c>TradingEngine.AttachGateway</c>): it never queries the venue itself, it asks by command.
/// </summary>
/// <remarks>
/// <see cref="Send(in OrderCommand)"/> hands the command to the wire and returns; it never waits for the venue and
/// never throws for a venue outcome. A command whose fate becomes unknown (timeout, 5xx,
/// disconnect) is reported as <see cref="StatusUnknownReport"/> and is never resent by the gateway:
/// the core decides, by query. After any reconnect the gateway re-subscribes to user data and
/// queries open orders and trades since the last fill it saw, so no report is lost.
/// </remarks>
public interface IOrderEntry
{
    /// <summary>Connects, authenticates, subscribes to user data. Completes when orders can be sent.</summary>
    Task StartAsync(CancellationToken cancel);

    /// <summary>Sends one command (called on the core thread; must not block on the network).</summary>
    void Send(in OrderCommand command);

    /// <summary>
    /// <see cref="Send(in OrderCommand)"/> for a command caused by a market-data frame read at
    /// <paramref name="triggerStampNs"/> (monotonic ns from the same <see cref="TimeProvider"/>; 0 when no
    /// frame caused it): a gateway that writes frames to a socket records tick-to-wire from it.
    /// </summary>
    /// <returns>
    /// When this call handed the command's encoded frame to the socket itself (an inline send), the time it did, read
    /// just before the write on the same clock as <paramref name="triggerStampNs"/>: the engine takes it as the
    /// command's tick-to-order stamp (the write itself belongs to tick-to-wire, not tick-to-order). 0 when the command
    /// was queued for a send thread, sent some other way, refused, or the gateway writes no frames: the engine then
    /// reads its own clock once the call returns.
    /// </returns>
    long Send(in OrderCommand command, long triggerStampNs)
    {
        Send(command);
        return 0;
    }

    /// <summary>
    /// Runs the send path for <paramref name="command"/> as far as the socket and stops there: nothing is sent,
    /// recorded, counted or rate-limited, and no request id is taken. Called on the core thread, on market-data
    /// inputs that sent nothing, so the encoder's code and tables are warm when a command does go (the "hot path"
    /// rehearsal; see <c>TradingEngine.RehearsesDecisions</c>). A gateway with nothing worth warming does nothing.
    /// </summary>
    void Rehearse(in OrderCommand command)
    {
    }

    /// <summary>
    /// The core handed over the last command of an input (called on the core thread after the input's last
    /// <see cref="Send(in OrderCommand, long)"/>, once its tick-to-order stamp is taken): bookkeeping a gateway kept off
    /// the send path (latency samples) can be done now.
    /// </summary>
    void CommandsHandedOver()
    {
    }

    /// <summary>True while commands can be sent (connected and logged on).</summary>
    bool IsReady { get; }

    /// <summary>Order-entry reconnects since the start (0 for a gateway that never reconnects).</summary>
    long Reconnects => 0;

    /// <summary>
    /// Cancels every open order of the account on the instrument, in one venue request. Like
    /// <see cref="Send(in OrderCommand)"/> it returns at once and never throws for a venue outcome: each cancelled order
    /// of ours arrives as a <see cref="CanceledReport"/>; a refusal as one <see cref="RejectReport"/>
    /// (<see cref="CommandKind.Cancel"/>, named by <paramref name="cancelId"/>); an outcome the gateway
    /// cannot know as one <see cref="StatusUnknownReport"/> (<see cref="CommandKind.Cancel"/>,
    /// <paramref name="cancelId"/>). Never held back by rate limits, never resent.
    /// </summary>
    /// <remarks>The venue cancels every order of the account on the instrument, foreign ones included.</remarks>
    void CancelAll(int instrumentId, ClientOrderId cancelId);
}
