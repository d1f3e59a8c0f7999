using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Fathom.Core;

namespace Fathom.Book;

/// <summary>
/// Finds the first occupied slot at or after a position in a quantity array of <c>2^k</c> slots
/// (64 ≤ 2^k ≤ 2^24; a slot is occupied when its quantity is non-zero) in a bounded number of steps,
/// through two levels of sticky summary bytes above the array: one byte per 64-byte line of
/// quantities (8 slots), then one byte per 64 of those (512 slots).
/// </summary>
/// <remarks>
/// The quantity array is the exact level: the index keeps no bit per slot. An update of a slot only
/// <em>stores</em> a 1 into its two summary bytes (<see cref="Touch"/>), whatever the new quantity:
/// it reads nothing back and has no data-dependent step, so consecutive updates never wait for one
/// another through memory (a read-modify-write of a bitmap word that neighbouring price levels share
/// chained each update to the one before it through store-to-load forwarding, and a running count did
/// the same through its field).
/// Invariant (cover): a slot with a non-zero quantity has its level-1 byte set, a set level-1 byte has
/// its level-2 byte set. A byte may be set while everything it
/// covers is empty (stale): a search that meets one checks what it covers (one 64-byte load), clears it
/// when that is empty, and moves on, so each stale byte costs one step once per touch that set it
/// (amortized O(1)). Level 2 is scanned whole when a search has to cross 32,768 empty slots (a third level
/// would cost every update a store to save that rare scan). Each level is padded to a multiple of 64
/// bytes, so a block is one 64-byte load.
/// It is a readonly struct over arrays, held by value in <see cref="BookSide"/>.
/// </remarks>
internal readonly struct OccupancyIndex
{
    private const int SlotsPerLine = 8; // 8 longs: one 64-byte cache line

    private readonly long[] _qty;
    // [level 1 | level 2], each level padded to a multiple of 64 bytes.
    private readonly byte[] _summary;
    private readonly int _size;
    private readonly int _lineCount; // level-1 bytes
    private readonly int _level2Offset;
    private readonly int _level2Count;

    /// <summary>An index over <paramref name="qty"/>, which must be all zero (the index starts empty).</summary>
    public OccupancyIndex(long[] qty)
    {
        ArgumentNullException.ThrowIfNull(qty);
        int size = qty.Length;
        if (size < 64 || size > (1 << 24) || !BitOperations.IsPow2(size))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(qty), "the quantity array's length must be a power of two in [64, 2^24].");
        _qty = qty;
        _size = size;
        _lineCount = size / SlotsPerLine;
        _level2Count = (_lineCount + 63) >> 6;
        _level2Offset = RoundUp64(_lineCount);
        _summary = new byte[_level2Offset + RoundUp64(_level2Count)];
        PageCommit.Touch(_summary);
    }

    private static int RoundUp64(int n) => (n + 63) & ~63;

    public int Size => _size;

    /// <summary>
    /// Records that <paramref name="slot"/>'s quantity was just written (set or cleared): two byte
    /// stores, no load, no branch. <paramref name="slot"/> must be in [0, Size): callers derive it with a
    /// mask, so bounds checks are skipped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Touch(int slot)
    {
        Debug.Assert((uint)slot < (uint)_size);
        ref byte summary = ref MemoryMarshal.GetArrayDataReference(_summary);
        Unsafe.Add(ref summary, slot >> 3) = 1;
        Unsafe.Add(ref summary, _level2Offset + (slot >> 9)) = 1;
    }

    /// <summary>The first slot ≥ <paramref name="from"/> with a non-zero quantity, or -1 if there is none.
    /// Clears the stale summary bytes it meets (the index is single-threaded, like the book).</summary>
    public int NextOccupiedAtOrAfter(int from)
    {
        if ((uint)from >= (uint)_size)
            return -1;
        Walk walk = StartWalk(from, _size);
        return Next(ref walk, out int slot) ? slot : -1;
    }

    /// <summary>The first level-2 byte ≥ <paramref name="from"/> whose block of level-1 bytes is not all zero, or -1.
    /// Level 2 is the top: it is scanned block by block, at most <c>size / 32,768</c> blocks (32 for a 2^20-slot
    /// window, 512 for the largest, 2^24), and only when a search crosses a whole block's 32,768 empty slots.</summary>
    private int NextLevel2Candidate(int from)
    {
        ref byte level1 = ref MemoryMarshal.GetArrayDataReference(_summary);
        ref byte level2 = ref Unsafe.Add(ref level1, _level2Offset);
        for (int block = from >> 6; block << 6 < _level2Count; block++)
        {
            ulong candidates = NonZeroBytes(ref Unsafe.Add(ref level2, block << 6));
            if (block == from >> 6)
                candidates &= ulong.MaxValue << from;
            while (candidates != 0)
            {
                int candidate = (block << 6) + BitOperations.TrailingZeroCount(candidates);
                if (NonZeroBytes(ref Unsafe.Add(ref level1, candidate << 6)) != 0)
                    return candidate;
                Unsafe.Add(ref level2, candidate) = 0; // stale: every line of its block emptied
                candidates &= candidates - 1;
            }
        }
        return -1;
    }

    /// <summary>
    /// A walk over the occupied slots of a range in ascending order that keeps the bits of the line and of the
    /// block of lines it is in, so a step to the next slot in the same line or block reads no memory but the
    /// quantities. Start it with <see cref="StartWalk"/>, step it with <see cref="Next"/>; the quantities must
    /// not change while it runs.
    /// </summary>
    internal struct Walk
    {
        internal int Line;      // the line whose remaining bits are LineBits
        internal uint LineBits; // occupied slots of Line not yet returned
        internal ulong BlockBits; // lines after Line in its block that may hold something
        internal int End;       // exclusive slot bound
    }

    /// <summary>A walk over the occupied slots in [<paramref name="from"/>, <paramref name="end"/>).</summary>
    public Walk StartWalk(int from, int end)
    {
        Debug.Assert(from >= 0 && end <= _size);
        if (from >= end)
            return new Walk { Line = _lineCount, End = end };
        int line = from >> 3;
        ref byte level1 = ref MemoryMarshal.GetArrayDataReference(_summary);
        ulong after = (ulong.MaxValue << (line & 63)) << 1; // the lines after this one in its block
        return new Walk
        {
            Line = line,
            LineBits = NonZeroLongs(line) & (0xFFu << (from & 7)),
            BlockBits = NonZeroBytes(ref Unsafe.Add(ref level1, (line >> 6) << 6)) & after,
            End = end,
        };
    }

    /// <summary>The walk's next occupied slot, or false when none is left before its end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Next(ref Walk walk, out int slot)
    {
        if (walk.LineBits != 0)
        {
            slot = (walk.Line << 3) + BitOperations.TrailingZeroCount(walk.LineBits);
            walk.LineBits &= walk.LineBits - 1;
            return slot < walk.End;
        }
        return NextLine(ref walk, out slot);
    }

    private bool NextLine(ref Walk walk, out int slot)
    {
        ref byte level1 = ref MemoryMarshal.GetArrayDataReference(_summary);
        while (true)
        {
            while (walk.BlockBits == 0)
            {
                int next = NextLevel2Candidate((walk.Line >> 6) + 1);
                if (next < 0 || next << 9 >= walk.End)
                {
                    slot = -1;
                    walk.Line = _lineCount;
                    return false;
                }
                walk.Line = next << 6; // the block's first line; its bits come from the block below
                walk.BlockBits = NonZeroBytes(ref Unsafe.Add(ref level1, next << 6));
            }
            int line = ((walk.Line >> 6) << 6) + BitOperations.TrailingZeroCount(walk.BlockBits);
            walk.BlockBits &= walk.BlockBits - 1;
            walk.Line = line;
            if (line << 3 >= walk.End)
            {
                slot = -1;
                walk.BlockBits = 0;
                walk.Line = _lineCount;
                return false;
            }
            uint bits = NonZeroLongs(line);
            if (bits != 0)
            {
                slot = (line << 3) + BitOperations.TrailingZeroCount(bits);
                walk.LineBits = bits & (bits - 1);
                return slot < walk.End;
            }
            Unsafe.Add(ref level1, line) = 0; // stale: the line emptied since it was touched
        }
    }

    /// <summary>A bit per slot of <paramref name="line"/>: set where the quantity is non-zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint NonZeroLongs(int line)
    {
        ref long first = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_qty), line << 3);
        if (Vector512.IsHardwareAccelerated)
            return (uint)~Vector512.Equals(Vector512.LoadUnsafe(ref first), Vector512<long>.Zero).ExtractMostSignificantBits() & 0xFFu;
        if (Vector256.IsHardwareAccelerated)
        {
            uint low = Vector256.Equals(Vector256.LoadUnsafe(ref first), Vector256<long>.Zero).ExtractMostSignificantBits();
            uint high = Vector256.Equals(Vector256.LoadUnsafe(ref first, 4), Vector256<long>.Zero).ExtractMostSignificantBits();
            return ~(low | (high << 4)) & 0xFFu;
        }
        uint zero = 0;
        for (int i = 0; i < 4; i++)
            zero |= Vector128.Equals(Vector128.LoadUnsafe(ref first, (nuint)(2 * i)), Vector128<long>.Zero).ExtractMostSignificantBits() << (2 * i);
        return ~zero & 0xFFu;
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

    /// <summary>Forgets every touch (O(size/8)); the caller zeroes the quantities it holds.</summary>
    public void ClearSummaries() => Array.Clear(_summary);

    /// <summary>Checks the cover invariant by brute force (tests).</summary>
    internal void AssertCovers()
    {
        for (int slot = 0; slot < _size; slot++)
            if (_qty[slot] != 0 && _summary[slot >> 3] == 0)
                throw new InvalidOperationException($"slot {slot} holds {_qty[slot]} but its level-1 byte is clear");
        for (int i = 0; i < _lineCount; i++)
            if (_summary[i] != 0 && _summary[_level2Offset + (i >> 6)] == 0)
                throw new InvalidOperationException($"level-1 byte {i} is set but its level-2 byte is clear");
    }
}
