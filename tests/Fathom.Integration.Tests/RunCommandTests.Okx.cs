using System.Diagnostics;
using System.Text;
using Fathom.Cli;
using Fathom.Core;
using Fathom.Hosting.Run;
using Fathom.Venues.Okx;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// <c>fathom run</c> with venue <c>okx-custom</c> against the simulator's OKX front (<c>/api/v5</c>, <c>/ws/v5/public</c>,
/// <c>/ws/v5/private</c>): instruments from <c>public/instruments</c>, the OKX feed and order gateway, a fill from the
/// simulator's flow, a graceful stop with nothing left open, the fill in the store; a refused login; a re-login
/// refused as busy (reported once, retried) and one refused for good (a halt).
/// </summary>
public sealed partial class RunCommandTests
{
    /// <summary>`fathom run` on the OKX demo environment (the simulator's front), in process, until it quotes; its output and error are captured.</summary>
    private static async Task<(Task<int> Run, Fathom.Hosting.EngineHost Host, StringWriter Output, StringWriter Error)> StartOkxRunUntilQuotingAsync(string path)
    {
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        var quoting = new TaskCompletionSource<Fathom.Hosting.EngineHost>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int> run = RunCommand.RunAsync(path, mainnet: false, durationSeconds: 240, output, error,
            CancellationToken.None, new RunHooks { GetVariable = OkxDemoEnvironment(), OnQuoting = h => quoting.SetResult(h) });
        var host = await quoting.Task.WaitAsync(TimeSpan.FromSeconds(90));
        return (run, host, output, error);
    }

    /// <summary><see cref="SimulatorConfigJson"/> for the OKX front: venue okx-custom, symbol BTC-USDT.</summary>
    private static string OkxSimulatorConfigJson(Uri baseAddress, string extra = "")
    {
        string http = baseAddress.ToString().TrimEnd('/');
        string ws = "ws" + http[4..];
        return $$"""
            {
              "venue": "okx-custom",
              "restUrl": "{{http}}",
              "publicWsUrl": "{{ws}}/ws/v5/public",
              "privateWsUrl": "{{ws}}/ws/v5/private",
              "symbols": [
                { "symbol": "BTC-USDT", "baseAsset": "BTC", "quoteAsset": "USDT",
                  "strategy": { "halfSpreadTicks": 3, "quoteQty": "0.001", "maxPosition": "0.02", "maxSkewTicks": 5 },
                  "limits": { "maxPosition": "0.02", "maxOrderQty": "0.005", "maxOrderNotional": "10000" } }
              ],
              "risk": { "maxTotalNotional": "100000", "markoutLossLimit": "500", "maxDailyLoss": "5000", "priceBandBps": 200 },
              {{extra}}
              "statusIntervalSeconds": 1,
              "shutdownTimeoutSeconds": 15
            }
            """;
    }

    private static Func<string, string?> OkxDemoEnvironment(string? passphrase = null) => name => name switch
    {
        OkxCredentials.ApiKeyVariable => s_key.ApiKey,
        OkxCredentials.SecretVariable => s_key.Secret,
        OkxCredentials.PassphraseVariable => passphrase ?? s_key.Passphrase,
        _ => null,
    };

    [Fact]
    public async Task Run_OkxCustomChildProcess_QuotesFillsStopsOnSigtermCleanAndStoresTheFill()
    {
        await using var exchange = await Exchange.StartAsync();
        string dir = TempDir();
        string path = WriteConfig(dir, OkxSimulatorConfigJson(exchange.Server.BaseAddress));
        string fathom = Path.Combine(AppContext.BaseDirectory, "fathom.dll");
        Assert.True(File.Exists(fathom), $"{fathom} is missing (the test project references src/Fathom.Cli)");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        foreach (string a in new[] { fathom, "run", "--config", path, "--duration", "600" })
            start.ArgumentList.Add(a);
        var env = OkxDemoEnvironment();
        foreach (string v in new[] { OkxCredentials.ApiKeyVariable, OkxCredentials.SecretVariable, OkxCredentials.PassphraseVariable })
            start.Environment[v] = env(v);
        foreach (string v in new[] { "FATHOM_BINANCE_API_KEY", "FATHOM_BINANCE_API_SECRET", "FATHOM_BINANCE_ED25519_KEY_FILE" })
            start.Environment.Remove(v);

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var child = new Process { StartInfo = start };
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        Assert.True(child.Start());
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        string Out() { lock (stdout) return stdout.ToString(); }
        string Err() { lock (stderr) return stderr.ToString(); }
        try
        {
            // Quoting through the OKX front: the command says so and the exchange holds our orders.
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (DateTime.UtcNow < deadline && !child.HasExited && !(Out().Contains("quoting BTC-USDT on okx-custom") && exchange.OpenOrders().Count > 0))
                await Task.Delay(200);
            Assert.True(Out().Contains("quoting BTC-USDT on okx-custom") && exchange.OpenOrders().Count > 0, $"not quoting\n{Out()}\n{Err()}");
            // A fill: the simulator's flow (its other account) takes a quote.
            deadline = DateTime.UtcNow.AddSeconds(120);
            while (DateTime.UtcNow < deadline && !child.HasExited && StoredFills(dir) == 0)
                await Task.Delay(500);
            Assert.True(StoredFills(dir) > 0, $"no fill stored\n{Out()}\n{Err()}");

            using (var kill = Process.Start(new ProcessStartInfo(File.Exists("/bin/kill") ? "/bin/kill" : "kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            { UseShellExecute = false })!)
            {
                await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(0, kill.ExitCode);
            }
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        }
        finally
        {
            if (!child.HasExited)
                child.Kill(entireProcessTree: true);
        }
        child.WaitForExit(); // drains the redirected streams
        string text = Out();
        Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}\n{text}\n{Err()}");
        Assert.Contains("venue okx-custom (OKX): rest", text);
        Assert.Contains("BTC-USDT on the venue: tick", text);
        Assert.Contains("reconciliation: the venue listed 0 open order(s)", text);
        Assert.Contains("balances: BTC free 10 locked 0; USDT free 1000000 locked 0", text);
        Assert.Contains("stopping: quoting stopped, cancelling every order", text);
        Assert.Matches(@"fills: [1-9]\d*", text);
        Assert.Contains("shutdown clean: the venue lists no open order of ours.", text);
        Assert.Empty(exchange.OpenOrders());
        Assert.True(StoredFills(dir) > 0);
        AssertNoSecrets(text + Err());
        Assert.DoesNotContain(SimulatorConfigPassphrase, text + Err());
    }

    private const string SimulatorConfigPassphrase = Fathom.Simulator.SimulatorConfig.DemoPassphrase;

    /// <summary>Fills in the run's SQLite store (0 while it does not exist yet).</summary>
    private static long StoredFills(string dir)
    {
        string db = Path.Combine(dir, "fathom-state", "fathom.db");
        if (!File.Exists(db))
            return 0;
        try
        {
            using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            check.Open();
            using var count = check.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM fills";
            return (long)count.ExecuteScalar()!;
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return 0; // not created yet, or busy: look again
        }
    }

    [Fact]
    public async Task Run_OkxCustomWrongPassphrase_LoginRefusedExit1WithTheReasonAndNothingSent()
    {
        await using var exchange = await Exchange.StartAsync(flow: false);
        string dir = TempDir();
        string path = WriteConfig(dir, OkxSimulatorConfigJson(exchange.Server.BaseAddress));
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        int rc = await RunCommand.RunAsync(path, mainnet: false, durationSeconds: 60, output, error, CancellationToken.None,
            new RunHooks { GetVariable = OkxDemoEnvironment(passphrase: "not-the-passphrase") });
        Assert.True(rc == 1, $"exit {rc}\n{output}\n{error}");
        Assert.DoesNotContain("quoting BTC-USDT", output.ToString());
        Assert.Matches("error: .*(passphrase|login|60024|50105)", error.ToString());
        Assert.Empty(exchange.OpenOrders());
        Assert.DoesNotContain("not-the-passphrase", output.ToString() + error);
        AssertNoSecrets(output.ToString() + error);
    }

    [Fact]
    public async Task Run_OkxVenueWithoutOkxCredentials_Exit2NamingTheOkxVariables()
    {
        string dir = TempDir();
        string path = WriteConfig(dir, OkxSimulatorConfigJson(new Uri("http://127.0.0.1:1")));
        var error = new LockedStringWriter();
        // Binance keys do not count for an OKX venue.
        int rc = await RunCommand.RunAsync(path, mainnet: false, durationSeconds: null, new StringWriter(), error, CancellationToken.None,
            new RunHooks { GetVariable = DemoEnvironment() });
        Assert.Equal(2, rc);
        Assert.Contains($"no API key: set {OkxCredentials.ApiKeyVariable}, {OkxCredentials.SecretVariable} and {OkxCredentials.PassphraseVariable}", error.ToString());
    }

    [Fact]
    public async Task Run_OkxMainnetConfigWithoutFlag_Exit2PointingAtOkxDemo()
    {
        string dir = TempDir();
        string json = OkxSimulatorConfigJson(new Uri("http://127.0.0.1:1"))
            .Replace("\"okx-custom\"", "\"okx\"", StringComparison.Ordinal)
            .Replace("\"restUrl\": \"http://127.0.0.1:1\",", "", StringComparison.Ordinal)
            .Replace("\"publicWsUrl\": \"ws://127.0.0.1:1/ws/v5/public\",", "", StringComparison.Ordinal)
            .Replace("\"privateWsUrl\": \"ws://127.0.0.1:1/ws/v5/private\",", "", StringComparison.Ordinal);
        string path = WriteConfig(dir, json);
        var error = new LockedStringWriter();
        int rc = await RunCommand.RunAsync(path, mainnet: false, durationSeconds: null, new StringWriter(), error, CancellationToken.None,
            new RunHooks { GetVariable = OkxDemoEnvironment() });
        Assert.True(rc == 2, error.ToString());
        Assert.Contains("selects okx (real money) but --mainnet was not given; refusing to start. Run against okx-demo first", error.ToString());
    }

    [Fact]
    public async Task Run_OkxKeyRevokedWhileTrading_ReloginRefusedHaltsWithTheReason()
    {
        await using var exchange = await Exchange.StartAsync();
        string dir = TempDir();
        string path = WriteConfig(dir, OkxSimulatorConfigJson(exchange.Server.BaseAddress));
        var (run, host, output, error) = await StartOkxRunUntilQuotingAsync(path);

        // The key is deleted at the venue and the private WebSocket drops: the gateway's re-login is refused for good.
        var key = exchange.Sim.Api.RemoveKey(s_key.ApiKey);
        Assert.NotNull(key);
        Assert.True(exchange.Sim.Streams.DisconnectWsApi() > 0);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        // Order entry down alone pulls quotes and halts without a fault reason; the refused login adds the reason.
        string? HaltReason() { lock (host.CoreLock) return host.Engine.HaltReason; }
        while (DateTime.UtcNow < deadline && HaltReason() is null && !run.IsCompleted)
            await Task.Delay(100);
        Assert.Equal(Fathom.Risk.RiskState.Halted, host.Execution.Risk.State);
        Assert.Contains("order entry stopped: OKX login refused", HaltReason());
        lock (host.RiskTransitionLog) // the dashboard's risk transitions
            Assert.Contains(host.RiskTransitionLog, t => t.Contains("FAULT, trading halted", StringComparison.Ordinal)
                && t.Contains("order entry stopped: OKX login refused", StringComparison.Ordinal));
        using var http = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri(host.MetricsAddress, "/health"))).StatusCode);
        Assert.Contains("order entry stopped: OKX login refused", error.ToString());

        // The key back (signed REST works again): the stop cancels everything and checks with the venue.
        exchange.Sim.Api.AddKey(key!);
        host.Apply(Fathom.Hosting.OperatorAction.Stop);
        int rc = await run.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(rc is 0 or 1, $"exit {rc}\n{output}\n{error}");
        Assert.Empty(exchange.OpenOrders());
        AssertNoSecrets(output.ToString() + error);
    }

    [Fact]
    public async Task Run_OkxReloginRefusedAsBusy_ReasonReportedOnceNotPerAttempt_RetriedUntilItLogsOn()
    {
        await using var exchange = await Exchange.StartAsync();
        string dir = TempDir();
        string path = WriteConfig(dir, OkxSimulatorConfigJson(exchange.Server.BaseAddress, extra: "\"logging\": { \"file\": \"host.log\" },"));
        var (run, host, output, error) = await StartOkxRunUntilQuotingAsync(path);

        // The venue is busy: the private WebSocket drops and every re-login is refused with 50013 for a while.
        var okx = exchange.Sim.Api.Okx;
        okx.LoginsBusy = true;
        Assert.True(exchange.Sim.Streams.DisconnectWsApi() > 0);
        const string Reason = "order entry down, reconnecting: OKX login refused: code 50013";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !run.IsCompleted && !(okx.BusyLoginRefusals >= 3 && error.ToString().Contains(Reason, StringComparison.Ordinal)))
            await Task.Delay(100);
        Assert.True(okx.BusyLoginRefusals >= 3, $"{okx.BusyLoginRefusals} busy refusals\n{output}\n{error}");
        // Operator-facing (stderr, and the log below) once for the reason, however many attempts it refused.
        Assert.Equal(1, Occurrences(error.ToString(), "warning: " + Reason));
        Assert.False(host.Gateway.IsReady);
        Assert.DoesNotContain("order entry stopped", error.ToString()); // retried, not a fault

        // The venue recovers: the next attempt logs on and order entry comes back without an operator.
        okx.LoginsBusy = false;
        deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !run.IsCompleted && !host.Gateway.IsReady)
            await Task.Delay(100);
        Assert.True(host.Gateway.IsReady, $"order entry not back\n{output}\n{error}");
        Assert.Equal(1, host.Gateway.Reconnects);
        lock (host.CoreLock)
            Assert.Null(host.Engine.HaltReason);

        host.Apply(Fathom.Hosting.OperatorAction.Stop);
        int rc = await run.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(rc is 0 or 1, $"exit {rc}\n{output}\n{error}");
        Assert.Empty(exchange.OpenOrders());
        Assert.Equal(1, Occurrences(error.ToString(), Reason));
        string log = File.ReadAllText(Path.Combine(dir, "host.log"));
        Assert.Equal(1, Occurrences(log, Reason));
        Assert.Contains("order entry reconnected (1 reconnects so far)", log);
        AssertNoSecrets(output.ToString() + error + log);
        Assert.DoesNotContain(SimulatorConfigPassphrase, output.ToString() + error + log);
    }

    [Fact]
    public async Task Run_OkxPostOnlyAnsweredButItsPushLostInADrop_SettledAndCancelledAfterTheReconnect_StopLeavesNothingOpen()
    {
        // OKX acks a post-only order by its live push, not its answer. Pushes lost, then the private WebSocket drops:
        // the orders answered meanwhile must not stay PendingNew for good (nothing could cancel them: the stop would
        // wait on them and leave them resting at the venue); the gateway reports them unknown, the engine settles them.
        // No market flow: nothing fills the quotes, so only that can settle them.
        await using var exchange = await Exchange.StartAsync(flow: false);
        var okx = exchange.Sim.Api.Okx;
        okx.OrderPushesLost = true;
        string dir = TempDir();
        string path = WriteConfig(dir, OkxSimulatorConfigJson(exchange.Server.BaseAddress));
        var (run, host, output, error) = await StartOkxRunUntilQuotingAsync(path);
        var views = new Fathom.Execution.LiveOrderView[64];
        var format = new Fathom.Gateway.Abstractions.ClientOrderIdFormat("fx");
        List<(string Id, OrderState State)> Live()
        {
            lock (host.CoreLock)
            {
                int n = host.Execution.LiveOrderViews(0, views);
                return [.. views[..n].Select(v => (format.Format(v.CurrentClientId), v.Order.State))];
            }
        }

        // Both quotes are answered sCode 0 and never pushed live: they rest at the venue, PendingNew here.
        List<string> unheard = [];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !run.IsCompleted && unheard.Count < 2)
        {
            await Task.Delay(100);
            var open = exchange.OpenOrders();
            unheard = [.. Live().Where(o => o.State == OrderState.PendingNew && open.Contains(o.Id)).Select(o => o.Id)];
        }
        Assert.True(unheard.Count == 2, $"not two post-only quotes resting unpushed: {string.Join(", ", Live())}\n{output}\n{error}");
        Assert.True(okx.OrderPushesDropped >= 2);

        Assert.True(exchange.Sim.Streams.DisconnectWsApi() > 0);
        okx.OrderPushesLost = false;
        // The drop halts trading (order entry down), so the engine wants both cancelled; it can cancel them only once
        // it knows they rest: the gateway reports them unknown, the reconnect's listing says they are live, and the
        // cancels go. Before, they stayed PendingNew here and open at the venue.
        bool Settled() => !Live().Any(o => unheard.Contains(o.Id)) && !exchange.OpenOrders().Any(unheard.Contains);
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !run.IsCompleted && !(host.Gateway.IsReady && Settled()))
            await Task.Delay(100);
        Assert.True(host.Gateway.IsReady && Settled(), $"not settled: engine {string.Join(", ", Live())}, venue {string.Join(", ", exchange.OpenOrders())}\n{output}\n{error}");
        Assert.Equal(1, host.Gateway.Reconnects);
        lock (host.CoreLock)
            Assert.Equal(2, host.Execution.Counters.Cancels);

        host.Apply(Fathom.Hosting.OperatorAction.Stop);
        int rc = await run.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(rc == 0, $"exit {rc}\n{output}\n{error}");
        Assert.Empty(exchange.OpenOrders());
        AssertNoSecrets(output.ToString() + error);
    }

    private static int Occurrences(string text, string what)
    {
        int n = 0;
        for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
            n++;
        return n;
    }
}
