using System.Numerics;
using BenchmarkDotNet.Attributes;
using Fathom.Book;

namespace Fathom.Benchmarks;

/// <summary>
/// Diagnostic experiment: where a Fathom level update spends its time. The same real round trip as
/// <see cref="BookLevelUpdateBenchmarks"/> is replayed through Fathom's book and through stripped-down
/// stores of the same shape (a dense quantity array the size of Fathom's window per side, indexed by
/// tick), adding one ingredient at a time: a one-level occupancy bitmap (with and without a data-dependent
/// branch on add / remove), a bit hierarchy rewritten on every update, and Fathom's sticky-byte index. Run with <c>--filter '*UpdateCostBreakdown*'</c>.
/// </summary>
/// <remarks>None of the stripped-down stores keeps a best price; they are lower bounds, not books.</remarks>
[MemoryDiagnoser]
[Config(typeof(BookBenchmarkConfig))]
public class UpdateCostBreakdown
{
    private LevelUpdate[] _forward = [];
    private LevelUpdate[] _inverse = [];
    private OrderBook _fathom = null!;
    private long _mask;
    private long[] _bidQty = [], _askQty = [];
    private ulong[] _bidLeaves = [], _askLeaves = [];
    private OccupancyIndex _bidIndex, _askIndex;
    private ulong[][] _bidLevels = [], _askLevels = [];

    [GlobalSetup]
    public void Setup()
    {
        var sequence = LevelUpdateSequence.Load();
        _forward = sequence.Forward;
        _inverse = sequence.Inverse;
        _fathom = sequence.NewFathomBook();
        // The dense stores index by tick modulo their size; make them large enough that no two prices
        // of a side share a slot (the recorded bids span more than Fathom's 2^20-tick window).
        long span = 0;
        foreach (Side side in new[] { Side.Bid, Side.Ask })
        {
            var ticks = _forward.Where(u => u.Side == side).Select(u => u.Tick)
                .Concat((side == Side.Bid ? sequence.Replay.SnapshotBids : sequence.Replay.SnapshotAsks).Select(l => l.Tick))
                .ToList();
            span = Math.Max(span, ticks.Max() - ticks.Min() + 1);
        }
        int size = (int)BitOperations.RoundUpToPowerOf2((ulong)span);
        _mask = size - 1;
        _bidQty = new long[size];
        _askQty = new long[size];
        _bidLeaves = new ulong[size / 64];
        _askLeaves = new ulong[size / 64];
        _bidIndex = new OccupancyIndex(_bidQty);
        _askIndex = new OccupancyIndex(_askQty);
        _bidLevels = NewLevels(size);
        _askLevels = NewLevels(size);
        Console.WriteLine($"// Dense stores: {size} slots per side (widest side spans {span} ticks); Fathom window {_fathom.Options.WindowTicks}.");

        // Seed with the snapshot so every store sees the same add / modify / remove mix as the book.
        foreach (Level l in sequence.Replay.SnapshotBids)
            SeedOne(Side.Bid, l.Tick, l.Qty);
        foreach (Level l in sequence.Replay.SnapshotAsks)
            SeedOne(Side.Ask, l.Tick, l.Qty);
    }

    private void SeedOne(Side side, long tick, long qty)
    {
        bool bid = side == Side.Bid;
        int slot = (int)(tick & _mask);
        (bid ? _bidQty : _askQty)[slot] = qty;
        ulong[] leaves = bid ? _bidLeaves : _askLeaves;
        leaves[slot >> 6] |= 1UL << slot;
        (bid ? _bidIndex : _askIndex).Touch(slot);
        SetHierarchyBranchless(bid ? _bidLevels : _askLevels, slot, on: true);
    }

    private static ulong[][] NewLevels(int size)
    {
        var levels = new List<ulong[]>();
        for (int words = size / 64; ; words = Math.Max(1, words / 64))
        {
            levels.Add(new ulong[words]);
            if (words == 1)
                return [.. levels];
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BookLevelUpdateBenchmarks.OperationsPerInvoke)]
    public long FathomWithBestReads() =>
        BookLevelUpdateBenchmarks.Replay(_fathom, _forward) + BookLevelUpdateBenchmarks.Replay(_fathom, _inverse);

    [Benchmark(OperationsPerInvoke = BookLevelUpdateBenchmarks.OperationsPerInvoke)]
    public long FathomSetOnly() => FathomSetOnly(_forward) + FathomSetOnly(_inverse);

    [Benchmark(OperationsPerInvoke = BookLevelUpdateBenchmarks.OperationsPerInvoke)]
    public long DenseQtyOnly() => DenseQtyOnly(_forward) + DenseQtyOnly(_inverse);

    [Benchmark(OperationsPerInvoke = BookLevelUpdateBenchmarks.OperationsPerInvoke)]
    public long DenseFlatBitmapBranchless() => DenseFlatBitmapBranchless(_forward) + DenseFlatBitmapBranchless(_inverse);

    [Benchmark(OperationsPerInvoke = BookLevelUpdateBenchmarks.OperationsPerInvoke)]
    public long DenseFlatBitmapBranchy() => DenseFlatBitmapBranchy(_forward) + DenseFlatBitmapBranchy(_inverse);

    [Benchmark(OperationsPerInvoke = BookLevelUpdateBenchmarks.OperationsPerInvoke)]
    public long DenseHierarchyBranchless() => DenseHierarchyBranchless(_forward) + DenseHierarchyBranchless(_inverse);

    [Benchmark(OperationsPerInvoke = BookLevelUpdateBenchmarks.OperationsPerInvoke)]
    public long DenseFathomIndex() => DenseFathomIndex(_forward) + DenseFathomIndex(_inverse);

    private long FathomSetOnly(LevelUpdate[] updates)
    {
        OrderBook book = _fathom;
        foreach (ref readonly LevelUpdate u in updates.AsSpan())
        {
            if (u.Side == Side.Bid)
                book.SetBid(u.Tick, u.Qty);
            else
                book.SetAsk(u.Tick, u.Qty);
        }
        return book.BestBidTick;
    }

    private long DenseQtyOnly(LevelUpdate[] updates)
    {
        long sum = 0;
        foreach (ref readonly LevelUpdate u in updates.AsSpan())
        {
            long[] qty = u.Side == Side.Bid ? _bidQty : _askQty;
            ref long cell = ref qty[(int)(u.Tick & _mask)];
            sum += cell;
            cell = u.Qty;
        }
        return sum;
    }

    private long DenseFlatBitmapBranchless(LevelUpdate[] updates)
    {
        long sum = 0;
        foreach (ref readonly LevelUpdate u in updates.AsSpan())
        {
            bool bid = u.Side == Side.Bid;
            int slot = (int)(u.Tick & _mask);
            ref long cell = ref (bid ? _bidQty : _askQty)[slot];
            sum += cell;
            cell = u.Qty;
            ulong bit = 1UL << slot;
            ref ulong word = ref (bid ? _bidLeaves : _askLeaves)[slot >> 6];
            word = (word & ~bit) | (bit & (0UL - NonZero(u.Qty)));
        }
        return sum;
    }

    private long DenseFlatBitmapBranchy(LevelUpdate[] updates)
    {
        long sum = 0;
        foreach (ref readonly LevelUpdate u in updates.AsSpan())
        {
            bool bid = u.Side == Side.Bid;
            int slot = (int)(u.Tick & _mask);
            ref long cell = ref (bid ? _bidQty : _askQty)[slot];
            sum += cell;
            cell = u.Qty;
            ref ulong word = ref (bid ? _bidLeaves : _askLeaves)[slot >> 6];
            if (u.Qty != 0)
                word |= 1UL << slot;
            else
                word &= ~(1UL << slot);
        }
        return sum;
    }

    private long DenseHierarchyBranchless(LevelUpdate[] updates)
    {
        long sum = 0;
        foreach (ref readonly LevelUpdate u in updates.AsSpan())
        {
            bool bid = u.Side == Side.Bid;
            int slot = (int)(u.Tick & _mask);
            ref long cell = ref (bid ? _bidQty : _askQty)[slot];
            sum += cell;
            cell = u.Qty;
            SetHierarchyBranchless(bid ? _bidLevels : _askLevels, slot, u.Qty != 0);
        }
        return sum;
    }

    /// <summary>The quantity store plus Fathom's <see cref="OccupancyIndex"/> as BookSide.SetInWindow keeps it: two
    /// summary-byte stores per update, whatever the update is (no best upkeep).</summary>
    private long DenseFathomIndex(LevelUpdate[] updates)
    {
        long sum = 0;
        foreach (ref readonly LevelUpdate u in updates.AsSpan())
        {
            bool bid = u.Side == Side.Bid;
            int slot = (int)(u.Tick & _mask);
            ref long cell = ref (bid ? _bidQty : _askQty)[slot];
            sum += cell;
            cell = u.Qty;
            (bid ? _bidIndex : _askIndex).Touch(slot);
        }
        return sum;
    }

    private static ulong NonZero(long value) => (ulong)(value | -value) >> 63;

    /// <summary>Rewrites every level of the hierarchy; "bit = word below is non-zero" is computed, not branched on.</summary>
    private static void SetHierarchyBranchless(ulong[][] levels, int slot, bool on)
    {
        ulong keep = on ? 1UL : 0UL;
        int index = slot;
        for (int l = 0; l < levels.Length; l++)
        {
            ref ulong word = ref levels[l][index >> 6];
            ulong bit = 1UL << index;
            word = (word & ~bit) | (bit & (0UL - keep));
            keep = NonZero((long)word);
            index >>= 6;
        }
    }
}
