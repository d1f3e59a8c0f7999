using Fathom.Book;

namespace Fathom.Benchmarks;

/// <summary>
/// The real BTCUSDT level updates as a round trip: <see cref="Forward"/> takes the snapshot to the
/// end of the recording, <see cref="Inverse"/> takes it back. Built once per process (loading parses
/// about 100k JSON lines) and verified against a dictionary model of the book.
/// </summary>
internal sealed class LevelUpdateSequence
{
    /// <summary>Level updates in the 6,493 applied diffs of the two hftbacktest days.</summary>
    public const int ExpectedForwardCount = 298_094;

    /// <summary>Applied diffs and the last one's <c>u</c>, as documented in shared/data/PROVENANCE.md.</summary>
    public const int ExpectedDiffs = 6_493;
    public const long ExpectedFinalUpdateId = 50_093_696_318;

    private static readonly Lazy<LevelUpdateSequence> s_instance = new(Build);

    private readonly Dictionary<(Side, long), long> _snapshot;
    private readonly Dictionary<(Side, long), long> _final;

    private LevelUpdateSequence(BinanceDepthReplay replay, LevelUpdate[] inverse,
        Dictionary<(Side, long), long> snapshot, Dictionary<(Side, long), long> final, int maxLevelsPerSide)
    {
        Replay = replay;
        Forward = replay.Updates;
        Inverse = inverse;
        _snapshot = snapshot;
        _final = final;
        MaxLevelsPerSide = maxLevelsPerSide;
    }

    public BinanceDepthReplay Replay { get; }
    public LevelUpdate[] Forward { get; }
    public LevelUpdate[] Inverse { get; }

    /// <summary>The most levels either side holds at any point of the round trip.</summary>
    public int MaxLevelsPerSide { get; }

    public static LevelUpdateSequence Load() => s_instance.Value;

    public long SnapshotBestBidTick => Replay.SnapshotBids.Max(l => l.Tick);

    /// <summary>Fathom's book as the benchmark uses it: a window sized for the price, then the snapshot.</summary>
    public OrderBook NewFathomBook(BookOptions? options = null)
    {
        var book = new OrderBook(BinanceDepthReplay.BtcUsdtSpot, options ?? BookOptions.ForPrice(SnapshotBestBidTick));
        book.ApplySnapshot(Replay.SnapshotBids, Replay.SnapshotAsks, Replay.SnapshotUpdateId);
        return book;
    }

    public SortedDictionaryBook NewSortedDictionaryBook() => new(Replay.SnapshotBids, Replay.SnapshotAsks);

    // Headroom so no update ever grows the arrays.
    public SortedArrayBook NewSortedArrayBook() => new(Replay.SnapshotBids, Replay.SnapshotAsks, MaxLevelsPerSide * 2);

    /// <summary>Throws unless all three books hold exactly the snapshot's levels (as after each round trip).</summary>
    public void CheckAtSnapshot(OrderBook fathom, SortedDictionaryBook sortedDictionary, SortedArrayBook sortedArray) =>
        Check("snapshot", _snapshot, fathom, sortedDictionary, sortedArray);

    /// <summary>Throws unless all three books hold exactly the levels at the end of the recording.</summary>
    public void CheckAtEnd(OrderBook fathom, SortedDictionaryBook sortedDictionary, SortedArrayBook sortedArray) =>
        Check("end of recording", _final, fathom, sortedDictionary, sortedArray);

    private static void Check(string when, Dictionary<(Side, long), long> model,
        OrderBook fathom, SortedDictionaryBook sortedDictionary, SortedArrayBook sortedArray)
    {
        int bids = model.Keys.Count(k => k.Item1 == Side.Bid);
        int asks = model.Count - bids;
        if (fathom.BidCount != bids || fathom.AskCount != asks
            || sortedDictionary.BidCount != bids || sortedDictionary.AskCount != asks
            || sortedArray.BidCount != bids || sortedArray.AskCount != asks)
            throw new InvalidOperationException(
                $"At the {when} the model has {bids}/{asks} bid/ask levels, but Fathom has {fathom.BidCount}/{fathom.AskCount}, " +
                $"SortedDictionary {sortedDictionary.BidCount}/{sortedDictionary.AskCount}, SortedArray {sortedArray.BidCount}/{sortedArray.AskCount}.");
        foreach (((Side side, long tick), long qty) in model)
        {
            bool bid = side == Side.Bid;
            if (fathom.QtyAt(side, tick) != qty || sortedDictionary.QtyAt(bid, tick) != qty || sortedArray.QtyAt(bid, tick) != qty)
                throw new InvalidOperationException($"At the {when} the books disagree with the model at {side} {tick}: expected qty {qty}.");
        }
    }

    private static LevelUpdateSequence Build()
    {
        BinanceDepthReplay replay = BinanceDepthReplay.LoadBtcUsdtSpot();
        if (replay.DiffsApplied != ExpectedDiffs || replay.FinalUpdateId != ExpectedFinalUpdateId)
            throw new InvalidOperationException(
                $"Applied {replay.DiffsApplied} diffs ending at u={replay.FinalUpdateId}; the recording documents " +
                $"{ExpectedDiffs} ending at u={ExpectedFinalUpdateId}. The loader or the data is wrong.");

        var model = new Dictionary<(Side, long), long>();
        foreach (Level l in replay.SnapshotBids)
            if (l.Qty != 0) model[(Side.Bid, l.Tick)] = l.Qty;
        foreach (Level l in replay.SnapshotAsks)
            if (l.Qty != 0) model[(Side.Ask, l.Tick)] = l.Qty;
        var snapshot = new Dictionary<(Side, long), long>(model);

        // Record what each forward update overwrites; replaying those in reverse undoes the sequence.
        LevelUpdate[] forward = replay.Updates;
        var inverse = new LevelUpdate[forward.Length];
        int bids = model.Keys.Count(k => k.Item1 == Side.Bid), asks = model.Count - bids;
        int maxLevels = Math.Max(bids, asks);
        for (int i = 0; i < forward.Length; i++)
        {
            LevelUpdate u = forward[i];
            var key = (u.Side, u.Tick);
            long before = model.GetValueOrDefault(key);
            inverse[forward.Length - 1 - i] = u with { Qty = before };
            if (u.Qty != 0)
                model[key] = u.Qty;
            else
                model.Remove(key);
            int delta = before == 0 && u.Qty != 0 ? 1 : before != 0 && u.Qty == 0 ? -1 : 0;
            if (u.Side == Side.Bid) bids += delta; else asks += delta;
            maxLevels = Math.Max(maxLevels, Math.Max(bids, asks));
        }
        return new LevelUpdateSequence(replay, inverse, snapshot, model, maxLevels);
    }
}
