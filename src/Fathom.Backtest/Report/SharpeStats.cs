namespace Fathom.Backtest.Report;

/// <summary>
/// The Sharpe ratio of a backtest's total equity changes per period (no risk-free rate): mean / sample standard
/// deviation of the equity change over consecutive periods from the run's start (the last may be partial). The
/// period is a day when the run spans at least two days, else an hour; with fewer than two hours there is none.
/// </summary>
/// <param name="Period"><c>day</c>, <c>hour</c>, or <c>none</c> when the run is too short.</param>
/// <param name="Periods">Periods (equity changes) measured.</param>
/// <param name="MeanChange">Mean equity change per period (quote currency).</param>
/// <param name="StdevChange">Sample standard deviation of the changes, or null with fewer than two periods.</param>
/// <param name="PerPeriod">Mean / stdev, or null when the stdev is null or 0.</param>
/// <param name="Annualized"><see cref="PerPeriod"/> × √365 (days) or × √(365 × 24) (hours).</param>
public sealed record SharpeStats(string Period, int Periods, decimal MeanChange, double? StdevChange, double? PerPeriod, double? Annualized);
