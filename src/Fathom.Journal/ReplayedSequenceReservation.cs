using Fathom.Core;

namespace Fathom.Journal;

/// <summary>Hands out the blocks a journal recorded, in order: the id source of a replayed core.</summary>
public sealed class ReplayedSequenceReservation : ISequenceReservation
{
    private readonly Queue<(long First, int Count)> _blocks = new();

    public void Add(long first, int count) => _blocks.Enqueue((first, count));

    public long Reserve(int count)
    {
        if (!_blocks.TryDequeue(out var block))
            ThrowHelper.ThrowInvalidOperation("the replayed core reserved more client-order-id blocks than the journal recorded: it has diverged");
        if (block.Count != count)
            ThrowHelper.ThrowInvalidOperation($"the replayed core asked for a block of {count} ids where the journal recorded {block.Count}");
        return block.First;
    }
}
