using System.Runtime.CompilerServices;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Execution;

/// <summary>
/// Issues client order ids for one node and epoch from durably reserved blocks of sequence numbers.
/// A block is reserved (and its high-water mark made durable) before any id in it is handed out. The
/// reservation is synchronous I/O on the core thread once per block; with the default block of 4 096
/// that is one fsync per 4 096 orders, cancels and amends (each carries its own id).
/// </summary>
public sealed class ClientOrderIdGenerator
{
    private readonly ISequenceReservation _reservation;
    private readonly int _blockSize;
    private long _next;
    private long _end;

    public ClientOrderIdGenerator(ushort node, uint epoch, ISequenceReservation reservation, int blockSize = 4096)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        if (node > ClientOrderIdFormat.MaxNode)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(node), $"Node must be ≤ {ClientOrderIdFormat.MaxNode}.");
        if (epoch > ClientOrderIdFormat.MaxEpoch)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(epoch), $"Epoch must be ≤ {ClientOrderIdFormat.MaxEpoch}.");
        if (blockSize <= 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(blockSize), "Block size must be positive.");
        Node = node;
        Epoch = epoch;
        _reservation = reservation;
        _blockSize = blockSize;
    }

    public ushort Node { get; }
    public uint Epoch { get; }

    /// <summary>True when <paramref name="id"/> was issued by this node and epoch.</summary>
    public bool IsOwn(ClientOrderId id) => !id.IsNone && id.Node == Node && id.Epoch == Epoch;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ClientOrderId Next()
    {
        if (_next == _end)
            Refill();
        return new ClientOrderId(Node, Epoch, _next++);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Refill()
    {
        long first = _reservation.Reserve(_blockSize);
        if (first <= 0 || first + _blockSize - 1 > ClientOrderIdFormat.MaxSequence)
            ThrowHelper.ThrowInvalidOperation("Client order sequence numbers are exhausted or the reservation is corrupt.");
        _next = first;
        _end = first + _blockSize;
    }
}
