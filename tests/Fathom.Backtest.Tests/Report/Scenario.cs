using Fathom.Core;

namespace Fathom.Backtest.Tests.Report;

/// <summary>Hand-built backtest results whose figures the tests work out by hand.</summary>
internal static class Scenario
{
    public const long Sec = 1_000_000_000L;
    public const long T0 = 1_767_225_600L * Sec; // 2026-01-01T00:00:00Z

    public static readonly BacktestInstrument Btc = new(0, "BTCUSDT", 0.1m, 0.001m, -0.0001m, 0.001m);
    public static readonly BacktestInstrument Eth = new(1, "ETHUSDT", 0.01m, 0.001m, -0.0001m, 0.001m);

    public static BacktestFill Fill(long sec, OrderSide side, decimal price, decimal qty, decimal fee, bool maker, string id, int instrument = 0) =>
        new(T0 + sec * Sec, instrument, id, side, price, qty, fee, maker);

    public static MarkSample Mark(long sec, decimal mid, int instrument = 0) => new(T0 + sec * Sec, instrument, mid);

    public static BacktestOrder Order(string id, OrderSide side, decimal price, decimal qty, BacktestOrderOutcome outcome, int instrument = 0, string? reason = null) =>
        new(id, instrument, side, "LIMIT", price, qty, T0, T0 + 1000, outcome == BacktestOrderOutcome.Open ? 0 : T0 + 2000, outcome,
            outcome == BacktestOrderOutcome.Filled ? qty : 0m, reason);

    public static BacktestRunInfo Run(long endSec, string strategy = "mm") =>
        new(strategy, [new("halfSpreadTicks", "2"), new("size", "1")], T0, T0 + endSec * Sec, 12_345, "feed: recorded; entry: constant 2 ms", "risk-averse", Sec);

    /// <summary>
    /// BTCUSDT over 12 s. Buy 1 @100 maker (fee −0.01) at 0 s; sell 1 @101 taker (fee 0.1) at 2 s; sell 2 @100 taker
    /// (fee 0.2) at 3 s. Mids: 0 s 100, 1 s 100.5, 2 s 101, 3 s 100, 10 s 99, 12 s 102. Six orders; three refusals.
    /// </summary>
    public static BacktestResult OneInstrument(string strategy = "mm") => new(
        Run(12, strategy),
        [Btc],
        [
            Fill(0, OrderSide.Buy, 100m, 1m, -0.01m, maker: true, "b1"),
            Fill(2, OrderSide.Sell, 101m, 1m, 0.1m, maker: false, "s1"),
            Fill(3, OrderSide.Sell, 100m, 2m, 0.2m, maker: false, "s2"),
        ],
        [
            Order("b1", OrderSide.Buy, 100m, 1m, BacktestOrderOutcome.Filled),
            Order("s1", OrderSide.Sell, 101m, 1m, BacktestOrderOutcome.Filled),
            Order("s2", OrderSide.Sell, 100m, 2m, BacktestOrderOutcome.Filled),
            Order("b2", OrderSide.Buy, 99m, 1m, BacktestOrderOutcome.Canceled),
            Order("b3", OrderSide.Buy, 98m, 1m, BacktestOrderOutcome.Rejected, reason: "PRICE_FILTER"),
            Order("b4", OrderSide.Buy, 97m, 1m, BacktestOrderOutcome.Open),
        ],
        [Mark(0, 100m), Mark(1, 100.5m), Mark(2, 101m), Mark(3, 100m), Mark(10, 99m), Mark(12, 102m)],
        [new(T0 + 4 * Sec, 0, "MaxPosition"), new(T0 + 5 * Sec, 0, "RateLimit"), new(T0 + 6 * Sec, 0, "MaxPosition")]);

    /// <summary><see cref="OneInstrument"/> plus ETHUSDT: buy 1 @10 maker (fee 0.01) at 5 s; mids 5 s 10, 12 s 11.</summary>
    public static BacktestResult TwoInstruments()
    {
        var one = OneInstrument();
        return one with
        {
            Instruments = [Btc, Eth],
            Fills = [.. one.Fills, Fill(5, OrderSide.Buy, 10m, 1m, 0.01m, maker: true, "e1", instrument: 1)],
            Orders = [.. one.Orders, Order("e1", OrderSide.Buy, 10m, 1m, BacktestOrderOutcome.Filled, instrument: 1)],
            Marks = [.. one.Marks, Mark(5, 10m, 1), Mark(12, 11m, 1)],
        };
    }
}
