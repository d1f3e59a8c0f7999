using Fathom.Backtest.Sweeps;
using Xunit;

namespace Fathom.Backtest.Tests.Sweeps;

public sealed class SweepTableTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fathom-sweeptable-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Net PnL 2, 0.5 and a failure (its message has a comma, a quote and a line break).</summary>
    private static IReadOnlyList<SweepOutcome> Outcomes()
    {
        var grid = SweepGrid.Parse(["strategy.price=99,100.5,bad", "risk.maxPosition=0.01"]);
        return SweepRunner.Run(grid.Points, (point, _) =>
            point.Settings[0].Value == "bad"
                ? throw new FormatException("price \"bad\",\nnot a number")
                : SweepRunnerTests.FakeRun(point, decimal.Parse(point.Settings[0].Value, System.Globalization.CultureInfo.InvariantCulture)),
            maxParallelism: 3, CancellationToken.None);
    }

    [Fact]
    public void Render_ThreePoints_OneRowEachInGridOrderBestMarked()
    {
        string[] lines = SweepTable.Render(Outcomes()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains("strategy.price", lines[0]);
        Assert.Contains("risk.maxPosition", lines[0]);
        Assert.Contains("net pnl", lines[0]);
        Assert.Contains("mo 10s bp", lines[0]);
        Assert.StartsWith("*0", lines[1].TrimStart());
        Assert.Contains("99", lines[1]);
        Assert.Contains(" 2 ", lines[1] + " ");
        Assert.StartsWith("1", lines[2].TrimStart());
        Assert.Contains("0.5", lines[2]);
        Assert.StartsWith("2", lines[3].TrimStart());
        Assert.Contains("error: FormatException: price \"bad\", not a number", lines[3]);
        Assert.Contains("1 of 3 points failed", lines[4]);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public void WriteCsv_ThreePoints_ExactFiguresAndQuotedError()
    {
        string path = Path.Combine(_dir, "sweep.csv");
        SweepTable.WriteCsv(Outcomes(), path);
        string text = File.ReadAllText(path);
        string[] rows = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.StartsWith("index,strategy.price,risk.maxPosition,status,net_pnl,", rows[0]);
        Assert.StartsWith("0,99,0.01,ok,2,", rows[1]);
        Assert.StartsWith("1,100.5,0.01,ok,0.5,", rows[2]);
        Assert.StartsWith("2,bad,0.01,failed,", text.Split("\r\n")[3]);
        Assert.EndsWith(",\"FormatException: price \"\"bad\"\",\nnot a number\"\r\n", text);
    }
}
