using Fathom.Backtest.Report;

namespace Fathom.Backtest.Sweeps;

/// <summary>
/// What one sweep point gave: its summary, or the error that stopped it. The point's full result is not kept (a day's
/// marks and fills per point would not fit a large grid in memory); write per-point files inside the run delegate.
/// </summary>
/// <param name="Point">The point.</param>
/// <param name="Summary">The result's summary, or null when the point failed.</param>
/// <param name="Error">Why the point failed (exception type and message, or that it was canceled), else null.</param>
public sealed record SweepOutcome(SweepPoint Point, BacktestSummary? Summary, string? Error)
{
    /// <summary>True when the point ran to a summary.</summary>
    public bool Succeeded => Summary is not null && Error is null;
}
