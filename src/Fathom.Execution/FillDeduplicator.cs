using System.Runtime.CompilerServices;

namespace Fathom.Execution;

/// <summary>
/// Remembers applied fills by (instrument, trade id, venue order id) so each is applied once: a
/// self-trade reports two fills with one trade id (one per order), and the same fill arrives from the
/// response, the stream and reconciliation. Two generations of open-addressing sets: when the current
/// one is half full it becomes the previous one and the oldest is dropped, so memory is bounded and the
/// last capacity/2 … capacity fills are always remembered. Nothing allocated after construction.
/// </summary>
internal sealed class FillDeduplicator
{
    private readonly record struct Key(int InstrumentId, long TradeId, long OrderId);

    private Key[] _current;
    private Key[] _previous;
    private bool[] _currentUsed;
    private bool[] _previousUsed;
    private int _count;
    private readonly int _mask;

    public FillDeduplicator(int capacity)
    {
        if (capacity < 4 || (capacity & (capacity - 1)) != 0)
            Fathom.Core.ThrowHelper.ThrowArgumentOutOfRange(nameof(capacity), "Capacity must be a power of two ≥ 4.");
        _current = new Key[capacity];
        _previous = new Key[capacity];
        _currentUsed = new bool[capacity];
        _previousUsed = new bool[capacity];
        _mask = capacity - 1;
    }

    /// <summary>True the first time a fill is seen; false for a repeat.</summary>
    public bool TryAdd(int instrumentId, long tradeId, long orderId)
    {
        var key = new Key(instrumentId, tradeId, orderId);
        if (Contains(_previous, _previousUsed, key))
            return false;
        int slot = Hash(key) & _mask;
        while (_currentUsed[slot])
        {
            if (_current[slot] == key)
                return false;
            slot = (slot + 1) & _mask;
        }
        _current[slot] = key;
        _currentUsed[slot] = true;
        if (++_count >= _current.Length / 2)
            Rotate();
        return true;
    }

    private bool Contains(Key[] keys, bool[] used, Key key)
    {
        int slot = Hash(key) & _mask;
        while (used[slot])
        {
            if (keys[slot] == key)
                return true;
            slot = (slot + 1) & _mask;
        }
        return false;
    }

    private void Rotate()
    {
        (_previous, _current) = (_current, _previous);
        (_previousUsed, _currentUsed) = (_currentUsed, _previousUsed);
        Array.Clear(_current);
        Array.Clear(_currentUsed);
        _count = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(Key k)
    {
        ulong h = (ulong)k.TradeId * 0x9E3779B97F4A7C15UL ^ (ulong)k.OrderId * 0xC2B2AE3D27D4EB4FUL ^ (uint)k.InstrumentId;
        return (int)(h ^ (h >> 29));
    }
}
