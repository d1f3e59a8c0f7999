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

    [Fact]
    public async Task Run_ClockSkewedAndItsReSyncFails_TheReasonIsReportedOnce_AndTheNextSyncHealsIt()
    {
        await using var exchange = await Exchange.StartAsync();
        var r = await StartRunAsync(SimulatorConfigJson(exchange.Server.BaseAddress));
        var host = r.Host;

        // The venue's clock jumps 6 s ahead (our timestamps fall outside the 5 s recvWindow: -1021) and its time
        // endpoint fails once. Ahead, not behind: a venue clock behind ours makes its event times look late, and the
        // feed-lag switch would pause new orders for its own reason.
        exchange.Sim.Faults.FailTimeRequests(1);
        exchange.Sim.Clock.Skew = TimeSpan.FromSeconds(6);
        const string Warning = "warning: order entry clock re-sync failed (1 so far): time failed: status 500";
        Assert.True(await WaitUntil(() => r.Error.ToString().Contains(Warning, StringComparison.Ordinal) || r.Run.IsCompleted, TimeSpan.FromSeconds(60)),
            $"the failed re-sync was never reported: {Clock(host)}\n{r.Output}\n{r.Error}");

        // The next refused timestamp syncs again, which succeeds: the venue accepts new orders again, with no operator.
        var restingBefore = exchange.OpenOrders().ToHashSet();
        Assert.True(await WaitUntil(() => exchange.OpenOrders().Any(id => !restingBefore.Contains(id)) || r.Run.IsCompleted, TimeSpan.FromSeconds(60)),
            $"the venue never accepted a new order after the clock re-sync\n{r.Output}\n{r.Error}");
        Assert.Equal(1, Occurrences(r.Error.ToString(), Warning));
        Assert.False(r.Run.IsCompleted);
        lock (host.CoreLock)
            Assert.Null(host.Engine.HaltReason);

        host.Apply(OperatorAction.Stop);
        int rc = await r.Run.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(rc is 0 or 1, $"exit {rc}\n{r.Output}\n{r.Error}");
        Assert.Empty(exchange.OpenOrders());
    }

    private static string Clock(EngineHost host) => host.Gateway is Fathom.Venues.Binance.BinanceOrderGateway g
        ? $"gateway clock offset {g.ClockOffsetMs} ms, syncs {g.TimeSyncs}, failed syncs {g.ClockSync.Failures} ({g.ClockSync.LastFailure?.Message}), rejects {host.Execution.Counters.RiskRefusals}"
        : $"gateway {host.Gateway.GetType().Name}";
}
