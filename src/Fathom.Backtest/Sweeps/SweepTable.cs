using System.Globalization;
using System.Text;
using Fathom.Backtest.Report;

namespace Fathom.Backtest.Sweeps;

/// <summary>
/// The comparison of a sweep's points: one row per point in grid order with its swept values, net PnL, fees, fills,
/// maker ratio (by count), max drawdown, Sharpe (per period of the summary) and 10 s markout in bp. The best net PnL
/// is marked with <c>*</c>; a failed point shows its error. <see cref="Render"/> gives aligned plain text,
/// <see cref="WriteCsv"/> a CSV file with the exact figures.
/// </summary>
public static class SweepTable
{
    private const long TenSeconds = 10_000_000_000L;

    /// <summary>The table as plain text (LF line ends), for a console.</summary>
    public static string Render(IReadOnlyList<SweepOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var paths = Paths(outcomes);
        int best = BestIndex(outcomes);
        var header = new List<string> { "#" };
        header.AddRange(paths);
        header.AddRange(["net pnl", "fees", "fills", "maker %", "max dd", "sharpe", "mo 10s bp", ""]);
        int metricsFrom = 1 + paths.Count;

        var rows = new List<string[]> { header.ToArray() };
        for (int r = 0; r < outcomes.Count; r++)
        {
            var o = outcomes[r];
            var row = new List<string> { (r == best ? "*" : "") + o.Point.Index.ToString(CultureInfo.InvariantCulture) };
            row.AddRange(paths.Select(p => o.Point.Find(p)?.Value ?? ""));
            if (o.Summary is { } s && o.Error is null)
            {
                var t = s.Total;
                row.AddRange([
                    Fixed(t.NetPnl), Fixed(t.Fees), t.Fills.ToString(CultureInfo.InvariantCulture),
                    t.MakerRatioByCount is { } m ? (m * 100m).ToString("0.0", CultureInfo.InvariantCulture) : "–",
                    Fixed(t.MaxDrawdown), Sharpe(s.Sharpe), Bp(Markout10s(t)), "",
                ]);
            }
            else
            {
                row.AddRange(["", "", "", "", "", "", "", "error: " + OneLine(o.Error ?? "no summary")]);
            }
            rows.Add([.. row]);
        }

        int columns = header.Count;
        var widths = new int[columns];
        foreach (var row in rows)
        {
            for (int c = 0; c < columns - 1; c++)
                widths[c] = Math.Max(widths[c], row[c].Length);
        }
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            var line = new StringBuilder();
            for (int c = 0; c < columns - 1; c++)
            {
                if (c > 0)
                    line.Append("  ");
                // Swept values read left-aligned, figures right-aligned.
                bool left = c >= 1 && c < metricsFrom;
                line.Append(left ? row[c].PadRight(widths[c]) : row[c].PadLeft(widths[c]));
            }
            if (row[^1].Length > 0)
                line.Append("  ").Append(row[^1]);
            sb.Append(line.ToString().TrimEnd()).Append('\n');
        }
        int failed = outcomes.Count(o => !o.Succeeded);
        sb.Append(best >= 0 ? "* best net PnL" : "no point succeeded");
        if (failed > 0)
            sb.Append(CultureInfo.InvariantCulture, $"; {failed} of {outcomes.Count} points failed");
        string period = outcomes.FirstOrDefault(o => o.Succeeded)?.Summary!.Sharpe.Period ?? "none";
        sb.Append(period == "none" ? "; no sharpe (run under two hours)" : "; sharpe per " + period).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// Writes the table as CSV (header row, RFC 4180 quoting, invariant culture, exact decimals) to
    /// <paramref name="path"/>: index, the swept values, status, net/realized/unrealized PnL, fees, fills, maker ratios,
    /// order-to-trade ratio, max drawdown, Sharpe (period, per period, annualized), markouts 1/10/60 s in bp, error.
    /// </summary>
    public static void WriteCsv(IReadOnlyList<SweepOutcome> outcomes, string path)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var paths = Paths(outcomes);
        var sb = new StringBuilder();
        var header = new List<string> { "index" };
        header.AddRange(paths);
        header.AddRange(["status", "net_pnl", "realized_pnl", "unrealized_pnl", "fees", "fills", "maker_ratio_count", "maker_ratio_volume",
            "order_to_trade", "max_drawdown", "sharpe_period", "sharpe", "sharpe_annualized", "markout_1s_bp", "markout_10s_bp", "markout_60s_bp", "error"]);
        CsvText.AppendRow(sb, [.. header]);
        foreach (var o in outcomes)
        {
            var row = new List<string?> { o.Point.Index.ToString(CultureInfo.InvariantCulture) };
            row.AddRange(paths.Select(p => o.Point.Find(p)?.Value ?? ""));
            if (o.Summary is { } s && o.Error is null)
            {
                var t = s.Total;
                row.AddRange([
                    "ok", CsvText.Num(t.NetPnl), CsvText.Num(t.RealizedPnl), CsvText.Num(t.UnrealizedPnl), CsvText.Num(t.Fees),
                    CsvText.Num(t.Fills), CsvText.Num(t.MakerRatioByCount), CsvText.Num(t.MakerRatioByVolume), CsvText.Num(t.OrderToTradeRatio),
                    CsvText.Num(t.MaxDrawdown), s.Sharpe.Period, CsvText.Num(s.Sharpe.PerPeriod), CsvText.Num(s.Sharpe.Annualized),
                    .. t.Markouts.Take(3).Select(m => CsvText.Num(m.MeanBp)), "",
                ]);
            }
            else
            {
                row.Add("failed");
                row.AddRange(Enumerable.Repeat("", 15));
                row.Add(o.Error ?? "no summary");
            }
            CsvText.AppendRow(sb, [.. row]);
        }
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        CsvText.WriteFile(path, sb.ToString());
    }

    /// <summary>The swept paths in order of first appearance (every point of one grid has the same).</summary>
    private static List<string> Paths(IReadOnlyList<SweepOutcome> outcomes)
    {
        var paths = new List<string>();
        foreach (var o in outcomes)
        {
            foreach (var s in o.Point.Settings)
            {
                if (!paths.Contains(s.Path))
                    paths.Add(s.Path);
            }
        }
        return paths;
    }

    /// <summary>The row of the highest net PnL among the points that succeeded (the first on a tie), or -1.</summary>
    private static int BestIndex(IReadOnlyList<SweepOutcome> outcomes)
    {
        int best = -1;
        for (int i = 0; i < outcomes.Count; i++)
        {
            if (outcomes[i].Succeeded && (best < 0 || outcomes[i].Summary!.Total.NetPnl > outcomes[best].Summary!.Total.NetPnl))
                best = i;
        }
        return best;
    }

    private static decimal? Markout10s(TotalSummary t) => t.Markouts.FirstOrDefault(m => m.HorizonNs == TenSeconds)?.MeanBp;

    private static string Fixed(decimal value) => Math.Round(value, 6, MidpointRounding.AwayFromZero).ToString("0.######", CultureInfo.InvariantCulture);

    private static string Bp(decimal? value) => value is { } v ? Math.Round(v, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture) : "–";

    private static string Sharpe(SharpeStats s) => s.PerPeriod is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
