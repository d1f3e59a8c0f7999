namespace Fathom.Venues.Okx;

/// <summary>
/// One spot instrument the OKX order gateway trades. <see cref="InstId"/> ("BTC-USDT") names it in REST queries
/// and pushes; <see cref="InstIdCode"/> (the integer from <c>GET /api/v5/public/instruments</c>) names it in the
/// WebSocket trade ops, where OKX has it replace <c>instId</c> (EXCHANGES.md §8.5). Prices are raw fixed point at
/// <see cref="PriceDecimals"/> (the decimals of <c>tickSz</c>), sizes at <see cref="QtyDecimals"/> (of <c>lotSz</c>):
/// the same scales as the instrument's <c>InstrumentSpec</c> and the OKX market-data parser.
/// </summary>
/// <param name="BaseCcy">Base currency ("BTC"): a fee charged in it reduces the bought quantity.</param>
/// <param name="QuoteCcy">Quote currency ("USDT").</param>
public sealed record OkxOrderInstrument(int InstrumentId, string InstId, long InstIdCode, int PriceDecimals, int QtyDecimals, string BaseCcy, string QuoteCcy);
