using Fathom.Hosting;
using Fathom.Cli;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// <c>fathom demo</c> headless, end to end: simulator, feed, engine, market maker, risk and the
/// WebSocket API gateway on loopback. It must trade (orders placed, fills received), hold its risk
/// limits, and leave no open order behind when it stops.
/// </summary>
[Collection(DemoCollection.Name)]
public partial class DemoTests
{
    [Fact]
    public async Task Demo_Headless_TradesAndLeavesNoOpenOrders()
    {
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        var metricsUrl = new TaskCompletionSource<Uri>();
        int simPid = 0;
        // 15 s: at 8 s the demo once took no fill on a machine loaded ~18 on 2 cores (helpers building beside CI).
        Task<int> demo = DemoCommand.RunAsync(durationSeconds: 15, "BTCUSDT", seed: 7, "mixed", output, error, CancellationToken.None,
            onMetrics: u => metricsUrl.SetResult(u), onSimulator: pid => simPid = pid);
        // While it runs, /metrics answers in Prometheus format and /health says whether it is healthy.
        Uri baseUrl = await metricsUrl.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        string metricsText = "";
        for (int i = 0; i < 50 && !metricsText.Contains("fathom_book_live{symbol=\"BTCUSDT\"} 1"); i++)
        {
            await Task.Delay(100);
            metricsText = await http.GetStringAsync(new Uri(baseUrl, "/metrics"));
        }
        Assert.Contains("fathom_book_live{symbol=\"BTCUSDT\"} 1", metricsText);
        Assert.Contains("# TYPE fathom_orders_total counter", metricsText);
        // Command-to-ack and tick-to-ack are measured on the venue's answers as read off the socket, and exported.
        for (int i = 0; i < 100 && !(Count(metricsText, "fathom_command_to_ack_seconds") > 0 && Count(metricsText, "fathom_tick_to_ack_seconds") > 0); i++)
        {
            await Task.Delay(100);
            metricsText = await http.GetStringAsync(new Uri(baseUrl, "/metrics"));
        }
        Assert.True(Count(metricsText, "fathom_command_to_ack_seconds") > 0, metricsText);
        Assert.True(Count(metricsText, "fathom_tick_to_ack_seconds") > 0, metricsText);
        var health = await http.GetAsync(new Uri(baseUrl, "/health"));
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        int rc = await demo.WaitAsync(TimeSpan.FromSeconds(90));
        string text = output.ToString();
        Assert.True(rc == 0, $"exit {rc}\n{text}\n{error}");
        Assert.Contains("open at exit 0", text);
        Assert.Contains("strategy ok", text);
        Assert.Matches(@"orders: [1-9]\d* placed", text);
        Assert.Matches(@"fills: [1-9]\d*", text);
        Assert.Contains("0 gaps", text);
        Assert.Matches(@"store: [1-9]\d* fills", text); // fills reached SQLite
        Assert.DoesNotContain("Halted", text);
        // The exchange ran in a child process, which the demo stopped on its way out.
        Assert.NotEqual(0, simPid);
        Assert.NotEqual(Environment.ProcessId, simPid);
        Assert.False(IsRunning(simPid), $"the simulator process {simPid} outlived the demo");
        Assert.Matches(@"command-to-ack \(frame handed to the socket → answer read\): p50 .*\(n=[1-9]\d*\)", text);
        Assert.Matches(@"tick-to-ack \(trigger frame read → answer read\): p50 .*\(n=[1-9]\d*\)", text);
        Assert.Matches(@"GCs since trading started \(after warm-up\): gen0 \d+, gen1 \d+, gen2 \d+; allocated \d+ KiB", text);
    }

    /// <summary>
    /// The simulator child dies mid-run (SIGKILL): trading halts with a reason naming it, on /health, in the status
    /// lines and on stderr, and the shutdown reports that the venue could not confirm.
    /// </summary>
    [Fact]
    public async Task Demo_SimulatorProcessDies_HaltsWithTheReason()
    {
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        var metricsUrl = new TaskCompletionSource<Uri>();
        var simPid = new TaskCompletionSource<int>();
        Task<int> demo = DemoCommand.RunAsync(durationSeconds: 12, "BTCUSDT", seed: 7, "mixed", output, error,
            CancellationToken.None, onMetrics: u => metricsUrl.SetResult(u), onSimulator: simPid.SetResult);
        Uri baseUrl = await metricsUrl.Task.WaitAsync(TimeSpan.FromSeconds(60));
        int pid = await simPid.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        await WaitHealthyAsync(http, baseUrl); // healthy (book live) before the venue dies
        using (var sim = System.Diagnostics.Process.GetProcessById(pid))
        {
            sim.Kill();
            await sim.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        string health = "";
        for (int i = 0; i < 100 && !health.Contains("simulator process", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            health = await (await http.GetAsync(new Uri(baseUrl, "/health"))).Content.ReadAsStringAsync();
        }
        Assert.Contains($"venue: the simulator process (pid {pid}) exited", health);
        Assert.StartsWith("unhealthy", health);
        int rc = await demo.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(1, rc); // the venue could not confirm the cancels: not a clean shutdown
        Assert.Contains($"error: the simulator process (pid {pid}) exited", error.ToString());
        Assert.Contains("HALTED: venue: the simulator process", output.ToString());
    }

    /// <summary>
    /// Ctrl+C or SIGTERM before trading started (here: before the simulator child was even listening) is a stop, not a
    /// failure: exit 0, one line saying nothing was placed, nothing on stderr (it used to print "error: unexpected
    /// TaskCanceledException" and exit 1).
    /// </summary>
    [Fact]
    public async Task Demo_StoppedWhileStarting_ExitsCleanlyAndSaysNothingWasPlaced()
    {
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        using var stopped = new CancellationTokenSource();
        await stopped.CancelAsync();
        int rc = await DemoCommand.RunAsync(durationSeconds: 15, "BTCUSDT", seed: 7, "mixed", output, error, stopped.Token)
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, rc);
        Assert.Contains("stopped before trading started; nothing was placed.", output.ToString());
        Assert.Equal("", error.ToString());
    }

    /// <summary>
    /// The demo's fault keys reach the simulator child through the handler the terminal's keys call: 2 drops the market
    /// data connections and 3 the order-entry connection, and the engine's status shows both reconnected while it goes on
    /// quoting; a key that is not a fault key sends nothing.
    /// </summary>
    [Fact]
    public async Task Demo_FaultKeys_DropTheFeedAndOrderEntry_AndTheEngineReconnects()
    {
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        var metricsUrl = new TaskCompletionSource<Uri>();
        var keys = new TaskCompletionSource<Action<char>>();
        Task<int> demo = DemoCommand.RunAsync(durationSeconds: 25, "BTCUSDT", seed: 7, "mixed", output, error,
            CancellationToken.None, onMetrics: u => metricsUrl.SetResult(u), onKeys: keys.SetResult);
        Uri baseUrl = await metricsUrl.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Action<char> press = await keys.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        await WaitHealthyAsync(http, baseUrl);
        Assert.Matches(@"gateway ready reconnects 0 feed reconnects 0", output.ToString());

        press('x'); // not a fault key
        press('2');
        press('3');
        var feedBack = new System.Text.RegularExpressions.Regex(@"gateway ready reconnects [1-9]\d* feed reconnects [1-9]");
        for (int i = 0; i < 150 && !feedBack.IsMatch(output.ToString()); i++)
            await Task.Delay(100);
        Assert.Matches(feedBack, output.ToString());
        press('0');
        int rc = await demo.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(0, rc);
        Assert.DoesNotContain("did not reach the simulator", error.ToString());
    }

    /// <summary>
    /// The venue deletes the demo's API key and drops the WebSocket API: the gateway's new session's logon (the demo's
    /// Binance order entry is an Ed25519 <c>session.logon</c> session) is refused for good (-2015), and the demo halts
    /// trading with the venue's reason on /health and stderr instead of retrying.
    /// </summary>
    [Fact]
    public async Task Demo_KeyRevokedAtTheVenue_ReconnectRefusedHaltsWithTheReason()
    {
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        var metricsUrl = new TaskCompletionSource<Uri>();
        var console = new TaskCompletionSource<Func<string, Task>>();
        Task<int> demo = DemoCommand.RunAsync(durationSeconds: 20, "BTCUSDT", seed: 7, "mixed", output, error,
            CancellationToken.None, onMetrics: u => metricsUrl.SetResult(u), onSimulatorConsole: console.SetResult);
        Uri baseUrl = await metricsUrl.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Func<string, Task> send = await console.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        await WaitHealthyAsync(http, baseUrl);

        await send("revoke-keys");
        await send("disconnect-api");
        const string Reason = "order entry stopped: session.logon failed: status 401";
        string health = "";
        for (int i = 0; i < 150 && !health.Contains(Reason, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            health = await (await http.GetAsync(new Uri(baseUrl, "/health"))).Content.ReadAsStringAsync();
        }
        Assert.StartsWith("unhealthy", health);
        Assert.True(health.Contains(Reason, StringComparison.Ordinal), health);
        // The keys back, so the shutdown's signed cancel-all and checks reach the venue.
        await send("restore-keys");
        await demo.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Contains("error: " + Reason, error.ToString());
        Assert.Contains("Invalid API-key, IP, or permissions for action.", error.ToString());
        Assert.DoesNotContain("order entry down, reconnecting", error.ToString()); // a fault, not retried
    }

    private static long Count(string metrics, string summary)
    {
        var m = System.Text.RegularExpressions.Regex.Match(metrics, summary + @"_count (\d+)");
        return m.Success ? long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Waits (up to 10 s) for /health to answer 200: the book live, nothing halted.</summary>
    private static async Task WaitHealthyAsync(HttpClient http, Uri baseUrl)
    {
        var status = System.Net.HttpStatusCode.ServiceUnavailable;
        for (int i = 0; i < 100 && status != System.Net.HttpStatusCode.OK; i++)
        {
            await Task.Delay(100);
            status = (await http.GetAsync(new Uri(baseUrl, "/health"))).StatusCode;
        }
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
    }
}
