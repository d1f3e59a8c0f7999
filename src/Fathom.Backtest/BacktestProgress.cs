namespace Fathom.Backtest;

/// <summary>How far a running backtest has come: market-data events processed and the virtual time reached (Unix ns).</summary>
/// <param name="FirstNs">The virtual time of the first message.</param>
/// <param name="Fills">Fills so far.</param>
public readonly record struct BacktestProgress(long Events, long FirstNs, long NowNs, long Fills);
