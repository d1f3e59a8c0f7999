namespace Fathom.Simulator;

/// <summary>
/// One side of a symbol's book: price levels sorted so the best is last, which makes taking the
/// best level and removing it after it empties O(1). Levels are pooled.
/// </summary>
/// <remarks>Invariant: <c>_levels</c> is strictly ascending by <see cref="Key"/> and holds no empty level.</remarks>
internal sealed class BookSide(bool isBid)
{
    private readonly List<PriceLevel> _levels = new(64);
    private readonly Stack<PriceLevel> _pool = new();

    public bool IsBid { get; } = isBid;
    public int LevelCount => _levels.Count;
    public PriceLevel? Best => _levels.Count == 0 ? null : _levels[^1];

    /// <summary>The i-th level from the best (0 = best).</summary>
    public PriceLevel LevelFromBest(int i) => _levels[_levels.Count - 1 - i];

    // Better is larger: bids by price, asks by negated price.
    private long Key(long price) => IsBid ? price : -price;

    public PriceLevel GetOrAdd(long price)
    {
        int i = Find(price);
        if (i >= 0)
            return _levels[i];
        var level = _pool.Count > 0 ? _pool.Pop() : new PriceLevel();
        level.Price = price;
        level.TotalQty = 0;
        level.Count = 0;
        level.Head = level.Tail = null;
        _levels.Insert(~i, level);
        return level;
    }

    public void Remove(PriceLevel level)
    {
        int last = _levels.Count - 1;
        if (last >= 0 && ReferenceEquals(_levels[last], level))
            _levels.RemoveAt(last);
        else
            _levels.RemoveAt(Find(level.Price));
        _pool.Push(level);
    }

    /// <summary>The level at <paramref name="price"/>, or null when there is none.</summary>
    public PriceLevel? At(long price)
    {
        int i = Find(price);
        return i >= 0 ? _levels[i] : null;
    }

    public long QtyAt(long price)
    {
        int i = Find(price);
        return i >= 0 ? _levels[i].TotalQty : 0;
    }

    private int Find(long price)
    {
        long key = Key(price);
        int lo = 0, hi = _levels.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            long k = Key(_levels[mid].Price);
            if (k == key) return mid;
            if (k < key) lo = mid + 1; else hi = mid - 1;
        }
        return ~lo;
    }
}
