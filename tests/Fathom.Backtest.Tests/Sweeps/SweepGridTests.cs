using System.Text.Json.Nodes;
using Fathom.Backtest.Sweeps;
using Xunit;

namespace Fathom.Backtest.Tests.Sweeps;

public class SweepGridTests
{
    [Fact]
    public void Parse_TwoSettings_CartesianProductFirstSlowest()
    {
        var grid = SweepGrid.Parse(["strategy.halfSpreadTicks=1,2,3", "risk.maxPosition=0.01,0.02"]);

        Assert.Equal(new[] { "strategy.halfSpreadTicks", "risk.maxPosition" }, grid.Axes.Select(a => a.Path));
        Assert.Equal(
            new[] { "1|0.01", "1|0.02", "2|0.01", "2|0.02", "3|0.01", "3|0.02" },
            grid.Points.Select(p => string.Join('|', p.Settings.Select(s => s.Value))));
        Assert.Equal(Enumerable.Range(0, 6), grid.Points.Select(p => p.Index));
        Assert.Equal("strategy.halfSpreadTicks=2, risk.maxPosition=0.02", grid.Points[3].ToString());
    }

    [Fact]
    public void Parse_Values_NumbersAndBoolsAreLiteralsOthersStrings()
    {
        var values = SweepGrid.Parse(["a.b= 1 ,-2.5e3,true,false,fast,01,null"]).Axes[0].Values;

        Assert.Equal(new[] { "1", "-2.5e3", "true", "false", "fast", "01", "null" }, values.Select(v => v.Value));
        Assert.Equal(new[] { false, false, false, false, true, true, true }, values.Select(v => v.IsText));
    }

    [Theory]
    [InlineData("strategy.halfSpreadTicks", "has no '='")]
    [InlineData("=1,2", "has no path")]
    [InlineData("strategy..x=1", "empty key")]
    [InlineData(".x=1", "empty key")]
    [InlineData("x=", "has no values")]
    [InlineData("x=1,,2", "value 2 of 3 is empty")]
    [InlineData("x=1,2,1", "value '1' is given twice")]
    public void Parse_MalformedSetting_ErrorQuotesIt(string set, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => SweepGrid.Parse([set]));
        Assert.Contains(expected, error.Message);
        Assert.Contains(set, error.Message);
    }

    [Fact]
    public void Parse_DuplicateKey_Error()
    {
        var error = Assert.Throws<ArgumentException>(() => SweepGrid.Parse(["risk.maxPosition=1", "risk.maxPosition=2"]));
        Assert.Contains("'risk.maxPosition' is set twice", error.Message);
    }

    [Fact]
    public void Parse_KeyInsideAnotherSweptKey_Error()
    {
        var error = Assert.Throws<ArgumentException>(() => SweepGrid.Parse(["risk=1", "risk.maxPosition=2"]));
        Assert.Contains("overlap", error.Message);
    }

    [Fact]
    public void Parse_OverTenThousandPoints_Error()
    {
        string values = string.Join(',', Enumerable.Range(1, 22));
        var error = Assert.Throws<ArgumentException>(() => SweepGrid.Parse(["a=" + values, "b=" + values, "c=" + values]));
        Assert.Contains("22 × 22 × 22 points, more than 10000", error.Message);
    }

    [Fact]
    public void Parse_ExactlyTenThousandPoints_Accepted()
    {
        string values = string.Join(',', Enumerable.Range(1, 100));
        Assert.Equal(10_000, SweepGrid.Parse(["a=" + values, "b=" + values]).Points.Count);
    }

    [Fact]
    public void Apply_Point_SetsEachPathInACopy()
    {
        var config = JsonNode.Parse("""{"strategy":{"name":"mm","halfSpreadTicks":5},"risk":{"maxPosition":1}}""")!;
        var point = SweepGrid.Parse(["strategy.halfSpreadTicks=2", "risk.maxPosition=0.010", "strategy.mode=aggressive", "risk.hedge=true"]).Points[0];

        var applied = SweepGrid.Apply(config, point);

        Assert.Equal(
            """{"strategy":{"name":"mm","halfSpreadTicks":2,"mode":"aggressive"},"risk":{"maxPosition":0.010,"hedge":true}}""",
            applied.ToJsonString());
        Assert.Equal("""{"strategy":{"name":"mm","halfSpreadTicks":5},"risk":{"maxPosition":1}}""", config.ToJsonString());
    }

    [Fact]
    public void Apply_MissingIntermediateKey_ErrorNamesThePath()
    {
        var config = JsonNode.Parse("""{"strategy":{}}""")!;
        var point = SweepGrid.Parse(["risk.limits.maxPosition=1"]).Points[0];
        var error = Assert.Throws<ArgumentException>(() => SweepGrid.Apply(config, point));
        Assert.Contains("'risk.limits.maxPosition': 'risk' is not in the configuration", error.Message);
    }

    [Fact]
    public void Apply_IntermediateNotAnObject_ErrorNamesThePath()
    {
        var config = JsonNode.Parse("""{"strategy":{"halfSpreadTicks":3}}""")!;
        var point = SweepGrid.Parse(["strategy.halfSpreadTicks.x=1"]).Points[0];
        var error = Assert.Throws<ArgumentException>(() => SweepGrid.Apply(config, point));
        Assert.Contains("'strategy.halfSpreadTicks' is a JSON number, not an object", error.Message);
    }
}
