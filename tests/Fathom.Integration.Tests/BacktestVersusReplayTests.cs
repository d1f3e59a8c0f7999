using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fathom.Backtest;
using Fathom.Cli;
using Fathom.Simulator;
using Fathom.Testing;
using Fathom.Venues.Binance;
using Xunit;
using Xunit.Abstractions;

namespace Fathom.Integration.Tests;

/// <summary>
/// The backtester against the live path: the built-in market maker through <c>fathom run</c> over real sockets against
/// <c>fathom sim --replay</c> of the recorded BTCUSDT day at <see cref="Speed"/>× recorded time, then the same strategy
/// parameters backtested over the same recorded span, and the fills compared.
/// </summary>
/// <remarks>
/// <para>The span: the simulator prints which exchange-clock instant the recording's first message was replayed at;
/// the run's first order and last order update (from the simulator's own records) map to recorded time as
/// recorded = first message + (exchange time − that instant) × speed.</para>
/// <para>Why the two cannot agree fill for fill (hence the tolerances in <see cref="Compare"/>): the replay delivers the
/// recording on a wall-clock timer (every 10/<see cref="Speed"/> ms, so 10 ms of recorded time per batch, and the
/// <c>@depth@100ms</c> stream every 100/<see cref="Speed"/> ms: the recording's cadence), so the live core sees small
/// bursts the backtest sees one by one; the live path's fills are smaller partials of the same recorded trades (the replay caps a fill
/// through our price at the print's quantity, the backtest fills the remainder; docs/backtesting.md has the figures)
/// and the live quoter has been seen to stop filling after the span's first fifth (not yet explained); loopback and scheduling jitter on a loaded 2-core machine are
/// multiplied by the speed-up too; the live core's timers and the requote throttles run on wall time in other phases;
/// and the span's ends are known only to a few milliseconds of wall time (tens of recorded milliseconds). Queue
/// position follows the same risk-averse model in both, over the same recorded levels, so which orders fill and at
/// what prices agree in aggregate, not one by one.</para>
/// </remarks>
[Collection(ClusterCollection.Name)]
public sealed class BacktestVersusReplayTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Replay speed: the recording's 346 s in under 35 s of wall time.</summary>
    private const double Speed = 10;
    /// <summary>How long <c>fathom run</c> trades (wall seconds): 250 s of the recording at <see cref="Speed"/>.</summary>
    private const int RunSeconds = 25;
    /// <summary>Order entry and response latency of the backtest, in recorded ms: ~1 ms of loopback × <see cref="Speed"/>.</summary>
    private const int LatencyMs = 10;

    private static readonly SimulatorConfig.KeyConfig s_key = SimulatorConfig.Demo().Accounts[0].Keys[0];
    private readonly string _dir = Directory.CreateTempSubdirectory("fathom-btlive-").FullName;
    private ChildProcess? _sim;
    private ChildProcess? _run;

    private static string FathomDll => Path.Combine(AppContext.BaseDirectory, "fathom.dll");

    /// <summary>
    /// The market maker with its signal-driven pulls out of reach (volatility and withdrawal thresholds at their maximum):
    /// the analyzer's windows run on the live core's wall clock, so at <see cref="Speed"/>× they hold <see cref="Speed"/>×
    /// as much market as the backtest's (virtual, recorded-time) windows, and the live quoter went quiet for most of the
    /// span on pulls the backtest never saw (2 of 5 runs: live fills stopped after the first fifth of the span). This test
    /// compares the venue models, so both sides quote on the book and inventory alone.
    /// </summary>
    private const string StrategyParameters = """ "halfSpreadTicks": 1, "quoteQty": "0.001", "maxPosition": "0.01", "referenceVolatility": 0.5, "pullVolatility": 1, "pullWithdrawal": 1 """;
    private const string Strategy = "{" + StrategyParameters + "}";
    private const string Limits = """{ "maxPosition": "0.05", "maxOrderQty": "0.01", "maxOrderNotional": "1000" }""";
    /// <summary>Risk's volatility widen/pause out of reach too (its window is also on the wall clock live).</summary>
    private const string Risk = """{ "maxTotalNotional": "100000", "markoutLossLimit": "1000", "maxDailyLoss": "1000", "volatilityWidenAbove": 0.9, "volatilityPauseAbove": 1 }""";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in new[] { _run, _sim })
        {
            if (p is null)
                continue;
            output.WriteLine($"---- {p.Name} (last lines)\n{p.Output(15)}");
            await p.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a child still closing a file: the temp directory is left behind
        }
    }

    /// <summary>One side's aggregate: fills, base volume, maker fills, mean price (volume-weighted).</summary>
    private sealed record SideStats(int Fills, decimal Volume, int Maker, decimal MeanPrice)
    {
        public static SideStats Of(IReadOnlyCollection<(decimal Price, decimal Qty, bool Maker)> fills) =>
            new(fills.Count, fills.Sum(f => f.Qty), fills.Count(f => f.Maker),
                fills.Count == 0 ? 0 : fills.Sum(f => f.Price * f.Qty) / fills.Sum(f => f.Qty));

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture,
                $"{Fills} fills, {Volume:0.#####} BTC (mean fill {(Fills == 0 ? 0 : Volume / Fills):0.######}), {Maker} maker, mean price {MeanPrice:0.00}");
    }

    [Fact]
    public async Task MarketMaker_LiveRunOverReplay_AndBacktestOfTheSameSpan_FillAlike()
    {
        string data = SharedData.BinanceSpotDays[0];
        // The venue's order limits are per wall-clock window: at Speed× they are Speed× as tight in recorded time, so the
        // simulator's (and, below, the run's own risk budget) are scaled up by Speed to match the backtest's defaults
        // (50 orders per 10 s, 20 new orders per second) in recorded time.
        string simConfig = Path.Combine(_dir, "sim.json");
        await File.WriteAllTextAsync(simConfig, $$"""
            {
              "seedLevels": 0,
              "symbols": [ { "symbol": "BTCUSDT", "baseAsset": "BTC", "quoteAsset": "USDT", "tickSize": "0.01", "stepSize": "0.00001", "startPrice": "60000" } ],
              "accounts": [ { "name": "demo", "balances": { "BTC": "10", "USDT": "1000000" }, "keys": [ { "apiKey": "{{s_key.ApiKey}}", "secret": "{{s_key.Secret}}" } ] } ],
              "rateLimits": { "requestWeightPerMinute": 1000000, "ordersPer10Seconds": {{50 * Speed}}, "ordersPerDay": 10000000, "rejectionsBeforeBan": 1000000 }
            }
            """);
        _sim = ChildProcess.StartDotnet("fathom sim", FathomDll,
            ["sim", "--config", simConfig, "--port", "0", "--replay", data, "--speed", Speed.ToString(CultureInfo.InvariantCulture), "--duration", "120"], _dir);
        string replaying = await _sim.WaitForLineAsync(l => l.StartsWith("replaying ", StringComparison.Ordinal), TimeSpan.FromSeconds(60), what: "the replay line");
        var mapping = Regex.Match(replaying, @"recorded (\S+) is exchange time (\S+)");
        Assert.True(mapping.Success, replaying);
        long recordedStartNs = NsOf(DateTimeOffset.Parse(mapping.Groups[1].Value, CultureInfo.InvariantCulture));
        long exchangeStartNs = NsOf(DateTimeOffset.Parse(mapping.Groups[2].Value, CultureInfo.InvariantCulture));
        string banner = await _sim.WaitForLineAsync(l => l.Contains("listening on http://", StringComparison.Ordinal), TimeSpan.FromSeconds(60), what: "the simulator's banner");
        string url = Regex.Match(banner, @"listening on (http://\S+)").Groups[1].Value.TrimEnd('/');

        string runConfig = Path.Combine(_dir, "fathom.json");
        await File.WriteAllTextAsync(runConfig, $$"""
            {
              "venue": "custom", "restUrl": "{{url}}", "streamUrl": "ws{{url[4..]}}", "wsApiUrl": "ws{{url[4..]}}/ws-api/v3",
              "symbols": [ { "symbol": "BTCUSDT", "baseAsset": "BTC", "quoteAsset": "USDT", "strategy": {{Strategy}}, "limits": {{Limits}} } ],
              "risk": {{Risk[..^1]}}, "maxNewOrdersPerSecond": {{20 * Speed}}, "orderBudget": {{50 * Speed}} },
              "statusIntervalSeconds": 5,
              "shutdownTimeoutSeconds": 15
            }
            """);
        _run = ChildProcess.StartDotnet("fathom run", FathomDll, ["run", "--config", runConfig, "--duration", RunSeconds.ToString(CultureInfo.InvariantCulture)], _dir,
            new Dictionary<string, string?> { [BinanceCredentials.ApiKeyVariable] = s_key.ApiKey, [BinanceCredentials.HmacSecretVariable] = s_key.Secret });
        Assert.True(await _run.WaitForExitAsync(TimeSpan.FromSeconds(RunSeconds + 40)), "fathom run did not finish");
        Assert.True(_run.ExitCode == 0, $"fathom run exited {_run.ExitCode}:\n{_run.Output(30)}");

        // The live run, as the simulator recorded it.
        using var rest = new SignedRestClient(new Uri(url + "/"), s_key.ApiKey, s_key.Secret!);
        var orders = await rest.SignedAsync(HttpMethod.Get, "/api/v3/allOrders", "symbol=BTCUSDT&limit=1000");
        Assert.True(orders.GetArrayLength() > 0, "the live run placed no order");
        long firstOrderMs = orders.EnumerateArray().Min(o => o.GetProperty("time").GetInt64());
        long lastUpdateMs = orders.EnumerateArray().Max(o => o.GetProperty("updateTime").GetInt64());
        var trades = await rest.SignedAsync(HttpMethod.Get, "/api/v3/myTrades", "symbol=BTCUSDT&limit=1000");
        var live = trades.EnumerateArray().Select(t => (
            Buy: t.GetProperty("isBuyer").GetBoolean(),
            Fill: (decimal.Parse(t.GetProperty("price").GetString()!, CultureInfo.InvariantCulture),
                   decimal.Parse(t.GetProperty("qty").GetString()!, CultureInfo.InvariantCulture),
                   t.GetProperty("isMaker").GetBoolean()))).ToList();

        long Recorded(long exchangeMs) => recordedStartNs + (long)((exchangeMs * 1_000_000L - exchangeStartNs) * Speed);
        long startNs = Recorded(firstOrderMs), endNs = Recorded(lastUpdateMs);

        // The backtest of the same strategy parameters over that span (books built from the recording's start).
        var config = JsonNode.Parse($$"""
            {
              "strategy": { "name": "market-maker", {{StrategyParameters}} },
              "instruments": [ { "symbol": "BTCUSDT", "baseAsset": "BTC", "quoteAsset": "USDT", "tickSize": "0.01", "stepSize": "0.00001", "minNotional": "5",
                                 "makerFee": "0", "takerFee": "0", "limits": {{Limits}} } ],
              "risk": {{Risk}},
              "data": [ { "kind": "hftbacktest", "files": [ {{System.Text.Json.JsonSerializer.Serialize(data)}} ] } ],
              "feedLatency": { "model": "recorded" },
              "orderEntryLatency": { "model": "constant", "ms": {{LatencyMs}} },
              "responseLatency": { "model": "constant", "ms": {{LatencyMs}} },
              "queue": "risk-averse",
              "start": "{{Iso(startNs)}}",
              "end": "{{Iso(endNs)}}"
            }
            """)!;
        BacktestConfig parsed = BacktestConfig.Parse(config.ToJsonString(), Path.Combine(_dir, "bt.json"));
        BacktestResult result = Backtester.Run(parsed, BacktestCommand.Venue);
        var bt = result.Fills.Select(f => (Buy: f.Side == Fathom.Core.OrderSide.Buy, Fill: (f.Price, f.Qty, f.IsMaker))).ToList();

        output.WriteLine($"live span: exchange {firstOrderMs}..{lastUpdateMs} ms = recorded {Iso(startNs)} .. {Iso(endNs)} ({(endNs - startNs) / 1e9:F1} s of the recording at {Speed}x)");
        // When in the span each side filled (the live quoter has been seen to fill mostly in the span's first tenth).
        long[] liveTimes = [.. trades.EnumerateArray().Select(t => Recorded(t.GetProperty("time").GetInt64()))];
        output.WriteLine($"fills per tenth of the span: live {Tenths(liveTimes, startNs, endNs)}; backtest {Tenths([.. result.Fills.Select(f => f.TimeNs)], startNs, endNs)}");
        Compare(live, bt);
    }

    /// <summary>Prints both sides' figures and checks them against the stated tolerances.</summary>
    private void Compare(List<(bool Buy, (decimal Price, decimal Qty, bool Maker) Fill)> live, List<(bool Buy, (decimal Price, decimal Qty, bool Maker) Fill)> bt)
    {
        var liveBuy = SideStats.Of([.. live.Where(f => f.Buy).Select(f => f.Fill)]);
        var liveSell = SideStats.Of([.. live.Where(f => !f.Buy).Select(f => f.Fill)]);
        var btBuy = SideStats.Of([.. bt.Where(f => f.Buy).Select(f => f.Fill)]);
        var btSell = SideStats.Of([.. bt.Where(f => !f.Buy).Select(f => f.Fill)]);
        decimal livePosition = liveBuy.Volume - liveSell.Volume, btPosition = btBuy.Volume - btSell.Volume;
        double liveMaker = live.Count == 0 ? 0 : live.Count(f => f.Fill.Maker) / (double)live.Count;
        double btMaker = bt.Count == 0 ? 0 : bt.Count(f => f.Fill.Maker) / (double)bt.Count;
        output.WriteLine($"live:     {live.Count} fills; buy {liveBuy}; sell {liveSell}; maker share {liveMaker:P0}; final position {livePosition:0.#####}");
        output.WriteLine($"backtest: {bt.Count} fills; buy {btBuy}; sell {btSell}; maker share {btMaker:P0}; final position {btPosition:0.#####}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"differences: fill count ×{Ratio(bt.Count, live.Count):F2}, buy volume ×{Ratio((double)btBuy.Volume, (double)liveBuy.Volume):F2}, sell volume ×{Ratio((double)btSell.Volume, (double)liveSell.Volume):F2}, "
            + $"mean buy price {Bps(btBuy.MeanPrice, liveBuy.MeanPrice):F2} bp, mean sell price {Bps(btSell.MeanPrice, liveSell.MeanPrice):F2} bp, maker share {btMaker - liveMaker:+0.00;-0.00}, position {btPosition - livePosition:+0.#####;-0.#####;0}"));

        // Both traded, on both sides: a venue that never fills fails here.
        Assert.True(live.Count >= 4 && bt.Count >= 4, $"too few fills to compare: live {live.Count}, backtest {bt.Count}");
        Assert.True(liveBuy.Fills > 0 && liveSell.Fills > 0 && btBuy.Fills > 0 && btSell.Fills > 0, "a side never filled");
        // Traded volume per side within a factor of 3 (measured ×0.52–×0.65 over two runs with the signal pulls out of
        // reach, 2026-12-06, load ~20): the venues fill a resting order differently when a recorded trade goes through
        // its price (the simulator's replay fills up to that trade's size, the backtest's venue the whole remainder, as
        // hftbacktest does) and the backtest follows the recorded bookTicker, which the replay does not; docs/backtesting.md.
        // A venue that fills every order at once gives far more (the run places hundreds of orders).
        Assert.InRange(Ratio((double)btBuy.Volume, (double)liveBuy.Volume), 1 / 3.0, 3.0);
        Assert.InRange(Ratio((double)btSell.Volume, (double)liveSell.Volume), 1 / 3.0, 3.0);
        // Fill counts within a factor of 8: the replay's partials are many and small (measured ×0.24–×0.25: 354 live fills
        // of 0.00025 BTC on average against 86 of 0.0006), so counts differ more than volume.
        Assert.InRange(Ratio(bt.Count, live.Count), 1 / 8.0, 8.0);
        // The quoter is passive: most fills are maker fills in both (measured 100 % in both); the shares within 0.25.
        Assert.InRange(btMaker - liveMaker, -0.25, 0.25);
        // Same span, same market: each side's mean fill price within 25 bp (measured: up to 6 bp, 12 bp before the cadence fix).
        Assert.InRange(Bps(btBuy.MeanPrice, liveBuy.MeanPrice), -25, 25);
        Assert.InRange(Bps(btSell.MeanPrice, liveSell.MeanPrice), -25, 25);
        // The final position is bounded by the strategy's 0.01 in both (it is compared in the printout, not asserted closer:
        // it is the running sum of every fill's side, the figure most sensitive to one fill coming or going).
        Assert.InRange(Math.Abs(livePosition), 0m, 0.011m);
        Assert.InRange(Math.Abs(btPosition), 0m, 0.011m);
    }

    private static string Tenths(long[] timesNs, long startNs, long endNs)
    {
        var counts = new int[10];
        foreach (long t in timesNs)
            counts[Math.Clamp((int)((t - startNs) * 10.0 / Math.Max(endNs - startNs, 1)), 0, 9)]++;
        return string.Join(' ', counts);
    }

    private static double Ratio(double a, double b) => b == 0 ? double.PositiveInfinity : a / b;
    private static double Bps(decimal a, decimal b) => b == 0 ? double.PositiveInfinity : (double)((a - b) / b) * 10_000;
    private static long NsOf(DateTimeOffset t) => (t - DateTimeOffset.UnixEpoch).Ticks * 100;
    private static string Iso(long ns) => DateTimeOffset.UnixEpoch.AddTicks(ns / 100).ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
}
