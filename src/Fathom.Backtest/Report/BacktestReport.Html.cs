using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Fathom.Core;

namespace Fathom.Backtest.Report;

public static partial class BacktestReport
{
    private static readonly Lazy<(string Js, string Css, string License)> ChartLibrary = new(LoadChartLibrary);

    /// <summary>
    /// Writes one self-contained HTML page to <paramref name="path"/> that opens offline: the summary tables, and
    /// charts of total equity, position, each instrument's mid with our buys and sells, and the markout curve, drawn
    /// by the uPlot library inlined into the page. Series longer than 5 000 points are downsampled (each bucket keeps
    /// its minimum and maximum). Every text from the result is escaped for HTML or JSON.
    /// </summary>
    /// <exception cref="ArgumentException">The result is malformed (the message names the row).</exception>
    public static void WriteHtml(BacktestResult result, BacktestSummary summary, string path)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string html = RenderHtml(result, summary);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        CsvText.WriteFile(path, html);
    }

    /// <summary>The page <see cref="WriteHtml"/> writes.</summary>
    public static string RenderHtml(BacktestResult result, BacktestSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var index = new ResultIndex(result);
        var timeline = new EquityTimeline(index);
        var (js, css, license) = ChartLibrary.Value;

        var sb = new StringBuilder(js.Length + css.Length + (1 << 16));
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<title>Fathom backtest: ").Append(H(summary.Strategy)).Append("</title>\n");
        sb.Append("<style>\n").Append(css).Append('\n').Append(PageCss).Append("</style>\n</head>\n<body>\n");
        sb.Append("<h1>Backtest: ").Append(H(summary.Strategy)).Append("</h1>\n");
        AppendSummaryTables(sb, summary);
        sb.Append("<h2>Charts</h2>\n");
        sb.Append("<div id=\"equity\" class=\"chart\"></div>\n<div id=\"position\" class=\"chart\"></div>\n<div id=\"prices\"></div>\n<div id=\"markout\" class=\"chart\"></div>\n");
        sb.Append("<p class=\"muted\">Charts drawn by uPlot (MIT licence, inlined below). Series over ")
            .Append(SeriesDownsampler.MaxPoints.ToString(CultureInfo.InvariantCulture))
            .Append(" points are downsampled, keeping each bucket's minimum and maximum; fills at the same instant show as one marker.</p>\n");
        sb.Append("<script type=\"application/json\" id=\"fathom-data\">").Append(ChartData(index, timeline, summary)).Append("</script>\n");
        sb.Append("<script>\n/*\n").Append(license.Replace("*/", "* /", StringComparison.Ordinal)).Append("\n*/\n").Append(js).Append("\n</script>\n");
        sb.Append("<script>\n").Append(PageJs).Append("</script>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static (string, string, string) LoadChartLibrary()
    {
        string js = Asset("uPlot.iife.min.js"), css = Asset("uPlot.min.css"), license = Asset("uPlot.LICENSE");
        // The library is pasted into the page as is: a closing tag inside it would end its element early.
        if (js.Contains("</script", StringComparison.OrdinalIgnoreCase) || css.Contains("</style", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException("The embedded chart library contains a closing </script> or </style> tag and cannot be inlined.");
        return (js.ReplaceLineEndings("\n"), css.ReplaceLineEndings("\n"), license.ReplaceLineEndings("\n").TrimEnd());
    }

    private static string Asset(string name)
    {
        using var stream = typeof(BacktestReport).Assembly.GetManifestResourceStream("Fathom.Backtest.Report.assets." + name)
            ?? throw new InvalidOperationException($"The report asset {name} is missing from {typeof(BacktestReport).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static string H(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    private static string Amount(decimal value) => Math.Round(value, 8, MidpointRounding.AwayFromZero).ToString("0.########", CultureInfo.InvariantCulture);

    private static string Amount(decimal? value) => value is { } v ? Amount(v) : "–";

    private static string Percent(decimal? ratio) =>
        ratio is { } r ? Math.Round(r * 100m, 2, MidpointRounding.AwayFromZero).ToString("0.##", CultureInfo.InvariantCulture) + " %" : "–";

    private static string Real(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "–";

    private static string Time(long ns) => Iso(ns) is { Length: > 0 } iso ? iso : CsvText.Num(ns);

    private static void AppendSummaryTables(StringBuilder sb, BacktestSummary s)
    {
        sb.Append("<h2>Run</h2>\n<table class=\"kv\">\n");
        Row(sb, "Strategy", H(s.Strategy));
        Row(sb, "Parameters", H(string.Join(", ", s.Parameters.Select(p => p.Key + "=" + p.Value))));
        Row(sb, "Window", H(Time(s.StartNs) + " → " + Time(s.EndNs)));
        Row(sb, "Events", H(CsvText.Num(s.Events)));
        Row(sb, "Latency model", H(s.LatencyModel));
        Row(sb, "Queue model", H(s.QueueModel));
        sb.Append("</table>\n");

        var t = s.Total;
        sb.Append("<h2>Total</h2>\n<table class=\"kv\">\n");
        Row(sb, "Net PnL", Amount(t.NetPnl));
        Row(sb, "Realized PnL (average cost, before fees)", Amount(t.RealizedPnl));
        Row(sb, "Unrealized PnL (last mark)", Amount(t.UnrealizedPnl));
        Row(sb, "Fees", Amount(t.Fees));
        Row(sb, "Quote volume", Amount(t.QuoteVolume));
        Row(sb, "Fills (maker)", H(string.Create(CultureInfo.InvariantCulture, $"{t.Fills} ({t.MakerFills})")));
        Row(sb, "Maker ratio (count / volume)", H(Percent(t.MakerRatioByCount) + " / " + Percent(t.MakerRatioByVolume)));
        Row(sb, "Orders; order-to-trade", H(string.Create(CultureInfo.InvariantCulture, $"{t.Orders}; {Amount(t.OrderToTradeRatio)}")));
        Row(sb, "Max drawdown", Amount(t.MaxDrawdown));
        if (s.Sharpe.Period == "none")
            Row(sb, "Sharpe", "– (the run is too short; see the notes)");
        else
            Row(sb, "Sharpe per " + H(s.Sharpe.Period) + " (annualized)", H(Real(s.Sharpe.PerPeriod) + " (" + Real(s.Sharpe.Annualized) + ")"));
        Row(sb, "Risk refusals", H(t.Refusals.ToString(CultureInfo.InvariantCulture)));
        sb.Append("</table>\n");

        sb.Append("<h2>Instruments</h2>\n<table>\n<tr><th>Symbol</th><th>Net PnL</th><th>Realized</th><th>Unrealized</th><th>Fees</th>"
            + "<th>Last mark</th><th>Position</th><th>Base vol.</th><th>Quote vol.</th><th>Fills</th><th>Maker (count)</th><th>Maker (volume)</th>"
            + "<th>Orders</th><th>Order/trade</th><th>Mean |pos|</th><th>Max |pos|</th><th>Mean pos</th><th>Max DD</th>"
            + "<th>Markout 1 s (bp)</th><th>10 s (bp)</th><th>60 s (bp)</th><th>Refusals</th></tr>\n");
        foreach (var i in s.Instruments)
        {
            sb.Append("<tr><td>").Append(H(i.Symbol)).Append("</td>");
            foreach (var cell in new[]
            {
                Amount(i.NetPnl), Amount(i.RealizedPnl), Amount(i.UnrealizedPnl), Amount(i.Fees), Amount(i.LastMark), Amount(i.FinalPosition),
                Amount(i.BaseVolume), Amount(i.QuoteVolume), CsvText.Num(i.Fills), Percent(i.MakerRatioByCount), Percent(i.MakerRatioByVolume),
                CsvText.Num(i.Orders), Amount(i.OrderToTradeRatio), Amount(i.Inventory.MeanAbsPosition), Amount(i.Inventory.MaxAbsPosition),
                Amount(i.Inventory.MeanPosition), Amount(i.MaxDrawdown),
                Amount(i.Markouts[0].MeanBp), Amount(i.Markouts[1].MeanBp), Amount(i.Markouts[2].MeanBp), CsvText.Num(i.Refusals),
            })
                sb.Append("<td class=\"n\">").Append(H(cell)).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</table>\n");

        sb.Append("<h2>Markouts (all fills)</h2>\n<table>\n<tr><th>Horizon (s)</th><th>Fills</th><th>Excluded</th><th>Mean (quote)</th><th>Mean (bp)</th></tr>\n");
        foreach (var m in t.MarkoutCurve)
        {
            sb.Append("<tr>");
            foreach (var cell in new[] { (m.HorizonNs / (decimal)Second).ToString("0.###", CultureInfo.InvariantCulture),
                         CsvText.Num(m.Fills), CsvText.Num(m.Excluded), Amount(m.MeanQuote), Amount(m.MeanBp) })
                sb.Append("<td class=\"n\">").Append(H(cell)).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</table>\n");

        if (s.RefusalsByRule.Count > 0)
        {
            sb.Append("<h2>Risk refusals by rule</h2>\n<table>\n<tr><th>Rule</th><th>Refusals</th></tr>\n");
            foreach (var kv in s.RefusalsByRule)
                sb.Append("<tr><td>").Append(H(kv.Key)).Append("</td><td class=\"n\">").Append(H(CsvText.Num(kv.Value))).Append("</td></tr>\n");
            sb.Append("</table>\n");
        }
        if (s.Notes.Count > 0)
        {
            sb.Append("<h2>Notes</h2>\n<ul>\n");
            foreach (var note in s.Notes)
                sb.Append("<li>").Append(H(note)).Append("</li>\n");
            sb.Append("</ul>\n");
        }
    }

    private static void Row(StringBuilder sb, string headerHtml, string valueHtml) =>
        sb.Append("<tr><th>").Append(headerHtml).Append("</th><td class=\"n\">").Append(valueHtml).Append("</td></tr>\n");

    private static double Seconds(long ns) => ns / 1e9;

    /// <summary>
    /// The charts' data as JSON for a <c>&lt;script type="application/json"&gt;</c> element: the default JavaScript
    /// encoder escapes &lt;, &gt;, &amp; and quotes, so no text from the result can close the element.
    /// </summary>
    private static string ChartData(ResultIndex index, EquityTimeline timeline, BacktestSummary summary)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.Default }))
        {
            w.WriteStartObject();
            var equityX = new List<double>(timeline.Times.Length + 1) { Seconds(index.StartNs) };
            var equityY = new List<double>(timeline.Times.Length + 1) { 0 };
            for (int i = 0; i < timeline.Times.Length; i++)
            {
                equityX.Add(Seconds(timeline.Times[i]));
                equityY.Add((double)timeline.TotalEquity[i]);
            }
            WriteSeries(w, "equity", equityX, equityY);

            w.WriteStartArray("instruments");
            for (int s = 0; s < index.Instruments.Count; s++)
            {
                w.WriteStartObject();
                w.WriteString("symbol", index.Instruments[s].Symbol ?? "");
                WriteSeries(w, "mid", [.. index.MarkTimes[s].Select(Seconds)], [.. index.MarkMids[s].Select(m => (double)m)]);

                var posX = new List<double> { Seconds(index.StartNs) };
                var posY = new List<double> { 0 };
                posX.AddRange(timeline.PositionTimes[s].Select(Seconds));
                posY.AddRange(timeline.Positions[s].Select(p => (double)p));
                posX.Add(Seconds(index.EndNs));
                posY.Add((double)timeline.Books[s].Position);
                WriteSeries(w, "position", posX, posY);

                int id = index.Instruments[s].Id;
                foreach (var side in new[] { OrderSide.Buy, OrderSide.Sell })
                {
                    var fills = index.FillsInTimeOrder.Where(f => f.Instrument == id && f.Side == side).ToArray();
                    WriteSeries(w, side == OrderSide.Buy ? "buys" : "sells", [.. fills.Select(f => Seconds(f.TimeNs))], [.. fills.Select(f => (double)f.Price)]);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartObject("markout");
            w.WriteStartArray("h");
            foreach (var m in summary.Total.MarkoutCurve)
                w.WriteNumberValue(Seconds(m.HorizonNs));
            w.WriteEndArray();
            w.WriteStartArray("bp");
            foreach (var m in summary.Total.MarkoutCurve)
            {
                if (m.MeanBp is { } bp)
                    w.WriteNumberValue((double)bp);
                else
                    w.WriteNullValue();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteSeries(Utf8JsonWriter w, string name, List<double> x, List<double> y)
    {
        var (xs, ys) = SeriesDownsampler.Reduce(x, y);
        w.WriteStartObject(name);
        w.WriteNumber("n", x.Count);
        w.WriteStartArray("x");
        foreach (var v in xs)
            w.WriteNumberValue(v);
        w.WriteEndArray();
        w.WriteStartArray("y");
        foreach (var v in ys)
            w.WriteNumberValue(v);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private const string PageCss = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #222; }
        table { border-collapse: collapse; margin: 8px 0 16px; }
        th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        table.kv th { font-weight: normal; color: #555; }
        .chart { margin: 12px 0 24px; }
        .muted { color: #777; font-size: 12px; }

        """;

    private const string PageJs = """
        (function () {
          "use strict";
          var D = JSON.parse(document.getElementById("fathom-data").textContent);
          var palette = ["#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
          function size() { return { width: Math.max(480, Math.min(1400, window.innerWidth - 60)), height: 300 }; }
          function table(s) { return [s.x, s.y]; }
          function plot(el, title, tables, series, xTime) {
            var data = tables.length === 1 ? tables[0] : uPlot.join(tables);
            var sz = size();
            var opts = { title: title, width: sz.width, height: sz.height, series: [{}].concat(series),
                         scales: { x: { time: xTime } } };
            if (!xTime) opts.axes = [{ label: "horizon (s)" }, { label: "mean markout (bp)" }];
            return new uPlot(opts, data, el);
          }
          function line(label, color) { return { label: label, stroke: color, width: 1.5, spanGaps: true, points: { show: false } }; }
          function dots(label, color) {
            return { label: label, stroke: color, fill: color, paths: function () { return null; },
                     points: { show: true, space: 0, size: 7, stroke: color, fill: color } };
          }
          plot(document.getElementById("equity"), "Equity (realized + unrealized \u2212 fees)", [table(D.equity)], [line("equity", "#1f77b4")], true);
          var stepped = uPlot.paths.stepped({ align: 1 });
          var posSeries = D.instruments.map(function (inst, i) {
            var s = line(inst.symbol, palette[i % palette.length]);
            s.paths = stepped;
            return s;
          });
          if (D.instruments.length > 0)
            plot(document.getElementById("position"), "Position (base)", D.instruments.map(function (inst) { return table(inst.position); }), posSeries, true);
          var prices = document.getElementById("prices");
          D.instruments.forEach(function (inst) {
            var el = document.createElement("div");
            el.className = "chart";
            prices.appendChild(el);
            var tables = [table(inst.mid)], series = [line("mid", "#555")];
            if (inst.buys.x.length > 0) { tables.push(table(inst.buys)); series.push(dots("buys", "#1a7f37")); }
            if (inst.sells.x.length > 0) { tables.push(table(inst.sells)); series.push(dots("sells", "#cf222e")); }
            plot(el, inst.symbol + ": mid and our fills", tables, series, true);
          });
          plot(document.getElementById("markout"), "Markout curve (all fills)", [[D.markout.h, D.markout.bp]], [{ label: "mean markout (bp)", stroke: "#9467bd", width: 1.5, spanGaps: true, points: { show: true, size: 6 } }], false);
        })();

        """;
}
