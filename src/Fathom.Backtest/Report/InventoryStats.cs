namespace Fathom.Backtest.Report;

/// <summary>
/// An instrument's position (signed base quantity) over the summary's window, as a step function of our fills
/// starting flat: time-weighted means and the largest absolute position reached.
/// </summary>
/// <param name="MeanAbsPosition">Time-weighted mean of |position|.</param>
/// <param name="MaxAbsPosition">Largest |position| after any fill.</param>
/// <param name="MeanPosition">Time-weighted mean of the signed position (positive: long on average).</param>
public sealed record InventoryStats(decimal MeanAbsPosition, decimal MaxAbsPosition, decimal MeanPosition);
