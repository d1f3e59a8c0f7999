using Fathom.Book;

namespace Fathom.Benchmarks;

/// <summary>
/// Where the level updates of a round trip land in Fathom's book for a given window: on the dense
/// window's fast path or in the spill store, how often the window moves, how far updates are from
/// the touch, and how much distinct memory of the window they touch. For diagnosing the timings of
/// <see cref="FathomWindowSweep"/>; replays on its own book, off the measured path.
/// </summary>
internal readonly record struct WindowPathStats(
    int Updates, int WindowPath, int SpillPath, int WindowMoves, int BestRemovals,
    long DistanceP50, long DistanceP90, long DistanceP99, int DistinctCacheLines)
{
    public static WindowPathStats Measure(LevelUpdateSequence sequence, BookOptions options)
    {
        OrderBook book = sequence.NewFathomBook(options);
        int windowPath = 0, spillPath = 0, moves = 0, bestRemovals = 0;
        var distances = new List<long>(2 * sequence.Forward.Length);
        var lines = new HashSet<(Side, long)>();
        foreach (LevelUpdate[] half in new[] { sequence.Forward, sequence.Inverse })
        {
            foreach (LevelUpdate u in half)
            {
                var side = book.SideOf(u.Side);
                long sign = u.Side == Side.Bid ? -1 : 1;
                long key = u.Tick * sign, baseKey = side.WindowNearEdgeTick * sign;
                if ((ulong)(key - baseKey) < (ulong)side.WindowSize)
                {
                    windowPath++;
                    lines.Add((u.Side, (key & (side.WindowSize - 1)) >> 3)); // 8 longs per 64-byte line
                }
                else
                {
                    spillPath++;
                }
                long bestBefore = side.BestTick, edgeBefore = side.WindowNearEdgeTick;
                distances.Add(Math.Abs(u.Tick - bestBefore));
                book.Set(u.Side, u.Tick, u.Qty);
                if (side.WindowNearEdgeTick != edgeBefore)
                    moves++;
                if (u.Qty == 0 && u.Tick == bestBefore)
                    bestRemovals++;
            }
        }
        distances.Sort();
        long P(double q) => distances[(int)(q * (distances.Count - 1))];
        return new WindowPathStats(distances.Count, windowPath, spillPath, moves, bestRemovals,
            P(0.50), P(0.90), P(0.99), lines.Count);
    }

    public override string ToString() =>
        $"{Updates} updates: window path {100.0 * WindowPath / Updates:F1}%, spill path {100.0 * SpillPath / Updates:F1}%, " +
        $"{WindowMoves} window moves, {BestRemovals} best-level removals; distance from own best p50/p90/p99 = " +
        $"{DistanceP50}/{DistanceP90}/{DistanceP99} ticks; {DistinctCacheLines} distinct 64-byte lines of window quantities touched " +
        $"({DistinctCacheLines * 64 / 1024} KiB).";
}
