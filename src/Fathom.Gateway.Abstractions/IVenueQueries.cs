namespace Fathom.Gateway.Abstractions;

/// <summary>
/// What reconciliation asks a venue: open orders, executions and balances, answered directly and never
/// through the report sink, so asking changes nothing in the core. Startup reconciliation and the host's
/// shutdown check use this side; the engine never does (an order whose fate it does not know is queried
/// by a <see cref="CommandKind.Query"/> command, whose answer is a report like any other).
/// </summary>
public interface IVenueQueries
{
    /// <summary>
    /// The venue's open orders of ours on the instrument, with their terms (read-only, for reconciliation;
    /// nothing goes to the sink). Orders without our client id prefix are skipped.
    /// </summary>
    Task<IReadOnlyList<VenueOpenOrder>> GetOpenOrdersAsync(int instrumentId, CancellationToken cancel);

    /// <summary>
    /// Our executions on the instrument with a trade id greater than <paramref name="fromTradeIdExclusive"/>,
    /// oldest first (read-only; nothing goes to the sink). A venue may cap one answer (Binance: 1000);
    /// page by calling again from the last trade id returned. Executions of foreign orders are skipped.
    /// </summary>
    Task<IReadOnlyList<FillReport>> GetTradesAsync(int instrumentId, long fromTradeIdExclusive, CancellationToken cancel);

    /// <summary>The account's non-zero balances (read-only; nothing goes to the sink).</summary>
    Task<IReadOnlyList<VenueBalance>> GetBalancesAsync(CancellationToken cancel);
}
