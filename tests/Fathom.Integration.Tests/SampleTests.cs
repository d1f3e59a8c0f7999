using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Fathom.Simulator;
using Fathom.Venues.Binance;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// samples/MyStrategy as a user has it: a separate project that references the packed Fathom packages from a
/// local folder feed (never project references), with its own strategy class, run against the simulator.
/// Slow tier (packs, restores, builds and runs a program: about a minute); every wait is bounded.
/// </summary>
public sealed partial class SampleTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task Sample_FromPackedPackages_RunsItsStrategyAgainstTheSimulatorAndStopsClean()
    {
        string root = RepositoryRoot();
        string work = Path.Combine(Path.GetTempPath(), "fathom-sample-tests", Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed");
        string sample = Path.Combine(work, "MyStrategy");
        // A version no feed or cache has seen: the sample can only restore the packages packed here.
        string version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Random.Shared.Next(1_000_000)}";
        try
        {
            // 1. Pack the libraries this test run built (the test project references all of them through the CLI).
            var pack = await DotnetAsync(root, TimeSpan.FromMinutes(3), null,
                "pack", Path.Combine(root, "Fathom.slnx"), "-c", Configuration, "--no-build", "-o", feed, $"-p:Version={version}");
            Assert.True(pack.ExitCode == 0, "dotnet pack failed:\n" + pack.Output);
            Assert.True(File.Exists(Path.Combine(feed, $"Fathom.Hosting.{version}.nupkg")), "no Fathom.Hosting package:\n" + pack.Output);

            // 2. The sample, copied as a user would have it, its nuget.config pointing at this feed.
            Directory.CreateDirectory(sample);
            foreach (string file in Directory.GetFiles(Path.Combine(root, "samples", "MyStrategy")))
                if (Path.GetFileName(file) != "nuget.config")
                    File.Copy(file, Path.Combine(sample, Path.GetFileName(file)));
            File.WriteAllText(Path.Combine(sample, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="fathom-test-feed" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            var build = await DotnetAsync(sample, TimeSpan.FromMinutes(4), null, "build", "-c", "Release", $"-p:FathomVersion={version}");
            Assert.True(build.ExitCode == 0, "the sample did not build:\n" + build.Output);
            string assets = File.ReadAllText(Path.Combine(sample, "obj", "project.assets.json"));
            Assert.Contains($"\"Fathom.Hosting/{version}\"", assets);
            Assert.DoesNotContain("\"type\": \"project\"", assets); // packages only: no project reference crept in

            // 3. Run it against the simulator for a few seconds.
            var config = SimulatorConfig.Demo();
            config.Seed = 7;
            using var sim = ExchangeSimulator.Create(config, TimeProvider.System);
            await using var server = await SimulatorServer.StartAsync(sim.Api, IPAddress.Loopback, 0);
            sim.StartMarketFlow(FlowRegime.Mixed, TimeSpan.FromMilliseconds(25));
            string http = server.BaseAddress.ToString().TrimEnd('/');
            string ws = "ws" + http[4..];
            string configPath = Path.Combine(work, "fathom.json");
            File.WriteAllText(configPath, $$"""
                {
                  "venue": "custom",
                  "restUrl": "{{http}}",
                  "streamUrl": "{{ws}}",
                  "wsApiUrl": "{{ws}}/ws-api/v3",
                  "symbols": [
                    { "symbol": "BTCUSDT", "baseAsset": "BTC", "quoteAsset": "USDT",
                      "strategy": { "name": "touch-quoter", "qty": "0.001", "maxPosition": "0.01", "offsetTicks": 2, "minRequoteMs": 200 },
                      "limits": { "maxPosition": "0.02", "maxOrderQty": "0.005", "maxOrderNotional": "10000" } }
                  ],
                  "risk": { "maxTotalNotional": "100000", "markoutLossLimit": "500", "maxDailyLoss": "5000", "priceBandBps": 200 },
                  "stateDirectory": "state",
                  "statusIntervalSeconds": 1,
                  "shutdownTimeoutSeconds": 15,
                  "logging": { "file": "state/host.log", "jsonFile": "state/host.jsonl" }
                }
                """);
            var key = config.Accounts[0].Keys[0];
            var env = new Dictionary<string, string?>
            {
                [BinanceCredentials.ApiKeyVariable] = key.ApiKey,
                [BinanceCredentials.HmacSecretVariable] = key.Secret,
                [BinanceCredentials.Ed25519KeyFileVariable] = null,
                // An environment override of a strategy parameter reaches the strategy's options.
                ["FATHOM_symbols__0__strategy__offsetTicks"] = "1",
            };
            string dll = Path.Combine(sample, "bin", "Release", "net10.0", "MyStrategy.dll");
            var run = await DotnetAsync(work, TimeSpan.FromMinutes(2), env, dll, "--config", configPath, "--duration", "6");
            Assert.True(run.ExitCode == 0, $"the sample exited {run.ExitCode}:\n{run.Output}");
            Assert.Contains("BTCUSDT (BTC/USDT): strategy touch-quoter", run.Output);
            Assert.Contains("offsetTicks 1", run.Output);
            Assert.Contains("quoting BTCUSDT", run.Output);
            Match placed = PlacedOrders().Match(run.Output);
            Assert.True(placed.Success && int.Parse(placed.Groups[1].Value, CultureInfo.InvariantCulture) > 0, "the strategy placed no order:\n" + run.Output);
            Assert.Contains("shutdown clean: the venue lists no open order of ours.", run.Output);
            Assert.DoesNotContain(key.Secret!, run.Output);

            // The lifecycle log, plain and JSON, through Microsoft.Extensions.Logging.
            string log = File.ReadAllText(Path.Combine(work, "state", "host.log"));
            Assert.Contains("INF Fathom.Host: quoting BTCUSDT", log);
            Assert.Contains("shutdown clean", log);
            Assert.DoesNotContain(key.Secret!, log);
            Assert.Contains("\"Message\":", File.ReadAllText(Path.Combine(work, "state", "host.jsonl")), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            // The unique version is of no use to anyone again: keep the NuGet cache from growing.
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            if (Directory.Exists(cache))
                foreach (string dir in Directory.GetDirectories(cache, "fathom.*"))
                    try { Directory.Delete(Path.Combine(dir, version.ToLowerInvariant()), recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    [GeneratedRegex(@"orders: (\d+) placed")]
    private static partial Regex PlacedOrders();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Fathom.slnx")))
                return dir.FullName;
        throw new FileNotFoundException("Fathom.slnx was not found above " + AppContext.BaseDirectory);
    }

    private static async Task<(int ExitCode, string Output)> DotnetAsync(string workingDirectory, TimeSpan timeout,
        Dictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string a in args)
            start.ArgumentList.Add(a);
        // The test host's MSBuild variables would leak into a child build.
        foreach (string name in new[] { "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildExtensionsPath" })
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? [])
        {
            if (value is null)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        }
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine("stderr: " + e.Data); };
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            lock (output)
                return (-1, $"timed out after {timeout} running dotnet {string.Join(' ', args)}\n{output}");
        }
        process.WaitForExit(); // drain the output events
        lock (output)
            return (process.ExitCode, output.ToString());
    }
}
