using System.Diagnostics;
using System.Globalization;
using Fathom.Persistence.Coordination;
using Fathom.Testing;
using HdrHistogram;

namespace Fathom.Persistence.Benchmarks;

/// <summary>
/// Latency of the coordination calls the lease keeper makes, one at a time, against a local PostgreSQL server
/// started with <see cref="PostgresServer"/> (loopback TCP, <c>fsync=off</c> as the test server runs): lease
/// renewal, a quota block taken and given back, and a quote exchange with two live peers. A plain measured loop
/// with an HdrHistogram per call (BenchmarkDotNet reports means of iterations; a lease margin needs the tail).
/// The in-memory <see cref="LocalCoordination"/> renewal is measured the same way for scale.
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project bench/Fathom.Persistence.Benchmarks -- coordination [calls]</c>
/// (default 20,000 measured calls per row after 2,000 warm-up calls). Figures are microseconds per call,
/// measured around the awaited call on the caller's thread (connection from the pool, round trip, result).
/// </remarks>
public static class CoordinationLatencyHarness
{
    private static readonly CancellationToken None = CancellationToken.None;

    public static async Task RunAsync(string[] args)
    {
        int calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        int warmup = Math.Max(100, calls / 10);
        Console.WriteLine($"// load average at start: {LoadAverage()}");
        await using var server = await PostgresServer.StartAsync();
        string cs = await server.CreateDatabaseAsync("bench");
        var ttl = TimeSpan.FromSeconds(30);
        var rows = new List<(string Name, LongHistogram Histogram)>();

        await using (var service = await PgCoordination.OpenAsync(cs, None))
        {
            var lease = (await service.TryAcquireAsync("acct/BTCUSDT", "bench-a", 1, ttl, None))!;
            var peer1 = (await service.TryAcquireAsync("acct/ETHUSDT", "bench-b", 2, ttl, None))!;
            var peer2 = (await service.TryAcquireAsync("acct/SOLUSDT", "bench-c", 3, ttl, None))!;
            await service.ExchangeQuotesAsync(peer1.Scope, peer1.Epoch, [new("BTCUSDT", 6_000_000, 6_000_100), new("ETHUSDT", 300_000, 300_010)], None);
            await service.ExchangeQuotesAsync(peer2.Scope, peer2.Epoch, [new("BTCUSDT", 5_999_900, 6_000_200)], None);
            // Other live grants of the budget, so the quota's sum over peers has rows to read.
            await service.SetQuotaAsync(new QuotaRequest("acct", "orders", peer1.Scope, peer1.Epoch, 100, 1_000), None);
            await service.SetQuotaAsync(new QuotaRequest("acct", "orders", peer2.Scope, peer2.Epoch, 100, 1_000), None);

            rows.Add(("PostgreSQL: renew lease", await MeasureAsync(warmup, calls, async _ =>
            {
                if (!await service.RenewAsync(lease.Scope, "bench-a", lease.Epoch, ttl, None))
                    throw new InvalidOperationException("the lease was lost");
            })));
            // Keep the peers' leases alive across the run.
            await service.RenewAsync(peer1.Scope, "bench-b", peer1.Epoch, ttl, None);
            await service.RenewAsync(peer2.Scope, "bench-c", peer2.Epoch, ttl, None);
            rows.Add(("PostgreSQL: quota block (take 50, give back)", await MeasureAsync(warmup, calls, async i =>
            {
                long want = (i & 1) == 0 ? 100 : 50; // an increase by a block, then a decrease
                if (await service.SetQuotaAsync(new QuotaRequest("acct", "orders", lease.Scope, lease.Epoch, want, 1_000), None) != want)
                    throw new InvalidOperationException("the grant differs from the request");
            })));
            await service.RenewAsync(lease.Scope, "bench-a", lease.Epoch, ttl, None);
            await service.RenewAsync(peer1.Scope, "bench-b", peer1.Epoch, ttl, None);
            await service.RenewAsync(peer2.Scope, "bench-c", peer2.Epoch, ttl, None);
            PeerQuote[] mine = [new("BTCUSDT", 6_000_050, 6_000_150)];
            rows.Add(("PostgreSQL: exchange quotes (2 live peers)", await MeasureAsync(warmup, calls, async _ =>
            {
                if ((await service.ExchangeQuotesAsync(lease.Scope, lease.Epoch, mine, None)).Count != 2)
                    throw new InvalidOperationException("expected the peers' two symbols");
            })));
        }

        string dir = Directory.CreateTempSubdirectory("fathom-coord-bench-").FullName;
        try
        {
            await using var local = new LocalCoordination(Path.Combine(dir, "epoch"));
            var lease = (await local.TryAcquireAsync("acct/BTCUSDT", "bench-a", 1, ttl, None))!;
            rows.Add(("Local: renew lease", await MeasureAsync(warmup, calls, async _ =>
            {
                if (!await local.RenewAsync(lease.Scope, "bench-a", lease.Epoch, ttl, None))
                    throw new InvalidOperationException("the lease was lost");
            })));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        Console.WriteLine($"// load average at end: {LoadAverage()}");
        Console.WriteLine($"{calls:N0} calls per row after {warmup:N0} warm-up calls; microseconds per call");
        Console.WriteLine("| call | p50 | p90 | p99 | p99.9 | max | mean |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, h) in rows)
            Console.WriteLine($"| {name} | {Us(h.GetValueAtPercentile(50))} | {Us(h.GetValueAtPercentile(90))} | {Us(h.GetValueAtPercentile(99))} | " +
                $"{Us(h.GetValueAtPercentile(99.9))} | {Us(h.GetMaxValue())} | {Us((long)h.GetMean())} |");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    private static string Us(long nanos) => (nanos / 1000.0).ToString(nanos < 10_000 ? "F2" : "F0", CultureInfo.InvariantCulture);

    private static async Task<LongHistogram> MeasureAsync(int warmup, int calls, Func<int, Task> call)
    {
        for (int i = 0; i < warmup; i++)
            await call(i);
        var histogram = new LongHistogram(TimeSpan.FromSeconds(30).Ticks * 100, 3); // nanoseconds up to 30 s
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await call(i);
            histogram.RecordValue((long)Stopwatch.GetElapsedTime(start).TotalNanoseconds);
        }
        return histogram;
    }
}
