using Fathom.Book;

namespace Fathom.Benchmarks;

/// <summary>
/// Baseline: the naive book most code starts with. Each side is a <see cref="SortedDictionary{TKey, TValue}"/>
/// ordered best first (bids through a descending comparer), and the best level is read by starting an
/// enumeration, which is what <c>.First()</c> does (the struct enumerator is used directly, so no LINQ
/// boxing is charged to the baseline; the enumerator still allocates its internal stack).
/// </summary>
internal sealed class SortedDictionaryBook
{
    private readonly SortedDictionary<long, long> _bids = new(DescendingComparer.Instance);
    private readonly SortedDictionary<long, long> _asks = new();

    public SortedDictionaryBook(ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks)
    {
        foreach (var l in bids)
            SetBid(l.Tick, l.Qty);
        foreach (var l in asks)
            SetAsk(l.Tick, l.Qty);
    }

    public int BidCount => _bids.Count;
    public int AskCount => _asks.Count;

    public void SetBid(long tick, long qty) => Set(_bids, tick, qty);
    public void SetAsk(long tick, long qty) => Set(_asks, tick, qty);

    public long BestBidTick => First(_bids);
    public long BestAskTick => First(_asks);

    public long QtyAt(bool bid, long tick) => (bid ? _bids : _asks).GetValueOrDefault(tick);

    private static void Set(SortedDictionary<long, long> side, long tick, long qty)
    {
        if (qty == 0)
            side.Remove(tick);
        else
            side[tick] = qty;
    }

    private static long First(SortedDictionary<long, long> side)
    {
        using var e = side.GetEnumerator();
        return e.MoveNext() ? e.Current.Key : 0;
    }
}
