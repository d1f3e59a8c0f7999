using System.Diagnostics;
using System.Text.Json;
using Fathom.Cli;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.Venues.Binance;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// <c>fathom state --config</c> on what a real run stored: its positions, open orders, risk day and halt are
/// what the store's own <see cref="SqliteTradeStore.Load"/> says, without the venue or any API key.
/// </summary>
public sealed partial class RunCommandTests
{
    /// <summary>An online copy of the live store (what a crash would leave) into <paramref name="stateDir"/>, and what it loads.</summary>
    private static async Task<PersistedState> SnapshotStoreAsync(string runDir, string stateDir)
    {
        Directory.CreateDirectory(stateDir);
        string copy = Path.Combine(stateDir, "fathom.db");
        foreach (string f in new[] { copy, copy + "-wal", copy + "-shm" })
            File.Delete(f);
        using (var live = new SqliteConnection($"Data Source={Path.Combine(runDir, "fathom-state", "fathom.db")};Pooling=False"))
        using (var target = new SqliteConnection($"Data Source={copy};Pooling=False"))
        {
            live.Open();
            target.Open();
            live.BackupDatabase(target);
        }
        await using var store = Fathom.Persistence.SqliteTradeStore.Open(copy, ["BTCUSDT"], 1);
        return store.Load();
    }

    private static async Task<(int Code, string Output, string Error)> StateAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await Program.BuildRoot(output, error).Parse(["state", .. args]).InvokeAsync();
        return (code, output.ToString(), error.ToString());
    }

    private static string Amount(long raw) => FixedPoint.ToTrimmedString(raw, BinanceSymbol.WireDecimals);

    [Fact]
    public async Task State_OfARunsStore_MatchesTheStoresOwnLoad_PositionOrdersDayAndHalt()
    {
        await using var exchange = await Exchange.StartAsync();
        var run = await StartRunAsync(SimulatorConfigJson(exchange.Server.BaseAddress));
        Assert.True(await WaitUntil(() => run.Host.Engine.Fills >= 2 || run.Run.IsCompleted, TimeSpan.FromSeconds(90)), $"no fills\n{run.Output}\n{run.Error}");

        // A config naming a copy of the live store, taken while quoting (orders rest on the venue).
        string snapshotDir = Path.Combine(run.Dir, "snapshot");
        string snapshotConfig = Path.Combine(run.Dir, "snapshot.json");
        File.WriteAllText(snapshotConfig, SimulatorConfigJson(exchange.Server.BaseAddress, extra: "\"stateDirectory\": \"snapshot\","));
        PersistedState quoting = PersistedState.Empty;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            await FlushStoreAsync(run.Host);
            quoting = await SnapshotStoreAsync(run.Dir, snapshotDir);
            if (quoting.OpenOrders.Count > 0 && quoting.Fills.Count > 0)
                break;
        }
        Assert.True(quoting.OpenOrders.Count > 0 && quoting.Fills.Count > 0, $"no snapshot with open orders and fills\n{run.Output}");

        var (code, text, error) = await StateAsync("--config", snapshotConfig, "--json");
        Assert.True(code == 0, $"exit {code}\n{text}\n{error}");
        Assert.Equal("", error);
        using (var doc = JsonDocument.Parse(text))
        {
            JsonElement root = doc.RootElement;
            Assert.Equal(Path.Combine(snapshotDir, "fathom.db"), root.GetProperty("store").GetString());
            Assert.Equal(1, root.GetProperty("instanceId").GetInt32());

            // The position is the stored fills' sum, as a restart rebuilds it.
            JsonElement btc = Assert.Single(root.GetProperty("positions").EnumerateArray());
            Assert.Equal("BTCUSDT", btc.GetProperty("symbol").GetString());
            PositionLedger expected = quoting.PositionOf("BTCUSDT", 1, BinanceSymbol.WireDecimals, BinanceSymbol.WireDecimals);
            var ours = quoting.Fills.Where(f => f.Symbol == "BTCUSDT" && f.ClientId.Node == 1 && !f.ClientId.IsNone).ToList();
            Assert.Equal(Amount(expected.Position.Raw), btc.GetProperty("position").GetString());
            Assert.Equal(Amount(expected.AverageEntry.Raw), btc.GetProperty("averageEntry").GetString());
            Assert.Equal(Amount(expected.RealizedPnl), btc.GetProperty("realizedPnl").GetString());
            Assert.Equal(Amount(expected.FeesPaid), btc.GetProperty("fees").GetString());
            Assert.Equal(Amount(ours.Where(f => f.Side == OrderSide.Buy).Sum(f => f.Qty.Raw)), btc.GetProperty("bought").GetString());
            Assert.Equal(Amount(ours.Where(f => f.Side == OrderSide.Sell).Sum(f => f.Qty.Raw)), btc.GetProperty("sold").GetString());
            // Bought less sold, less what commissions in the base asset took out of it.
            Assert.Equal(ours.Sum(f => (f.Side == OrderSide.Buy ? f.Qty.Raw : -f.Qty.Raw) - f.FeeQty.Raw), expected.Position.Raw);
            Assert.Equal(ours.Count, btc.GetProperty("fills").GetInt32());
            Assert.Equal(quoting.LastTradeIds["BTCUSDT"], btc.GetProperty("lastTradeId").GetInt64());

            // Every order the store holds as open, with the id the venue knows.
            var format = new ClientOrderIdFormat("fx");
            var listed = root.GetProperty("openOrders").EnumerateArray().ToList();
            Assert.Equal(quoting.OpenOrders.Count, listed.Count);
            for (int i = 0; i < listed.Count; i++)
            {
                PersistedOrder o = quoting.OpenOrders[i];
                Assert.Equal(format.Format(o.ClientId), listed[i].GetProperty("clientOrderId").GetString());
                Assert.Equal(o.VenueOrderId, listed[i].GetProperty("venueOrderId").GetInt64());
                Assert.Equal(o.State.ToString(), listed[i].GetProperty("state").GetString());
                Assert.Equal(Amount(o.Price.Raw), listed[i].GetProperty("price").GetString());
                Assert.Equal(Amount(o.Qty.Raw), listed[i].GetProperty("qty").GetString());
            }

            // The risk day the run stored, today.
            RiskDayRecord day = quoting.Day!.Value;
            JsonElement d = root.GetProperty("day");
            Assert.Equal(day.DayIndex, d.GetProperty("index").GetInt64());
            Assert.Equal(Amount(day.StartPnl), d.GetProperty("startPnl").GetString());
            Assert.True(d.GetProperty("today").GetBoolean());
            Assert.Equal(Amount(day.StartPnl - expected.RealizedPnl), d.GetProperty("lossSoFar").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("halt").ValueKind);
        }

        // The same, for a person.
        (code, text, error) = await StateAsync("--config", snapshotConfig);
        Assert.True(code == 0, $"exit {code}\n{text}\n{error}");
        PositionLedger position = quoting.PositionOf("BTCUSDT", 1, BinanceSymbol.WireDecimals, BinanceSymbol.WireDecimals);
        Assert.Contains($"BTCUSDT: position {Amount(position.Position.Raw)}, average entry {Amount(position.AverageEntry.Raw)}, " +
            $"realized PnL {Amount(position.RealizedPnl)} (net of fees), fees {Amount(position.FeesPaid)}, fills {quoting.Fills.Count(f => f.ClientId.Node == 1)}", text);
        Assert.Contains($"open orders (last stored state not terminal; the venue's own list is what reconciliation cancels): {quoting.OpenOrders.Count}", text);
        foreach (PersistedOrder o in quoting.OpenOrders)
            Assert.Contains($"{new ClientOrderIdFormat("fx").Format(o.ClientId)}", text);
        Assert.Contains($"risk day {quoting.Day!.Value.DayIndex} (from ", text);
        Assert.Contains("halt: none stored", text);

        // An operator halt: stored, and printed with its reason.
        run.Host.Apply(OperatorAction.Halt);
        await FlushStoreAsync(run.Host);
        PersistedState halted = await SnapshotStoreAsync(run.Dir, snapshotDir);
        Assert.True(halted.Halt is { Halted: true }, "the halt was committed");
        (code, text, error) = await StateAsync("--config", snapshotConfig);
        Assert.True(code == 0, $"exit {code}\n{text}\n{error}");
        Assert.Contains($"halt: IN FORCE: {halted.Halt!.Value.Reason}, since core time ", text);
        Assert.Contains("operator halt", text);
        // The halt is also in the risk audit trail (written through the engine from risk's observer).
        Assert.Contains(halted.RiskEvents, e => e.To == Fathom.Risk.RiskState.Halted && e.Trigger == Fathom.Risk.RiskTrigger.OperatorHalt);
        Assert.Matches(@"account: \w+ -> Halted \(OperatorHalt\)", text);
        (code, text, _) = await StateAsync("--config", snapshotConfig, "--json");
        Assert.Equal(0, code);
        using (var doc = JsonDocument.Parse(text))
        {
            JsonElement halt = doc.RootElement.GetProperty("halt");
            Assert.True(halt.GetProperty("halted").GetBoolean());
            Assert.Equal(halted.Halt!.Value.Reason, halt.GetProperty("reason").GetString());
        }

        await StopRunAsync(run, exchange);
    }

    [Fact]
    public async Task State_NoStoreAtTheConfigsPath_Exit2SaysSoAndCreatesNothing()
    {
        string dir = TempDir();
        string path = WriteConfig(dir, RunConfigTests.ValidJson);
        string store = Path.Combine(dir, "fathom-state", "fathom.db");
        var (code, output, error) = await StateAsync("--config", path);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"error: no trade store at {store} ", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(File.Exists(store));
        Assert.False(Directory.Exists(Path.Combine(dir, "fathom-state")));
    }

    [Fact]
    public async Task State_StoreNotADatabase_Exit1_BadConfig_Exit2()
    {
        string dir = TempDir();
        string path = WriteConfig(dir, RunConfigTests.ValidJson);
        Directory.CreateDirectory(Path.Combine(dir, "fathom-state"));
        string store = Path.Combine(dir, "fathom-state", "fathom.db");
        File.WriteAllText(store, "this is not a database, it is a note someone left here\n" + new string('x', 4096));
        var (code, output, error) = await StateAsync("--config", path);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith($"error: the trade store {store} cannot be read: ", error);

        string bad = WriteConfig(TempDir(), RunConfigTests.ValidJson.Replace("\"custom\"", "\"kraken\"", StringComparison.Ordinal));
        (code, _, error) = await StateAsync("--config", bad);
        Assert.Equal(2, code);
        Assert.StartsWith($"error: {bad}: $.venue: unknown venue 'kraken'", error);
    }

    [Fact]
    public async Task State_ChildProcessWithoutAnyApiKeyVariable_PrintsTheStore()
    {
        // A store with one fill of ours and a halt, written directly (no run, no venue).
        string dir = TempDir();
        string path = WriteConfig(dir, RunConfigTests.ValidJson);
        string stateDir = Path.Combine(dir, "fathom-state");
        Directory.CreateDirectory(stateDir);
        await using (var store = Fathom.Persistence.SqliteTradeStore.Open(Path.Combine(stateDir, "fathom.db"), ["BTCUSDT"], 1))
        {
            store.TryAppend(new FillReport(0, new ClientOrderId(1, 9, 3), 77, 1234, OrderSide.Buy, new Price(60_000L * 100_000_000),
                new Qty(150_000), new Qty(150_000), 9_000_000, Qty.Zero, true, 1));
            store.TryAppend(new RiskHaltRecord(true, "operator halt", 2));
            await store.FlushAsync(TimeSpan.FromSeconds(30));
        }

        string fathom = Path.Combine(AppContext.BaseDirectory, "fathom.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        foreach (string a in new[] { fathom, "state", "--config", path })
            start.ArgumentList.Add(a);
        foreach (string name in new[] { BinanceCredentials.ApiKeyVariable, BinanceCredentials.HmacSecretVariable, BinanceCredentials.Ed25519KeyFileVariable })
            start.Environment.Remove(name);
        using var child = Process.Start(start)!;
        Task<string> stdout = child.StandardOutput.ReadToEndAsync();
        Task<string> stderr = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        string text = await stdout;
        Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}\n{text}\n{await stderr}");
        Assert.Equal("", await stderr);
        Assert.Contains("BTCUSDT: position 0.0015, average entry 60000, realized PnL -0.09 (net of fees), fees 0.09, fills 1 (bought 0.0015, sold 0), last trade id 1234", text);
        Assert.Contains("halt: IN FORCE: operator halt", text);
        Assert.Contains("risk day: none stored", text);
        Assert.Contains("open orders (last stored state not terminal; the venue's own list is what reconciliation cancels): 0", text);
    }
}
