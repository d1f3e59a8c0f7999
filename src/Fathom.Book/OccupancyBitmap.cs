using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Fathom.Core;

namespace Fathom.Book;

/// <summary>
/// An occupancy bitmap over <c>2^k</c> slots (64 ≤ 2^k ≤ 2^24) that finds the first set slot at or
/// after a position in a bounded number of steps: a leaf bit per slot, then up to three summary
/// levels of one <em>byte</em> per 64 entries of the level below (so at most 64 bytes at the top).
/// </summary>
/// <remarks>
/// Summaries are bytes, not bits, so an update only ever <em>stores</em> to them and never reads
/// them back: a read-modify-write of a summary word that nearly every update shares (the top word,
/// the words near the touch) chains each update to the previous one through store-to-load
/// forwarding, and that chain, not the memory traffic, was most of the old bitmap's cost.
/// Invariants:
/// <list type="bullet">
/// <item>Leaf bits are exact.</item>
/// <item>Level 1 is exact: byte i is 1 iff leaf word i is non-zero (the update writes it from the
/// new leaf word, which it already holds in a register).</item>
/// <item>Levels 2 and 3 may be stale: a byte is 1 whenever any byte of the 64-byte block it covers
/// is non-zero, and it may stay 1 after the block empties. Setting a slot stores 1 into both;
/// clearing a slot stores nothing there (the store goes to a scratch byte instead, chosen by
/// arithmetic, not a branch). A search that meets a stale byte clears it and moves on, so each
/// stale byte costs one step, once (amortized O(1)).</item>
/// <item>Every level is padded to a multiple of 64 bytes, so a block is always one 64-byte load.</item>
/// </list>
/// It is a readonly struct over arrays, held by value in <see cref="BookSide"/>, so the hot path
/// reaches the words without an extra object hop.
/// </remarks>
internal readonly struct OccupancyBitmap
{
    private readonly ulong[] _leaves;
    // [level 1 | level 2 | level 3 | scratch], each level padded to a multiple of 64 bytes.
    private readonly byte[] _summary;
    private readonly int _size;
    private readonly int _level1Count; // leaf words = level-1 bytes
    private readonly int _level2Offset;
    private readonly int _level2Count;
    private readonly int _level3Offset;
    private readonly int _scratch;

    public OccupancyBitmap(int size)
    {
        if (size < 64 || size > (1 << 24) || !BitOperations.IsPow2(size))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(size), "bitmap size must be a power of two in [64, 2^24].");
        _size = size;
        _level1Count = size >> 6;
        _level2Count = (_level1Count + 63) >> 6;
        int level3Count = (_level2Count + 63) >> 6; // ≤ 64 for size ≤ 2^24
        _level2Offset = RoundUp64(_level1Count);
        _level3Offset = _level2Offset + RoundUp64(_level2Count);
        _scratch = _level3Offset + RoundUp64(level3Count);
        _leaves = new ulong[_level1Count];
        _summary = new byte[_scratch + 64];
        PageCommit.Touch(_leaves);
        PageCommit.Touch(_summary);
    }

    private static int RoundUp64(int n) => (n + 63) & ~63;

    public int Size => _size;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsSet(int index) => (_leaves[index >> 6] & (1UL << index)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int index) => Assign(index, true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear(int index) => Assign(index, false);

    /// <summary>
    /// Sets or clears one slot without a data-dependent branch and without reading any summary.
    /// <paramref name="index"/> must be in [0, Size): callers derive it with a mask, so bounds checks
    /// are skipped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Assign(int index, bool value)
    {
        Debug.Assert((uint)index < (uint)_size);
        int on = value ? 1 : 0;
        ulong bit = 1UL << index;
        int word = index >> 6;
        ref ulong leaf = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_leaves), word);
        ulong updated = (leaf & ~bit) | (bit & (0UL - (ulong)on));
        leaf = updated;
        ref byte summary = ref MemoryMarshal.GetArrayDataReference(_summary);
        // Level 1: exact, from the word just written.
        Unsafe.Add(ref summary, word) = updated != 0 ? (byte)1 : (byte)0;
        // Levels 2 and 3: a set stores 1 there; a clear stores the same 1 into the scratch byte.
        int keep = -on; // all ones to set, zero to clear
        int scratch = _scratch;
        Unsafe.Add(ref summary, ((_level2Offset + (index >> 12)) & keep) | (scratch & ~keep)) = 1;
        Unsafe.Add(ref summary, ((_level3Offset + (index >> 18)) & keep) | (scratch & ~keep)) = 1;
    }

    /// <summary>The first set index ≥ <paramref name="from"/>, or -1 if there is none.</summary>
    public int NextSetAtOrAfter(int from)
    {
        if ((uint)from >= (uint)_size)
            return -1;
        int w = from >> 6;
        ulong bits = _leaves[w] & (ulong.MaxValue << from);
        if (bits != 0)
            return (w << 6) + BitOperations.TrailingZeroCount(bits);
        int word = NextNonEmptyWord(w + 1);
        return word < 0 ? -1 : (word << 6) + BitOperations.TrailingZeroCount(_leaves[word]);
    }

    /// <summary>The first non-zero leaf word ≥ <paramref name="from"/>, or -1.</summary>
    private int NextNonEmptyWord(int from)
    {
        ref byte level1 = ref MemoryMarshal.GetArrayDataReference(_summary);
        while (from < _level1Count)
        {
            int block = from >> 6;
            ulong found = NonZeroBytes(ref Unsafe.Add(ref level1, block << 6)) & (ulong.MaxValue << from);
            if (found != 0)
                return (block << 6) + BitOperations.TrailingZeroCount(found); // level 1 is exact
            // Nothing more in this block: ask level 2 for the next block that may hold something.
            int candidate = NextLevel2Candidate(block + 1);
            if (candidate < 0)
                return -1;
            found = NonZeroBytes(ref Unsafe.Add(ref level1, candidate << 6));
            if (found != 0)
                return (candidate << 6) + BitOperations.TrailingZeroCount(found);
            _summary[_level2Offset + candidate] = 0; // stale: the block emptied since the byte was set
            from = (candidate + 1) << 6;
        }
        return -1;
    }

    /// <summary>The first set level-2 byte ≥ <paramref name="from"/> (possibly stale), or -1.</summary>
    private int NextLevel2Candidate(int from)
    {
        ref byte level2 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_summary), _level2Offset);
        if (from >= _level2Count)
            return -1;
        int block = from >> 6;
        ulong found = NonZeroBytes(ref Unsafe.Add(ref level2, block << 6)) & (ulong.MaxValue << from);
        if (found != 0)
            return (block << 6) + BitOperations.TrailingZeroCount(found);
        if (block + 1 >= 64)
            return -1; // level 3 is a single block of at most 64 bytes
        ref byte level3 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_summary), _level3Offset);
        ulong blocks = NonZeroBytes(ref level3) & (ulong.MaxValue << (block + 1));
        while (blocks != 0)
        {
            int next = BitOperations.TrailingZeroCount(blocks);
            found = NonZeroBytes(ref Unsafe.Add(ref level2, next << 6));
            if (found != 0)
                return (next << 6) + BitOperations.TrailingZeroCount(found);
            Unsafe.Add(ref level3, next) = 0; // stale
            blocks &= blocks - 1;
        }
        return -1;
    }

    /// <summary>A bit per byte of the 64 bytes at <paramref name="block"/>: set where the byte is non-zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong NonZeroBytes(ref byte block)
    {
        if (Vector512.IsHardwareAccelerated)
            return ~Vector512.Equals(Vector512.LoadUnsafe(ref block), Vector512<byte>.Zero).ExtractMostSignificantBits();
        if (Vector256.IsHardwareAccelerated)
        {
            ulong low = Vector256.Equals(Vector256.LoadUnsafe(ref block), Vector256<byte>.Zero).ExtractMostSignificantBits();
            ulong high = Vector256.Equals(Vector256.LoadUnsafe(ref block, 32), Vector256<byte>.Zero).ExtractMostSignificantBits();
            return ~(low | (high << 32));
        }
        ulong zero = 0;
        for (int i = 0; i < 4; i++)
            zero |= (ulong)Vector128.Equals(Vector128.LoadUnsafe(ref block, (nuint)(16 * i)), Vector128<byte>.Zero).ExtractMostSignificantBits() << (16 * i);
        return ~zero;
    }

    /// <summary>Clears every bit (O(size/64)).</summary>
    public void ClearAll()
    {
        Array.Clear(_leaves);
        Array.Clear(_summary);
    }

    /// <summary>Number of set bits (O(size/64)); for checks and tests, not hot paths.</summary>
    public int PopCount()
    {
        int n = 0;
        foreach (ulong w in _leaves)
            n += BitOperations.PopCount(w);
        return n;
    }

    /// <summary>Checks that level 1 is exact and every non-empty block is covered by the level above (tests).</summary>
    internal void AssertSummariesCover()
    {
        for (int i = 0; i < _level1Count; i++)
            if ((_leaves[i] != 0) != (_summary[i] != 0))
                throw new InvalidOperationException($"leaf word {i} is {(_leaves[i] != 0 ? "non-empty" : "empty")} but its level-1 byte is {_summary[i]}");
        for (int i = 0; i < _level2Offset; i++)
            if (_summary[i] != 0 && _summary[_level2Offset + (i >> 6)] == 0)
                throw new InvalidOperationException($"level-1 byte {i} is set but its level-2 byte is clear");
        for (int i = 0; i < _level2Count; i++)
            if (_summary[_level2Offset + i] != 0 && _summary[_level3Offset + (i >> 6)] == 0)
                throw new InvalidOperationException($"level-2 byte {i} is set but its level-3 byte is clear");
    }
}
