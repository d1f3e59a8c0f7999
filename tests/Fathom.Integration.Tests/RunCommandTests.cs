using Fathom.Hosting;
using System.Diagnostics;
using System.Net;
using System.Text;
using Fathom.Cli;
using Fathom.Hosting.Run;
using Fathom.Gateway.Abstractions;
using Fathom.Simulator;
using Fathom.Venues.Binance;
using Xunit;
using OrderType = Fathom.Gateway.Abstractions.OrderType;
using Side = Fathom.Core.OrderSide;

namespace Fathom.Integration.Tests;

/// <summary>
/// <c>fathom run --config</c> against the simulator on loopback: refusals before any network call,
/// secrets never printed, a real run that trades and leaves nothing open, start-up reconciliation, the
/// HTTP control surface, and SIGTERM on a child process. Real time; every wait is bounded and generous.
/// </summary>
public sealed partial class RunCommandTests
{
    private static readonly SimulatorConfig.KeyConfig s_key = SimulatorConfig.Demo().Accounts[0].Keys[0];

    private static Func<string, string?> DemoEnvironment(Action<string>? onLookup = null) => name =>
    {
        onLookup?.Invoke(name);
        return name switch
        {
            BinanceCredentials.ApiKeyVariable => s_key.ApiKey,
            BinanceCredentials.HmacSecretVariable => s_key.Secret,
            _ => null,
        };
    };

    private static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "fathom-run-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string WriteConfig(string dir, string json)
    {
        string path = Path.Combine(dir, "fathom.json");
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>A config for the simulator at <paramref name="baseAddress"/> (venue custom), BTCUSDT market making as the demo does.</summary>
    private static string SimulatorConfigJson(Uri baseAddress, string extra = "", string riskExtra = "")
    {
        string http = baseAddress.ToString().TrimEnd('/');
        string ws = "ws" + http[4..];
        return $$"""
            {
              "venue": "custom",
              "restUrl": "{{http}}",
              "streamUrl": "{{ws}}",
              "wsApiUrl": "{{ws}}/ws-api/v3",
              "symbols": [
                { "symbol": "BTCUSDT", "baseAsset": "BTC", "quoteAsset": "USDT",
                  "strategy": { "halfSpreadTicks": 3, "quoteQty": "0.001", "maxPosition": "0.02", "maxSkewTicks": 5 },
                  "limits": { "maxPosition": "0.02", "maxOrderQty": "0.005", "maxOrderNotional": "10000" } }
              ],
              "risk": { {{riskExtra}} "maxTotalNotional": "100000", "markoutLossLimit": "500", "maxDailyLoss": "5000", "priceBandBps": 200 },
              {{extra}}
              "statusIntervalSeconds": 1,
              "shutdownTimeoutSeconds": 15
            }
            """;
    }

    private sealed class Exchange : IAsyncDisposable
    {
        public required ExchangeSimulator Sim;
        public required SimulatorServer Server;

        public static async Task<Exchange> StartAsync(bool flow = true)
        {
            var config = SimulatorConfig.Demo();
            config.Seed = 7;
            var sim = ExchangeSimulator.Create(config, TimeProvider.System);
            var server = await SimulatorServer.StartAsync(sim.Api, IPAddress.Loopback, 0);
            if (flow)
                sim.StartMarketFlow(FlowRegime.Mixed, TimeSpan.FromMilliseconds(25));
            return new Exchange { Sim = sim, Server = server };
        }

        /// <summary>Client ids of the demo account's open orders, as the simulator itself holds them.</summary>
        public List<string> OpenOrders()
        {
            var ids = new List<string>();
            Sim.Api.Run(e =>
            {
                var account = e.Accounts.First(a => a.Name == "demo");
                foreach (var book in e.Books)
                    ids.AddRange(book.OpenOrdersOf(account).Select(o => o.ClientOrderId));
            });
            return ids;
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            Sim.Dispose();
        }
    }

    private static void AssertNoSecrets(string text)
    {
        Assert.DoesNotContain(s_key.Secret!, text);
        Assert.DoesNotContain(s_key.ApiKey, text);
        Assert.DoesNotContain(s_key.ApiKey[..5], text); // at most the first 4 characters of the key
    }

    // ---------------------------------------------------------------- refusals before the network

    [Fact]
    public async Task Run_InvalidConfig_Exit2WithTheSpecificError()
    {
        string dir = TempDir();
        string path = WriteConfig(dir, RunConfigTests.ValidJson.Replace("\"custom\"", "\"kraken\"", StringComparison.Ordinal));
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        int rc = await RunCommand.RunAsync(path, mainnet: false, durationSeconds: null, output, error, CancellationToken.None,
            new RunHooks { GetVariable = DemoEnvironment() });
        Assert.Equal(2, rc);
        Assert.StartsWith($"error: {path}: $.venue: unknown venue 'kraken'", error.ToString());
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task Run_MainnetConfigWithoutFlag_Exit2BeforeCredentialsOrNetwork()
    {
        string dir = TempDir();
        string json = """
            {
              "venue": "binance-mainnet",
              "symbols": [
                { "symbol": "BTCUSDT", "baseAsset": "BTC", "quoteAsset": "USDT",
                  "strategy": { "quoteQty": "0.001", "maxPosition": "0.02" },
                  "limits": { "maxPosition": "0.02", "maxOrderQty": "0.005", "maxOrderNotional": "10000" } }
              ],
              "risk": { "maxTotalNotional": "100000", "markoutLossLimit": "500", "maxDailyLoss": "5000" }
            }
            """;
        string path = WriteConfig(dir, json);
        var lookups = new List<string>();
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        int rc = await RunCommand.RunAsync(path, mainnet: false, durationSeconds: null, output, error, CancellationToken.None,
            new RunHooks { GetVariable = DemoEnvironment(lookups.Add) });
        Assert.Equal(2, rc);
        Assert.Contains("selects binance-mainnet (real money) but --mainnet was not given; refusing to start", error.ToString());
        // Refused before the credentials were even read and before anything was printed or connected.
        Assert.Empty(lookups);
        Assert.Equal("", output.ToString());

        // Through the real command line too.
        var cliOut = new StringWriter();
        var cliErr = new StringWriter();
        int cliRc = await Program.BuildRoot(cliOut, cliErr).Parse(["run", "--config", path]).InvokeAsync();
        Assert.Equal(2, cliRc);
        Assert.Contains("--mainnet was not given", cliErr.ToString());
    }

    [Fact]
    public async Task Run_MainnetFlagWithTestnetConfig_Exit2()
    {
        string dir = TempDir();
        string path = WriteConfig(dir, RunConfigTests.ValidJson);
        var error = new LockedStringWriter();
        int rc = await RunCommand.RunAsync(path, mainnet: true, durationSeconds: null, new StringWriter(), error, CancellationToken.None,
            new RunHooks { GetVariable = DemoEnvironment() });
        Assert.Equal(2, rc);
        Assert.Contains("--mainnet was given but", error.ToString());
    }

    [Fact]
    public async Task Run_NoCredentials_Exit2NamingTheVariables()
    {
        string dir = TempDir();
        string path = WriteConfig(dir, RunConfigTests.ValidJson);
        var error = new LockedStringWriter();
        int rc = await RunCommand.RunAsync(path, mainnet: false, durationSeconds: null, new StringWriter(), error, CancellationToken.None,
            new RunHooks { GetVariable = _ => null });
        Assert.Equal(2, rc);
        Assert.Contains("no API key: set FATHOM_BINANCE_API_KEY and FATHOM_BINANCE_API_SECRET", error.ToString());
    }

    [Fact]
    public async Task Run_EffectiveConfig_PrintsRedactedKeyAndNeverTheSecret()
    {
        // The venue is a closed port: the effective config is printed, then the first request fails.
        string dir = TempDir();
        string path = WriteConfig(dir, RunConfigTests.ValidJson);
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        int rc = await RunCommand.RunAsync(path, mainnet: false, durationSeconds: null, output, error, CancellationToken.None,
            new RunHooks { GetVariable = DemoEnvironment() });
        Assert.Equal(1, rc);
        string text = output.ToString();
        Assert.Contains($"credentials (from the environment): API key {s_key.ApiKey[..4]}…(redacted), HMAC secret set (redacted)", text);
        Assert.Contains("venue custom: rest http://127.0.0.1:1/", text);
        Assert.Contains("risk: max total notional 100000, markout loss limit 500", text);
        AssertNoSecrets(text + error);
    }

    // ---------------------------------------------------------------- against the simulator

    [Fact]
    public async Task Run_Simulator_TradesServesControlAndLeavesNoOpenOrders()
    {
        await using var exchange = await Exchange.StartAsync();
        string dir = TempDir();
        string path = WriteConfig(dir, SimulatorConfigJson(exchange.Server.BaseAddress));
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        var quoting = new TaskCompletionSource<EngineHost>(TaskCreationOptions.RunContinuationsAsynchronously);
        string journalPath = Path.Combine(dir, "run.fathomjnl");
        Task<int> run = RunCommand.RunAsync(path, mainnet: false, durationSeconds: 240, output, error,
            CancellationToken.None, new RunHooks { GetVariable = DemoEnvironment(), OnQuoting = h => quoting.SetResult(h) }, journalPath);
        var host = await quoting.Task.WaitAsync(TimeSpan.FromSeconds(90));

        // It trades (the simulator's flow takes our quotes) and prints periodic status lines.
        var statusLive = new System.Text.RegularExpressions.Regex(@"\[\d\d:\d\d:\d\d\] BTCUSDT Live \d+(\.\d+)?/\d+(\.\d+)? orders \d+ pos ");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((host.Engine.Fills == 0 || !statusLive.IsMatch(output.ToString())) && DateTime.UtcNow < deadline && !run.IsCompleted)
            await Task.Delay(200);
        Assert.True(host.Engine.Fills > 0, $"no fill\n{output}\n{error}");
        Assert.Matches(statusLive, output.ToString());

        // The control surface: loopback, POST, and only with the token run wrote to its state directory (0600).
        Uri baseUrl = host.MetricsAddress;
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(baseUrl.Host)));
        string tokenPath = Path.Combine(dir, "fathom-state", ControlToken.FileName);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenPath));
        string token = File.ReadAllText(tokenPath);
        Assert.Contains($"control token in {tokenPath} (mode 0600)", output.ToString());
        using var http = new HttpClient();
        // Command-to-ack is measured on the venue's answers and exported.
        string metrics = await http.GetStringAsync(new Uri(baseUrl, "/metrics"));
        var acks = System.Text.RegularExpressions.Regex.Match(metrics, @"fathom_command_to_ack_seconds_count (\d+)");
        Assert.True(acks.Success && long.Parse(acks.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, metrics);
        // The live core rehearses its decision and send path on the inputs that send nothing (the composition wires it).
        var rehearsals = System.Text.RegularExpressions.Regex.Match(metrics, @"fathom_decision_rehearsals_total (\d+)");
        Assert.True(rehearsals.Success && long.Parse(rehearsals.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, metrics);
        Assert.Contains("fathom_order_entry_up 1", metrics);
        Assert.Contains("fathom_store_healthy 1", metrics);
        var noToken = await http.PostAsync(new Uri(baseUrl, "/control/halt"), null);
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.NotEqual(Fathom.Risk.RiskState.Halted, host.Execution.Risk.State);
        Assert.Equal(HttpStatusCode.NotFound, (await Control(http, baseUrl, "explode", token)).StatusCode);
        var halt = await Control(http, baseUrl, "halt", token);
        Assert.Equal(HttpStatusCode.OK, halt.StatusCode);
        Assert.StartsWith("halted", await halt.Content.ReadAsStringAsync());
        Assert.Equal(Fathom.Risk.RiskState.Halted, host.Execution.Risk.State);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri(baseUrl, "/health"))).StatusCode);
        var resume = await Control(http, baseUrl, "resume", token);
        Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        Assert.NotEqual(Fathom.Risk.RiskState.Halted, host.Execution.Risk.State);
        Assert.Equal(HttpStatusCode.OK, (await Control(http, baseUrl, "pause", token)).StatusCode);
        Assert.True(host.Engine.Paused);
        Assert.Equal(HttpStatusCode.OK, (await Control(http, baseUrl, "resume", token)).StatusCode);
        Assert.False(host.Engine.Paused);

        // A headless stop: the same graceful shutdown as SIGTERM.
        Assert.Equal(HttpStatusCode.OK, (await Control(http, baseUrl, "stop", token)).StatusCode);
        int rc = await run.WaitAsync(TimeSpan.FromSeconds(90));
        string text = output.ToString();
        Assert.True(rc == 0, $"exit {rc}\n{text}\n{error}");
        Assert.Contains("reconciliation: the venue listed 0 open order(s)", text);
        Assert.Contains("balances: BTC free 10 locked 0; USDT free 1000000 locked 0", text);
        Assert.Matches(@"engine (quoting|PAUSED) risk \w+ fills \d+", text);

        // The run's journal replays through a fresh core to the same commands, operator inputs included.
        Assert.Matches(@"journal: \d+ inputs in ", text);
        int operatorInputs = 0;
        using (var reader = Fathom.Journal.CoreJournalReader.Open(journalPath))
            while (reader.TryRead(out var e))
                if (e.Kind == Fathom.MarketData.RecordKind.OperatorCommand)
                    operatorInputs++;
        Assert.True(operatorInputs >= 6, $"{operatorInputs} operator inputs (start, halt, resume, pause, resume, stop)");
        var replay = JournalReplay.Run(journalPath);
        Assert.True(replay.Identical, $"{replay.FirstDifference} {replay.JournalProblem} ({replay.ReplayedCommands}/{replay.ExpectedCommands})");
        Assert.True(replay.ExpectedCommands > 0);
        Assert.Matches(@"orders: [1-9]\d* placed", text);
        Assert.Matches(@"fills: [1-9]\d*", text);
        Assert.Contains("shutdown clean: the venue lists no open order of ours.", text);
        Assert.Empty(exchange.OpenOrders());
        Assert.True(File.Exists(Path.Combine(dir, "fathom-state", "fathom.db")));
        Assert.True(File.Exists(Path.Combine(dir, "fathom-state", "client-order-ids.hwm")));
        AssertNoSecrets(text + error);
        Assert.DoesNotContain(token, text + error); // the token is never printed, only its file's path
    }

    private static Task<HttpResponseMessage> Control(HttpClient http, Uri baseUrl, string action, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "/control/" + action));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }

    [Fact]
    public async Task Run_StoreLockedByAnotherProcess_HaltsWithReasonCancelsAndLosesNothing()
    {
        await using var exchange = await Exchange.StartAsync();
        var (host, run, output, error, dir) = await StartRunAsync(SimulatorConfigJson(exchange.Server.BaseAddress));
        Assert.True(await WaitUntil(() => host.Engine.Fills > 0 || run.IsCompleted, TimeSpan.FromSeconds(90)));
        Assert.True(host.Engine.Fills > 0, $"no fill\n{output}\n{error}");

        // Another process takes the database's write lock and keeps it: every write of ours fails.
        string db = Path.Combine(dir, "fathom-state", "fathom.db");
        DateTime deadline;
        var blocker = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False");
        blocker.Open();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }
        try
        {
            deadline = DateTime.UtcNow.AddSeconds(60);
            while (host.Engine.HaltReason is null && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            Assert.NotNull(host.Engine.HaltReason);
            Assert.Contains("store", host.Engine.HaltReason, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(Fathom.Risk.RiskState.Halted, host.Execution.Risk.State);
            using var http = new HttpClient();
            var health = await http.GetAsync(new Uri(host.MetricsAddress, "/health"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("store failing", await health.Content.ReadAsStringAsync());
            // Halted means cancels only: nothing of ours rests on the venue once the cancels are answered.
            deadline = DateTime.UtcNow.AddSeconds(30);
            while (exchange.OpenOrders().Count > 0 && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            Assert.Empty(exchange.OpenOrders());
        }
        finally
        {
            blocker.Dispose(); // rolls the exclusive transaction back: the disk is "healthy" again
        }

        // The writer kept every record and commits them once it can; the halt stays until an operator resumes.
        deadline = DateTime.UtcNow.AddSeconds(60);
        while ((!host.Store.IsHealthy || host.Store.Written < host.Store.Appended) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.True(host.Store.IsHealthy, host.Store.Failure);
        Assert.True(host.Store.WriteFailures > 0);
        Assert.Equal(0, host.Store.Refused);
        Assert.Equal(Fathom.Risk.RiskState.Halted, host.Execution.Risk.State);
        Assert.Contains("FAULT, trading halted", output.ToString() + host.Status());
        host.Apply(OperatorAction.Stop);
        int rc = await run.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(rc is 0 or 1, $"exit {rc}\n{output}\n{error}");
        Assert.Empty(exchange.OpenOrders());
        // Every fill the engine applied is in the database exactly once.
        using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False");
        check.Open();
        using var count = check.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM fills";
        Assert.Equal(host.Execution.Counters.Fills, (long)count.ExecuteScalar()!);
    }

    [Fact]
    public async Task Run_ImbalanceTakerPickedByName_TradesAgainstTheSimulatorAndStopsClean()
    {
        await using var exchange = await Exchange.StartAsync();
        // Thresholds low enough that the mixed flow triggers takes within seconds.
        string json = SimulatorConfigJson(exchange.Server.BaseAddress).Replace(
            "\"strategy\": { \"halfSpreadTicks\": 3, \"quoteQty\": \"0.001\", \"maxPosition\": \"0.02\", \"maxSkewTicks\": 5 }",
            "\"strategy\": { \"name\": \"imbalance-taker\", \"imbalanceThreshold\": 0.05, \"absorptionThreshold\": 0, \"takeQty\": \"0.001\", \"maxPosition\": \"0.005\", \"slippageTicks\": 5, \"cooldownMs\": 300 }",
            StringComparison.Ordinal);
        Assert.Contains("imbalance-taker", json);
        var r = await StartRunAsync(json);
        Assert.Contains("strategy imbalance-taker", r.Output.ToString());
        Assert.True(await WaitUntil(() => { lock (r.Host.CoreLock) return r.Host.Engine.CommandsSent > 0; }, TimeSpan.FromSeconds(60)),
            $"the imbalance taker sent nothing\n{r.Output}\n{r.Error}");
        await StopRunAsync(r, exchange);
        Assert.Contains("shutdown clean", r.Output.ToString());
    }

    // ---------------------------------------------------------------- venue faults through the whole composition

    private sealed record Running(EngineHost Host, Task<int> Run, StringWriter Output, StringWriter Error, string Dir);

    /// <summary>Starts <c>fathom run</c> on <paramref name="configJson"/> with the demo account's key (and <paramref name="getVariable"/>'s other variables) and waits until it quotes.</summary>
    private static async Task<Running> StartRunAsync(string configJson, Func<string, string?>? getVariable = null)
    {
        string dir = TempDir();
        string path = WriteConfig(dir, configJson);
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        var quoting = new TaskCompletionSource<EngineHost>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int> run = RunCommand.RunAsync(path, mainnet: false, durationSeconds: 300, output, error,
            CancellationToken.None, new RunHooks
            {
                GetVariable = getVariable is null ? DemoEnvironment() : name => getVariable(name) ?? DemoEnvironment()(name),
                OnQuoting = h => quoting.SetResult(h),
            });
        var host = await quoting.Task.WaitAsync(TimeSpan.FromSeconds(90));
        return new Running(host, run, output, error, dir);
    }

    private static async Task<bool> WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        return condition();
    }

    private static async Task StopRunAsync(Running r, Exchange exchange)
    {
        r.Host.Apply(OperatorAction.Stop);
        int rc = await r.Run.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(rc == 0, $"exit {rc}\n{r.Output}\n{r.Error}");
        Assert.Empty(exchange.OpenOrders());
    }

    private static Fathom.Risk.RiskState RiskState(EngineHost host)
    {
        lock (host.CoreLock)
            return host.Execution.Risk.State;
    }

    private static Fathom.Risk.RiskReason RiskReasons(EngineHost host)
    {
        lock (host.CoreLock)
            return host.Execution.Risk.Reasons;
    }

    [Fact]
    public async Task Run_SilentStreams_BookGoesStaleWhileConnected_QuotesPulled_ThenQuotesAgain()
    {
        await using var exchange = await Exchange.StartAsync();
        var r = await StartRunAsync(SimulatorConfigJson(exchange.Server.BaseAddress));
        Assert.True(await WaitUntil(() => exchange.OpenOrders().Count > 0, TimeSpan.FromSeconds(60)), $"not quoting\n{r.Output}");
        long disconnects = r.Host.Feed.Disconnects;

        // The streams stay open and keep answering pings, but carry no data.
        exchange.Sim.Faults.SilentStreams = true;
        Assert.True(await WaitUntil(() => { lock (r.Host.CoreLock) return r.Host.Books[0].LastFailure == Fathom.MarketData.StaleReason.Silence; },
            TimeSpan.FromSeconds(60)), $"the book never went stale for silence\n{r.Output}");
        Assert.True(await WaitUntil(() => exchange.OpenOrders().Count == 0, TimeSpan.FromSeconds(60)), "our quotes stayed on the venue during the outage");
        Assert.Equal(disconnects, r.Host.Feed.Disconnects); // the connection stayed open: silence alone pulled the quotes

        exchange.Sim.Faults.SilentStreams = false;
        Assert.True(await WaitUntil(() => r.Host.Books[0].IsLive && exchange.OpenOrders().Count > 0, TimeSpan.FromSeconds(90)),
            $"not quoting again after the data came back\n{r.Output}");
        await StopRunAsync(r, exchange);
    }

    [Fact]
    public async Task Run_AllTrafficToVenueStalled_OrderEntryDownHalts_ThenReconnectsReconcilesAndQuotesAgain()
    {
        await using var exchange = await Exchange.StartAsync();
        using var proxy = new Fathom.Testing.StallingTcpProxy(exchange.Server.BaseAddress);
        var r = await StartRunAsync(SimulatorConfigJson(proxy.Through(exchange.Server.BaseAddress),
            extra: "\"probeIntervalMs\": 500, \"livenessTimeoutMs\": 2000,", riskExtra: "\"releaseCooldownMs\": 1000,"));
        Assert.True(await WaitUntil(() => exchange.OpenOrders().Count > 0, TimeSpan.FromSeconds(60)), $"not quoting\n{r.Output}");
        long reconnects = r.Host.Gateway.Reconnects;

        // No RST, no FIN: every byte to and from the venue is held, market data and order entry alike.
        proxy.Stall();
        Assert.True(await WaitUntil(() => (RiskReasons(r.Host) & Fathom.Risk.RiskReason.OrderEntryDown) != 0 && RiskState(r.Host) == Fathom.Risk.RiskState.Halted,
            TimeSpan.FromSeconds(60)), $"a stalled order-entry connection was not reported down: risk {RiskState(r.Host)} ({RiskReasons(r.Host)})\n{r.Output}");
        Assert.False(r.Host.Gateway.IsReady);

        proxy.Resume();
        Assert.True(await WaitUntil(() => r.Host.Gateway.Reconnects > reconnects && RiskState(r.Host) == Fathom.Risk.RiskState.Active
            && exchange.OpenOrders().Count > 0, TimeSpan.FromSeconds(120)),
            $"not quoting again after the path healed: risk {RiskState(r.Host)} ({RiskReasons(r.Host)}), reconnects {r.Host.Gateway.Reconnects}\n{r.Output}");
        await StopRunAsync(r, exchange);
    }

    [Fact]
    public async Task Run_VenueSlowThenFast_LatencySwitchTrips_ThenReleasesOnItsOwn()
    {
        await using var exchange = await Exchange.StartAsync();
        var r = await StartRunAsync(SimulatorConfigJson(exchange.Server.BaseAddress,
            extra: "\"probeIntervalMs\": 250,", riskExtra: "\"releaseCooldownMs\": 1000,"));
        Assert.True(await WaitUntil(() => exchange.OpenOrders().Count > 0, TimeSpan.FromSeconds(60)), $"not quoting\n{r.Output}");

        // Every answer (orders and pings) takes 600 ms: the latency switch trips.
        exchange.Sim.Faults.RequestDelay = TimeSpan.FromMilliseconds(600);
        Assert.True(await WaitUntil(() => (RiskReasons(r.Host) & Fathom.Risk.RiskReason.AckLatency) != 0, TimeSpan.FromSeconds(60)),
            $"the ack-latency switch never tripped: risk {RiskState(r.Host)} ({RiskReasons(r.Host)})\n{r.Output}");
        Assert.NotEqual(Fathom.Risk.RiskState.Active, RiskState(r.Host));

        // Fast again: with few or no orders flowing, the probes show it and the switch lets go by itself.
        exchange.Sim.Faults.RequestDelay = TimeSpan.Zero;
        long placed = r.Host.Execution.Counters.Places + r.Host.Execution.Counters.CancelReplaces;
        Assert.True(await WaitUntil(() => RiskState(r.Host) == Fathom.Risk.RiskState.Active
            && r.Host.Execution.Counters.Places + r.Host.Execution.Counters.CancelReplaces > placed, TimeSpan.FromSeconds(90)),
            $"never released: risk {RiskState(r.Host)} ({RiskReasons(r.Host)})\n{r.Output}");
        await StopRunAsync(r, exchange);
    }

    [Fact]
    public async Task Run_OrdersLeftByAPreviousRun_AdoptedBeforeQuotingAndForeignOnesKept()
    {
        await using var exchange = await Exchange.StartAsync();
        // A previous run (prefix fx, instance 1) left one order resting; another application left one too.
        // (The previous run's sequence is above what this short run reaches: a real one takes its numbers
        // from the same durable high-water file, so they never meet.)
        var leftover = new ClientOrderId(1, 77, 3_000);
        var foreign = new ClientOrderId(1, 77, 6);
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            var credentials = new BinanceCredentials(s_key.ApiKey, s_key.Secret);
            var options = BinanceOrderGatewayOptions.Local(exchange.Server.BaseAddress);
            var instruments = new[] { new BinanceOrderInstrument(0, "BTCUSDT", "BTC", "USDT") };
            var ours = new RecordingSink();
            await using (var previous = new BinanceOrderGateway(instruments, credentials, new ClientOrderIdFormat("fx"), ours, options, http))
            {
                await previous.StartAsync(CancellationToken.None);
                previous.Send(OrderCommand.From(new PlaceOrderCommand(0, leftover, Side.Buy, OrderType.Limit,
                    new Fathom.Core.Price(50_000 * GatewayRig.Px), new Fathom.Core.Qty(100_000)), 0));
                await ours.WaitForAsync<AckReport>(a => a.ClientOrderId == leftover, "ack of the leftover order", 20_000);
            }
            var theirs = new RecordingSink();
            await using (var other = new BinanceOrderGateway(instruments, credentials, new ClientOrderIdFormat("zz"), theirs, options, http))
            {
                await other.StartAsync(CancellationToken.None);
                other.Send(OrderCommand.From(new PlaceOrderCommand(0, foreign, Side.Buy, OrderType.Limit,
                    new Fathom.Core.Price(50_001 * GatewayRig.Px), new Fathom.Core.Qty(100_000)), 0));
                await theirs.WaitForAsync<AckReport>(a => a.ClientOrderId == foreign, "ack of the foreign order", 20_000);
            }
        }
        string leftoverText = new ClientOrderIdFormat("fx").Format(leftover);
        string foreignText = new ClientOrderIdFormat("zz").Format(foreign);
        Assert.Contains(leftoverText, exchange.OpenOrders());

        string dir = TempDir();
        string path = WriteConfig(dir, SimulatorConfigJson(exchange.Server.BaseAddress));
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        List<string>? openWhenQuotingStarts = null;
        int rc = await RunCommand.RunAsync(path, mainnet: false, durationSeconds: 4, output, error,
            CancellationToken.None, new RunHooks { GetVariable = DemoEnvironment(), OnQuoting = _ => openWhenQuotingStarts = exchange.OpenOrders() })
            .WaitAsync(TimeSpan.FromSeconds(180));
        string text = output.ToString();
        Assert.True(rc == 0, $"exit {rc}\n{text}\n{error}");
        Assert.NotNull(openWhenQuotingStarts);
        Assert.Contains(leftoverText, openWhenQuotingStarts);         // adopted: it rests as the bid until the strategy quotes
        Assert.Contains(foreignText, openWhenQuotingStarts);          // never touched
        Assert.Contains("reconciliation: the venue listed 1 open order(s) of prefix 'fx' instance 1 from earlier runs: 1 adopted as quotes, 0 adopted and cancelled", text);
        Assert.True(text.IndexOf("reconciliation: the venue listed 1", StringComparison.Ordinal) < text.IndexOf("quoting BTCUSDT", StringComparison.Ordinal));
        // The strategy's quotes replaced it (or the shutdown cancelled it): only the foreign order is left.
        Assert.Equal([foreignText], exchange.OpenOrders());
    }

    [Fact]
    public async Task Run_ChildProcessSigterm_CancelsEverythingAndExits0()
    {
        await using var exchange = await Exchange.StartAsync();
        string dir = TempDir();
        string path = WriteConfig(dir, SimulatorConfigJson(exchange.Server.BaseAddress));
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
        start.Environment[BinanceCredentials.ApiKeyVariable] = s_key.ApiKey;
        start.Environment[BinanceCredentials.HmacSecretVariable] = s_key.Secret;
        start.Environment.Remove(BinanceCredentials.Ed25519KeyFileVariable);

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
            // Quoting: the command says so and the exchange holds our orders.
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (DateTime.UtcNow < deadline && !child.HasExited && !(Out().Contains("quoting BTCUSDT") && exchange.OpenOrders().Count > 0))
                await Task.Delay(200);
            Assert.True(Out().Contains("quoting BTCUSDT") && exchange.OpenOrders().Count > 0, $"not quoting\n{Out()}\n{Err()}");

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
        Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}\n{Out()}\n{Err()}");
        Assert.Contains("stopping: quoting stopped, cancelling every order", Out());
        Assert.Contains("shutdown clean: the venue lists no open order of ours.", Out());
        Assert.Empty(exchange.OpenOrders());
        AssertNoSecrets(Out() + Err());
    }
}
