using Fathom.Backtest.Report;

namespace Fathom.Backtest.Sweeps;

/// <summary>What one sweep point gave: its result and summary, or the error that stopped it.</summary>
/// <param name="Point">The point.</param>
/// <param name="Result">The backtest's result, or null when the point failed.</param>
/// <param name="Summary">The result's summary, or null when the point failed.</param>
/// <param name="Error">Why the point failed (exception type and message, or that it was canceled), else null.</param>
public sealed record SweepOutcome(SweepPoint Point, BacktestResult? Result, BacktestSummary? Summary, string? Error)
{
    /// <summary>True when the point ran to a summary.</summary>
    public bool Succeeded => Summary is not null && Error is null;
}
