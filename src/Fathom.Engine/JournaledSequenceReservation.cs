using Fathom.Core;
using Fathom.Execution;
using Fathom.MarketData;

namespace Fathom.Engine;

/// <summary>
/// Reserves client-order-id blocks through <paramref name="inner"/> (durably) and journals each block,
/// so a replay hands the core the same ids. Reservations happen under the core lock, inside an input.
/// </summary>
public sealed class JournaledSequenceReservation(ISequenceReservation inner, Func<CoreJournal?> journal) : ISequenceReservation
{
    public long Reserve(int count)
    {
        long first = inner.Reserve(count);
        journal()?.Reservation(first, count);
        return first;
    }
}

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
