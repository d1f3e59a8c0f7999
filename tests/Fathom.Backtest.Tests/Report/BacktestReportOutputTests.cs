using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fathom.Backtest.Report;
using Fathom.Core;
using Xunit;
using static Fathom.Backtest.Tests.Report.Scenario;

namespace Fathom.Backtest.Tests.Report;

/// <summary>The HTML page, the CSV files and summary.json written from hand-built results.</summary>
public sealed class BacktestReportOutputTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fathom-btreport-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private static string ChartLibrary()
    {
        using var stream = typeof(BacktestReport).Assembly.GetManifestResourceStream("Fathom.Backtest.Report.assets.uPlot.iife.min.js")!;
        return new StreamReader(stream).ReadToEnd().ReplaceLineEndings("\n");
    }

    private string Html(BacktestResult result)
    {
        string path = Path.Combine(_dir, "report.html");
        BacktestReport.WriteHtml(result, BacktestReport.Summarize(result), path);
        return File.ReadAllText(path);
    }

    [Fact]
    public void WriteHtml_InlinesTheChartLibrary()
    {
        string html = Html(OneInstrument());
        string library = ChartLibrary();
        Assert.True(library.Length > 10_000, "the embedded uPlot build is missing or truncated");
        Assert.Contains(library, html);
        Assert.Contains("new uPlot(", html);
    }

    [Fact]
    public void WriteHtml_LoadsNothingFromTheNetwork()
    {
        string html = Html(OneInstrument());
        Assert.DoesNotMatch(new Regex(@"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(http", html);
    }

    [Fact]
    public void WriteHtml_EmbedsTheChartDataAndSummary()
    {
        string html = Html(OneInstrument());
        var match = Regex.Match(html, "<script type=\"application/json\" id=\"fathom-data\">(.*?)</script>", RegexOptions.Singleline);
        Assert.True(match.Success, "the chart data element is missing");
        using var data = JsonDocument.Parse(match.Groups[1].Value);
        var btc = data.RootElement.GetProperty("instruments")[0];
        Assert.Equal("BTCUSDT", btc.GetProperty("symbol").GetString());
        Assert.Equal(new double[] { 100, 100.5, 101, 100, 99, 102 }, btc.GetProperty("mid").GetProperty("y").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(new[] { 100.0 }, btc.GetProperty("buys").GetProperty("y").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(new[] { 101.0, 100.0 }, btc.GetProperty("sells").GetProperty("y").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(-3.29, data.RootElement.GetProperty("equity").GetProperty("y").EnumerateArray().Last().GetDouble());
        Assert.Equal(9, data.RootElement.GetProperty("markout").GetProperty("h").GetArrayLength());
        Assert.Contains("-3.29", html); // net PnL in the summary table
    }

    [Fact]
    public void WriteHtml_SymbolStrategyAndParametersWithMarkup_AreEscaped()
    {
        const string Evil = "X</script><script>alert(1)</script>";
        var one = OneInstrument(strategy: "<b>mm & \"co\"</b>");
        var result = one with
        {
            Instruments = [Btc with { Symbol = Evil }],
            Run = one.Run with { Parameters = [new("k<i>", "<img src=x onerror=alert(1)>")] },
        };
        string html = Html(result);

        Assert.DoesNotContain(Evil, html);
        Assert.DoesNotContain("<b>mm", html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("k<i>", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
        // Only the page's own three script elements close.
        Assert.Equal(3, Regex.Matches(html, "</script", RegexOptions.IgnoreCase).Count);
        Assert.Contains("X&lt;/script&gt;", html); // in the table
        Assert.Contains("X\\u003C/script\\u003E", html); // in the chart data
    }

    [Fact]
    public void WriteHtml_LongSeries_DownsampledButKeepsExtremes()
    {
        var marks = new List<MarkSample>();
        for (int i = 0; i < 50_000; i++)
            marks.Add(new MarkSample(T0 + i * 100_000_000L, 0, i == 31_337 ? 150m : i == 40_000 ? 50m : 100m + (i % 7) / 10m));
        var result = OneInstrument() with { Marks = marks, Run = Run(5000) };
        string html = Html(result);

        var match = Regex.Match(html, "id=\"fathom-data\">(.*?)</script>", RegexOptions.Singleline);
        using var data = JsonDocument.Parse(match.Groups[1].Value);
        var mid = data.RootElement.GetProperty("instruments")[0].GetProperty("mid");
        var ys = mid.GetProperty("y").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.InRange(ys.Count, 2, 5000);
        Assert.Equal(50_000, mid.GetProperty("n").GetInt32());
        Assert.Contains(150.0, ys);
        Assert.Contains(50.0, ys);
    }

    [Fact]
    public void WriteCsv_FieldWithCommaQuoteAndNewline_RoundTrips()
    {
        const string Id = "cl,\"odd\" id";
        const string Reason = "rejected: \"price\",\nout of band";
        var result = OneInstrument() with
        {
            Fills = [Fill(0, OrderSide.Buy, 100m, 1m, -0.01m, maker: true, Id)],
            Orders = [Order(Id, OrderSide.Buy, 100m, 1m, BacktestOrderOutcome.Rejected, reason: Reason)],
        };
        BacktestReport.WriteCsv(result, BacktestReport.Summarize(result), _dir);

        var fills = ParseCsv(File.ReadAllText(Path.Combine(_dir, "fills.csv")));
        Assert.Equal(new[] { "time_ns", "time_utc", "instrument", "symbol", "client_order_id", "side", "price", "qty", "fee", "liquidity" }, fills[0]);
        Assert.Equal(2, fills.Count);
        Assert.Equal(new[] { T0.ToString(System.Globalization.CultureInfo.InvariantCulture), "2026-01-01T00:00:00.000000000Z", "0", "BTCUSDT", Id, "buy", "100", "1", "-0.01", "maker" }, fills[1]);

        var orders = ParseCsv(File.ReadAllText(Path.Combine(_dir, "orders.csv")));
        Assert.Equal(Id, orders[1][0]);
        Assert.Equal("rejected", orders[1][10]);
        Assert.Equal(Reason, orders[1][12]);
    }

    [Fact]
    public void WriteCsv_SummaryJson_CarriesTheFigures()
    {
        var result = OneInstrument();
        BacktestReport.WriteCsv(result, BacktestReport.Summarize(result), _dir);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "summary.json")));
        var total = json.RootElement.GetProperty("total");
        Assert.Equal(-3.29m, total.GetProperty("netPnl").GetDecimal());
        Assert.Equal(6m, total.GetProperty("maxDrawdown").GetDecimal());
        Assert.Equal("mm", json.RootElement.GetProperty("strategy").GetString());
    }

    [Fact]
    public void WriteCsv_MalformedResult_WritesNothing()
    {
        var good = OneInstrument();
        var bad = good with { Marks = [Mark(0, -1m)] };
        Assert.Throws<ArgumentException>(() => BacktestReport.WriteCsv(bad, BacktestReport.Summarize(good), _dir));
        Assert.False(Directory.Exists(_dir));
    }

    [Fact]
    public void Report_SameResultTwice_ByteIdenticalFiles()
    {
        string a = Path.Combine(_dir, "a"), b = Path.Combine(_dir, "b");
        foreach (var dir in new[] { a, b })
        {
            var result = TwoInstruments();
            var summary = BacktestReport.Summarize(result);
            BacktestReport.WriteCsv(result, summary, dir);
            BacktestReport.WriteHtml(result, summary, Path.Combine(dir, "report.html"));
        }
        foreach (var file in new[] { "fills.csv", "orders.csv", "summary.json", "report.html" })
        {
            byte[] first = File.ReadAllBytes(Path.Combine(a, file));
            Assert.True(first.Length > 100, file + " is empty");
            Assert.Equal(first, File.ReadAllBytes(Path.Combine(b, file)));
        }
    }

    /// <summary>An RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks; rows end with CRLF.</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                    quoted = false;
                else
                    field.Append(c);
            }
            else if (c == '"')
                quoted = true;
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
                i++;
            }
            else
                field.Append(c);
        }
        Assert.Empty(row);
        Assert.Equal(0, field.Length);
        return rows;
    }
}
