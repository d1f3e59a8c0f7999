using Fathom.Book;

namespace Fathom.Benchmarks;

/// <summary>
/// Baseline: each side a sorted array with binary search, best level at the end of the array so
/// reading it is O(1). Pre-sized so updates do not allocate. A strong simple competitor: the
/// touch is where most updates land, and there the shifts are short.
/// </summary>
internal sealed class SortedArrayBook
{
    private readonly SortedArraySide _bids;
    private readonly SortedArraySide _asks;

    public SortedArrayBook(ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks, int capacityPerSide)
    {
        _bids = new SortedArraySide(isBid: true, capacityPerSide);
        _asks = new SortedArraySide(isBid: false, capacityPerSide);
        foreach (var l in bids)
            _bids.Set(l.Tick, l.Qty);
        foreach (var l in asks)
            _asks.Set(l.Tick, l.Qty);
    }

    public int BidCount => _bids.Count;
    public int AskCount => _asks.Count;

    public void SetBid(long tick, long qty) => _bids.Set(tick, qty);
    public void SetAsk(long tick, long qty) => _asks.Set(tick, qty);

    public long BestBidTick => _bids.BestTick;
    public long BestAskTick => _asks.BestTick;

    public long QtyAt(bool bid, long tick) => (bid ? _bids : _asks).QtyAt(tick);
}
