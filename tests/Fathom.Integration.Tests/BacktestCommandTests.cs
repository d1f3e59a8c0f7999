using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Backtest;
using Fathom.Cli;
using Fathom.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Fathom.Integration.Tests;

/// <summary><c>fathom backtest</c> through the real command line, in process (<see cref="Program.BuildRoot"/>, as <c>Main</c>).</summary>
public sealed class BacktestCommandTests(ITestOutputHelper output)
{
    /// <summary>The market maker on the first three minutes of the recorded day (data path absolute).</summary>
    private static string WriteConfig(string dir)
    {
        var config = new JsonObject
        {
            ["strategy"] = new JsonObject { ["name"] = "market-maker", ["halfSpreadTicks"] = 1, ["quoteQty"] = "0.001", ["maxPosition"] = "0.01" },
            ["instruments"] = new JsonArray(new JsonObject
            {
                ["symbol"] = "BTCUSDT", ["baseAsset"] = "BTC", ["quoteAsset"] = "USDT",
                ["tickSize"] = "0.01", ["stepSize"] = "0.00001", ["minNotional"] = "5",
                ["makerFee"] = "0.0001", ["takerFee"] = "0.0004",
                ["limits"] = new JsonObject { ["maxPosition"] = "0.05", ["maxOrderQty"] = "0.01", ["maxOrderNotional"] = "1000" },
            }),
            ["risk"] = new JsonObject { ["maxTotalNotional"] = "100000", ["markoutLossLimit"] = "1000", ["maxDailyLoss"] = "1000" },
            ["data"] = new JsonArray(new JsonObject { ["kind"] = "hftbacktest", ["files"] = new JsonArray(SharedData.BinanceSpotDays[0]) }),
            ["end"] = "2024-08-08T23:57:00Z",
        };
        string path = Path.Combine(dir, "bt.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private static async Task<(int Rc, string Out, string Err)> InvokeAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = await Program.BuildRoot(stdout, stderr).Parse(args).InvokeAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (rc, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Backtest_WithOut_WritesReportFilesWhoseFillCountsMatchResultJson()
    {
        string dir = Directory.CreateTempSubdirectory("fathom-btcli-").FullName;
        string outDir = Path.Combine(dir, "out");
        var (rc, stdout, stderr) = await InvokeAsync("backtest", "--config", WriteConfig(dir), "--out", outDir);
        output.WriteLine(stdout);
        Assert.True(rc == 0, $"exit {rc}: {stderr}");
        foreach (string file in new[] { "report.html", "fills.csv", "orders.csv", "summary.json", "result.json" })
            Assert.True(new FileInfo(Path.Combine(outDir, file)).Length > 0, $"{file} is missing or empty");

        BacktestResult result = BacktestResultJson.Deserialize(File.ReadAllBytes(Path.Combine(outDir, "result.json")));
        int fills = result.Fills.Count;
        Assert.True(fills > 0, "the backtest filled nothing: the comparison below would be vacuous");
        string[] fillRows = File.ReadAllLines(Path.Combine(outDir, "fills.csv"));
        Assert.Equal(fills, fillRows.Length - 1); // the header row, then one row per fill
        string[] orderRows = File.ReadAllLines(Path.Combine(outDir, "orders.csv"));
        Assert.Equal(result.Orders.Count, orderRows.Length - 1);
        using var summary = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "summary.json")));
        Assert.Equal(fills, summary.RootElement.GetProperty("total").GetProperty("fills").GetInt32());
        Assert.Contains($"{fills:N0} fills", stdout, StringComparison.Ordinal);
        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        output.WriteLine($"result.json {fills} fills, {result.Orders.Count} orders; fills.csv {fillRows.Length - 1} rows; orders.csv {orderRows.Length - 1} rows");
    }

    [Fact]
    public async Task Backtest_SetSweep_PrintsOneTableRowPerValue()
    {
        string dir = Directory.CreateTempSubdirectory("fathom-btcli-").FullName;
        var (rc, stdout, stderr) = await InvokeAsync("backtest", "--config", WriteConfig(dir), "--set", "strategy.halfSpreadTicks=1,2", "--parallel", "2");
        output.WriteLine(stdout);
        Assert.True(rc == 0, $"exit {rc}: {stderr}");
        Assert.Contains("2 points", stdout, StringComparison.Ordinal);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int header = Array.FindIndex(lines, l => l.Contains("net pnl", StringComparison.Ordinal));
        Assert.True(header >= 0, "no table header");
        Assert.Contains("halfSpreadTicks", lines[header], StringComparison.Ordinal);
        // Rows: the point's index (the best marked '*'), then its halfSpreadTicks value.
        var rows = lines.Skip(header + 1).Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s*\*?\d+\s")).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Matches(@"^\s*\*?0\s+1\s", rows[0]);
        Assert.Matches(@"^\s*\*?1\s+2\s", rows[1]);
        Assert.DoesNotContain("error:", string.Join('\n', rows), StringComparison.Ordinal);
    }
}
