namespace Fathom.Backtest.Report;

/// <summary>
/// All instruments together in a <see cref="BacktestSummary"/>: sums of the per-instrument amounts (in the quote
/// currency, which the report assumes the instruments share), the drawdown of the summed equity and markouts over
/// every fill. Base volume and inventory are per instrument only, since base assets do not add up.
/// </summary>
/// <param name="RealizedPnl">Σ realized PnL (before fees).</param>
/// <param name="UnrealizedPnl">Σ unrealized PnL at each instrument's last mark.</param>
/// <param name="Fees">Σ fees.</param>
/// <param name="NetPnl">Realized + unrealized − fees.</param>
/// <param name="QuoteVolume">Σ fill price × quantity.</param>
/// <param name="Fills">Number of fills.</param>
/// <param name="MakerFills">Number of maker fills.</param>
/// <param name="MakerRatioByCount">Maker fills / fills, or null without fills.</param>
/// <param name="MakerRatioByVolume">Maker quote volume / quote volume, or null without fills.</param>
/// <param name="Orders">Orders placed.</param>
/// <param name="OrderToTradeRatio">Orders / fills, or null without fills.</param>
/// <param name="MaxDrawdown">The largest fall of the total equity below its running peak (from 0), sampled at every mark and fill.</param>
/// <param name="Markouts">Markouts at 1 s, 10 s and 60 s over every fill.</param>
/// <param name="MarkoutCurve">Markouts over every fill at 0, 0.1, 0.5, 1, 2, 5, 10, 30 and 60 s (the report's curve).</param>
/// <param name="Refusals">Risk refusals.</param>
public sealed record TotalSummary(
    decimal RealizedPnl,
    decimal UnrealizedPnl,
    decimal Fees,
    decimal NetPnl,
    decimal QuoteVolume,
    int Fills,
    int MakerFills,
    decimal? MakerRatioByCount,
    decimal? MakerRatioByVolume,
    int Orders,
    decimal? OrderToTradeRatio,
    decimal MaxDrawdown,
    IReadOnlyList<MarkoutStat> Markouts,
    IReadOnlyList<MarkoutStat> MarkoutCurve,
    int Refusals);
