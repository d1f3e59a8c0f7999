using System.Runtime.CompilerServices;
using System.Numerics;

namespace Fathom.Core;

/// <summary>
/// A bounded multi-producer, single-consumer ring of fixed-size struct events, for the optional
/// spinning-core mode. Each slot carries its own sequence number (Vyukov's bounded queue), so
/// producers claim slots with one CAS and publish with one release store; no allocation after
/// construction.
/// </summary>
/// <remarks>
/// Invariants: slot <c>i</c> is writable for position <c>p</c> when its sequence equals <c>p</c>,
/// readable when it equals <c>p + 1</c>. <see cref="TryWrite"/> never blocks: a full ring returns
/// false and the producer decides (spin, drop to a counted overflow, or halt). Only one thread may
/// call <see cref="TryRead"/>/<see cref="Drain{THandler}"/>.
/// </remarks>
public sealed class MpscRing<T> where T : struct
{
    private struct Slot
    {
        public long Sequence;
        public T Item;
    }

    private readonly Slot[] _slots;
    private readonly long _mask;
    private PaddedLong _tail; // next position producers claim
    private PaddedLong _head; // next position the consumer reads

    public MpscRing(int capacity)
    {
        if (capacity < 2 || !BitOperations.IsPow2(capacity))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(capacity), "capacity must be a power of two ≥ 2.");
        _slots = new Slot[capacity];
        for (int i = 0; i < capacity; i++)
            _slots[i].Sequence = i;
        _mask = capacity - 1;
    }

    public int Capacity => _slots.Length;

    /// <summary>Approximate number of queued items (exact when no producer is mid-write).</summary>
    public long Count => Math.Max(0, Volatile.Read(ref _tail.Value) - Volatile.Read(ref _head.Value));

    /// <summary>Enqueues <paramref name="item"/>; false if the ring is full. Safe from any number of threads.</summary>
    public bool TryWrite(in T item)
    {
        long pos = Volatile.Read(ref _tail.Value);
        while (true)
        {
            ref Slot slot = ref _slots[pos & _mask];
            long seq = Volatile.Read(ref slot.Sequence);
            long diff = seq - pos;
            if (diff == 0)
            {
                long seen = Interlocked.CompareExchange(ref _tail.Value, pos + 1, pos);
                if (seen == pos)
                {
                    slot.Item = item;
                    Volatile.Write(ref slot.Sequence, pos + 1); // publish
                    return true;
                }
                pos = seen;
            }
            else if (diff < 0)
            {
                return false; // the consumer has not freed this slot yet: full
            }
            else
            {
                pos = Volatile.Read(ref _tail.Value); // another producer took it; retry at the new tail
            }
        }
    }

    /// <summary>True when the next item to read is not published yet (what <see cref="TryRead"/> would find). Consumer only.</summary>
    public bool NothingToRead
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            long pos = _head.Value;
            return Volatile.Read(ref _slots[pos & _mask].Sequence) != pos + 1;
        }
    }

    /// <summary>Dequeues the oldest item; false if none is published yet. Single consumer only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(out T item)
    {
        long pos = _head.Value;
        ref Slot slot = ref _slots[pos & _mask];
        if (Volatile.Read(ref slot.Sequence) != pos + 1)
        {
            item = default;
            return false;
        }
        item = slot.Item;
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
            slot.Item = default; // do not keep references alive past consumption
        Volatile.Write(ref slot.Sequence, pos + _mask + 1); // hand the slot back to producers, one lap on
        Volatile.Write(ref _head.Value, pos + 1);
        return true;
    }

    /// <summary>Delivers up to <paramref name="max"/> queued items to <paramref name="handler"/>; returns how many.</summary>
    public int Drain<THandler>(ref THandler handler, int max) where THandler : struct, IRingHandler<T>
    {
        int n = 0;
        while (n < max && TryRead(out T item))
        {
            handler.OnItem(in item);
            n++;
        }
        return n;
    }
}
