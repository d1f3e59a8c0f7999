namespace Fathom.Benchmarks;

/// <summary>
/// One side of <see cref="SortedArrayBook"/>: parallel key and quantity arrays sorted by ascending key,
/// where key = tick for bids and −tick for asks, so the best level is always the last entry.
/// </summary>
/// <remarks>
/// Invariant: _keys[0.._count) is strictly ascending and every _qty in it is non-zero. Inserting or
/// removing shifts only the entries better than the level (Array.Copy toward the end), which on a
/// real feed is the short stretch between the level and the touch.
/// </remarks>
internal sealed class SortedArraySide
{
    private readonly long _sign;
    private long[] _keys;
    private long[] _qty;
    private int _count;

    public SortedArraySide(bool isBid, int capacity)
    {
        _sign = isBid ? 1 : -1;
        _keys = new long[capacity];
        _qty = new long[capacity];
    }

    public int Count => _count;

    /// <summary>Best tick, or 0 when the side is empty.</summary>
    public long BestTick => _count == 0 ? 0 : _keys[_count - 1] * _sign;

    public long QtyAt(long tick)
    {
        int i = IndexOf(tick * _sign);
        return i >= 0 ? _qty[i] : 0;
    }

    public void Set(long tick, long qty)
    {
        long key = tick * _sign;
        int i = IndexOf(key);
        if (i >= 0)
        {
            if (qty != 0)
            {
                _qty[i] = qty;
                return;
            }
            int tail = _count - i - 1;
            Array.Copy(_keys, i + 1, _keys, i, tail);
            Array.Copy(_qty, i + 1, _qty, i, tail);
            _count--;
        }
        else if (qty != 0)
        {
            i = ~i;
            if (_count == _keys.Length)
                Grow();
            int tail = _count - i;
            Array.Copy(_keys, i, _keys, i + 1, tail);
            Array.Copy(_qty, i, _qty, i + 1, tail);
            _keys[i] = key;
            _qty[i] = qty;
            _count++;
        }
    }

    private int IndexOf(long key) => Array.BinarySearch(_keys, 0, _count, key);

    private void Grow()
    {
        Array.Resize(ref _keys, _keys.Length * 2);
        Array.Resize(ref _qty, _qty.Length * 2);
    }
}
