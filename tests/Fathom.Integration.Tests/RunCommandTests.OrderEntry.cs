using Fathom.Hosting;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>`fathom run` on Binance (the simulator) when order entry cannot come back by itself.</summary>
public sealed partial class RunCommandTests
{
    [Fact]
    public async Task Run_BinanceKeyRevokedWhileTrading_ReconnectRefusedHaltsWithTheReason()
    {
        await using var exchange = await Exchange.StartAsync();
        var r = await StartRunAsync(SimulatorConfigJson(exchange.Server.BaseAddress));
        var host = r.Host;

        // The key is deleted at the venue and the WS API drops: the gateway's re-subscribe is refused for good (-2015).
        var key = exchange.Sim.Api.RemoveKey(s_key.ApiKey);
        Assert.NotNull(key);
        Assert.True(exchange.Sim.Streams.DisconnectWsApi() > 0);
        // Order entry down alone pulls quotes and halts without a fault reason; the refused key adds the reason.
        string? HaltReason() { lock (host.CoreLock) return host.Engine.HaltReason; }
        Assert.True(await WaitUntil(() => HaltReason() is not null || r.Run.IsCompleted, TimeSpan.FromSeconds(60)), $"no halt\n{r.Output}\n{r.Error}");
        const string Reason = "order entry stopped: userDataStream.subscribe failed: status 401";
        Assert.Equal(Fathom.Risk.RiskState.Halted, host.Execution.Risk.State);
        Assert.Contains(Reason, HaltReason());
        Assert.Contains("Invalid API-key, IP, or permissions for action.", HaltReason());
        lock (host.RiskTransitionLog) // the dashboard's risk transitions
            Assert.Contains(host.RiskTransitionLog, t => t.Contains("FAULT, trading halted", StringComparison.Ordinal)
                && t.Contains(Reason, StringComparison.Ordinal));
        using var http = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri(host.MetricsAddress, "/health"))).StatusCode);
        Assert.Contains("error: " + Reason, r.Error.ToString());
        Assert.DoesNotContain("order entry down, reconnecting", r.Error.ToString()); // not retried: a fault
        Assert.False(host.Gateway.IsReady);

        // The key back (signed REST works again): the stop cancels everything and checks with the venue.
        exchange.Sim.Api.AddKey(key!);
        host.Apply(OperatorAction.Stop);
        int rc = await r.Run.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(rc is 0 or 1, $"exit {rc}\n{r.Output}\n{r.Error}");
        Assert.Empty(exchange.OpenOrders());
        AssertNoSecrets(r.Output.ToString() + r.Error);
    }
}
