using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fathom.Gateway.Abstractions;
using Fathom.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Fathom.Integration.Tests;

/// <summary>The cluster tests run alone (real processes, real timings, a small machine).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster (real processes, PostgreSQL)";
}

/// <summary>
/// Several <c>fathom run</c> instances on one <c>fathom sim</c> and one PostgreSQL server (started by the test from
/// the installed binaries, as a non-root user): leases with fencing epochs, takeover with a cooldown, the fail-safe
/// when PostgreSQL goes away, account-wide position quotas, and no trade between our own orders. Every check reads
/// the simulator's own records (allOrders, myTrades) and each test prints what it checked.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Symbol = "BTCUSDT";
    private const string Prefix = "cl";
    private const string PgVariable = "FATHOM_CLUSTER_PG";
    private const string OursKey = "clusterOursKey0000000000000000000000000000000000000000000000001";
    private const string OursSecret = "clusterOursSecret00000000000000000000000000000000000000000001";
    private const string TakerKey = "clusterTakerKey000000000000000000000000000000000000000000000002";
    private const string TakerSecret = "clusterTakerSecret0000000000000000000000000000000000000000002";
    // Lease timing of these tests: 3 s TTL, sending stops 0.9 s before expiry, renewals every 0.4 s, 0.5 s takeover pause.
    private const int TtlMs = 3000, MarginMs = 900, RenewMs = 400, PauseMs = 500;

    private readonly string _dir = Directory.CreateTempSubdirectory("fathom-cluster-").FullName;
    private readonly ClientOrderIdFormat _format = new(Prefix);
    private readonly List<ChildProcess> _runs = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private PostgresServer? _pg;
    private string _cs = "";
    private ChildProcess? _sim;
    private SignedRestClient? _ours;
    private SignedRestClient? _taker;
    private string _url = "";

    private static string FathomDll => Path.Combine(AppContext.BaseDirectory, "fathom.dll");

    public async Task InitializeAsync()
    {
        _pg = await PostgresServer.StartAsync();
        _cs = await _pg.CreateDatabaseAsync("cluster");
        string config = Path.Combine(_dir, "sim.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "seedLevels": 10,
              "symbols": [ { "symbol": "BTCUSDT", "baseAsset": "BTC", "quoteAsset": "USDT", "tickSize": "0.01", "stepSize": "0.00001", "startPrice": "60000" },
                           { "symbol": "ETHUSDT", "baseAsset": "ETH", "quoteAsset": "USDT", "tickSize": "0.01", "stepSize": "0.0001", "startPrice": "3000" } ],
              "accounts": [
                { "name": "ours", "balances": { "BTC": "10", "ETH": "100", "USDT": "1000000" }, "keys": [ { "apiKey": "{{OursKey}}", "secret": "{{OursSecret}}" } ] },
                { "name": "taker", "balances": { "BTC": "1000", "ETH": "10000", "USDT": "100000000" }, "keys": [ { "apiKey": "{{TakerKey}}", "secret": "{{TakerSecret}}" } ] }
              ],
              "rateLimits": { "requestWeightPerMinute": 100000000, "ordersPer10Seconds": 1000000, "ordersPerDay": 100000000, "rejectionsBeforeBan": 1000000 }
            }
            """);
        _sim = ChildProcess.StartDotnet("fathom sim", FathomDll,
            ["sim", "--config", config, "--port", "0", "--seed", "17", "--flow", "calm", "--flow-interval-ms", "100", "--fault-console", "--duration", "900"], _dir);
        string banner = await _sim.WaitForLineAsync(l => l.Contains("listening on http://", StringComparison.Ordinal), TimeSpan.FromSeconds(90), what: "the simulator's banner");
        _url = Regex.Match(banner, @"listening on (http://\S+)").Groups[1].Value.TrimEnd('/');
        _ours = new SignedRestClient(new Uri(_url + "/"), OursKey, OursSecret);
        _taker = new SignedRestClient(new Uri(_url + "/"), TakerKey, TakerSecret);
    }

    public async Task DisposeAsync()
    {
        foreach (var run in _runs)
        {
            Resume(run);
            output.WriteLine($"---- {run.Name} (last lines)\n{run.Output(40)}");
            await run.DisposeAsync();
        }
        if (_sim is not null)
            await _sim.DisposeAsync();
        _ours?.Dispose();
        _taker?.Dispose();
        if (_pg is not null)
            await _pg.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a child still closing a file: the temp directory is left behind
        }
    }

    // ---------------------------------------------------------------- (1) kill -9 the leader

    [Fact]
    public async Task KillLeader_AFollowerQuotesAfterTtlAndCooldown_EpochsNeverOverlap_NoIdReused()
    {
        var a = StartInstance("a", 11, "hot");
        var b = StartInstance("b", 12, "hot");
        var c = StartInstance("c", 13, "hot");
        var leader = await WaitQuotingAsync([a, b, c], TimeSpan.FromSeconds(90));
        await Task.Delay(3000); // let it quote for a while
        var followers = new[] { a, b, c }.Where(r => r != leader).ToArray();
        Assert.All(followers, f => Assert.Contains("standby: scope 'hot' is held by", f.Output(), StringComparison.Ordinal));
        int[] marks = [.. followers.Select(f => f.LineCount)];
        var killed = _clock.Elapsed;
        leader.Kill();
        Log($"(1) SIGKILL the leader {leader.Name} at {killed.TotalSeconds:F1} s");
        var next = await WaitQuotingAsync(followers, TimeSpan.FromSeconds(40), marks);
        double takeover = (_clock.Elapsed - killed).TotalSeconds;
        Log($"(1) {next.Name} quoted {takeover:F2} s after the kill (TTL {TtlMs / 1000.0} s + pause {PauseMs / 1000.0} s + its core's start)");
        Assert.True(takeover <= (TtlMs + PauseMs) / 1000.0 + 3, $"takeover took {takeover:F1} s: more than TTL + pause + 3 s for the core to start");
        Assert.Contains("cooldown", next.Output(), StringComparison.Ordinal);
        await Task.Delay(2000);

        var orders = await AllOrdersAsync();
        var byEpoch = orders.Where(o => o.Id.Sequence > 0).GroupBy(o => o.Id.Epoch).OrderBy(g => g.Key).ToList();
        Assert.True(byEpoch.Count >= 2, $"orders of {byEpoch.Count} epoch(s) on the venue: {string.Join(", ", byEpoch.Select(g => g.Key))}");
        // No two epochs had live orders at once beyond the takeover pause: the new epoch's first order is placed after the
        // old epoch's last order was closed (cancelled by the takeover), give or take the pause margin.
        for (int i = 1; i < byEpoch.Count; i++)
        {
            long oldLastClose = byEpoch[i - 1].Max(o => o.Open ? long.MaxValue : o.UpdateMs);
            long newFirst = byEpoch[i].Min(o => o.TimeMs);
            Log($"(1) epoch {byEpoch[i - 1].Key}: last order closed at {oldLastClose}; epoch {byEpoch[i].Key}: first order at {newFirst} (overlap {Math.Max(0, oldLastClose - newFirst)} ms)");
            Assert.True(oldLastClose - newFirst <= PauseMs, $"epochs {byEpoch[i - 1].Key} and {byEpoch[i].Key} had live orders together for {oldLastClose - newFirst} ms");
        }
        var ids = orders.Select(o => o.ClientOrderId).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Log($"(1) checked {orders.Count} orders of {byEpoch.Count} epochs: epochs never live together beyond {PauseMs} ms, no client id reused");
        var zombies = Regex.Match(next.Output(), @"takeover: cancelled (\d+) open order");
        Log($"(1) takeover cancels of the dead leader's orders: {(zombies.Success ? zombies.Groups[1].Value : "0")}");
    }

    // ---------------------------------------------------------------- (2) SIGSTOP the leader past its TTL

    [Fact]
    public async Task StoppedLeader_FollowerTakesOver_OldLeaderSendsNothingAfterWaking_ItsOrdersCancelled()
    {
        var a = StartInstance("a", 21, "paused");
        var b = StartInstance("b", 22, "paused");
        var leader = await WaitQuotingAsync([a, b], TimeSpan.FromSeconds(90));
        var follower = leader == a ? b : a;
        await Task.Delay(2000);
        var before = await AllOrdersAsync();
        uint oldEpoch = before.Where(o => o.Open).Select(o => o.Id.Epoch).FirstOrDefault();
        Assert.True(oldEpoch != 0, "the leader had no open order before it was stopped");
        int mark = follower.LineCount;
        Signal(leader, "STOP");
        Log($"(2) SIGSTOP {leader.Name} (epoch {oldEpoch}, {before.Count(o => o.Open)} open orders)");
        await WaitQuotingAsync([follower], TimeSpan.FromSeconds(40), [mark]);
        Log($"(2) {follower.Name} took over and quotes");
        await Task.Delay(1000);
        long wokeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        int leaderMark = leader.LineCount;
        Signal(leader, "CONT");
        Log($"(2) SIGCONT {leader.Name}");
        await leader.WaitForLineAsync(l => l.StartsWith("lease lost", StringComparison.Ordinal), TimeSpan.FromSeconds(20), leaderMark, "the old leader stepping down");
        await Task.Delay(3000);

        var after = await AllOrdersAsync();
        var oldOrders = after.Where(o => o.Id.Epoch == oldEpoch).ToList();
        var sentAfterWaking = oldOrders.Where(o => o.TimeMs >= wokeMs).ToList();
        Assert.True(sentAfterWaking.Count == 0, $"the old leader placed {sentAfterWaking.Count} order(s) after waking: {string.Join(", ", sentAfterWaking.Select(o => o.ClientOrderId))}");
        var stillOpen = oldOrders.Where(o => o.Open).ToList();
        Assert.True(stillOpen.Count == 0, $"{stillOpen.Count} order(s) of the old epoch still open");
        // Cancelled by the new leader while the old one was stopped (before it woke).
        var cancelledBeforeWaking = oldOrders.Where(o => o.Status == "CANCELED" && o.UpdateMs < wokeMs).ToList();
        Assert.True(cancelledBeforeWaking.Count > 0, "none of the old leader's orders was cancelled by the new leader");
        Log($"(2) checked {oldOrders.Count} orders of epoch {oldEpoch}: none placed after waking, none open, {cancelledBeforeWaking.Count} cancelled by the new leader before it woke");
    }

    // ---------------------------------------------------------------- (3) restart PostgreSQL mid-run

    [Fact]
    public async Task PostgresRestart_NobodySendsWithoutALease_TradingResumesAfter()
    {
        var a = StartInstance("a", 31, "pgdown");
        var b = StartInstance("b", 32, "pgdown");
        await WaitQuotingAsync([a, b], TimeSpan.FromSeconds(90));
        await Task.Delay(2000);
        int[] marks = [a.LineCount, b.LineCount];
        long stoppedMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await _pg!.StopAsync();
        Log("(3) PostgreSQL stopped");
        await Task.Delay(TtlMs + 4000);
        var open = (await AllOrdersAsync()).Where(o => o.Open).ToList();
        Assert.True(open.Count == 0, $"{open.Count} order(s) still open {TtlMs + 4000} ms after PostgreSQL stopped");
        long restartMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await _pg.RestartAsync();
        Log("(3) PostgreSQL started again");
        var resumed = await WaitQuotingAsync([a, b], TimeSpan.FromSeconds(60), marks);
        Log($"(3) {resumed.Name} quotes again under a fresh lease");
        uint[] epochsBefore = [.. open.Select(o => o.Id.Epoch).Concat((await AllOrdersAsync()).Where(o => o.TimeMs < stoppedMs).Select(o => o.Id.Epoch)).Distinct()];
        List<Order> orders = [];
        for (int i = 0; i < 100 && !orders.Any(o => !epochsBefore.Contains(o.Id.Epoch)); i++)
        {
            await Task.Delay(100);
            orders = await AllOrdersAsync();
        }
        var unleased = orders.Where(o => o.TimeMs > stoppedMs + TtlMs && o.TimeMs < restartMs).ToList();
        Assert.True(unleased.Count == 0, $"{unleased.Count} order(s) placed while no lease could be renewed: {string.Join(", ", unleased.Select(o => o.ClientOrderId))}");
        var epochs = orders.Select(o => o.Id.Epoch).Distinct().Count();
        Assert.True(epochs >= 2, "trading resumed under the same epoch");
        Log($"(3) checked {orders.Count} orders: none placed between {TtlMs} ms after the stop and the restart; {epochs} epochs");
    }

    // ---------------------------------------------------------------- (4) account-wide position quota

    [Fact]
    public async Task TwoScopesBuyingAtOnce_CombinedPositionNeverExceedsTheAccountLimit()
    {
        const string quotas = """ "positionQuotas": { "BTCUSDT": { "maxPosition": "0.004", "block": "0.001" } }, "orderBudget": { "limit": 400, "block": 20 }, """;
        var a = StartInstance("a", 41, "alpha", clusterExtra: quotas, halfSpreadTicks: 1);
        var b = StartInstance("b", 42, "beta", clusterExtra: quotas, halfSpreadTicks: 1);
        await WaitQuotingAsync([a], TimeSpan.FromSeconds(90));
        await WaitQuotingAsync([b], TimeSpan.FromSeconds(90));
        // The taker sells into every bid, again and again: both instances buy as far as their quotas let them.
        var until = _clock.Elapsed + TimeSpan.FromSeconds(12);
        int sells = 0;
        while (_clock.Elapsed < until)
        {
            var depth = await _taker!.PublicAsync($"/api/v3/depth?symbol={Symbol}&limit=5");
            string bid = depth.GetProperty("bids")[0][0].GetString()!;
            decimal low = decimal.Parse(bid, CultureInfo.InvariantCulture) - 0.05m;
            await _taker.SignedAsync(HttpMethod.Post, "/api/v3/order",
                $"symbol={Symbol}&side=SELL&type=LIMIT&timeInForce=IOC&quantity=0.003&price={low.ToString(CultureInfo.InvariantCulture)}");
            sells++;
            await Task.Delay(250);
        }
        var trades = await MyTradesAsync();
        long position = 0, max = 0;
        foreach (var t in trades.OrderBy(t => t.Id))
        {
            position += t.IsBuyer ? t.QtyRaw : -t.QtyRaw;
            max = Math.Max(max, Math.Abs(position));
        }
        Log($"(4) {sells} taker sells; our account: {trades.Count} trades, largest |position| {max / 1e8:0.########} BTC (limit 0.004), final {position / 1e8:0.########}");
        Assert.True(max <= 400_000, $"the combined position reached {max / 1e8} BTC, over the account limit 0.004");
        Assert.True(max >= 200_000, $"the instances bought only {max / 1e8} BTC: the quota was never exercised");
        Assert.Contains("position quotas BTCUSDT ≤ 0.004", a.Output() + b.Output(), StringComparison.Ordinal);
        // The account's order budget, split the same way: each holds a share, together never more than the limit.
        using var http = new HttpClient();
        long budgets = 0;
        foreach (var run in new[] { a, b })
        {
            string metrics = await http.GetStringAsync(new Uri(MetricsOf(run), "/metrics"));
            long share = long.Parse(Regex.Match(metrics, @"fathom_order_budget_quota (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(share >= 20, $"{run.Name} holds an order budget share of {share}");
            budgets += share;
        }
        Log($"(4) order budget shares held: {budgets} of 400");
        Assert.True(budgets <= 400, $"the instances hold {budgets} of an order budget of 400");
    }

    // ---------------------------------------------------------------- (5) crossing intents

    [Fact]
    public async Task TwoScopesWithCrossingIntents_NoTradeBetweenOurOwnOrders()
    {
        // a quotes wide and stays; b quotes tight, is sold into, then flattens: its sell would hit a's bid.
        var a = StartInstance("a", 51, "wide", halfSpreadTicks: 3);
        var b = StartInstance("b", 52, "tight", halfSpreadTicks: 1);
        await WaitQuotingAsync([a], TimeSpan.FromSeconds(90));
        Uri bMetrics = MetricsOf(await WaitQuotingAsync([b], TimeSpan.FromSeconds(90)));
        await Task.Delay(1500);
        using var http = new HttpClient();
        // Sell into the best bid until b holds a long position its flatten can sell (at least 0.0005 BTC: the venue's
        // 5 USDT minimum notional refuses less, and b's own quotes trade with the flow meanwhile, so a few sales can
        // leave it a crumb of 0.00007 BTC): at least four sales, at most twenty.
        const decimal Flattenable = 0.0005m;
        decimal bPosition = 0;
        int sales = 0;
        while (sales < 20 && (sales < 4 || bPosition < Flattenable))
        {
            var depth = await _taker!.PublicAsync($"/api/v3/depth?symbol={Symbol}&limit=5");
            string bid = depth.GetProperty("bids")[0][0].GetString()!;
            await _taker.SignedAsync(HttpMethod.Post, "/api/v3/order", $"symbol={Symbol}&side=SELL&type=LIMIT&timeInForce=IOC&quantity=0.002&price={bid}");
            sales++;
            await Task.Delay(400);
            bPosition = PositionOf(await http.GetStringAsync(new Uri(bMetrics, "/metrics")));
        }
        Assert.True(bPosition >= Flattenable, $"b holds {bPosition} BTC after {sales} taker sales into the best bid: nothing its flatten can sell");
        string token = await File.ReadAllTextAsync(Path.Combine(_dir, "b", "state", "control.token"));
        using (var flatten = new HttpRequestMessage(HttpMethod.Post, new Uri(bMetrics, "/control/flatten")))
        {
            flatten.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Trim());
            (await http.SendAsync(flatten)).EnsureSuccessStatusCode();
        }
        // The flatten's sell reaches a's bid: refused by the cross-instance check, or expired by the venue's STP.
        long peerRefusals = 0;
        int stp = 0;
        for (int i = 0; i < 40 && peerRefusals + stp == 0; i++)
        {
            await Task.Delay(250);
            string metrics = await http.GetStringAsync(new Uri(bMetrics, "/metrics"));
            peerRefusals = long.Parse(Regex.Match(metrics, @"fathom_peer_cross_refusals_total (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
            stp = (await AllOrdersAsync()).Count(o => o.Status == "EXPIRED_IN_MATCH");
        }
        await Task.Delay(3000); // anything b's flatten still had in flight settles before the trades are read
        var trades = await MyTradesAsync();
        var selfTrades = trades.GroupBy(t => t.Id).Where(g => g.Any(t => t.IsBuyer) && g.Any(t => !t.IsBuyer)).ToList();
        Log($"(5) {sales} taker sales, b's position {bPosition}; b's crossing orders refused by the cross-instance check: {peerRefusals}; expired by the venue's STP: {stp}; our trades {trades.Count}, self-trades {selfTrades.Count}");
        Assert.True(peerRefusals + stp > 0, "b never tried to cross a's orders: the test did not exercise a crossing intent");
        Assert.Empty(selfTrades);
    }

    /// <summary>The instance's position in BTCUSDT from its /metrics text.</summary>
    private static decimal PositionOf(string metrics) =>
        decimal.Parse(Regex.Match(metrics, @"fathom_position\{symbol=""BTCUSDT""\} (-?[0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- (6) sharding

    [Fact]
    public async Task Shards_SpreadOverInstances_ASpareTakesTheShardOfOneThatDies()
    {
        var a = StartInstance("a", 61, "", sharded: true);
        var b = StartInstance("b", 62, "", sharded: true);
        var c = StartInstance("c", 63, "", sharded: true);
        var all = new[] { a, b, c };
        var btc = await WaitQuotingAsync(all, TimeSpan.FromSeconds(90), symbol: "BTCUSDT");
        var eth = await WaitQuotingAsync(all, TimeSpan.FromSeconds(90), symbol: "ETHUSDT");
        Assert.NotSame(btc, eth);
        var spare = all.Single(r => r != btc && r != eth);
        await Task.Delay(1500);
        Assert.Null(spare.FindLine(l => l.StartsWith("quoting ", StringComparison.Ordinal)));
        Assert.Contains("standby: ", spare.Output(), StringComparison.Ordinal);
        Log($"(6) shard btc on {btc.Name}, shard eth on {eth.Name}, {spare.Name} stands by");
        int mark = spare.LineCount, ethMark = eth.LineCount;
        var killed = _clock.Elapsed;
        btc.Kill();
        await WaitQuotingAsync([spare], TimeSpan.FromSeconds(40), [mark], "BTCUSDT");
        Log($"(6) SIGKILL {btc.Name}: {spare.Name} took shard btc and quotes BTCUSDT {(_clock.Elapsed - killed).TotalSeconds:F2} s later");
        Assert.Contains("shard 'btc': BTCUSDT", spare.Output(), StringComparison.Ordinal);
        Assert.Null(spare.FindLine(l => l.StartsWith("quoting ETHUSDT", StringComparison.Ordinal)));
        Assert.Null(eth.FindLine(l => l.StartsWith("lease lost", StringComparison.Ordinal), ethMark));
        Assert.False(eth.HasExited);
        Log($"(6) {eth.Name} kept shard eth throughout");
    }

    // ---------------------------------------------------------------- helpers

    private ChildProcess StartInstance(string name, int node, string scope, string clusterExtra = "", int halfSpreadTicks = 2, bool sharded = false)
    {
        const string eth = """
            ,
                { "symbol": "ETHUSDT", "baseAsset": "ETH", "quoteAsset": "USDT",
                  "strategy": { "halfSpreadTicks": 2, "quoteQty": "0.01", "maxPosition": "0.5", "maxSkewTicks": 2, "minRequoteIntervalMs": 100 },
                  "limits": { "maxPosition": "0.5", "maxOrderQty": "0.05", "maxOrderNotional": "10000" },
                  "bookSilenceMs": 60000 }
            """;
        string scopeJson = sharded ? """ "shards": { "btc": ["BTCUSDT"], "eth": ["ETHUSDT"] }, """ : $"\"scope\": \"{scope}\",";
        string dir = Path.Combine(_dir, name);
        Directory.CreateDirectory(dir);
        string ws = "ws" + _url[4..];
        string config = Path.Combine(dir, "fathom.json");
        File.WriteAllText(config, $$"""
            {
              "venue": "custom", "restUrl": "{{_url}}", "streamUrl": "{{ws}}", "wsApiUrl": "{{ws}}/ws-api/v3",
              "symbols": [
                { "symbol": "BTCUSDT", "baseAsset": "BTC", "quoteAsset": "USDT",
                  "strategy": { "halfSpreadTicks": {{halfSpreadTicks}}, "quoteQty": "0.001", "maxPosition": "0.05", "maxSkewTicks": 2, "minRequoteIntervalMs": 100 },
                  "limits": { "maxPosition": "0.05", "maxOrderQty": "0.005", "maxOrderNotional": "10000" },
                  "bookSilenceMs": 60000 }{{(sharded ? eth : "")}}
              ],
              "risk": { "maxTotalNotional": "1000000", "markoutLossLimit": "1000000", "maxDailyLoss": "1000000", "priceBandBps": 500,
                        "vwapStopBps": 10000, "volatilityWidenAbove": 0.5, "volatilityPauseAbove": 1, "maxInFlightAgeMs": 10000,
                        "ackLatencyTripMs": 5000, "ackLatencyReleaseMs": 2000, "feedLagTripMs": 5000, "feedLagReleaseMs": 2000,
                        "maxNewOrdersPerSecond": 100, "orderBudget": 2000, "orderBudgetWindowMs": 10000, "releaseCooldownMs": 1000 },
              "store": { "kind": "postgres", "connectionStringVariable": "{{PgVariable}}" },
              "cluster": { "coordination": "postgres", {{scopeJson}} {{clusterExtra}}
                           "leaseTtlMs": {{TtlMs}}, "marginMs": {{MarginMs}}, "renewEveryMs": {{RenewMs}}, "pauseMarginMs": {{PauseMs}} },
              "stateDirectory": "state", "metricsPort": 0, "clientOrderIdPrefix": "{{Prefix}}", "instanceId": {{node}},
              "statusIntervalSeconds": 5, "shutdownTimeoutSeconds": 5, "warmupFrames": 200
            }
            """);
        var run = ChildProcess.StartDotnet($"run {name}", FathomDll, ["run", "--config", config, "--duration", "600"], dir, new Dictionary<string, string?>
        {
            ["FATHOM_BINANCE_API_KEY"] = OursKey,
            ["FATHOM_BINANCE_API_SECRET"] = OursSecret,
            ["FATHOM_BINANCE_ED25519_KEY_FILE"] = null,
            ["FATHOM_CONTROL_TOKEN"] = null,
            [PgVariable] = _cs,
        });
        _runs.Add(run);
        return run;
    }

    /// <summary>The first of <paramref name="runs"/> to print its quoting line (after line <paramref name="from"/>[i] of each).</summary>
    private async Task<ChildProcess> WaitQuotingAsync(ChildProcess[] runs, TimeSpan timeout, int[]? from = null, string symbol = Symbol)
    {
        var deadline = _clock.Elapsed + timeout;
        while (_clock.Elapsed < deadline)
        {
            for (int i = 0; i < runs.Length; i++)
                if (runs[i].FindLine(l => l.StartsWith($"quoting {symbol} on ", StringComparison.Ordinal), from?[i] ?? 0) is not null)
                    return runs[i];
            await Task.Delay(100);
        }
        throw new TimeoutException($"none of {string.Join(", ", runs.Select(r => r.Name))} quoted within {timeout.TotalSeconds} s:\n" +
            string.Join("\n---\n", runs.Select(r => r.Name + ":\n" + r.Output(30))));
    }

    private static Uri MetricsOf(ChildProcess run)
    {
        string line = run.FindLine(l => l.StartsWith("quoting BTCUSDT on ", StringComparison.Ordinal))!;
        return new Uri(Regex.Match(line, @"metrics at (http://\S+/)metrics").Groups[1].Value);
    }

    private sealed record Order(string ClientOrderId, ClientOrderId Id, string Status, long TimeMs, long UpdateMs)
    {
        public bool Open => Status is "NEW" or "PARTIALLY_FILLED";
    }

    private async Task<List<Order>> AllOrdersAsync()
    {
        var orders = new List<Order>();
        long from = 1;
        while (true)
        {
            var page = await _ours!.SignedAsync(HttpMethod.Get, "/api/v3/allOrders", $"symbol={Symbol}&orderId={from}&limit=1000");
            foreach (var o in page.EnumerateArray())
            {
                string cid = o.GetProperty("clientOrderId").GetString()!;
                _format.TryParse(cid, out ClientOrderId id);
                orders.Add(new Order(cid, id, o.GetProperty("status").GetString()!, o.GetProperty("time").GetInt64(), o.GetProperty("updateTime").GetInt64()));
                from = o.GetProperty("orderId").GetInt64() + 1;
            }
            if (page.GetArrayLength() < 1000)
                return orders;
        }
    }

    private sealed record Trade(long Id, bool IsBuyer, long QtyRaw);

    private async Task<List<Trade>> MyTradesAsync()
    {
        var trades = new List<Trade>();
        long from = 0;
        while (true)
        {
            var page = await _ours!.SignedAsync(HttpMethod.Get, "/api/v3/myTrades", $"symbol={Symbol}&fromId={from}&limit=1000");
            foreach (var t in page.EnumerateArray())
            {
                decimal qty = decimal.Parse(t.GetProperty("qty").GetString()!, CultureInfo.InvariantCulture);
                trades.Add(new Trade(t.GetProperty("id").GetInt64(), t.GetProperty("isBuyer").GetBoolean(), (long)(qty * 100_000_000m)));
                from = t.GetProperty("id").GetInt64() + 1;
            }
            if (page.GetArrayLength() < 1000)
                return trades;
        }
    }

    private static void Signal(ChildProcess run, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, run.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private static void Resume(ChildProcess run)
    {
        if (!run.HasExited)
            Signal(run, "CONT");
    }

    private void Log(string line) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,7:F2}] {line}");
}
