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
/// <remarks>
/// The next block is reserved ahead, when a quarter of the current one is left, so a reservation that
/// fails (disk full, file unwritable) is reported through <see cref="ReservationFailed"/> while ids
/// remain: the engine halts on it and can still cancel what rests (every cancel needs an id). The
/// reservation is retried every <see cref="RetryEvery"/> ids after a failure; only when the current
/// block is used up with no next block does <see cref="Next"/> throw.
/// </remarks>
public sealed class ClientOrderIdGenerator
{
    /// <summary>Ids handed out between two reservation attempts after one failed.</summary>
    public const int RetryEvery = 64;

    private readonly ISequenceReservation _reservation;
    private readonly int _blockSize;
    private long _next;
    private long _end;
    private long _ahead;     // first id of the block reserved ahead, 0 when none
    private long _prefetchAt; // reserve ahead when _next reaches this
    private bool _failing;
    private long _first;     // the first sequence number this generator handed out, 0 before
    private readonly bool[] _scopeNodes = new bool[ClientOrderIdFormat.MaxNode + 1];

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

    /// <summary>
    /// Called (on the core thread, inside the input that asked for an id) when reserving the next block
    /// failed; the argument says why. Set by the composition: the engine halts trading on it.
    /// </summary>
    public Action<Exception>? ReservationFailed { get; set; }

    /// <summary>True while the last reservation attempt failed.</summary>
    public bool Failing => _failing;

    /// <summary>
    /// True when <paramref name="id"/> was issued by this node (instance), in this epoch or an earlier
    /// one, or by a node that held this instance's lease scope before it (<see cref="AddScopeNode"/>): the
    /// epoch tells runs apart, the node tells instances apart. An earlier run's orders are ours to cancel
    /// (or adopt); only another scope's are left alone.
    /// </summary>
    public bool IsOwn(ClientOrderId id) => !id.IsNone && (id.Node == Node || _scopeNodes[id.Node]);

    /// <summary>True when <paramref name="id"/> was issued by this node (any run), not by another holder of the lease scope.</summary>
    public bool IsSelf(ClientOrderId id) => !id.IsNone && id.Node == Node;

    /// <summary>
    /// Other nodes that held this instance's lease scope before it (hot standby: a follower took over): their
    /// orders and fills are the scope's, so they count as own (<see cref="IsOwn"/>): their fills move the
    /// position, and their orders still open are older-epoch orders to cancel (zombies). Set before trading.
    /// </summary>
    public void AddScopeNode(ushort node)
    {
        if (node > ClientOrderIdFormat.MaxNode)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(node), $"Node must be ≤ {ClientOrderIdFormat.MaxNode}.");
        if (node != Node)
            _scopeNodes[node] = true;
    }

    /// <summary>
    /// True when <paramref name="id"/> was issued by this run: this node and epoch, and a sequence number
    /// this generator handed out (at or after its first). The sequence tells apart two runs that share an
    /// epoch (a restart within the same minute): the durable reservation never hands a number out twice.
    /// </summary>
    public bool IsThisRun(ClientOrderId id) => IsSelf(id) && id.Epoch == Epoch && _first != 0 && id.Sequence >= _first;

    /// <summary>The id <see cref="Next"/> would give now, without taking it (nothing is reserved: before the first block, sequence 0).</summary>
    public ClientOrderId Peek() => new(Node, Epoch, _next);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ClientOrderId Next()
    {
        if (_next >= _prefetchAt)
            Refill();
        return new ClientOrderId(Node, Epoch, _next++);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Refill()
    {
        if (_next == _end)
        {
            if (_ahead == 0)
            {
                // Nothing reserved ahead (the first id, or every attempt failed): this one must succeed.
                _ahead = Reserve();
                _failing = false;
            }
            _next = _ahead;
            if (_first == 0)
                _first = _ahead;
            _end = _ahead + _blockSize;
            _ahead = 0;
            _prefetchAt = _end - _blockSize / 4;
            return;
        }
        if (_ahead != 0)
        {
            _prefetchAt = _end;
            return;
        }
        try
        {
            _ahead = Reserve();
            _failing = false;
            _prefetchAt = _end;
        }
        catch (Exception ex) when (ex is ClientIdReservationException or InvalidOperationException)
        {
            _failing = true;
            _prefetchAt = Math.Min(_end, _next + RetryEvery);
            ReservationFailed?.Invoke(ex);
        }
    }

    private long Reserve()
    {
        long first;
        try
        {
            first = _reservation.Reserve(_blockSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ClientIdReservationException($"reserving {_blockSize} client order ids failed: {ex.Message}", ex);
        }
        if (first <= 0 || first + _blockSize - 1 > ClientOrderIdFormat.MaxSequence)
            ThrowHelper.ThrowInvalidOperation("Client order sequence numbers are exhausted or the reservation is corrupt.");
        return first;
    }
}
