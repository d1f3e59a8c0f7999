using Xunit;

namespace Fathom.Testing;

/// <summary>
/// Asserts that a hot path allocates nothing, measured two ways as DESIGN.md requires:
/// this thread's allocation counter and the precise process-wide total.
/// </summary>
public static class AllocationAssert
{
    /// <summary>
    /// Runs <paramref name="action"/> once to warm up (JIT, tiering, lazy statics), then again
    /// under measurement, and fails if either counter moved.
    /// </summary>
    public static void Zero<TState>(TState state, Action<TState> action, int warmups = 3)
    {
        for (int i = 0; i < warmups; i++)
            action(state);

        // The precise total includes other threads (test runner, tiered JIT, servers other tests left
        // winding down); retry, with short pauses between attempts, so unrelated background allocation
        // does not fail us, while an allocation on the measured path always does (it shows on this
        // thread's counter). A path that allocates does so on every attempt; the runtime itself very occasionally allocates
        // on the calling thread once (tiering, a lazy cache behind a crypto call), so three attempts with
        // calling-thread allocation fail the test, and one clean attempt passes it.
        long threadBytes = 0, totalBytes = 0;
        int threadAllocations = 0;
        for (int attempt = 0; attempt < 200; attempt++)
        {
            if (attempt > 0)
                Thread.Sleep(attempt < 40 ? 5 : 20);
            long t0 = GC.GetAllocatedBytesForCurrentThread();
            long g0 = GC.GetTotalAllocatedBytes(precise: true);
            action(state);
            long g1 = GC.GetTotalAllocatedBytes(precise: true);
            long t1 = GC.GetAllocatedBytesForCurrentThread();
            threadBytes = t1 - t0;
            totalBytes = g1 - g0;
            if (threadBytes != 0)
            {
                if (++threadAllocations >= 3)
                    break;
                continue;
            }
            if (totalBytes == 0)
                return;
        }
        Assert.True(threadBytes == 0, $"hot path allocated {threadBytes} bytes on the calling thread");
        Assert.True(totalBytes == 0, $"hot path allocated {totalBytes} bytes process-wide (GC.GetTotalAllocatedBytes)");
    }
}
