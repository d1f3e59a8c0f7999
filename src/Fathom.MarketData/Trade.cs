namespace Fathom.MarketData;

/// <summary>
/// A public trade. <see cref="BuyerIsMaker"/> true means the seller was the aggressor (Binance <c>m</c>).
/// For aggregated trades <see cref="TradeId"/> is the aggregate id and First/Last the trade id range.
/// </summary>
public readonly record struct Trade(
    int InstrumentId, long TradeId, long PriceTick, long Qty, bool BuyerIsMaker,
    long TradeTimeMs, long ExchangeTimeMs, long ReceiveTimeNs, long FirstTradeId, long LastTradeId)
{
    /// <summary>+1 when a buyer lifted the ask, -1 when a seller hit the bid.</summary>
    public int AggressorSign => BuyerIsMaker ? -1 : 1;
}
