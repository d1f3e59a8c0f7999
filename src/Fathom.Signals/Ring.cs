using System.Numerics;
using System.Runtime.CompilerServices;

namespace Fathom.Signals;

/// <summary>
/// A FIFO over a power-of-two circular array. It doubles when full, which happens only while an
/// instrument's windows grow to their steady size (warm-up); after that nothing is allocated.
/// Growing instead of dropping keeps every rolling window exact whatever the burst.
/// </summary>
internal sealed class Ring<T> where T : struct
{
    private T[] _items;
    private int _head;
    private int _count;
    private int _mask;

    public Ring(int capacity)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 4));
        _items = new T[size];
        Fathom.Core.PageCommit.Touch(_items); // a window's ring fills over minutes: map it now, not in a frame
        _mask = size - 1;
    }

    public int Count => _count;

    /// <summary>The <paramref name="index"/>-th oldest item (0 = front); by reference so records can be revised in place.</summary>
    public ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _items[(_head + index) & _mask];
    }

    public ref T Front => ref _items[_head];

    public ref T Back => ref _items[(_head + _count - 1) & _mask];

    public void PushBack(in T item)
    {
        if (_count == _items.Length)
            Grow();
        _items[(_head + _count) & _mask] = item;
        _count++;
    }

    public void PopFront()
    {
        _items[_head] = default;
        _head = (_head + 1) & _mask;
        _count--;
    }

    public void Clear()
    {
        while (_count > 0)
            PopFront();
        _head = 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow()
    {
        var bigger = new T[_items.Length * 2];
        Fathom.Core.PageCommit.Touch(bigger);
        for (int i = 0; i < _count; i++)
            bigger[i] = _items[(_head + i) & _mask];
        _items = bigger;
        _head = 0;
        _mask = bigger.Length - 1;
    }
}
