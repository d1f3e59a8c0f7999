namespace Fathom.Simulator;

/// <summary>
/// One order as the simulated exchange holds it. Prices and quantities are raw at the symbol's
/// decimals; quote amounts (<see cref="CumulativeQuoteQty"/>, <see cref="OrigQuoteOrderQty"/>) at 8 decimals.
/// </summary>
/// <remarks>
/// Invariant while resting: a sell locks exactly its remaining quantity in base units; a buy locks
/// exactly <c>ceil(price × remaining)</c> in quote units, which covers every later fill because a
/// fill costs <c>floor(price × qty)</c> and <c>ceil(a) − floor(b) ≥ ceil(a − b)</c>.
/// </remarks>
public sealed class SimOrder
{
    public long OrderId { get; internal set; }
    public required SymbolBook Book { get; init; }
    public required SimAccount Account { get; init; }
    public required string ClientOrderId { get; set; }
    public OrderSide Side { get; init; }
    public OrderType Type { get; init; }
    public TimeInForce TimeInForce { get; init; }
    /// <summary>Limit price (raw); 0 for MARKET. Changes only by <see cref="MatchingEngine.Amend"/> (OKX amend-order).</summary>
    public long Price { get; internal set; }
    public long OrigQty { get; internal set; }
    public long ExecutedQty { get; internal set; }
    public long CumulativeQuoteQty { get; internal set; }
    public long OrigQuoteOrderQty { get; init; }
    /// <summary>Commission charged on this order's fills so far, at 8 decimals, in the asset it received (OKX <c>fee</c>).</summary>
    public long Commission { get; internal set; }
    public OrderStatus Status { get; internal set; }
    public SelfTradePreventionMode Stp { get; init; }
    public long Time { get; init; }
    public long UpdateTime { get; internal set; }
    /// <summary>When the order went on the book (-1 if it never did), as Binance's <c>workingTime</c>.</summary>
    public long WorkingTime { get; internal set; } = -1;
    /// <summary>
    /// Quantity STP expired from this order (Binance <c>preventedQuantity</c>) and the prevented match that
    /// expired it (<c>preventedMatchId</c>, numbered per symbol from 0; -1 if none). A taker whose mode
    /// expired only the makers (EXPIRE_MAKER) lost nothing and keeps -1, as on Binance.
    /// </summary>
    public long PreventedQty { get; internal set; }
    public long PreventedMatchId { get; internal set; } = -1;
    /// <summary>The other order of <see cref="PreventedMatchId"/> (executionReport <c>U</c>), -1 if none.</summary>
    public long PreventedCounterOrderId { get; internal set; } = -1;

    public long Remaining => OrigQty - ExecutedQty;
    public bool IsOpen => Status is OrderStatus.New or OrderStatus.PartiallyFilled;
    public bool IsQuoteOrder => OrigQuoteOrderQty > 0;

    internal long Locked;
    internal SimOrder? Prev;
    internal SimOrder? Next;
    internal PriceLevel? Level;
}
