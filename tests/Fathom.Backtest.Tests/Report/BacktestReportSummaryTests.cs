using Fathom.Backtest.Report;
using Fathom.Core;
using Fathom.Execution;
using Xunit;
using static Fathom.Backtest.Tests.Report.Scenario;

namespace Fathom.Backtest.Tests.Report;

/// <summary>
/// The summary's figures on hand-built results, each worked out by hand in the comments (see <see cref="Scenario"/>).
/// </summary>
public class BacktestReportSummaryTests
{
    [Fact]
    public void Summarize_HandBuiltFills_PnlByAverageCostFeesAndNet()
    {
        var line = BacktestReport.Summarize(OneInstrument()).Instruments.Single();

        // Buy 1 @100, sell 1 @101: +1 realized; then short 2 @100 marked at 102: 102 × −2 − (−200) = −4.
        Assert.Equal(1m, line.RealizedPnl);
        Assert.Equal(-4m, line.UnrealizedPnl);
        Assert.Equal(102m, line.LastMark);
        Assert.Equal(-2m, line.FinalPosition);
        Assert.Equal(0.29m, line.Fees); // −0.01 + 0.1 + 0.2
        Assert.Equal(-3.29m, line.NetPnl); // 1 − 4 − 0.29
    }

    [Fact]
    public void Summarize_PartialClose_RealizesAgainstAverageEntry()
    {
        // Buy 1 @100 and 1 @102 (average 101), sell 1 @103: average cost realizes 2 (FIFO would say 3).
        var result = OneInstrument() with
        {
            Fills =
            [
                Fill(0, OrderSide.Buy, 100m, 1m, 0m, maker: true, "a"),
                Fill(1, OrderSide.Buy, 102m, 1m, 0m, maker: true, "b"),
                Fill(2, OrderSide.Sell, 103m, 1m, 0m, maker: true, "c"),
            ],
        };
        var line = BacktestReport.Summarize(result).Instruments.Single();
        Assert.Equal(2m, line.RealizedPnl);
        Assert.Equal(1m, line.FinalPosition);
        Assert.Equal(1m, line.UnrealizedPnl); // 102 − 101 at the last mark
    }

    [Fact]
    public void Summarize_ManyFillsWithFlips_MatchesTheEnginesPositionLedger()
    {
        // The engine's ledger books at price decimals 2, qty decimals 3, truncating the cost a partial close takes off;
        // its RealizedPnl is net of fees and read toward zero at the price decimals. The report must agree exactly.
        var random = new Random(18);
        var fills = new List<BacktestFill>();
        var ledger = new PositionLedger(2, 3);
        for (int i = 0; i < 400; i++)
        {
            var side = random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
            long priceRaw = 10_000 + random.Next(-500, 501), qtyRaw = random.Next(1, 3000), feeRaw = random.Next(-5, 20);
            fills.Add(new BacktestFill(T0 + i * Sec, 0, "o" + i, side, priceRaw / 100m, qtyRaw / 1000m, feeRaw / 100m, feeRaw < 0));
            ledger.Apply(side, new Price(priceRaw), new Qty(qtyRaw), feeRaw, default);
        }
        var line = BacktestReport.Summarize(OneInstrument() with { Fills = fills, Marks = [Mark(400, 102.50m)] }).Instruments.Single();

        Assert.Equal(ledger.Position.Raw / 1000m, line.FinalPosition);
        Assert.Equal(ledger.FeesPaid / 100m, line.Fees);
        Assert.Equal((decimal)ledger.RealizedExact, (line.RealizedPnl - line.Fees) * 100_000m); // both at 5 decimals, unrounded
        Assert.Equal(ledger.RealizedPnl / 100m, Math.Round(line.RealizedPnl - line.Fees, 2, MidpointRounding.ToZero));
        Assert.Equal(ledger.UnrealizedPnl(new Price(10_250)) / 100m, Math.Round(line.UnrealizedPnl, 2, MidpointRounding.ToZero));
    }

    [Fact]
    public void Summarize_MarkAndFillAtTheSameTime_FillIsValuedAtThatMark()
    {
        // Long 2 from 100; at 1 s the mid is 90 and we sell 1 @110 (a stale quote). Mark first: −20, then 10 − 10 = 0.
        // Were the fill booked first against the 100 mid, equity would touch +10 and the drawdown would be 10.
        var result = OneInstrument() with
        {
            Fills = [Fill(0, OrderSide.Buy, 100m, 2m, 0m, maker: true, "b"), Fill(1, OrderSide.Sell, 110m, 1m, 0m, maker: true, "s")],
            Marks = [Mark(0, 100m), Mark(1, 90m)],
        };
        var line = BacktestReport.Summarize(result).Instruments.Single();
        Assert.Equal(20m, line.MaxDrawdown);
        Assert.Equal(0m, line.NetPnl);
    }

    [Fact]
    public void Summarize_HandBuiltFills_VolumeMakerRatiosAndOrderToTrade()
    {
        var line = BacktestReport.Summarize(OneInstrument()).Instruments.Single();

        Assert.Equal(4m, line.BaseVolume); // 1 + 1 + 2
        Assert.Equal(401m, line.QuoteVolume); // 100 + 101 + 200
        Assert.Equal(3, line.Fills);
        Assert.Equal(1, line.MakerFills);
        Assert.Equal(1m / 3m, line.MakerRatioByCount);
        Assert.Equal(100m / 401m, line.MakerRatioByVolume);
        Assert.Equal(6, line.Orders);
        Assert.Equal(2m, line.OrderToTradeRatio); // 6 orders / 3 fills
    }

    [Fact]
    public void Summarize_HandBuiltFills_InventoryIsTimeWeightedOverTheRun()
    {
        var inventory = BacktestReport.Summarize(OneInstrument()).Instruments.Single().Inventory;

        // +1 for 2 s, 0 for 1 s, −2 for 9 s, over 12 s.
        Assert.Equal(2m, inventory.MaxAbsPosition);
        Assert.Equal(20m * Sec / (12m * Sec), inventory.MeanAbsPosition); // (2 + 18) / 12
        Assert.Equal(-16m * Sec / (12m * Sec), inventory.MeanPosition); // (2 − 18) / 12
    }

    [Fact]
    public void Summarize_HandBuiltMarks_MaxDrawdownFromPeakToTrough()
    {
        var summary = BacktestReport.Summarize(OneInstrument());

        // Equity: 0 → 0.01 (buy, rebate) → 0.51 → 1.01 → 0.91 (sell) → 0.91 → 0.71 (short) → 2.71 (mid 99) → −3.29 (mid 102).
        Assert.Equal(6m, summary.Instruments.Single().MaxDrawdown);
        Assert.Equal(6m, summary.Total.MaxDrawdown);
    }

    [Fact]
    public void Summarize_HandBuiltMarks_MarkoutsAtOneAndTenSeconds()
    {
        var markouts = BacktestReport.Summarize(OneInstrument()).Total.Markouts;
        Assert.Equal(new[] { Sec, 10 * Sec, 60 * Sec }, markouts.Select(m => m.HorizonNs));

        // 1 s: buy @100 → mid 100.5: +0.5 (50 bp); sell @101 → mid 100: +1 (10000/101 bp); sell @100 → mid 100 (the 3 s mark): 0.
        var one = markouts[0];
        Assert.Equal(3, one.Fills);
        Assert.Equal(0, one.Excluded);
        Assert.Equal(1.5m / 3m, one.MeanQuote);
        Assert.Equal((50m + 1m * 10_000m / 101m + 0m) / 3m, one.MeanBp);

        // 10 s: buy → mid 99 at 10 s: −1; sell @101 → mid 102 at 12 s (the last mark, included): −1; the 3 s fill's
        // horizon (13 s) runs past the last mark: excluded.
        var ten = markouts[1];
        Assert.Equal(2, ten.Fills);
        Assert.Equal(1, ten.Excluded);
        Assert.Equal(-1m, ten.MeanQuote);
        Assert.Equal((-100m + -1m * 10_000m / 101m) / 2m, ten.MeanBp);

        var sixty = markouts[2];
        Assert.Equal(0, sixty.Fills);
        Assert.Equal(3, sixty.Excluded);
        Assert.Null(sixty.MeanQuote);
    }

    [Fact]
    public void Summarize_MarkoutsPastTheLastMark_AreNotedInTheSummary()
    {
        var notes = BacktestReport.Summarize(OneInstrument()).Notes;
        Assert.Contains(notes, n => n.Contains("Markout 60 s: 3 of 3 fills excluded", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("Markout 10 s: 1 of 3 fills excluded", StringComparison.Ordinal));
    }

    [Fact]
    public void Summarize_Refusals_CountedByRuleMostFrequentFirst()
    {
        var summary = BacktestReport.Summarize(OneInstrument());
        Assert.Equal(new KeyValuePair<string, int>[] { new("MaxPosition", 2), new("RateLimit", 1) }, summary.RefusalsByRule);
        Assert.Equal(3, summary.Total.Refusals);
        Assert.Equal(3, summary.Instruments.Single().Refusals);
    }

    [Fact]
    public void Summarize_TwoInstruments_TotalsAreSumsAndDrawdownIsOfSummedEquity()
    {
        var summary = BacktestReport.Summarize(TwoInstruments());
        var eth = summary.Instruments[1];
        Assert.Equal("ETHUSDT", eth.Symbol);
        Assert.Equal(1m, eth.UnrealizedPnl); // long 1 from 10, mid 11
        Assert.Equal(0.99m, eth.NetPnl);

        var total = summary.Total;
        Assert.Equal(1m, total.RealizedPnl);
        Assert.Equal(-3m, total.UnrealizedPnl); // −4 + 1
        Assert.Equal(0.30m, total.Fees);
        Assert.Equal(-2.30m, total.NetPnl);
        Assert.Equal(411m, total.QuoteVolume);
        Assert.Equal(4, total.Fills);
        Assert.Equal(2, total.MakerFills);
        Assert.Equal(110m / 411m, total.MakerRatioByVolume);
        Assert.Equal(7m / 4m, total.OrderToTradeRatio);
        // Summed equity: … 0.71 → 0.70 (ETH fee) → 2.70 (BTC mid 99) → −3.30 (BTC mid 102) → −2.30 (ETH mid 11).
        Assert.Equal(6m, total.MaxDrawdown);
        // 1 s markouts over all four fills: the ETH buy @10 → mid 10 (its 5 s mark): 0.
        Assert.Equal(1.5m / 4m, total.Markouts[0].MeanQuote);
    }

    [Fact]
    public void Summarize_ThreeDays_SharpeOfDailyEquityChanges()
    {
        const long Day = 86_400;
        var result = new BacktestResult(
            Run(3 * Day), [Btc],
            [Fill(0, OrderSide.Buy, 100m, 1m, 0m, maker: true, "b")],
            [Order("b", OrderSide.Buy, 100m, 1m, BacktestOrderOutcome.Filled)],
            [Mark(0, 100m), Mark(Day - 1, 101m), Mark(2 * Day - 1, 103m), Mark(3 * Day, 102m)],
            []);

        var sharpe = BacktestReport.Summarize(result).Sharpe;

        // Equity at each day's end: 1, 3, 2 → changes 1, 2, −1: mean 2/3, sample variance 7/3.
        Assert.Equal("day", sharpe.Period);
        Assert.Equal(3, sharpe.Periods);
        Assert.Equal(2m / 3m, sharpe.MeanChange);
        double expected = (2.0 / 3.0) / Math.Sqrt(7.0 / 3.0);
        Assert.Equal(expected, sharpe.PerPeriod!.Value, 12);
        Assert.Equal(expected * Math.Sqrt(365), sharpe.Annualized!.Value, 12);
    }

    [Fact]
    public void Summarize_UnderTwoDays_SharpePerHourAndSaysSo()
    {
        var result = OneInstrument() with { Run = Run(3 * 3600), Marks = [Mark(0, 100m), Mark(3600, 101m), Mark(7200, 100m), Mark(3 * 3600, 104m)] };
        var summary = BacktestReport.Summarize(result);

        Assert.Equal("hour", summary.Sharpe.Period);
        Assert.Equal(3, summary.Sharpe.Periods);
        Assert.Contains(summary.Notes, n => n.Contains("Sharpe per hour", StringComparison.Ordinal));
    }

    [Fact]
    public void Summarize_UnderTwoHours_NoSharpeAndSaysSo()
    {
        var summary = BacktestReport.Summarize(OneInstrument());
        Assert.Equal("none", summary.Sharpe.Period);
        Assert.Null(summary.Sharpe.PerPeriod);
        Assert.Contains(summary.Notes, n => n.Contains("No Sharpe ratio", StringComparison.Ordinal));
    }

    [Fact]
    public void Summarize_NoFills_RatiosAreNullNotZero()
    {
        var summary = BacktestReport.Summarize(OneInstrument() with { Fills = [] });
        Assert.Null(summary.Total.MakerRatioByCount);
        Assert.Null(summary.Total.OrderToTradeRatio);
        Assert.Equal(0m, summary.Total.NetPnl);
    }

    [Fact]
    public void Summarize_FillOfUnknownInstrument_ClearError()
    {
        var result = OneInstrument() with { Fills = [Fill(0, OrderSide.Buy, 100m, 1m, 0m, maker: true, "x", instrument: 7)] };
        var error = Assert.Throws<ArgumentException>(() => BacktestReport.Summarize(result));
        Assert.Contains("instrument 7", error.Message);
    }

    [Fact]
    public void Summarize_NonPositiveQuantity_ClearError()
    {
        var result = OneInstrument() with { Fills = [Fill(0, OrderSide.Buy, 100m, 0m, 0m, maker: true, "zero")] };
        var error = Assert.Throws<ArgumentException>(() => BacktestReport.Summarize(result));
        Assert.Contains("zero", error.Message);
        Assert.Contains("must be positive", error.Message);
    }
}
