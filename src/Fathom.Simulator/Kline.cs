namespace Fathom.Simulator;

/// <summary>
/// One kline (candle) built from a symbol's trades: prices and base volumes raw (the symbol's
/// decimals), quote volumes at 8 decimals, trade ids inclusive.
/// </summary>
public readonly record struct Kline(long OpenTime, long Open, long High, long Low, long Close, long Volume, long QuoteVolume,
    long Trades, long TakerBuyVolume, long TakerBuyQuoteVolume, long FirstTradeId, long LastTradeId)
{
    /// <summary>The kline with one more trade (trades arrive in time order, so it is the close).</summary>
    public Kline With(in TradeRecord t) => this with
    {
        High = Math.Max(High, t.Price),
        Low = Math.Min(Low, t.Price),
        Close = t.Price,
        Volume = Volume + t.Qty,
        QuoteVolume = QuoteVolume + t.QuoteQty,
        Trades = Trades + 1,
        TakerBuyVolume = TakerBuyVolume + (t.IsBuyerMaker ? 0 : t.Qty),
        TakerBuyQuoteVolume = TakerBuyQuoteVolume + (t.IsBuyerMaker ? 0 : t.QuoteQty),
        LastTradeId = t.Id,
    };

    /// <summary>A kline opening at <paramref name="openTime"/> whose first trade is <paramref name="t"/>.</summary>
    public static Kline First(long openTime, in TradeRecord t) =>
        new(openTime, t.Price, t.Price, t.Price, t.Price, t.Qty, t.QuoteQty, 1,
            t.IsBuyerMaker ? 0 : t.Qty, t.IsBuyerMaker ? 0 : t.QuoteQty, t.Id, t.Id);
}
