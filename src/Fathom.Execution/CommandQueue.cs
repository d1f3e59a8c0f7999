using System.Runtime.CompilerServices;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Execution;

/// <summary>
/// Takes each command the moment execution queues it, before execution records the state change the command makes
/// (the order's claim, its state machine edge, risk's in-flight count): the engine hands it to the journal and the
/// gateway there, so that bookkeeping is not between a market-data frame and its order on the wire. Called on the
/// core thread, inside the input that produced the command; whatever the gateway answers comes back as an input
/// of its own, after this one, by which time the state change is recorded.
/// </summary>
public interface ICommandHandOff
{
    void HandOff(in OrderCommand command);
}

/// <summary>
/// The commands one core input produced, in order: a pre-sized array cleared after each batch. With a
/// <see cref="HandOff"/> attached (the engine attaches one) each command goes to it as it is added; without one
/// the caller drains <see cref="Commands"/> itself. Overflow is a bug (each input produces at most a few commands
/// per live order), so it throws rather than dropping a command.
/// </summary>
public sealed class CommandQueue(int capacity = 1024)
{
    private readonly OrderCommand[] _items = new OrderCommand[capacity];
    private int _count;
    private int _handedOff;

    public int Count => _count;
    public ReadOnlySpan<OrderCommand> Commands => _items.AsSpan(0, _count);
    public ref readonly OrderCommand this[int index] => ref _items[index];

    /// <summary>Where each command goes as it is added (in order); null: the caller drains the queue.</summary>
    public ICommandHandOff? HandOff { get; set; }

    /// <summary>The first <see cref="HandedOff"/> commands went to <see cref="HandOff"/> as they were added; the rest wait for the caller.</summary>
    public int HandedOff => _handedOff;

    public void Clear()
    {
        _count = 0;
        _handedOff = 0;
    }

    /// <summary>
    /// The slot the next <see cref="Add"/> writes, outside the queue (<see cref="Count"/> does not change): where a
    /// rehearsal builds its command, so the real one's cache line is the warm one. Null when the queue is full.
    /// </summary>
    internal ref OrderCommand Staging => ref _count < _items.Length ? ref _items[_count] : ref Unsafe.NullRef<OrderCommand>();

    internal void Add(in OrderCommand command)
    {
        if (_count == _items.Length)
            ThrowHelper.ThrowInvalidOperation($"Command queue overflow ({_items.Length}): drain it after every core input.");
        ref OrderCommand slot = ref _items[_count++];
        slot = command;
        // In order only: a command left for the caller is never overtaken by a later one. Counted as handed off
        // before the call, so a hand-off that throws is not repeated by the caller (whether it went out is unknown).
        if (HandOff is { } handOff && _handedOff == _count - 1)
        {
            _handedOff = _count;
            handOff.HandOff(in slot);
        }
    }
}
