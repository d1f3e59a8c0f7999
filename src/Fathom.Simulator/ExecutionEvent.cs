namespace Fathom.Simulator;

/// <summary>Binance execution type <c>x</c> of an <c>executionReport</c> (enums.md).</summary>
public enum ExecutionType : byte
{
    New,
    Canceled,
    Replaced,
    Rejected,
    Trade,
    Expired,
    /// <summary>The order expired because of self-trade prevention.</summary>
    TradePrevention,
}

/// <summary>
/// One change to one order, recorded by <see cref="MatchingEngine"/> when <see cref="MatchingEngine.RecordEvents"/>
/// is on, and turned into an <c>executionReport</c> by the user data stream. The order's mutable
/// fields are copied at the moment of the event (the order object keeps changing afterwards).
/// Prices and quantities raw at the symbol's decimals; quote amounts and commission at 8 decimals.
/// </summary>
public readonly record struct ExecutionEvent(
    SimOrder Order,
    ExecutionType Type,
    OrderStatus Status,
    string ClientOrderId,
    string OrigClientOrderId,
    long OrigQty,
    long ExecutedQty,
    long CumulativeQuoteQty,
    long LastQty,
    long LastPrice,
    long LastQuoteQty,
    long Commission,
    string? CommissionAsset,
    long TradeId,
    long ExecutionId,
    bool IsWorking,
    bool IsMaker,
    long TransactTime,
    long PreventedMatchId = -1,
    long PreventedQty = 0,
    long LastPreventedQty = 0,
    long CounterOrderId = -1,
    string? ExpiryReason = null);

/// <summary>A balance change outside trading (deposit, withdrawal, transfer): Binance's <c>balanceUpdate</c>. Delta at 8 decimals.</summary>
public readonly record struct BalanceEvent(SimAccount Account, string Asset, long Delta, long Time);
