namespace Fathom.Simulator;

/// <summary>A public trade (<c>/api/v3/trades</c>): raw price and quantity, quote at 8 decimals.</summary>
public readonly record struct TradeRecord(long Id, long Price, long Qty, long QuoteQty, long Time, bool IsBuyerMaker, long BuyerOrderId, long SellerOrderId);
