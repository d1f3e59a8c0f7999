using System.Runtime.CompilerServices;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Execution;

/// <summary>
/// Orders by sequence number in a power-of-two ring: slot = seq &amp; mask, valid when the slot's
/// <see cref="OrderRecord.Seq"/> matches. Sequence numbers only grow, so a slot is reused by the order
/// <c>capacity</c> numbers later — allowed only once the old order is terminal (or an alias of one).
/// Late reports for an order that has been overwritten are reports for an unknown order: counted, and
/// their fills still applied to the position.
/// </summary>
internal sealed class OrderTable
{
    private readonly OrderRecord[] _records;
    private readonly long _mask;

    public OrderTable(int capacity)
    {
        if (capacity <= 0 || (capacity & (capacity - 1)) != 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(capacity), "Order table capacity must be a power of two.");
        _records = new OrderRecord[capacity];
        PageCommit.Touch(_records); // each new order takes the next slot: map the pages now, not on an order's way out
        _mask = capacity - 1;
    }

    public int Capacity => _records.Length;

    /// <summary>The order with this sequence number (following one alias), or a null ref.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref OrderRecord Find(long seq)
    {
        if (seq <= 0)
            return ref Unsafe.NullRef<OrderRecord>();
        ref var r = ref _records[seq & _mask];
        if (r.Seq != seq)
            return ref Unsafe.NullRef<OrderRecord>();
        if (r.AliasOf == 0)
            return ref r;
        ref var target = ref _records[r.AliasOf & _mask];
        return ref target.Seq == r.AliasOf && target.AliasOf == 0 ? ref target : ref Unsafe.NullRef<OrderRecord>();
    }

    /// <summary>
    /// Reads one word of every cache line of the slot <see cref="Claim"/> would take for <paramref name="seq"/> (a
    /// record spans several lines; a new order's slot was last used a whole ring ago) and returns them combined, for a
    /// caller that keeps the result so the reads stay: a rehearsal's way to have the next claims find their lines in
    /// cache. Changes nothing.
    /// </summary>
    public long Touch(long seq)
    {
        ref byte start = ref Unsafe.As<OrderRecord, byte>(ref _records[seq & _mask]);
        long combined = 0;
        for (int offset = 0; offset + sizeof(long) <= Unsafe.SizeOf<OrderRecord>(); offset += 64)
            combined ^= Unsafe.ReadUnaligned<long>(ref Unsafe.Add(ref start, offset));
        return combined;
    }

    /// <summary>Whether <see cref="Claim"/> would succeed for <paramref name="seq"/> (no live order, nor an alias of one, holds its slot).</summary>
    public bool CanClaim(long seq)
    {
        ref readonly var r = ref _records[seq & _mask];
        if (r.Seq == 0)
            return true;
        return r.AliasOf == 0 ? !r.IsLive : !IsAliasOfLive(r.AliasOf);
    }

    /// <summary>Claims the slot for <paramref name="seq"/>; a null ref when a live order still holds it.</summary>
    public ref OrderRecord Claim(long seq)
    {
        if (!CanClaim(seq))
            return ref Unsafe.NullRef<OrderRecord>();
        ref var r = ref _records[seq & _mask];
        r = default;
        r.Seq = seq;
        return ref r;
    }

    /// <summary>
    /// Claims the slot of <paramref name="id"/> (an id a keep-priority amend gave an order) as an alias of the order
    /// <paramref name="target"/>, so reports naming it find the order; false when a live order holds the slot.
    /// </summary>
    public bool ClaimAlias(ClientOrderId id, long target, int instrumentId)
    {
        ref var alias = ref Claim(id.Sequence);
        if (Unsafe.IsNullRef(ref alias))
            return false;
        alias.AliasOf = target;
        alias.Id = id;
        alias.InstrumentId = instrumentId;
        return true;
    }

    private bool IsAliasOfLive(long target)
    {
        ref var t = ref _records[target & _mask];
        return t.Seq == target && t.IsLive;
    }
}
