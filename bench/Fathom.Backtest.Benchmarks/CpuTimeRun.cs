using System.Runtime.InteropServices;

namespace Fathom.Backtest.Benchmarks;

/// <summary>
/// <c>--cpu-time [runs] [row]</c>: the whole-core store runs (and the feed path with the analyzer, no engine), timed by
/// this thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>) instead of wall time, so time the scheduler gives
/// other processes on a shared, loaded machine is not counted. 5 warmup runs, then <c>runs</c> measured (15 by
/// default); prints ns per event for each row (min and median) and the bytes a run allocates (this thread's, averaged). <c>row</c>, when given, keeps only the rows whose
/// name contains it (e.g. <c>maker</c>). Cache and frequency effects of the load still show: compare runs made side
/// by side. Also printed: the GCs the measured runs caused (gen0/1/2); with <c>FATHOM_BENCH_RUNS=1</c>, every run's
/// ns/event in order, to see the spread a median summarises.
/// </summary>
internal static partial class CpuTimeRun
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);

    private const int ThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID

    private static long ThreadCpuNs()
    {
        if (ClockGetTime(ThreadCpuTime, out Timespec t) != 0)
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }

    public static void Run(int runs, string? only = null)
    {
        var bench = new BacktestRunBenchmarks();
        bench.Setup();
        try
        {
            (string Name, Func<long> Body)[] rows =
            [
                ("whole core, store, strategy that never trades", bench.WholeCoreStoreIdle),
                ("whole core, store, never trades, engine timer every 1 s", bench.WholeCoreStoreIdleSlowTimer),
                ("whole core, store, market maker", bench.WholeCoreStoreMarketMaker),
                ("store read + books + analyzer (no engine)", bench.StoreIntoBooksAndSignals),
            ];
            foreach ((string name, Func<long> body) in rows)
            {
                if (only is not null && !name.Contains(only, StringComparison.Ordinal))
                    continue;
                for (int i = 0; i < 5; i++)
                    body();
                var ns = new double[runs];
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
                for (int i = 0; i < runs; i++)
                {
                    long start = ThreadCpuNs();
                    body();
                    ns[i] = (double)(ThreadCpuNs() - start) / BacktestRunBenchmarks.Events;
                }
                allocated = (GC.GetAllocatedBytesForCurrentThread() - allocated) / runs;
                gen0 = GC.CollectionCount(0) - gen0;
                gen1 = GC.CollectionCount(1) - gen1;
                gen2 = GC.CollectionCount(2) - gen2;
                if (Environment.GetEnvironmentVariable("FATHOM_BENCH_RUNS") == "1")
                    Console.WriteLine(string.Join(" ", ns.Select(v => v.ToString("F0", System.Globalization.CultureInfo.InvariantCulture))));
                Array.Sort(ns);
                Console.WriteLine($"{name,-60} CPU min {ns[0],7:F1} ns/event, median {ns[runs / 2],7:F1} ns/event ({runs} runs, {allocated / 1024.0:N0} KiB allocated per run, GCs gen0/1/2 {gen0}/{gen1}/{gen2})");
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
