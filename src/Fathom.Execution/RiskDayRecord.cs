namespace Fathom.Execution;

/// <summary>
/// The trading day risk measures drawdown in: its index (<c>TradingDay.IndexOf</c>: days since the Unix
/// epoch from the configured day start) and the total PnL at its start, at <c>RiskLimits.MoneyDecimals</c>
/// (<c>RiskManager.DayStartPnl</c>). The day's loss so far is the start PnL minus the PnL now, so a
/// restart on the same day that restores both the fills and this start carries the loss over.
/// </summary>
public readonly record struct RiskDayRecord(long DayIndex, long StartPnl, long TimeNs);
