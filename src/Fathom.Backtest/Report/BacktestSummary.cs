namespace Fathom.Backtest.Report;

/// <summary>
/// The figures of one backtest, computed exactly (decimal) and deterministically from a <see cref="BacktestResult"/>
/// by <see cref="BacktestReport.Summarize"/>: per instrument, in total, the Sharpe ratio, risk refusals by rule and
/// notes on how the figures were taken (e.g. why the Sharpe ratio is per hour).
/// </summary>
/// <param name="Strategy">The strategy's catalog name.</param>
/// <param name="Parameters">The strategy's parameters as configured.</param>
/// <param name="StartNs">The window the figures cover (Unix ns): the run's start, or the first event if earlier.</param>
/// <param name="EndNs">The run's end, or the last event if later.</param>
/// <param name="Events">Market-data events processed.</param>
/// <param name="LatencyModel">The latency models, described.</param>
/// <param name="QueueModel">The queue model, described.</param>
/// <param name="Instruments">One line per instrument, in the order of <see cref="BacktestResult.Instruments"/>.</param>
/// <param name="Total">The instruments together (amounts in the quote currency, assumed common).</param>
/// <param name="Sharpe">The Sharpe ratio of the total equity's changes per day (or per hour for short runs).</param>
/// <param name="RefusalsByRule">Risk refusals counted by rule, most frequent first (ties by rule name).</param>
/// <param name="Notes">How figures were taken where a reader could guess wrong (Sharpe period, excluded markouts).</param>
public sealed record BacktestSummary(
    string Strategy,
    IReadOnlyList<KeyValuePair<string, string>> Parameters,
    long StartNs,
    long EndNs,
    long Events,
    string LatencyModel,
    string QueueModel,
    IReadOnlyList<InstrumentSummary> Instruments,
    TotalSummary Total,
    SharpeStats Sharpe,
    IReadOnlyList<KeyValuePair<string, int>> RefusalsByRule,
    IReadOnlyList<string> Notes);
