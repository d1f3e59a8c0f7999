using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fathom.Cli;

/// <summary>One row of <c>fathom bench</c>'s table: what is claimed, what this machine measured, and whether it holds.</summary>
internal readonly record struct BenchRow(string Target, string Figure, bool? Met);

/// <summary>
/// Turns the benchmarks' own outputs into <c>fathom bench</c>'s table, so the targets printed beside the figures
/// come from one place (issue 20): BenchmarkDotNet's JSON report (mean ns per operation by method) and the latency
/// harness's <c>RESULT k=v ...</c> line. Pure: no processes, no files.
/// </summary>
internal static class BenchReport
{
    public const double BookTargetNs = 5;
    public const double BookTargetRatio = 60;
    public const double ParseTargetNsPerByte = 1;
    public const double TickToOrderP50TargetNs = 1_000;
    public const double TickToOrderP999TargetNs = 20_000;

    /// <summary>Method name → mean in ns per operation, from a BenchmarkDotNet JSON report (brief or full).</summary>
    public static Dictionary<string, double> Means(string json)
    {
        var means = new Dictionary<string, double>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(json);
        foreach (JsonElement b in doc.RootElement.GetProperty("Benchmarks").EnumerateArray())
        {
            if (b.TryGetProperty("Method", out var method) && b.TryGetProperty("Statistics", out var stats)
                && stats.ValueKind == JsonValueKind.Object && stats.TryGetProperty("Mean", out var mean))
                means[method.GetString()!] = mean.GetDouble();
        }
        return means;
    }

    /// <summary>The harness's <c>RESULT k=v ...</c> line as a map; empty when there is none.</summary>
    public static Dictionary<string, double> HarnessResult(string output)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        string? line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (line is null)
            return result;
        foreach (string pair in line["RESULT ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && double.TryParse(pair[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                result[pair[..eq]] = v;
        }
        return result;
    }

    /// <summary>The rows for whatever was measured; a figure that is missing reads "not measured" and is not met.</summary>
    public static List<BenchRow> Rows(IReadOnlyDictionary<string, double> means, IReadOnlyDictionary<string, double> harness)
    {
        var ci = CultureInfo.InvariantCulture;
        var rows = new List<BenchRow>();
        if (means.TryGetValue("FathomOrderBook", out double book))
            rows.Add(new BenchRow($"book: ≤ {BookTargetNs} ns per level update", string.Create(ci, $"{book:F2} ns"), book <= BookTargetNs));
        else
            rows.Add(new BenchRow($"book: ≤ {BookTargetNs} ns per level update", "not measured", false));
        if (means.TryGetValue("FathomOrderBook", out book) && means.TryGetValue("SortedDictionary", out double dict) && book > 0)
            rows.Add(new BenchRow($"book: ≥ {BookTargetRatio}× SortedDictionary (same run)", string.Create(ci, $"{dict / book:F1}× ({dict:F1} ns / {book:F2} ns)"),
                dict / book >= BookTargetRatio));
        else
            rows.Add(new BenchRow($"book: ≥ {BookTargetRatio}× SortedDictionary (same run)", "not measured", false));
        if (means.TryGetValue("DepthPerByte", out double perByte))
            rows.Add(new BenchRow($"parse + apply: ≤ {ParseTargetNsPerByte} ns per input byte", string.Create(ci, $"{perByte:F3} ns/byte"), perByte <= ParseTargetNsPerByte));
        else
            rows.Add(new BenchRow($"parse + apply: ≤ {ParseTargetNsPerByte} ns per input byte", "not measured", false));
        bool enough = harness.TryGetValue("tick_to_order_n", out double n);
        if (enough && harness.TryGetValue("tick_to_order_p50_ns", out double p50) && n >= 10)
            rows.Add(new BenchRow("tick-to-order p50 ≤ 1 µs (harness)", string.Create(ci, $"{p50 / 1e3:F2} µs (n={n:F0})"), p50 <= TickToOrderP50TargetNs));
        else
            rows.Add(new BenchRow("tick-to-order p50 ≤ 1 µs (harness)", enough ? string.Create(ci, $"n/a (n={n:F0})") : "not measured", false));
        if (enough && harness.TryGetValue("tick_to_order_p999_ns", out double p999) && n >= 1000)
            rows.Add(new BenchRow("tick-to-order p99.9 ≤ 20 µs (harness)", string.Create(ci, $"{p999 / 1e3:F2} µs (n={n:F0})"), p999 <= TickToOrderP999TargetNs));
        else
            rows.Add(new BenchRow("tick-to-order p99.9 ≤ 20 µs (harness)", enough ? string.Create(ci, $"n/a (n={n:F0})") : "not measured", false));
        if (harness.TryGetValue("ratio_p50", out double r50) && harness.TryGetValue("floor_p50_ns", out double f50))
        {
            string r999 = harness.TryGetValue("ratio_p999", out double r) && n >= 1000 ? string.Create(ci, $"{r:F1}×") : "n/a";
            rows.Add(new BenchRow("tick-to-order / floor (parse + book only, same frames, same run)",
                string.Create(ci, $"p50 {r50:F1}× (floor {f50 / 1e3:F2} µs), p99.9 {r999}"), null));
        }
        // The machine's own stalls (seen while the harness only spun): a p99.9 under 20 µs needs them rare.
        if (harness.TryGetValue("stalls20_per_s", out double stalls))
            rows.Add(new BenchRow("machine stalls ≥ 20 µs while the harness spun idle", string.Create(ci, $"{stalls:F0} per second"), null));
        return rows;
    }

    /// <summary>The table as plain text: target, figure, met? (yes / NO / "-" for a figure without a target).</summary>
    public static string Table(IReadOnlyList<BenchRow> rows)
    {
        int t = Math.Max("target".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Target.Length));
        int f = Math.Max("figure".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Figure.Length));
        var sb = new StringBuilder();
        sb.Append("target".PadRight(t)).Append(" | ").Append("figure".PadRight(f)).Append(" | met?\n");
        sb.Append(new string('-', t)).Append("-|-").Append(new string('-', f)).Append("-|-----\n");
        foreach (BenchRow r in rows)
            sb.Append(r.Target.PadRight(t)).Append(" | ").Append(r.Figure.PadRight(f)).Append(" | ")
              .Append(r.Met switch { true => "yes", false => "NO", null => "-" }).Append('\n');
        return sb.ToString();
    }
}
