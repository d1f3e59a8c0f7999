using System.Runtime.CompilerServices;

namespace Fathom.Signals;

/// <summary>
/// An open-addressing map from a positive <c>long</c> key to a <c>long</c> sum, for per-price volume
/// tallies: <see cref="Add"/> accumulates and deletes an entry that returns to zero, so the map only
/// ever holds prices with something on them. Linear probing with backward-shift deletion (no
/// tombstones, so lookups never degrade). Key 0 marks an empty slot; ticks are ≥ 1. It doubles at
/// half load, which happens only during warm-up.
/// </summary>
internal sealed class LongMap
{
    private long[] _keys;
    private long[] _values;
    private int _mask;
    private int _shift; // 64 − log2(size): the top bits of a Fibonacci hash pick the slot
    private int _count;

    public LongMap(int capacity = 64)
    {
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity * 2, 16));
        _keys = new long[size];
        _values = new long[size];
        _mask = size - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)size);
    }

    public int Count => _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SlotOf(long key) => (int)((ulong)key * 0x9E3779B97F4A7C15UL >> _shift);

    public long Get(long key)
    {
        for (int i = SlotOf(key); ; i = (i + 1) & _mask)
        {
            long k = _keys[i];
            if (k == key)
                return _values[i];
            if (k == 0)
                return 0;
        }
    }

    /// <summary>Adds <paramref name="delta"/> to the key's sum; an entry whose sum becomes 0 is removed.</summary>
    public void Add(long key, long delta)
    {
        if (delta == 0)
            return;
        int i = SlotOf(key);
        while (true)
        {
            long k = _keys[i];
            if (k == key)
            {
                long v = _values[i] + delta;
                if (v == 0)
                    RemoveAt(i);
                else
                    _values[i] = v;
                return;
            }
            if (k == 0)
                break;
            i = (i + 1) & _mask;
        }
        if ((_count + 1) * 2 > _keys.Length)
        {
            Grow();
            Add(key, delta);
            return;
        }
        _keys[i] = key;
        _values[i] = delta;
        _count++;
    }

    /// <summary>Empties the map: O(size). Only the keys are cleared; a value is written whenever its slot is taken.</summary>
    public void Clear()
    {
        if (_count == 0)
            return;
        Array.Clear(_keys);
        _count = 0;
    }

    // Backward-shift deletion: pull later members of the probe run into the hole so that every key
    // stays reachable from its home slot without tombstones.
    private void RemoveAt(int hole)
    {
        _count--;
        int i = hole;
        while (true)
        {
            i = (i + 1) & _mask;
            long k = _keys[i];
            if (k == 0)
                break;
            int home = SlotOf(k);
            // Move k into the hole unless its home lies cyclically in (hole, i].
            bool homeBetween = hole <= i ? hole < home && home <= i : hole < home || home <= i;
            if (homeBetween)
                continue;
            _keys[hole] = k;
            _values[hole] = _values[i];
            hole = i;
        }
        _keys[hole] = 0;
        _values[hole] = 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow()
    {
        long[] keys = _keys, values = _values;
        _keys = new long[keys.Length * 2];
        _values = new long[keys.Length * 2];
        _mask = _keys.Length - 1;
        _shift--;
        _count = 0;
        for (int i = 0; i < keys.Length; i++)
            if (keys[i] != 0)
                Add(keys[i], values[i]);
    }
}
