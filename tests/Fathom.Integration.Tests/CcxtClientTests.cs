using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Fathom.Simulator;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// A standard Binance client library, ccxt (npm, pinned in tests/ccxt-client/package-lock.json),
/// trades against the simulator on loopback by changing only its base URL: it loads markets, reads
/// the book, places, queries and cancels an order, takes liquidity and reads back its fills. Every
/// ccxt endpoint family is pointed at the simulator, so nothing leaves the machine. The test installs
/// the pinned package itself (npm ci) when it is missing, so `dotnet test` needs no extra step.
/// </summary>
public class CcxtClientTests
{
    private static string ClientDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Fathom.slnx")))
                return Path.Combine(dir.FullName, "tests", "ccxt-client");
        throw new DirectoryNotFoundException("could not find the repository root (Fathom.slnx) above " + AppContext.BaseDirectory);
    }

    private static (int ExitCode, string Output, string Error) Run(string file, string arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish within {timeout}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static void EnsureCcxtInstalled(string dir)
    {
        if (File.Exists(Path.Combine(dir, "node_modules", "ccxt", "package.json")))
            return;
        var (code, output, error) = Run("npm", "ci --no-audit --no-fund", dir, TimeSpan.FromMinutes(4));
        Assert.True(code == 0, $"npm ci in {dir} failed ({code}): {error}{output}");
    }

    [Fact]
    public async Task Ccxt_LoadsMarkets_ReadsBook_Places_Queries_Cancels_AndSeesFills()
    {
        string dir = ClientDirectory();
        EnsureCcxtInstalled(dir);

        var config = SimulatorConfig.Demo();
        config.SeedLevels = 10;
        config.Seed = 42;
        using var sim = ExchangeSimulator.Create(config, TimeProvider.System);
        await using var server = await SimulatorServer.StartAsync(sim.Api, IPAddress.Loopback, 0);
        string baseUrl = server.BaseAddress.ToString().TrimEnd('/');

        var (code, output, error) = await Task.Run(() => Run("node", $"roundtrip.js {baseUrl}", dir, TimeSpan.FromSeconds(90)));
        Assert.True(code == 0, $"ccxt client failed ({code}): {error}{output}");

        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var r = result.RootElement;
        Assert.Equal(2, r.GetProperty("markets").GetInt32());         // BTC/USDT and ETH/USDT from exchangeInfo
        Assert.True(r.GetProperty("bid").GetDouble() > 0);             // the book it read
        Assert.Equal("open", r.GetProperty("placed").GetString());     // a resting limit order
        Assert.Equal("open", r.GetProperty("fetched").GetString());    // queried by id
        Assert.Equal("canceled", r.GetProperty("canceled").GetString());
        Assert.Equal("closed", r.GetProperty("taker").GetString());    // a market order filled
        Assert.Equal(0.001, r.GetProperty("takerFilled").GetDouble(), 9);
        Assert.True(r.GetProperty("trades").GetInt32() >= 1);          // fetchMyTrades saw the fill
    }

    /// <summary>
    /// ccxt's <c>okx</c> class against the simulator's OKX v5 front (tests/ccxt-client/okx.js): loads the spot
    /// markets, reads the book, places a limit order (ccxt signs and sends it as batch-orders), queries it,
    /// lists open orders, cancels it and reads the balance; checked here against the engine itself.
    /// </summary>
    [Fact]
    public async Task CcxtOkx_LoadsMarkets_ReadsBook_Places_Queries_Cancels_ReadsBalance()
    {
        string dir = ClientDirectory();
        EnsureCcxtInstalled(dir);

        var config = SimulatorConfig.Demo();
        config.SeedLevels = 10;
        config.Seed = 42;
        using var sim = ExchangeSimulator.Create(config, TimeProvider.System);
        await using var server = await SimulatorServer.StartAsync(sim.Api, IPAddress.Loopback, 0);
        string baseUrl = server.BaseAddress.ToString().TrimEnd('/');

        var (code, output, error) = await Task.Run(() => Run("node", $"okx.js {baseUrl}", dir, TimeSpan.FromSeconds(90)));
        Assert.True(code == 0, $"ccxt okx client failed ({code}): {error}{output}");

        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var r = result.RootElement;
        var book = sim.Engine.Book("BTCUSDT");
        Assert.Equal(2, r.GetProperty("markets").GetInt32());                 // BTC/USDT and ETH/USDT from public/instruments
        Assert.Equal(0.01, r.GetProperty("tick").GetDouble(), 9);
        Assert.Equal(book.Level(OrderSide.Buy, 0).Price / 100.0, r.GetProperty("bid").GetDouble(), 9);
        Assert.Equal(5, r.GetProperty("asks").GetInt32());
        string id = r.GetProperty("id").GetString()!;
        Assert.True(book.TryGetOrder(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture), out var order));
        Assert.Equal(sim.Engine.Accounts[0], order.Account);
        Assert.Equal(OrderStatus.Canceled, order.Status);
        Assert.Equal(order.Price / 100.0, r.GetProperty("fetchedPrice").GetDouble(), 9);
        Assert.Equal(0.001, r.GetProperty("fetchedAmount").GetDouble(), 9);
        Assert.Equal("open", r.GetProperty("fetched").GetString());
        Assert.Equal(new[] { id }, r.GetProperty("open").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(id, r.GetProperty("canceled").GetString());
        Assert.Equal("canceled", r.GetProperty("after").GetString());
        Assert.Equal(10, r.GetProperty("btc").GetDouble(), 9);
        Assert.Equal(1_000_000, r.GetProperty("usdt").GetDouble(), 9);
    }

    /// <summary>
    /// ccxt's market-data calls (fetchTicker, fetchTickers, fetchLastPrices, fetchTrades via aggTrades,
    /// fetchOHLCV, fetchOrders, fetchClosedOrders, fetchStatus) after it traded: market.js checks each
    /// against the simulator's own trades and exits non-zero on a mismatch.
    /// </summary>
    [Fact]
    public async Task Ccxt_MarketStatistics_AgreeWithTheSimulatorsTrades()
    {
        string dir = ClientDirectory();
        EnsureCcxtInstalled(dir);

        var config = SimulatorConfig.Demo();
        config.SeedLevels = 10;
        config.Seed = 42;
        using var sim = ExchangeSimulator.Create(config, TimeProvider.System);
        await using var server = await SimulatorServer.StartAsync(sim.Api, IPAddress.Loopback, 0);
        string baseUrl = server.BaseAddress.ToString().TrimEnd('/');

        var (code, output, error) = await Task.Run(() => Run("node", $"market.js {baseUrl}", dir, TimeSpan.FromSeconds(90)));
        Assert.True(code == 0, $"ccxt client failed ({code}): {error}{output}");

        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var r = result.RootElement;
        Assert.Equal(0, r.GetProperty("mismatches").GetArrayLength());
        Assert.Equal(sim.Api.Engine.Book("BTCUSDT").TradeCount, r.GetProperty("trades").GetInt64());
        Assert.True(r.GetProperty("trades").GetInt32() > 6);             // the market orders swept several levels
        Assert.InRange(r.GetProperty("aggTrades").GetInt32(), 6, r.GetProperty("trades").GetInt32());
        Assert.True(r.GetProperty("candles").GetInt32() >= 1);
        Assert.Equal(7, r.GetProperty("orders").GetInt32());            // six market orders and the canceled limit
        Assert.Equal(6, r.GetProperty("closed").GetInt32());
        Assert.Equal("ok", r.GetProperty("status").GetString());
    }
}
