using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace Fathom.Backtest.Tests.Hosting;

/// <summary>
/// A user strategy registered the way a trading program registers it (<see cref="FathomHost.CreateBuilder"/> then
/// <see cref="FathomHostBuilder.AddStrategy{TStrategy}(string)"/>) runs in a backtest through the builder's catalog.
/// </summary>
public sealed class BacktestHostTests(ITestOutputHelper output)
{
    private static (FathomHostBuilder Builder, string Tag, JsonObject Config) Setup()
    {
        string tag = Guid.NewGuid().ToString("N");
        var builder = FathomHost.CreateBuilder(["--config", Path.Combine(Path.GetTempPath(), "absent-run-config.json")])
            .AddStrategy<TouchJoiner>("touch-joiner");
        JsonObject config = BacktestConfigs.MarketMaker();
        config["strategy"] = new JsonObject { ["name"] = "touch-joiner", ["tag"] = tag, ["qty"] = "0.001", ["maxPosition"] = "0.005", ["minRequoteMs"] = 500 };
        return (builder, tag, config);
    }

    [Fact]
    public void Backtester_StrategyFromTheHostBuildersCatalog_TradesOnTheRecordedDay()
    {
        var (builder, tag, config) = Setup();
        BacktestConfig parsed = BacktestConfigs.Parse(config, builder.Strategies);
        BacktestOutcome outcome = Backtester.Execute(parsed, BacktestHost.DefaultVenue, builder.Strategies);
        TouchJoinerCalls calls = TouchJoinerCalls.For(tag);
        BacktestResult result = outcome.Result;
        output.WriteLine($"touch-joiner: {calls.Starts} start, {calls.MarketData} market data, {calls.Quotes} quotes, {calls.OrderUpdates} order updates, "
            + $"{calls.Fills} fills ({result.Fills.Count} in the result), {calls.Stops} stop; strategy error: {outcome.StrategyError ?? "none"}");
        Assert.Null(outcome.StrategyError);
        Assert.Equal("touch-joiner", result.Run.Strategy);
        Assert.Equal(1, calls.Starts);
        Assert.True(calls.MarketData > 1000, $"only {calls.MarketData} market data callbacks over three minutes of the recording");
        Assert.True(calls.Quotes > 10, $"only {calls.Quotes} quotes");
        Assert.True(result.Fills.Count > 0, "the user strategy never filled");
        // Every fill the venue sent reached the strategy, and every one is in the result.
        Assert.Equal(result.Fills.Count, calls.Fills);
        Assert.Equal(outcome.VenueFills, calls.Fills);
    }

    [Fact]
    public void BacktestHostRun_WithTheBuildersStrategies_WritesTheUserStrategysReport()
    {
        var (builder, tag, config) = Setup();
        string dir = Directory.CreateTempSubdirectory("fathom-bthost-").FullName;
        string configPath = Path.Combine(dir, "bt.json");
        File.WriteAllText(configPath, config.ToJsonString());
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = BacktestHost.Run(["--config", configPath, "--out", Path.Combine(dir, "out")], builder.Strategies, stdout, stderr, CancellationToken.None);
        output.WriteLine(stdout.ToString());
        Assert.True(rc == 0, $"exit {rc}: {stderr}");
        Assert.Contains("touch-joiner:", stdout.ToString(), StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out", "summary.json")));
        string json = summary.RootElement.ToString();
        Assert.Contains("touch-joiner", json, StringComparison.Ordinal);
        Assert.True(TouchJoinerCalls.For(tag).Fills > 0, "the user strategy never filled");

        // Without the builder's catalog the name is unknown: the error says so.
        var err = new StringWriter();
        Assert.Equal(2, BacktestHost.Run(["--config", configPath], StrategyCatalog.CreateDefault(), new StringWriter(), err, CancellationToken.None));
        Assert.Contains("touch-joiner", err.ToString(), StringComparison.Ordinal);
    }
}
