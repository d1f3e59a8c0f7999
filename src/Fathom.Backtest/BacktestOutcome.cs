namespace Fathom.Backtest;

/// <summary>A backtest's result with what the core and the venue counted on the way.</summary>
/// <param name="CoreInputs">Inputs the engine processed (market data, reports, timers, operator inputs).</param>
/// <param name="VenueAcks">Acknowledgements the venue sent (as the venue reported them, before the core saw them).</param>
/// <param name="VenueRejects">Rejections the venue sent.</param>
/// <param name="VenueCancels">Cancel confirmations the venue sent.</param>
/// <param name="VenueFills">Fills the venue sent.</param>
/// <param name="IllegalTransitions">Order reports the core's state machine refused (0 in a sound run).</param>
/// <param name="StrategyError">The strategy's exception, when it halted.</param>
/// <param name="HaltReason">Why the core halted trading, when it did.</param>
/// <param name="RiskTransitions">Every risk state change (kill switches tripping and releasing), as the risk manager describes it.</param>
/// <param name="ExecutionCounters">Execution's counters at the end (intents, places, cancels, deferrals, refusals), one <c>name value</c> a line.</param>
/// <param name="DataWarnings">
/// What makes the results doubtful though the run completed: an instrument whose book no depth diff ever moved (data of
/// another symbol, or a window the data does not cover), one line each.
/// </param>
public sealed record BacktestOutcome(
    BacktestResult Result, long CoreInputs, long VenueAcks, long VenueRejects, long VenueCancels, long VenueFills,
    long IllegalTransitions, string? StrategyError, string? HaltReason, IReadOnlyList<string> RiskTransitions, string ExecutionCounters,
    IReadOnlyList<string> DataWarnings);
