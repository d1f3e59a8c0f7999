using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fathom.Core;

namespace Fathom.Book;

/// <summary>
/// One side of an L2 book on integer ticks. Prices are mapped to keys so that "better" is always
/// "lower key" (asks: key = tick, bids: key = -tick); one code path then serves both sides.
/// </summary>
/// <remarks>
/// Storage: a dense window of <c>2^k</c> keys <c>[_base, _base + size)</c> held in a circular array
/// (slot = key &amp; mask, so moving the window moves no memory), an <see cref="OccupancyIndex"/>
/// over the quantities, and a sorted spill store for keys beyond the window's far edge. No count of
/// levels is kept per update (a running count chains every update to the one before it through its
/// field): <see cref="Count"/> walks the levels.
/// Invariants:
/// <list type="bullet">
/// <item>_bestKey is the lowest occupied key, or <see cref="EmptyKey"/> when the side is empty.</item>
/// <item>When the side is non-empty the best key lies inside the window; therefore every spilled
/// key is ≥ _base + size (worse than the whole window), and the window is empty only when the side is.</item>
/// <item>Every slot with _qty[slot] != 0 is covered by the index's summaries.</item>
/// <item>_spillKeys[0.._spillCount) is sorted descending, so its last entry is nearest the window.</item>
/// </list>
/// </remarks>
internal sealed class BookSide
{
    public const long EmptyKey = long.MaxValue;
    private const int InitialSpillCapacity = 4096;

    private readonly long _sign;
    private readonly int _size;
    private readonly long _mask;
    private readonly int _margin;
    private readonly long[] _qty;
    private readonly OccupancyIndex _occupied;

    private long _base;
    private long _bestKey = EmptyKey;

    private long[] _spillKeys = new long[InitialSpillCapacity];
    private long[] _spillQty = new long[InitialSpillCapacity];
    private int _spillCount;

    // Keys ≤ this are known exactly (from a snapshot, kept current by diffs); beyond it the venue
    // has not told us. long.MinValue: nothing is known.
    private long _knownUntilKey = long.MinValue;

    public BookSide(bool isBid, int windowSize)
    {
        if (windowSize < 64 || !BitOperations.IsPow2(windowSize))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(windowSize), "window size must be a power of two ≥ 64.");
        _sign = isBid ? -1 : 1;
        _size = windowSize;
        _mask = windowSize - 1;
        _margin = windowSize / 8;
        _qty = new long[windowSize];
        PageCommit.Touch(_qty); // the window is 8 bytes per tick: map it now, not on a diff's first write there
        _occupied = new OccupancyIndex(_qty);
    }

    public bool IsBid => _sign < 0;
    public int WindowSize => _size;
    /// <summary>Levels on this side; O(levels): it walks them (no count is kept per update).</summary>
    public int Count
    {
        get
        {
            int n = 0;
            var levels = new LevelEnumerator(this);
            while (levels.MoveNext())
                n++;
            return n;
        }
    }

    /// <summary>Levels inside the window; O(levels).</summary>
    public int WindowCount => Count - _spillCount;
    public int SpillCount => _spillCount;
    public bool IsEmpty => _bestKey == EmptyKey;
    internal long BestKey => _bestKey;

    /// <summary>Best price in ticks; only meaningful when not <see cref="IsEmpty"/>.</summary>
    public long BestTick
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _bestKey * _sign;
    }

    public long BestQty
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _bestKey == EmptyKey ? 0 : _qty[(int)(_bestKey & _mask)];
    }

    /// <summary>The lowest tick of the window (asks) or highest (bids); for diagnostics and tests.</summary>
    public long WindowNearEdgeTick => _base * _sign;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long KeyOf(long tick) => tick * _sign;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long TickOf(long key) => key * _sign;

    /// <summary>Sets the quantity at <paramref name="tick"/>; 0 removes the level (absent levels are fine). Returns the
    /// quantity the level had (0: none), which the update reads anyway.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Set(long tick, long qty)
    {
        long key = tick * _sign;
        if ((ulong)(key - _base) < (ulong)_size)
            return SetInWindow(key, qty);
        return SetOutsideWindow(key, qty);
    }

    /// <summary>Quantity at <paramref name="tick"/>, 0 if no level is there.</summary>
    public long QtyAt(long tick)
    {
        long key = tick * _sign;
        if ((ulong)(key - _base) < (ulong)_size)
            return _qty[(int)(key & _mask)];
        int i = SpillIndexOf(key);
        return i >= 0 ? _spillQty[i] : 0;
    }

    /// <summary>True when the venue has told us everything up to and including this price.</summary>
    public bool IsKnown(long tick) => tick * _sign <= _knownUntilKey;

    /// <summary>The worst price whose state is known, or null when nothing is known (no snapshot yet).</summary>
    public long? KnownUntilTick => _knownUntilKey == long.MinValue ? null
        : _knownUntilKey == long.MaxValue ? long.MaxValue * _sign : _knownUntilKey * _sign;

    public bool IsCompleteSide => _knownUntilKey == long.MaxValue;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long SetInWindow(long key, long qty)
    {
        // Straight-line bookkeeping: real feeds mix adds, removes and modifies unpredictably (40/40/12%
        // and 9% removes of absent levels), so a branch on which one this is would mispredict on
        // about every third update and cost more than the rest of the update together.
        int slot = (int)(key & _mask);
        // slot < size by construction (masked): no bounds check.
        ref long cell = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_qty), slot);
        long old = cell;
        cell = qty;
        _occupied.Touch(slot);
        // The one branch: only updates at or better than the best can change it (a few percent of
        // updates on real data; most land thousands of ticks from the touch).
        if (key <= _bestKey)
        {
            if (qty != 0)
                _bestKey = key;
            else if (key == _bestKey)
                OnBestRemoved(key); // about 1 in 100 updates: the only search
            // else: removing an absent level better than the best; nothing to do.
        }
        return old;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long SetOutsideWindow(long key, long qty)
    {
        if (_bestKey == EmptyKey)
        {
            // Empty side: the first level decides where the window sits.
            if (qty == 0)
                return 0;
            _base = key - _margin;
            return SetInWindow(key, qty);
        }
        if (key < _base)
        {
            // Better than the whole window, so better than the best: a new best level.
            if (qty == 0)
                return 0; // removing an absent level
            ShiftTowardBetter(key - _margin);
            return SetInWindow(key, qty);
        }
        // Worse than the window: the spill store.
        int i = SpillIndexOf(key);
        if (i >= 0)
        {
            long old = _spillQty[i];
            if (qty != 0)
                _spillQty[i] = qty;
            else
                SpillRemoveAt(i);
            return old;
        }
        if (qty != 0)
            SpillInsertAt(~i, key, qty);
        return 0;
    }

    // Out of line: inlined, its search would crowd the hot path's registers and spill them.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OnBestRemoved(long removedKey)
    {
        long next = NextKeyInWindow(removedKey + 1);
        if (next != EmptyKey)
        {
            _bestKey = next;
            // The touch has drifted deep into the window: slide it so the spilled levels come in.
            if (next - _base > _size / 2)
                ShiftTowardWorse(next - _margin);
            return;
        }
        // The window is empty. By the invariant any remaining level is in the spill store.
        if (_spillCount == 0)
        {
            _bestKey = EmptyKey;
            return;
        }
        long spillBest = _spillKeys[_spillCount - 1];
        ShiftTowardWorse(spillBest - _margin);
        _bestKey = spillBest;
    }

    /// <summary>
    /// Moves the window to start at a higher key. Precondition: no window level has a key below
    /// <paramref name="newBase"/> (they would be better than the best). Keys that leave the near edge
    /// are empty; keys that enter at the far edge come from the spill store. Slots are reused in place.
    /// </summary>
    private void ShiftTowardWorse(long newBase)
    {
        _base = newBase;
        long end = newBase + _size; // exclusive
        while (_spillCount > 0 && _spillKeys[_spillCount - 1] < end)
        {
            _spillCount--;
            long key = _spillKeys[_spillCount];
            int slot = (int)(key & _mask);
            _qty[slot] = _spillQty[_spillCount];
            _occupied.Touch(slot);
        }
    }

    /// <summary>
    /// Moves the window to start at a lower key (a new best beyond the near edge). Window levels that
    /// fall beyond the new far edge move to the spill store; they are worse than everything kept and
    /// better than everything already spilled, so they go to the spill's near end in order.
    /// </summary>
    private void ShiftTowardBetter(long newBase)
    {
        long newEnd = newBase + _size;
        long firstLeaving = Math.Max(newEnd, _base);
        int start = _spillCount;
        for (long key = NextKeyInWindow(firstLeaving); key != EmptyKey; key = NextKeyInWindow(key + 1))
        {
            int slot = (int)(key & _mask);
            EnsureSpillCapacity(_spillCount + 1);
            _spillKeys[_spillCount] = key;
            _spillQty[_spillCount] = _qty[slot];
            _spillCount++;
            _qty[slot] = 0;
        }
        // Appended ascending; the spill store is descending.
        Array.Reverse(_spillKeys, start, _spillCount - start);
        Array.Reverse(_spillQty, start, _spillCount - start);
        _base = newBase;
        if (NextKeyInWindow(newBase) == EmptyKey)
            _bestKey = EmptyKey; // callers insert the new best right after
    }

    /// <summary>The first occupied key ≥ <paramref name="fromKey"/> inside the window, or <see cref="EmptyKey"/>.</summary>
    internal long NextKeyInWindow(long fromKey)
    {
        long offset = fromKey - _base;
        if (offset >= _size)
            return EmptyKey;
        if (offset < 0)
        {
            fromKey = _base;
            offset = 0;
        }
        int baseSlot = (int)(_base & _mask);
        int endSlot = (int)((_base + _size - 1) & _mask);
        int p = (int)(fromKey & _mask);
        int found = _occupied.NextOccupiedAtOrAfter(p);
        if (p <= endSlot)
        {
            if (found < 0 || found > endSlot)
                return EmptyKey;
        }
        else if (found < 0)
        {
            found = _occupied.NextOccupiedAtOrAfter(0);
            if (found < 0 || found > endSlot)
                return EmptyKey;
        }
        return _base + ((found - baseSlot) & _mask);
    }

    // ---- for LevelEnumerator's walk over slots ----

    internal OccupancyIndex Index => _occupied;
    internal int BaseSlot => (int)(_base & _mask);
    internal int SlotOf(long key) => (int)(key & _mask);
    internal long KeyOfSlot(int slot) => _base + ((slot - BaseSlot) & _mask);
    internal long QtyAtSlot(int slot) => _qty[slot];

    // ---- spill store (descending keys) ----

    internal int SpillCountInternal => _spillCount;
    internal long SpillKeyAt(int i) => _spillKeys[i];
    internal long SpillQtyAt(int i) => _spillQty[i];

    /// <summary>Index of <paramref name="key"/> in the descending spill store, or the complement of its insertion point.</summary>
    private int SpillIndexOf(long key)
    {
        int lo = 0, hi = _spillCount - 1;
        long[] keys = _spillKeys;
        while (lo <= hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            long k = keys[mid];
            if (k == key)
                return mid;
            if (k > key)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return ~lo;
    }

    private void SpillInsertAt(int index, long key, long qty)
    {
        EnsureSpillCapacity(_spillCount + 1);
        int tail = _spillCount - index;
        if (tail > 0)
        {
            Array.Copy(_spillKeys, index, _spillKeys, index + 1, tail);
            Array.Copy(_spillQty, index, _spillQty, index + 1, tail);
        }
        _spillKeys[index] = key;
        _spillQty[index] = qty;
        _spillCount++;
    }

    private void SpillRemoveAt(int index)
    {
        int tail = _spillCount - index - 1;
        if (tail > 0)
        {
            Array.Copy(_spillKeys, index + 1, _spillKeys, index, tail);
            Array.Copy(_spillQty, index + 1, _spillQty, index, tail);
        }
        _spillCount--;
    }

    private void EnsureSpillCapacity(int needed)
    {
        if (needed <= _spillKeys.Length)
            return;
        int capacity = Math.Max(needed, _spillKeys.Length * 2);
        Array.Resize(ref _spillKeys, capacity);
        Array.Resize(ref _spillQty, capacity);
    }

    // ---- whole-side operations ----

    /// <summary>Removes every level and forgets what was known. O(levels + size/64).</summary>
    public void Clear()
    {
        for (long key = NextKeyInWindow(_base); key != EmptyKey; key = NextKeyInWindow(key + 1))
            _qty[(int)(key & _mask)] = 0;
        _occupied.ClearSummaries();
        _spillCount = 0;
        _bestKey = EmptyKey;
        _knownUntilKey = long.MinValue;
    }

    /// <summary>
    /// Replaces the side with <paramref name="levels"/> (any order; zero quantities are skipped).
    /// <paramref name="complete"/> says the venue sent the whole side (fewer levels than the depth
    /// asked for); otherwise only prices up to the snapshot's worst level are known.
    /// </summary>
    public void LoadSnapshot(ReadOnlySpan<Level> levels, bool complete)
    {
        Clear();
        long bestKey = EmptyKey, worstKey = long.MinValue;
        foreach (ref readonly Level level in levels)
        {
            if (level.Qty == 0)
                continue;
            long key = level.Tick * _sign;
            if (key < bestKey) bestKey = key;
            if (key > worstKey) worstKey = key;
        }
        if (bestKey != EmptyKey)
        {
            _base = bestKey - _margin;
            foreach (ref readonly Level level in levels)
                if (level.Qty != 0)
                    Set(level.Tick, level.Qty);
        }
        _knownUntilKey = complete ? long.MaxValue : worstKey;
    }

    /// <summary>A copy of this side on a grid <paramref name="factor"/> times finer (tick × factor), same known range.</summary>
    internal BookSide Rescaled(long factor)
    {
        var side = new BookSide(IsBid, _size);
        var levels = new List<Level>(Count);
        foreach (Level l in new LevelEnumerator(this))
            levels.Add(new Level(checked(l.Tick * factor), l.Qty));
        if (levels.Count > 0)
            side._base = levels[0].Tick * _sign - _margin;
        foreach (Level l in levels)
            side.Set(l.Tick, l.Qty);
        side._knownUntilKey = _knownUntilKey is long.MinValue or long.MaxValue ? _knownUntilKey : checked(_knownUntilKey * factor);
        return side;
    }

    /// <summary>Checks every invariant by brute force; for tests (O(size)).</summary>
    internal void AssertInvariants()
    {
        _occupied.AssertCovers();
        long minKey = EmptyKey;
        int occupied = 0;
        for (int slot = 0; slot < _size; slot++)
        {
            if (_qty[slot] < 0)
                throw new InvalidOperationException($"slot {slot} holds a negative quantity {_qty[slot]}");
            if (_qty[slot] != 0)
            {
                occupied++;
                long key = _base + ((slot - (_base & _mask)) & _mask);
                minKey = Math.Min(minKey, key);
            }
        }
        for (int i = 0; i < _spillCount; i++)
        {
            if (_spillKeys[i] < _base + _size)
                throw new InvalidOperationException($"spilled key {_spillKeys[i]} lies inside or before the window [{_base}, {_base + _size})");
            if (i > 0 && _spillKeys[i] >= _spillKeys[i - 1])
                throw new InvalidOperationException("spill store is not strictly descending");
            if (_spillQty[i] <= 0)
                throw new InvalidOperationException("spill store holds a non-positive quantity");
        }
        if (minKey == EmptyKey && _spillCount > 0)
            throw new InvalidOperationException("window is empty while the spill store is not");
        if (minKey != _bestKey)
            throw new InvalidOperationException($"best key {_bestKey} but lowest occupied key is {minKey}");
        if (WindowCount != occupied)
            throw new InvalidOperationException($"the window holds {occupied} levels but a walk through the index finds {WindowCount}");
    }
}
