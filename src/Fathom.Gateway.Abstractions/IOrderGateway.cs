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

    /// <summary>
    /// <see cref="Send(in OrderCommand)"/> for a command caused by a market-data frame read at
    /// <paramref name="triggerStampNs"/> (monotonic ns from the same <see cref="TimeProvider"/>; 0 when no
    /// frame caused it): a gateway that writes frames to a socket records tick-to-wire from it.
    /// </summary>
    void Send(in OrderCommand command, long triggerStampNs) => Send(command);

    /// <summary>True while commands can be sent (connected and logged on).</summary>
    bool IsReady { get; }

    /// <summary>Order-entry reconnects since the start (0 for a gateway that never reconnects).</summary>
    long Reconnects => 0;

    /// <summary>
    /// Cancels every open order of the account on the instrument, in one venue request. Like
    /// <see cref="Send"/> it returns at once and never throws for a venue outcome: each cancelled order
    /// of ours arrives as a <see cref="CanceledReport"/>; a refusal as one <see cref="RejectReport"/>
    /// (<see cref="CommandKind.Cancel"/>, named by <paramref name="cancelId"/>); an outcome the gateway
    /// cannot know as one <see cref="StatusUnknownReport"/> (<see cref="CommandKind.Cancel"/>,
    /// <paramref name="cancelId"/>). Never held back by rate limits, never resent.
    /// </summary>
    /// <remarks>The venue cancels every order of the account on the instrument, foreign ones included.</remarks>
    void CancelAll(int instrumentId, ClientOrderId cancelId);

    /// <summary>
    /// The venue's open orders of ours on the instrument (read-only, for reconciliation; nothing goes
    /// to the sink). Orders without our client id prefix are skipped.
    /// </summary>
    Task<IReadOnlyList<OrderStatusReport>> GetOpenOrdersAsync(int instrumentId, CancellationToken cancel);

    /// <summary>
    /// Our executions on the instrument with a trade id greater than <paramref name="fromTradeIdExclusive"/>,
    /// oldest first (read-only; nothing goes to the sink). A venue may cap one answer (Binance: 1000);
    /// page by calling again from the last trade id returned. Executions of foreign orders are skipped.
    /// </summary>
    Task<IReadOnlyList<FillReport>> GetTradesAsync(int instrumentId, long fromTradeIdExclusive, CancellationToken cancel);

    /// <summary>The account's non-zero balances (read-only; nothing goes to the sink).</summary>
    Task<IReadOnlyList<VenueBalance>> GetBalancesAsync(CancellationToken cancel);
}
