using Fathom.Core;

namespace Fathom.Backtest;

/// <summary>
/// Everything one backtest produced, in virtual time: the input of the report (<c>BacktestReport</c>), the CSV
/// files and the sweep table. Times are Unix nanoseconds of the recorded data's clock (the exchange's event time
/// for fills; the local receive time for marks), so two runs on the same inputs give equal results.
/// </summary>
/// <param name="Run">What was run: strategy, parameters, models, window, event count.</param>
/// <param name="Instruments">The instruments, indexed by <see cref="BacktestInstrument.Id"/>.</param>
/// <param name="Fills">Every fill of ours, in time order.</param>
/// <param name="Orders">Every order we placed (one row per client order id; a cancel-replace's new order is a row of its own).</param>
/// <param name="Marks">The mid price of each instrument, sampled once per <see cref="BacktestRunInfo.MarkIntervalNs"/> of virtual time
/// while the book is synced and two-sided (time order; used for unrealized PnL, equity, inventory and markouts).</param>
/// <param name="Refusals">Every order the risk manager refused, with its rule.</param>
public sealed record BacktestResult(
    BacktestRunInfo Run,
    IReadOnlyList<BacktestInstrument> Instruments,
    IReadOnlyList<BacktestFill> Fills,
    IReadOnlyList<BacktestOrder> Orders,
    IReadOnlyList<MarkSample> Marks,
    IReadOnlyList<RiskRefusal> Refusals);

/// <param name="Strategy">The strategy's catalog name.</param>
/// <param name="Parameters">The strategy's parameters as configured (name → value as text), in a stable order.</param>
/// <param name="StartNs">First event's time (Unix ns).</param>
/// <param name="EndNs">Last event's time (Unix ns).</param>
/// <param name="Events">Market-data events processed (as the store benchmark counts them: one per level update and per trade).</param>
/// <param name="LatencyModel">The latency models, described (e.g. <c>feed: recorded; entry: constant 2 ms</c>).</param>
/// <param name="QueueModel">The queue model, described (e.g. <c>risk-averse</c>, <c>power-law(n=3)</c>).</param>
/// <param name="MarkIntervalNs">The spacing of <see cref="BacktestResult.Marks"/>.</param>
public sealed record BacktestRunInfo(
    string Strategy,
    IReadOnlyList<KeyValuePair<string, string>> Parameters,
    long StartNs,
    long EndNs,
    long Events,
    string LatencyModel,
    string QueueModel,
    long MarkIntervalNs);

/// <param name="Id">The instrument's index (as in <see cref="BacktestFill.Instrument"/>).</param>
/// <param name="Symbol">The venue's symbol, e.g. <c>BTCUSDT</c>.</param>
/// <param name="MakerFeeRate">Maker fee as a fraction of notional (0.001 = 10 bp); negative for a rebate.</param>
/// <param name="TakerFeeRate">Taker fee as a fraction of notional.</param>
public sealed record BacktestInstrument(int Id, string Symbol, decimal TickSize, decimal StepSize, decimal MakerFeeRate, decimal TakerFeeRate);

/// <summary>One execution of one of our orders.</summary>
/// <param name="TimeNs">When the venue matched it (Unix ns).</param>
/// <param name="Fee">The fee paid in the quote currency (negative for a rebate).</param>
public readonly record struct BacktestFill(
    long TimeNs, int Instrument, string ClientOrderId, OrderSide Side, decimal Price, decimal Qty, decimal Fee, bool IsMaker);

/// <summary>How an order ended (or <see cref="Open"/> when the run ended with it resting).</summary>
public enum BacktestOrderOutcome : byte
{
    Open = 0,
    Filled = 1,
    Canceled = 2,
    Rejected = 3,
    Expired = 4,
}

/// <summary>One order we placed.</summary>
/// <param name="SentNs">When the core sent it (Unix ns, virtual).</param>
/// <param name="AckNs">When its acknowledgement reached the core (0 if it never did).</param>
/// <param name="EndNs">When it reached its final outcome (0 while open).</param>
/// <param name="RejectReason">The venue's or the risk manager's reason when rejected, else null.</param>
public sealed record BacktestOrder(
    string ClientOrderId, int Instrument, OrderSide Side, string Type, decimal Price, decimal Qty,
    long SentNs, long AckNs, long EndNs, BacktestOrderOutcome Outcome, decimal FilledQty, string? RejectReason);

/// <summary>An instrument's mid price at a moment (Unix ns).</summary>
public readonly record struct MarkSample(long TimeNs, int Instrument, decimal Mid);

/// <summary>An order intent the risk manager refused: the rule (<c>RiskDecision</c> name) and when.</summary>
public readonly record struct RiskRefusal(long TimeNs, int Instrument, string Rule);
