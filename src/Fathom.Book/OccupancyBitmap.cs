using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fathom.Core;

namespace Fathom.Book;

/// <summary>
/// A hierarchical occupancy bitmap over <c>2^k</c> slots: level 0 has one bit per slot, each level
/// above has one bit per non-zero word of the level below, up to a single top word. Finding the
/// first set bit at or after a position costs one trailing-zero count per level (at most four for
/// 2^24 slots), independent of how many slots are empty.
/// </summary>
/// <remarks>Invariant: a bit at level L+1 is set iff word i of level L is non-zero.</remarks>
internal sealed class OccupancyBitmap
{
    private readonly ulong[][] _levels; // _levels[0] is the leaf level
    private readonly int _size;

    public OccupancyBitmap(int size)
    {
        if (size < 64 || !BitOperations.IsPow2(size))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(size), "bitmap size must be a power of two ≥ 64.");
        _size = size;
        var levels = new List<ulong[]>();
        int words = size / 64;
        while (true)
        {
            levels.Add(new ulong[words]);
            if (words == 1)
                break;
            words = Math.Max(1, words / 64);
        }
        _levels = [.. levels];
    }

    public int Size => _size;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsSet(int index) => (_levels[0][index >> 6] & (1UL << index)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int index)
    {
        ulong[][] levels = _levels;
        for (int l = 0; l < levels.Length; l++)
        {
            ref ulong word = ref levels[l][index >> 6];
            ulong before = word;
            word = before | (1UL << index);
            if (before != 0)
                return; // the levels above already know this word is non-empty
            index >>= 6;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear(int index)
    {
        ulong[][] levels = _levels;
        for (int l = 0; l < levels.Length; l++)
        {
            ref ulong word = ref levels[l][index >> 6];
            ulong after = word & ~(1UL << index);
            word = after;
            if (after != 0)
                return; // word still non-empty: the levels above stay set
            index >>= 6;
        }
    }

    /// <summary>The first set index ≥ <paramref name="from"/>, or -1 if there is none.</summary>
    public int NextSetAtOrAfter(int from)
    {
        if ((uint)from >= (uint)_size)
            return -1;
        ulong[][] levels = _levels;
        int pos = from;
        for (int l = 0; l < levels.Length; l++)
        {
            ulong[] words = levels[l];
            int w = pos >> 6;
            if (w >= words.Length)
                return -1;
            ulong bits = words[w] & (ulong.MaxValue << pos);
            if (bits != 0)
            {
                int index = (w << 6) + BitOperations.TrailingZeroCount(bits);
                // Descend: each lower word is non-empty by the invariant, so take its first bit.
                for (int d = l - 1; d >= 0; d--)
                    index = (index << 6) + BitOperations.TrailingZeroCount(levels[d][index]);
                return index;
            }
            pos = w + 1; // continue with the next word, one level up
        }
        return -1;
    }

    /// <summary>Clears every bit (O(size/64)).</summary>
    public void ClearAll()
    {
        foreach (ulong[] level in _levels)
            Array.Clear(level);
    }

    /// <summary>Number of set bits (O(size/64)); for checks and tests, not hot paths.</summary>
    public int PopCount()
    {
        int n = 0;
        foreach (ulong w in _levels[0])
            n += BitOperations.PopCount(w);
        return n;
    }

    internal ReadOnlySpan<ulong> Leaves => MemoryMarshal.CreateReadOnlySpan(ref _levels[0][0], _levels[0].Length);
}
