using System.Globalization;
using Fathom.Core;

namespace Fathom.Backtest.Report;

/// <summary>
/// The report of a backtest. <see cref="Summarize"/> computes the figures (<see cref="BacktestSummary"/>) exactly
/// and deterministically; <see cref="WriteHtml"/> writes one self-contained page that opens offline (summary table,
/// equity, position, price with our fills, markout curve); <see cref="WriteCsv"/> writes <c>fills.csv</c>,
/// <c>orders.csv</c> and <c>summary.json</c>. The same result always gives byte-identical files.
/// </summary>
/// <remarks>
/// A malformed result (an unknown instrument, a non-positive price, quantity or mid, a duplicate instrument id) is
/// refused with an <see cref="ArgumentException"/> naming the offending row; nothing is written for it.
/// </remarks>
public static partial class BacktestReport
{
    private const long Second = 1_000_000_000L;
    private const long Hour = 3600 * Second;
    private const long Day = 24 * Hour;

    /// <summary>The horizons of <see cref="InstrumentSummary.Markouts"/> and <see cref="TotalSummary.Markouts"/>: 1 s, 10 s, 60 s.</summary>
    public static IReadOnlyList<long> MarkoutHorizonsNs { get; } = [1 * Second, 10 * Second, 60 * Second];

    /// <summary>The horizons of <see cref="TotalSummary.MarkoutCurve"/>: 0, 0.1, 0.5, 1, 2, 5, 10, 30, 60 s.</summary>
    public static IReadOnlyList<long> MarkoutCurveHorizonsNs { get; } =
        [0, Second / 10, Second / 2, Second, 2 * Second, 5 * Second, 10 * Second, 30 * Second, 60 * Second];

    /// <summary>Computes the figures of <paramref name="result"/>; see <see cref="BacktestSummary"/> for their definitions.</summary>
    /// <exception cref="ArgumentException">The result is malformed (the message names the row).</exception>
    public static BacktestSummary Summarize(BacktestResult result)
    {
        var index = new ResultIndex(result);
        var timeline = new EquityTimeline(index);
        int n = index.Instruments.Count;
        var notes = new List<string>();

        var orders = new int[n];
        foreach (var o in result.Orders)
            orders[index.SlotOf(o.Instrument)]++;
        var refusals = new int[n];
        foreach (var r in result.Refusals)
            refusals[index.SlotOf(r.Instrument)]++;

        var fillsBySlot = new List<BacktestFill>[n];
        for (int s = 0; s < n; s++)
            fillsBySlot[s] = [];
        foreach (var f in index.FillsInTimeOrder)
            fillsBySlot[index.SlotOf(f.Instrument)].Add(f);

        var lines = new InstrumentSummary[n];
        long span = timeline.SpanNs;
        for (int s = 0; s < n; s++)
        {
            var book = timeline.Books[s];
            var fills = fillsBySlot[s];
            var volume = Volume.Of(fills);
            lines[s] = new InstrumentSummary(
                index.Instruments[s].Id,
                index.Instruments[s].Symbol,
                book.Realized,
                book.Unrealized,
                book.LastMark,
                book.Position,
                book.Fees,
                book.Realized + book.Unrealized - book.Fees,
                volume.Base,
                volume.Quote,
                fills.Count,
                volume.MakerFills,
                Ratio(volume.MakerFills, fills.Count),
                volume.Quote == 0 ? null : volume.MakerQuote / volume.Quote,
                orders[s],
                Ratio(orders[s], fills.Count),
                new InventoryStats(
                    span == 0 ? 0m : book.AbsPositionArea / span,
                    book.MaxAbsPosition,
                    span == 0 ? 0m : book.PositionArea / span),
                book.MaxDrawdown,
                Markouts(index, fills, MarkoutHorizonsNs),
                refusals[s]);
        }

        var all = index.FillsInTimeOrder;
        var totalVolume = Volume.Of(all);
        decimal realized = lines.Sum(l => l.RealizedPnl), unrealized = lines.Sum(l => l.UnrealizedPnl), fees = lines.Sum(l => l.Fees);
        var markouts = Markouts(index, all, MarkoutHorizonsNs);
        var total = new TotalSummary(
            realized,
            unrealized,
            fees,
            realized + unrealized - fees,
            totalVolume.Quote,
            all.Length,
            totalVolume.MakerFills,
            Ratio(totalVolume.MakerFills, all.Length),
            totalVolume.Quote == 0 ? null : totalVolume.MakerQuote / totalVolume.Quote,
            result.Orders.Count,
            Ratio(result.Orders.Count, all.Length),
            timeline.MaxDrawdown,
            markouts,
            Markouts(index, all, MarkoutCurveHorizonsNs),
            result.Refusals.Count);

        var sharpe = Sharpe(index.StartNs, index.EndNs, timeline, notes);
        foreach (var m in markouts)
        {
            if (m.Excluded > 0)
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Markout {m.HorizonNs / (double)Second} s: {m.Excluded} of {all.Length} fills excluded (their horizon runs past the last mark)."));
        }

        var byRule = result.Refusals
            .GroupBy(r => r.Rule ?? "(none)", StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, int>(g.Key, g.Count()))
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .ToArray();

        var run = result.Run;
        return new BacktestSummary(
            run.Strategy, run.Parameters ?? [], index.StartNs, index.EndNs, run.Events, run.LatencyModel, run.QueueModel,
            lines, total, sharpe, byRule, notes);
    }

    private static decimal? Ratio(int numerator, int denominator) => denominator == 0 ? null : (decimal)numerator / denominator;

    private static MarkoutStat[] Markouts(ResultIndex index, IReadOnlyList<BacktestFill> fills, IReadOnlyList<long> horizons)
    {
        var stats = new MarkoutStat[horizons.Count];
        for (int h = 0; h < horizons.Count; h++)
        {
            long horizon = horizons[h];
            int count = 0, excluded = 0;
            decimal sumQuote = 0m, sumBp = 0m;
            foreach (var f in fills)
            {
                int slot = index.SlotOf(f.Instrument);
                long[] times = index.MarkTimes[slot];
                long at = f.TimeNs + horizon;
                if (times.Length == 0 || at > times[^1] || index.MidAt(slot, at) is not { } mid)
                {
                    excluded++;
                    continue;
                }
                decimal markout = (f.Side == OrderSide.Buy ? 1 : -1) * (mid - f.Price);
                sumQuote += markout;
                sumBp += markout * 10_000m / f.Price;
                count++;
            }
            stats[h] = new MarkoutStat(horizon, count, excluded, count == 0 ? null : sumQuote / count, count == 0 ? null : sumBp / count);
        }
        return stats;
    }

    private static SharpeStats Sharpe(long start, long end, EquityTimeline timeline, List<string> notes)
    {
        long span = end - start;
        string spanText = string.Create(CultureInfo.InvariantCulture, $"{span / (double)Hour:0.##} h");
        long period;
        string name;
        double periodsPerYear;
        if (span >= 2 * Day)
        {
            period = Day;
            name = "day";
            periodsPerYear = 365;
        }
        else if (span >= 2 * Hour)
        {
            period = Hour;
            name = "hour";
            periodsPerYear = 365 * 24;
            notes.Add($"Sharpe per hour (annualized × √8760): the run spans less than two days ({spanText}).");
        }
        else
        {
            notes.Add($"No Sharpe ratio: the run spans less than two hours ({spanText}).");
            return new SharpeStats("none", 0, 0m, null, null, null);
        }

        // Changes of the equity at the end of each period from the run's start; the last period may be partial and
        // takes every remaining sample.
        int periods = (int)((span + period - 1) / period);
        var changes = new decimal[periods];
        decimal previous = 0m, current = 0m;
        int i = 0;
        for (int k = 0; k < periods; k++)
        {
            long boundary = start + (k + 1) * period;
            bool last = k == periods - 1;
            while (i < timeline.Times.Length && (last || timeline.Times[i] < boundary))
                current = timeline.TotalEquity[i++];
            changes[k] = current - previous;
            previous = current;
        }
        if (span % period != 0)
            notes.Add($"Sharpe: {periods} {name}s from the run's start; the last one is partial.");

        decimal mean = changes.Sum() / periods;
        decimal squares = 0m;
        foreach (var c in changes)
            squares += (c - mean) * (c - mean);
        double stdev = Math.Sqrt((double)(squares / (periods - 1)));
        double? perPeriod = stdev > 0 ? (double)mean / stdev : null;
        return new SharpeStats(name, periods, mean, stdev, perPeriod, perPeriod * Math.Sqrt(periodsPerYear));
    }

    private readonly record struct Volume(decimal Base, decimal Quote, decimal MakerQuote, int MakerFills)
    {
        public static Volume Of(IEnumerable<BacktestFill> fills)
        {
            decimal baseQty = 0m, quote = 0m, makerQuote = 0m;
            int makers = 0;
            foreach (var f in fills)
            {
                decimal notional = f.Price * f.Qty;
                baseQty += f.Qty;
                quote += notional;
                if (f.IsMaker)
                {
                    makerQuote += notional;
                    makers++;
                }
            }
            return new Volume(baseQty, quote, makerQuote, makers);
        }
    }
}
