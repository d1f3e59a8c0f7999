namespace Fathom.Simulator;

/// <summary>One side of a trade as its account sees it (<c>/api/v3/myTrades</c>). A self-trade gives two.</summary>
public readonly record struct AccountTrade(
    SymbolBook Book, long TradeId, long OrderId, long Price, long Qty, long QuoteQty,
    long Commission, string CommissionAsset, long Time, bool IsBuyer, bool IsMaker);
