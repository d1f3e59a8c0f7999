using System.Runtime.CompilerServices;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Execution;

/// <summary>
/// The commands one core input produced, in order: a pre-sized array the composition drains after each
/// input (hands each to the gateway and the journal) and then clears. Overflow is a bug (each input
/// produces at most a few commands per live order), so it throws rather than dropping a command.
/// </summary>
public sealed class CommandQueue(int capacity = 1024)
{
    private readonly OrderCommand[] _items = new OrderCommand[capacity];
    private int _count;

    public int Count => _count;
    public ReadOnlySpan<OrderCommand> Commands => _items.AsSpan(0, _count);
    public ref readonly OrderCommand this[int index] => ref _items[index];

    public void Clear() => _count = 0;

    /// <summary>
    /// The slot the next <see cref="Add"/> writes, outside the queue (<see cref="Count"/> does not change): where a
    /// rehearsal builds its command, so the real one's cache line is the warm one. Null when the queue is full.
    /// </summary>
    internal ref OrderCommand Staging => ref _count < _items.Length ? ref _items[_count] : ref Unsafe.NullRef<OrderCommand>();

    internal void Add(in OrderCommand command)
    {
        if (_count == _items.Length)
            ThrowHelper.ThrowInvalidOperation($"Command queue overflow ({_items.Length}): drain it after every core input.");
        _items[_count++] = command;
    }
}
