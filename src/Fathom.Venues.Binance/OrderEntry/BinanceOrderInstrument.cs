namespace Fathom.Venues.Binance;

/// <summary>
/// One instrument the order gateway trades: the core's id, the venue symbol and its two assets (the
/// assets tell which side a commission was taken from). Prices and quantities are at Binance's wire
/// precision (<see cref="BinanceSymbol.WireDecimals"/> = 8 decimals), as everywhere in this adapter.
/// </summary>
public sealed record BinanceOrderInstrument(int InstrumentId, string Symbol, string BaseAsset, string QuoteAsset);
