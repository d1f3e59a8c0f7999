using Fathom.Hosting;
using System.Text.Json.Nodes;
using Fathom.Cli;
using Fathom.Testing;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// Bad input through the real command line, in process (<see cref="Program.BuildRoot"/>, as <c>Main</c>
/// runs it): every case ends with exactly one <c>error:</c> line on stderr naming the JSON path or the
/// file, the documented exit code, and no stack trace anywhere. The config cases point at a closed port
/// (127.0.0.1:1): the error must be the config's, found before any connection is tried.
/// </summary>
public sealed class CliErrorTests
{
    private static string TempDir() => Directory.CreateTempSubdirectory("fathom-cli-errors-").FullName;

    /// <summary>Writes <see cref="RunConfigTests.ValidJson"/> changed by <paramref name="change"/> and returns the run arguments.</summary>
    private static string[] RunWith(string dir, Action<JsonObject> change)
    {
        var root = JsonNode.Parse(RunConfigTests.ValidJson)!.AsObject();
        change(root);
        string path = Path.Combine(dir, "fathom.json");
        File.WriteAllText(path, root.ToJsonString());
        return ["run", "--config", path];
    }

    /// <summary>As <see cref="RunWith"/>, with a raw number literal (System.Text.Json.Nodes cannot hold 1e400 or 2^64).</summary>
    private static string[] RunWithLiteral(string dir, string find, string replace)
    {
        string json = RunConfigTests.ValidJson.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(RunConfigTests.ValidJson, json);
        string path = Path.Combine(dir, "fathom.json");
        File.WriteAllText(path, json);
        return ["run", "--config", path];
    }

    private static JsonObject Strategy(JsonObject root) => root["symbols"]![0]!["strategy"]!.AsObject();

    /// <summary>The arguments of one case, its files made under <paramref name="dir"/>.</summary>
    private static string[] Arrange(string name, string dir)
    {
        string stateDir = Path.Combine(dir, "fathom-state");
        switch (name)
        {
            case "maxInFlightAgeMs too large (overflows as ns)":
                return RunWith(dir, r => r["risk"]!["maxInFlightAgeMs"] = 18446744073710);
            case "maxInFlightAgeMs beyond 64 bits":
                return RunWithLiteral(dir, "\"priceBandBps\": 200", "\"priceBandBps\": 200, \"maxInFlightAgeMs\": 18446744073709551616");
            case "pullVolatility 1e400 (infinity)":
                return RunWithLiteral(dir, "\"maxSkewTicks\": 5", "\"maxSkewTicks\": 5, \"pullVolatility\": 1e400");
            case "maxDailyLoss beyond fixed point":
                return RunWith(dir, r => r["risk"]!["maxDailyLoss"] = "1000000000000000");
            case "negative halfSpreadTicks":
                return RunWith(dir, r => Strategy(r)["halfSpreadTicks"] = -3);
            case "halfSpreadTicks beyond 64 bits":
                return RunWithLiteral(dir, "\"halfSpreadTicks\": 3", "\"halfSpreadTicks\": 99999999999999999999999");
            case "fractional priceBandBps":
                return RunWith(dir, r => r["risk"]!["priceBandBps"] = 2.5);
            case "venueErrorRatePercent above 100":
                return RunWith(dir, r => r["risk"]!["venueErrorRatePercent"] = 150);
            case "shutdownTimeoutSeconds 1e300":
                return RunWithLiteral(dir, "\"statusIntervalSeconds\": 1", "\"statusIntervalSeconds\": 1, \"shutdownTimeoutSeconds\": 1e300");
            case "corrupt trade store":
                Directory.CreateDirectory(stateDir);
                File.WriteAllText(Path.Combine(stateDir, "fathom.db"), "this is not a database, it is a note someone left here\n" + new string('x', 4096));
                return RunWith(dir, _ => { });
            case "corrupt client-id file":
                Directory.CreateDirectory(stateDir);
                File.WriteAllText(Path.Combine(stateDir, "client-order-ids.hwm"), "garbage!");
                return RunWith(dir, _ => { });
            case "book on an empty file":
                File.WriteAllBytes(Path.Combine(dir, "empty.gz"), []);
                return ["book", Path.Combine(dir, "empty.gz")];
            case "book on a gz cut in half":
            {
                byte[] whole = File.ReadAllBytes(SharedData.BinanceSpotDays[0]);
                File.WriteAllBytes(Path.Combine(dir, "half.gz"), whole[..(whole.Length / 2)]);
                return ["book", Path.Combine(dir, "half.gz")];
            }
            case "book on garbage":
                File.WriteAllBytes(Path.Combine(dir, "garbage.gz"), [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 37 % 251))]);
                return ["book", Path.Combine(dir, "garbage.gz")];
            case "book on garbage text":
                File.WriteAllText(Path.Combine(dir, "notes.txt"), "not a recording\nat all\n");
                return ["book", Path.Combine(dir, "notes.txt")];
            case "book on another symbol's recording":
                return ["book", SharedData.BinanceSpotDays[0], "--symbol", "ETHUSDT"];
            case "book on another venue's recording":
                return ["book", BybitDay(dir)];
            case "convert on another venue's recording":
                return ["convert", BybitDay(dir), "--out", Path.Combine(dir, "bybit.fathomstore")];
            case "replay on a garbage journal":
                File.WriteAllText(Path.Combine(dir, "demo.fathomjnl"), "definitely not a journal\n");
                return ["replay", "--journal", Path.Combine(dir, "demo.fathomjnl")];
            case "replay on an empty journal":
                File.WriteAllBytes(Path.Combine(dir, "demo.fathomjnl"), []);
                return ["replay", "--journal", Path.Combine(dir, "demo.fathomjnl")];
            default:
                throw new ArgumentException(name);
        }
    }

    /// <summary>Bybit's order book messages as an hftbacktest-style day: well-formed lines, no Binance message among them.</summary>
    private static string BybitDay(string dir)
    {
        string path = Path.Combine(dir, "bybit.gz");
        using var gz = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest);
        using var w = new StreamWriter(gz);
        for (int i = 0; i < 20; i++)
            w.Write($"{1_700_000_000_000_000_000L + i * 1_000_000L} {{\"topic\":\"orderbook.50.BTCUSDT\",\"type\":\"{(i == 0 ? "snapshot" : "delta")}\"," +
                $"\"ts\":{1_700_000_000_000L + i},\"data\":{{\"s\":\"BTCUSDT\",\"b\":[[\"30000.10\",\"1.5\"]],\"a\":[[\"30000.20\",\"0.7\"]]," +
                $"\"u\":{1000 + i},\"seq\":{5000 + i}}}}}\n");
        return path;
    }

    [Theory]
    // case, exit code, what the error line must say ({dir}: the case's directory)
    [InlineData("maxInFlightAgeMs too large (overflows as ns)", 2, "error: {dir}/fathom.json: $.risk.maxInFlightAgeMs: must be at most 86400000 ms (one day) (got 18446744073710)")]
    [InlineData("maxInFlightAgeMs beyond 64 bits", 2, "error: {dir}/fathom.json: $.risk.maxInFlightAgeMs: must be at most 86400000 ms")]
    [InlineData("pullVolatility 1e400 (infinity)", 2, "error: {dir}/fathom.json: $.symbols[0].strategy.pullVolatility: must be at most 1 (got 1e400)")]
    [InlineData("maxDailyLoss beyond fixed point", 2, "error: {dir}/fathom.json: $.risk.maxDailyLoss: 1000000000000000 is too large")]
    [InlineData("negative halfSpreadTicks", 2, "error: {dir}/fathom.json: $.symbols[0].strategy.halfSpreadTicks: must be positive (got -3)")]
    [InlineData("halfSpreadTicks beyond 64 bits", 2, "error: {dir}/fathom.json: $.symbols[0].strategy.halfSpreadTicks: must be at most 100000 ticks")]
    [InlineData("fractional priceBandBps", 2, "error: {dir}/fathom.json: $.risk.priceBandBps: must be an integer")]
    [InlineData("venueErrorRatePercent above 100", 2, "error: {dir}/fathom.json: $.risk.venueErrorRatePercent: must be at most 100%")]
    [InlineData("shutdownTimeoutSeconds 1e300", 2, "error: {dir}/fathom.json: $.shutdownTimeoutSeconds: must be at most 3600 s")]
    [InlineData("corrupt trade store", 2, "error: the trade store {dir}/fathom-state/fathom.db is not a readable SQLite database: ")]
    [InlineData("corrupt client-id file", 2, "error: the client-order-id high-water file {dir}/fathom-state/client-order-ids.hwm has 8 bytes")]
    [InlineData("book on an empty file", 2, "error: {dir}/empty.gz is empty")]
    [InlineData("book on a gz cut in half", 1, "error: {dir}/half.gz: the book check failed: half.gz is truncated")]
    [InlineData("book on garbage", 2, "error: could not read {dir}/garbage.gz: ")]
    [InlineData("book on garbage text", 2, "error: {dir}/notes.txt is not an hftbacktest recording")]
    [InlineData("book on another symbol's recording", 1, "error: {data}: the book check failed: no depth diff of ETHUSDT in the recording, and 41248 message(s) name another symbol: is --symbol right?")]
    [InlineData("book on another venue's recording", 1, "error: {dir}/bybit.gz: the book check failed: BTCUSDT ended Syncing, not Live (no snapshot was applied); none of the 20 message(s) is a Binance spot depth diff, snapshot, bookTicker or trade (")]
    [InlineData("convert on another venue's recording", 1, "error: nothing to convert: none of the 20 message(s) is a BinanceSpot depth diff, snapshot, bookTicker or trade of a known symbol (0 of another symbol, 0 malformed, 0 bad number(s)): is it a recording of this venue and symbol? (--venue, --symbol)")]
    [InlineData("replay on a garbage journal", 2, "error: {dir}/demo.fathomjnl is not a Fathom journal")]
    [InlineData("replay on an empty journal", 2, "error: {dir}/demo.fathomjnl has no meta record")]
    public async Task BadInput_OneErrorLineNamingItNoStackTrace(string name, int exitCode, string expected)
    {
        string dir = TempDir();
        string[] args = Arrange(name, dir);
        var output = new StringWriter();
        var error = new StringWriter();
        int rc = await Program.BuildRoot(output, error).Parse(args).InvokeAsync().WaitAsync(TimeSpan.FromSeconds(120));

        string stdout = output.ToString(), stderr = error.ToString();
        string context = $"{name}: exit {rc}\nstdout:\n{stdout}\nstderr:\n{stderr}";
        Assert.True(rc == exitCode, context);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected.Replace("{dir}", dir, StringComparison.Ordinal)
            .Replace("{data}", Path.GetFullPath(SharedData.BinanceSpotDays[0]), StringComparison.Ordinal), line);
        Assert.DoesNotContain("   at ", stdout + stderr);
        Assert.DoesNotContain("Exception", stdout + stderr);
        if (args[0] == "convert")
            Assert.Empty(Directory.GetFiles(dir, "*.fathomstore*")); // no store, not even a partial one
        if (args[0] == "run")
        {
            // Refused before anything was printed, any credential read, or the venue (a closed port) contacted.
            Assert.Equal("", stdout);
            Assert.DoesNotContain("127.0.0.1:1", stderr);
        }
    }

    [Fact]
    public async Task UnexpectedException_NamesItsTypeWithoutAStackTrace()
    {
        var error = new StringWriter();
        var command = new System.CommandLine.Command("boom");
        command.SetAction(new Func<System.CommandLine.ParseResult, int>(_ => throw new NotSupportedException("something nobody expected")));
        var root = new System.CommandLine.RootCommand { command };
        CliErrors.Guard(root, error);
        int rc = await root.Parse(["boom"]).InvokeAsync();
        Assert.Equal(1, rc);
        string line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: unexpected System.NotSupportedException: something nobody expected", line);
        Assert.DoesNotContain("   at ", error.ToString());
    }
}
