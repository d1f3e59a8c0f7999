namespace Fathom.Backtest.Report;

/// <summary>
/// The mean markout of fills at one horizon: for each fill, side sign × (mid at fill time + horizon − fill price),
/// the mid being the instrument's latest mark at or before that moment; positive means the market moved our way.
/// Fills whose horizon runs past the instrument's last mark (or that have no mark before it) are excluded and counted.
/// </summary>
/// <param name="HorizonNs">The horizon in nanoseconds.</param>
/// <param name="Fills">Fills averaged.</param>
/// <param name="Excluded">Fills left out because no mark covers their horizon.</param>
/// <param name="MeanQuote">Mean markout per unit of base, in the quote currency; null when no fill was averaged.</param>
/// <param name="MeanBp">Mean markout in basis points of each fill's price; null when no fill was averaged.</param>
public sealed record MarkoutStat(long HorizonNs, int Fills, int Excluded, decimal? MeanQuote, decimal? MeanBp);
