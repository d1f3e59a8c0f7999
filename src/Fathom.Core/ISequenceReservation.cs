namespace Fathom.Core;

/// <summary>
/// Durable reservation of client-order sequence numbers in blocks: a real seam (file now, the store
/// later). Invariant: when <see cref="Reserve"/> returns, the new high-water mark is durable, so no
/// crash can hand out a number twice.
/// </summary>
/// <remarks>
/// In Core, not Execution, so the journal (below execution, beside the venues) can decorate it:
/// <c>JournaledSequenceReservation</c> records each block, <c>ReplayedSequenceReservation</c> hands
/// the recorded blocks back to a replayed core.
/// </remarks>
public interface ISequenceReservation
{
    /// <summary>Reserves <paramref name="count"/> numbers and returns the first; the block is [first, first + count).</summary>
    long Reserve(int count);
}
