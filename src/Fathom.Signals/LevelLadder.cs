using Fathom.Book;

namespace Fathom.Signals;

/// <summary>
/// A sorted copy of one side's best levels, kept in step with every level change, so top-N
/// statistics cost O(N) without walking the book.
/// </summary>
/// <remarks>
/// Invariant: the ladder holds exactly the best <see cref="Count"/> levels of its side, best first,
/// and <see cref="Exhaustive"/> is true only when the side has no other level. A change inside the
/// ladder's range is applied in place; an insert into a full ladder drops its worst level (the side
/// then has levels the ladder does not hold, so it is no longer exhaustive); a change beyond its worst
/// level is ignored unless the ladder is exhaustive, because the ladder cannot know what lies between.
/// Removals can leave it short: <see cref="NeedsRefill"/> then asks the owner to reload it from the
/// book at the end of the diff, when the book is consistent again. <see cref="Version"/> changes
/// whenever the best <c>watchDepth</c> levels may have changed, so K-level statistics can be reused
/// across diffs that did not touch them.
/// </remarks>
internal sealed class LevelLadder
{
    private readonly long[] _ticks;
    private readonly long[] _qtys;
    private readonly bool _isBid;
    private readonly int _required;
    private readonly int _watchDepth;
    private int _count;

    public LevelLadder(Side side, int required, int watchDepth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(required, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(watchDepth, required);
        Side = side;
        _isBid = side == Side.Bid;
        _required = required;
        _watchDepth = watchDepth;
        // Twice the depth that is read: a ladder only needs a refill after more net removals than
        // inserts inside its range, which keeps refills rare.
        _ticks = new long[required * 2];
        _qtys = new long[required * 2];
    }

    public Side Side { get; }
    public int Count => _count;
    public int Capacity => _ticks.Length;
    public bool Exhaustive { get; private set; } = true;
    public bool NeedsRefill => _count < _required && !Exhaustive;

    /// <summary>Changes whenever the best <c>watchDepth</c> levels (ticks or sizes) may have changed.</summary>
    public long Version { get; private set; }

    public long TickAt(int index) => _ticks[index];
    public long QtyAt(int index) => _qtys[index];

    public bool IsEmpty => _count == 0;
    public long BestTick => _count > 0 ? _ticks[0] : 0;
    public long BestQty => _count > 0 ? _qtys[0] : 0;

    /// <summary>The index of <paramref name="tick"/>, or −1 when the ladder does not hold it.</summary>
    public int RankOf(long tick)
    {
        int i = Search(tick);
        return i >= 0 ? i : -1;
    }

    /// <summary>Sum of the sizes of the best <paramref name="levels"/> levels held (fewer if the ladder holds fewer).</summary>
    public long SumTop(int levels)
    {
        int n = Math.Min(levels, _count);
        long sum = 0;
        for (int i = 0; i < n; i++)
            sum += _qtys[i];
        return sum;
    }

    /// <summary>Applies one level change; returns true when the ladder holds the level afterwards.</summary>
    public bool Apply(long tick, long qty)
    {
        // Most depth updates are far from the touch: behind the worst level held is outside the prefix.
        if (!Exhaustive && _count > 0 && (_isBid ? tick < _ticks[_count - 1] : tick > _ticks[_count - 1]))
            return false;
        int i = Search(tick);
        if (i >= 0)
        {
            if (i < _watchDepth)
                Version++;
            if (qty > 0)
            {
                _qtys[i] = qty;
                return true;
            }
            _count--;
            Array.Copy(_ticks, i + 1, _ticks, i, _count - i);
            Array.Copy(_qtys, i + 1, _qtys, i, _count - i);
            return false;
        }
        if (qty == 0)
            return false; // removing a level the ladder does not hold: absent, or beyond its range
        int at = ~i;
        if (at == _count && !Exhaustive)
            return false; // worse than every level held, and unknown levels may lie in between
        if (_count == _ticks.Length)
        {
            if (at == _count)
            {
                Exhaustive = false;
                return false;
            }
            _count--; // the worst level falls off the end
            Exhaustive = false;
        }
        if (at < _watchDepth)
            Version++;
        Array.Copy(_ticks, at, _ticks, at + 1, _count - at);
        Array.Copy(_qtys, at, _qtys, at + 1, _count - at);
        _ticks[at] = tick;
        _qtys[at] = qty;
        _count++;
        return true;
    }

    /// <summary>Reloads the best levels from <paramref name="book"/> (after a reset, or when removals left the ladder short).</summary>
    public void Refill(OrderBook book)
    {
        var e = book.Levels(Side);
        int n = 0;
        while (n < _ticks.Length && e.MoveNext())
        {
            Level l = e.Current;
            _ticks[n] = l.Tick;
            _qtys[n] = l.Qty;
            n++;
        }
        _count = n;
        Version++;
        // Short: the enumerator ran dry, so the side is all here. Full: there may be more behind.
        Exhaustive = n < _ticks.Length;
    }

    // Binary search by "better first" order: bids by descending tick, asks by ascending tick.
    // Returns the index, or the bitwise complement of the insertion point.
    private int Search(long tick)
    {
        int lo = 0, hi = _count - 1;
        long key = _isBid ? -tick : tick;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            long k = _isBid ? -_ticks[mid] : _ticks[mid];
            if (k == key)
                return mid;
            if (k < key)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return ~lo;
    }
}
