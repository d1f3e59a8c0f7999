using Fathom.Core;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>The <c>fathom sim --fault-console</c> commands, each checked against the switch it must move.</summary>
public sealed class FaultConsoleTests
{
    private static (ExchangeSimulator Sim, FaultConsole Console) Create()
    {
        var config = SimulatorConfig.Demo();
        config.SeedLevels = 0;
        var sim = ExchangeSimulator.Create(config, new ManualTimeProvider());
        return (sim, new FaultConsole(sim));
    }

    [Fact]
    public void DelayCommands_SetTheDelayFaults_AndClearResetsThem()
    {
        var (sim, console) = Create();
        using var _ = sim;
        Assert.StartsWith("ok", console.Execute("venue-delay 250"));
        Assert.StartsWith("ok", console.Execute("request-delay 100"));
        Assert.StartsWith("ok", console.Execute("md-lag 300"));
        Assert.StartsWith("ok", console.Execute("ack-delay 40"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), sim.Faults.VenueDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(100), sim.Faults.RequestDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(300), sim.Faults.MarketDataLag);
        Assert.Equal(TimeSpan.FromMilliseconds(40), sim.Faults.AckDelay);
        string show = console.Execute("show");
        Assert.Contains("venue-delay 250 ms", show);
        Assert.Contains("md-lag 300 ms", show);

        Assert.StartsWith("ok", console.Execute("venue-delay 0"));
        Assert.Equal(TimeSpan.Zero, sim.Faults.VenueDelay);
        Assert.StartsWith("ok", console.Execute("clear"));
        Assert.Equal(TimeSpan.Zero, sim.Faults.RequestDelay);
        Assert.Equal(TimeSpan.Zero, sim.Faults.MarketDataLag);
        Assert.Equal(TimeSpan.Zero, sim.Faults.AckDelay);
    }

    [Fact]
    public async Task RevokeKeys_SignedRequestsRefusedAsAnUnknownKey_RestoreKeysGivesThemBack()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var console = new FaultConsole(h.Sim);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await h.SignedAsync(HttpMethod.Get, "/api/v3/account", "")).Status);

        Assert.StartsWith("ok: revoked", console.Execute("revoke-keys"));
        Assert.Equal("ok: revoked 0 API keys", console.Execute("revoke-keys")); // none left to revoke
        Reply refused = await h.SignedAsync(HttpMethod.Get, "/api/v3/account", "");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal(-2015, refused.Json.GetProperty("code").GetInt32());

        Assert.StartsWith("ok: restored", console.Execute("restore-keys"));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await h.SignedAsync(HttpMethod.Get, "/api/v3/account", "")).Status);
        Assert.Equal("ok: restored 0 API keys", console.Execute("restore-keys")); // nothing left to give back
    }

    [Fact]
    public async Task FailTime_NextServerTimeRequestsAnswer500_ThenTimeIsServedAgain_AndClearDropsWhatIsLeft()
    {
        await using var h = await SimulatorHarness.StartAsync();
        var console = new FaultConsole(h.Sim);
        Assert.StartsWith("ok", console.Execute("fail-time 2"));
        for (int i = 0; i < 2; i++)
        {
            Reply failed = await h.SendAsync(HttpMethod.Get, "/api/v3/time");
            Assert.Equal(System.Net.HttpStatusCode.InternalServerError, failed.Status);
            Assert.Equal(-1001, failed.Json.GetProperty("code").GetInt32());
        }
        Reply served = await h.SendAsync(HttpMethod.Get, "/api/v3/time");
        Assert.Equal(System.Net.HttpStatusCode.OK, served.Status);
        Assert.True(served.Json.GetProperty("serverTime").GetInt64() > 0);

        Assert.StartsWith("ok", console.Execute("fail-time 5"));
        Assert.StartsWith("ok", console.Execute("clear"));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await h.SendAsync(HttpMethod.Get, "/api/v3/time")).Status);
        Assert.StartsWith("error", console.Execute("fail-time x"));
    }

    [Theory]
    [InlineData("venue-delay")]
    [InlineData("venue-delay -5")]
    [InlineData("md-lag soon")]
    [InlineData("request-delay 1 2")]
    [InlineData("status BTCUSDT")]
    [InlineData("status BTCUSDT CLOSED")]
    [InlineData("status NOPEUSDT HALT")]
    [InlineData("halt NOPEUSDT")]
    [InlineData("silent maybe")]
    [InlineData("frobnicate")]
    public void MalformedCommands_AreRefusedWithTheHelp_AndChangeNothing(string line)
    {
        var (sim, console) = Create();
        using var _ = sim;
        string reply = console.Execute(line);
        Assert.StartsWith("error", reply);
        Assert.Contains(FaultConsole.Help, reply);
        Assert.Equal(TimeSpan.Zero, sim.Faults.VenueDelay);
        Assert.Equal(TimeSpan.Zero, sim.Faults.RequestDelay);
        Assert.Equal(TimeSpan.Zero, sim.Faults.MarketDataLag);
        Assert.All(sim.Engine.Books, b => Assert.Equal(SymbolStatus.Trading, sim.GetSymbolStatus(b.Name)));
    }

    [Fact]
    public void StatusCommands_ChangeTheSymbolStatus_AndBack()
    {
        var (sim, console) = Create();
        using var _ = sim;
        Assert.Equal("ok: BTCUSDT TRADING -> HALT", console.Execute("status BTCUSDT HALT"));
        Assert.Equal(SymbolStatus.Halt, sim.GetSymbolStatus("BTCUSDT"));
        Assert.Equal("ok: BTCUSDT HALT -> CANCEL_ONLY", console.Execute("status BTCUSDT cancel_only"));
        Assert.Equal(SymbolStatus.CancelOnly, sim.GetSymbolStatus("BTCUSDT"));
        Assert.StartsWith("ok", console.Execute("status BTCUSDT END_OF_DAY"));
        Assert.StartsWith("ok", console.Execute("status BTCUSDT BREAK"));
        Assert.Equal(SymbolStatus.Break, sim.GetSymbolStatus("BTCUSDT"));
        Assert.Contains("BTCUSDT BREAK", console.Execute("show"));
        Assert.StartsWith("ok", console.Execute("resume BTCUSDT"));
        Assert.Equal(SymbolStatus.Trading, sim.GetSymbolStatus("BTCUSDT"));
        Assert.StartsWith("ok", console.Execute("halt ETHUSDT"));
        Assert.Equal(SymbolStatus.Halt, sim.GetSymbolStatus("ETHUSDT"));
        Assert.Equal("ok: ETHUSDT HALT -> TRADING", console.Execute("status ETHUSDT TRADING"));
    }

    [Fact]
    public void FlowOffAndOn_PauseTheAgents_AndResumeAtTheSameInterval()
    {
        var (sim, console) = Create();
        using var _ = sim;
        Assert.StartsWith("error: no market flow", console.Execute("flow off"));
        Assert.StartsWith("error: no market flow", console.Execute("flow on"));
        Assert.StartsWith("ok", console.Execute("flow calm"));
        var flow = sim.Flow!;
        Assert.True(flow.IsRunning);
        Assert.Equal(TimeSpan.FromMilliseconds(20), flow.Interval);
        Assert.Equal("ok: flow off", console.Execute("flow off"));
        Assert.False(flow.IsRunning);
        Assert.Equal("ok: flow on", console.Execute("flow on"));
        Assert.True(flow.IsRunning);
        Assert.Equal(TimeSpan.FromMilliseconds(20), flow.Interval);
        Assert.StartsWith("ok", console.Execute("flow on")); // already running: nothing changes
        Assert.StartsWith("ok", console.Execute("flow trending"));
        Assert.Equal(FlowRegime.Trending, flow.Regime);
        Assert.StartsWith("error", console.Execute("flow sideways"));
    }

    [Fact]
    public void FlowOff_NoStepRunsUntilFlowOn()
    {
        var config = SimulatorConfig.Demo();
        var time = new ManualTimeProvider();
        using var sim = ExchangeSimulator.Create(config, time);
        var console = new FaultConsole(sim);
        Assert.StartsWith("ok", console.Execute("flow calm"));
        time.Advance(TimeSpan.FromMilliseconds(100));
        long steps = sim.Flow!.Steps;
        Assert.True(steps > 0);
        Assert.StartsWith("ok", console.Execute("flow off"));
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(steps, sim.Flow.Steps);
        Assert.StartsWith("ok", console.Execute("flow on"));
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(sim.Flow.Steps > steps);
    }

    [Fact]
    public void Help_ListsEveryCommand_AndRunReadsOneCommandALine()
    {
        foreach (string command in (string[])["drop-depth", "dup-depth", "reorder-depth", "silent", "md-lag", "disconnect", "disconnect-api", "shutdown",
            "venue-delay", "request-delay", "ack-delay", "drop-acks", "unknown", "timeout", "429", "fail-time", "skew", "status SYMBOL", "halt", "resume", "flow", "show", "clear"])
            Assert.Contains(command, FaultConsole.Help);

        var (sim, console) = Create();
        using var _ = sim;
        var output = new StringWriter();
        console.Run(new StringReader("venue-delay 10\n\nskew -1500\nhelp\n"), output, CancellationToken.None);
        Assert.Equal(TimeSpan.FromMilliseconds(10), sim.Faults.VenueDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(-1500), sim.Clock.Skew);
        string text = output.ToString();
        Assert.Contains("ok: venue-delay 10", text);
        Assert.Contains("ok: skew -1500", text);
        Assert.Contains(FaultConsole.Help, text);
    }
}
