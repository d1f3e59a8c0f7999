namespace Fathom.Backtest.Report;

/// <summary>
/// One instrument's figures in a <see cref="BacktestSummary"/>. PnL is by average cost, as
/// <c>Fathom.Execution.PositionLedger</c> books it: a fill that reduces the position realizes
/// (fill price − average entry) × closed quantity; <see cref="RealizedPnl"/> is before fees (the ledger's
/// <c>RealizedPnl</c> is this minus <see cref="Fees"/>). Amounts are in the quote currency.
/// </summary>
/// <param name="Instrument">The instrument's id.</param>
/// <param name="Symbol">The venue's symbol.</param>
/// <param name="RealizedPnl">Realized PnL by average cost, before fees.</param>
/// <param name="UnrealizedPnl">The open position valued at <see cref="LastMark"/> against its average entry (0 without a mark).</param>
/// <param name="LastMark">The last mid price, or null when the run had no mark of this instrument.</param>
/// <param name="FinalPosition">The position (base quantity, signed) at the end of the run.</param>
/// <param name="Fees">Fees paid (negative for net rebates).</param>
/// <param name="NetPnl">Realized + unrealized − fees.</param>
/// <param name="BaseVolume">Σ fill quantity.</param>
/// <param name="QuoteVolume">Σ fill price × quantity.</param>
/// <param name="Fills">Number of fills.</param>
/// <param name="MakerFills">Number of fills where we provided liquidity.</param>
/// <param name="MakerRatioByCount">Maker fills / fills, or null without fills.</param>
/// <param name="MakerRatioByVolume">Maker quote volume / quote volume, or null without fills.</param>
/// <param name="Orders">Orders placed.</param>
/// <param name="OrderToTradeRatio">Orders / fills, or null without fills.</param>
/// <param name="Inventory">The position over time.</param>
/// <param name="MaxDrawdown">The largest fall of this instrument's equity (realized + unrealized − fees, sampled at its
/// marks and fills, starting from 0) below its running peak; 0 or positive.</param>
/// <param name="Markouts">Markouts at 1 s, 10 s and 60 s.</param>
/// <param name="Refusals">Risk refusals of orders on this instrument.</param>
public sealed record InstrumentSummary(
    int Instrument,
    string Symbol,
    decimal RealizedPnl,
    decimal UnrealizedPnl,
    decimal? LastMark,
    decimal FinalPosition,
    decimal Fees,
    decimal NetPnl,
    decimal BaseVolume,
    decimal QuoteVolume,
    int Fills,
    int MakerFills,
    decimal? MakerRatioByCount,
    decimal? MakerRatioByVolume,
    int Orders,
    decimal? OrderToTradeRatio,
    InventoryStats Inventory,
    decimal MaxDrawdown,
    IReadOnlyList<MarkoutStat> Markouts,
    int Refusals);
