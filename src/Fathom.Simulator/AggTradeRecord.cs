namespace Fathom.Simulator;

/// <summary>
/// An aggregate trade (<c>/api/v3/aggTrades</c>, <c>@aggTrade</c>): consecutive fills of one taker
/// order at one price. <see cref="Qty"/> and <see cref="Price"/> are raw (the symbol's decimals).
/// </summary>
public readonly record struct AggTradeRecord(long Id, long Price, long Qty, long FirstTradeId, long LastTradeId, long Time, bool IsBuyerMaker, long TakerOrderId);
