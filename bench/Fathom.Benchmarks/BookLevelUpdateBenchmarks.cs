using BenchmarkDotNet.Attributes;
using Fathom.Book;

namespace Fathom.Benchmarks;

/// <summary>
/// Level updates on real BTCUSDT depth diffs (Binance spot, hftbacktest recording), with the best bid
/// and ask read after every update, for Fathom's <see cref="OrderBook"/> and two baselines.
/// </summary>
/// <remarks>
/// Every invocation starts from the snapshot state without [IterationSetup]: it applies the recorded
/// forward sequence and then its inverse (for each forward update, in reverse order, the quantity
/// that level had before it), which returns the book to the snapshot. Both halves consist of real
/// level updates, and the result is ns per level update including best bid/ask upkeep.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(BookBenchmarkConfig))]
public class BookLevelUpdateBenchmarks
{
    private LevelUpdate[] _forward = [];
    private LevelUpdate[] _inverse = [];
    private OrderBook _fathom = null!;
    private SortedDictionaryBook _sortedDictionary = null!;
    private SortedArrayBook _sortedArray = null!;

    /// <summary>Level updates per invocation (forward + inverse); BenchmarkDotNet divides by it.</summary>
    public const int OperationsPerInvoke = 2 * LevelUpdateSequence.ExpectedForwardCount;

    [GlobalSetup]
    public void Setup()
    {
        var sequence = LevelUpdateSequence.Load();
        if (sequence.Forward.Length != LevelUpdateSequence.ExpectedForwardCount)
            throw new InvalidOperationException(
                $"The recording yields {sequence.Forward.Length} level updates, but OperationsPerInvoke assumes " +
                $"{LevelUpdateSequence.ExpectedForwardCount}; update LevelUpdateSequence.ExpectedForwardCount.");
        _forward = sequence.Forward;
        _inverse = sequence.Inverse;
        _fathom = sequence.NewFathomBook();
        _sortedDictionary = sequence.NewSortedDictionaryBook();
        _sortedArray = sequence.NewSortedArrayBook();

        // Check the round trip on all three books before measuring it: the books must hold the
        // recorded end state after the forward half and the snapshot again after the inverse half,
        // and produce the same checksum of best bid/ask after every update, or the comparison means nothing.
        long expected = Replay(_sortedDictionary, _forward);
        long fathom = Replay(_fathom, _forward);
        long sortedArray = Replay(_sortedArray, _forward);
        sequence.CheckAtEnd(_fathom, _sortedDictionary, _sortedArray);
        (int endBids, int endAsks) = (_fathom.BidCount, _fathom.AskCount);
        expected += Replay(_sortedDictionary, _inverse);
        fathom += Replay(_fathom, _inverse);
        sortedArray += Replay(_sortedArray, _inverse);
        sequence.CheckAtSnapshot(_fathom, _sortedDictionary, _sortedArray);
        if (fathom != expected || sortedArray != expected)
            throw new InvalidOperationException(
                $"Books disagree on the best-price checksum: SortedDictionary {expected}, Fathom {fathom}, SortedArray {sortedArray}.");
        Console.WriteLine(
            $"// Replay: {sequence.Replay.DiffsApplied} diffs applied ({sequence.Replay.DiffsDropped} dropped), " +
            $"{_forward.Length} level updates forward + {_inverse.Length} inverse per invocation; " +
            $"{endBids} bid / {endAsks} ask levels at the end of the recording; " +
            $"Fathom window {_fathom.Options.WindowTicks} ticks per side.");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke)]
    public long SortedDictionary() => Replay(_sortedDictionary, _forward) + Replay(_sortedDictionary, _inverse);

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke)]
    public long SortedArray() => Replay(_sortedArray, _forward) + Replay(_sortedArray, _inverse);

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke)]
    public long FathomOrderBook() => Replay(_fathom, _forward) + Replay(_fathom, _inverse);

    // One loop per book type (no interface, no delegate) so each is compiled and inlined for its book.
    // The best prices are summed and returned so the JIT cannot drop the reads.

    internal static long Replay(OrderBook book, LevelUpdate[] updates)
    {
        long sum = 0;
        foreach (ref readonly LevelUpdate u in updates.AsSpan())
        {
            if (u.Side == Side.Bid)
                book.SetBid(u.Tick, u.Qty);
            else
                book.SetAsk(u.Tick, u.Qty);
            sum += book.BestBidTick + book.BestAskTick;
        }
        return sum;
    }

    internal static long Replay(SortedDictionaryBook book, LevelUpdate[] updates)
    {
        long sum = 0;
        foreach (ref readonly LevelUpdate u in updates.AsSpan())
        {
            if (u.Side == Side.Bid)
                book.SetBid(u.Tick, u.Qty);
            else
                book.SetAsk(u.Tick, u.Qty);
            sum += book.BestBidTick + book.BestAskTick;
        }
        return sum;
    }

    internal static long Replay(SortedArrayBook book, LevelUpdate[] updates)
    {
        long sum = 0;
        foreach (ref readonly LevelUpdate u in updates.AsSpan())
        {
            if (u.Side == Side.Bid)
                book.SetBid(u.Tick, u.Qty);
            else
                book.SetAsk(u.Tick, u.Qty);
            sum += book.BestBidTick + book.BestAskTick;
        }
        return sum;
    }
}
