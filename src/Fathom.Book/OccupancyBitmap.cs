using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Diagnostics;
using Fathom.Core;

namespace Fathom.Book;

/// <summary>
/// A four-level occupancy bitmap over <c>2^k</c> slots (64 ≤ 2^k ≤ 2^24): level 0 has one bit per
/// slot; each level above has one bit per word of the level below, up to a single top word.
/// Finding the first set bit at or after a position costs one trailing-zero count per level,
/// independent of how many empty slots lie between.
/// </summary>
/// <remarks>
/// Invariant: level-0 bits are exact. A summary bit is set whenever the word it covers is non-zero;
/// it may also be set while that word is empty (stale). Setting a slot ORs its bit into every
/// level; clearing a slot clears only its level-0 bit. Updates are therefore branch-free, and a
/// search that meets a stale summary bit clears it and moves on, so each stale bit costs one step,
/// once (amortized O(1)). Updates happen on every level change; searches only when the best level
/// is removed, which is why the work is put there.
/// </remarks>
internal sealed class OccupancyBitmap
{
    private readonly ulong[] _l0;
    private readonly ulong[] _l1;
    private readonly ulong[] _l2;
    private readonly ulong[] _l3;
    private readonly int _size;

    public OccupancyBitmap(int size)
    {
        if (size < 64 || size > (1 << 24) || !BitOperations.IsPow2(size))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(size), "bitmap size must be a power of two in [64, 2^24].");
        _size = size;
        _l0 = new ulong[size >> 6];
        _l1 = new ulong[Math.Max(1, size >> 12)];
        _l2 = new ulong[Math.Max(1, size >> 18)];
        _l3 = new ulong[1];
        PageCommit.Touch(_l0);
    }

    public int Size => _size;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsSet(int index) => (_l0[index >> 6] & (1UL << index)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int index) => Assign(index, true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear(int index) => Assign(index, false);

    /// <summary>
    /// Sets or clears one slot without a data-dependent branch. <paramref name="index"/> must be in
    /// [0, Size): callers derive it with a mask, so bounds checks are skipped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Assign(int index, bool value)
    {
        Debug.Assert((uint)index < (uint)_size);
        ulong all = (ulong)-(long)(value ? 1 : 0); // all ones to set, zero to clear
        ulong bit = 1UL << index;
        ref ulong w0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_l0), index >> 6);
        w0 = (w0 & ~bit) | (bit & all);
        // Summary bits only ever get set here; a clear leaves them stale for the search to tidy.
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_l1), index >> 12) |= (1UL << (index >> 6)) & all;
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_l2), index >> 18) |= (1UL << (index >> 12)) & all;
        MemoryMarshal.GetArrayDataReference(_l3) |= (1UL << (index >> 18)) & all;
    }

    /// <summary>The first set index ≥ <paramref name="from"/>, or -1 if there is none.</summary>
    public int NextSetAtOrAfter(int from)
    {
        if ((uint)from >= (uint)_size)
            return -1;
        int w = from >> 6;
        ulong bits = _l0[w] & (ulong.MaxValue << from);
        if (bits != 0)
            return (w << 6) + BitOperations.TrailingZeroCount(bits);
        int word = NextNonEmpty(0, w + 1);
        return word < 0 ? -1 : (word << 6) + BitOperations.TrailingZeroCount(_l0[word]);
    }

    private ulong[] Level(int level) => level switch { 0 => _l0, 1 => _l1, 2 => _l2, _ => _l3 };

    /// <summary>
    /// The index of the first non-zero word ≥ <paramref name="fromWord"/> at <paramref name="level"/>,
    /// or -1. Candidates come from the level above; stale ones are cleared on the way.
    /// </summary>
    private int NextNonEmpty(int level, int fromWord)
    {
        ulong[] words = Level(level);
        if (fromWord >= words.Length)
            return -1;
        ulong[] parent = Level(level + 1);
        int candidate = fromWord;
        while (candidate < words.Length)
        {
            // First parent bit ≥ candidate: in its own parent word, else through the level above.
            int pw = candidate >> 6;
            ulong bits = parent[pw] & (ulong.MaxValue << candidate);
            int found;
            if (bits != 0)
            {
                found = (pw << 6) + BitOperations.TrailingZeroCount(bits);
            }
            else
            {
                if (level + 1 == 3)
                    return -1; // the top level is a single word
                int nextParentWord = NextNonEmpty(level + 1, pw + 1);
                if (nextParentWord < 0)
                    return -1;
                found = (nextParentWord << 6) + BitOperations.TrailingZeroCount(parent[nextParentWord]);
            }
            if (found >= words.Length)
                return -1;
            if (words[found] != 0)
                return found;
            parent[found >> 6] &= ~(1UL << found); // stale: the word emptied since the bit was set
            candidate = found + 1;
        }
        return -1;
    }

    /// <summary>Clears every bit (O(size/64)).</summary>
    public void ClearAll()
    {
        Array.Clear(_l0);
        Array.Clear(_l1);
        Array.Clear(_l2);
        Array.Clear(_l3);
    }

    /// <summary>Number of set bits (O(size/64)); for checks and tests, not hot paths.</summary>
    public int PopCount()
    {
        int n = 0;
        foreach (ulong w in _l0)
            n += BitOperations.PopCount(w);
        return n;
    }

    /// <summary>Checks that every non-empty word is covered by a set summary bit (tests).</summary>
    internal void AssertSummariesCover()
    {
        for (int level = 0; level < 3; level++)
        {
            ulong[] words = Level(level), parent = Level(level + 1);
            for (int i = 0; i < words.Length; i++)
                if (words[i] != 0 && (parent[i >> 6] & (1UL << i)) == 0)
                    throw new InvalidOperationException($"level {level} word {i} is non-empty but its summary bit is clear");
        }
    }
}
