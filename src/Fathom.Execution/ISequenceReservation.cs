namespace Fathom.Execution;

/// <summary>
/// Durable reservation of client-order sequence numbers in blocks: a real seam (file now, the store
/// later). Invariant: when <see cref="Reserve"/> returns, the new high-water mark is durable, so no
/// crash can hand out a number twice.
/// </summary>
public interface ISequenceReservation
{
    /// <summary>Reserves <paramref name="count"/> numbers and returns the first; the block is [first, first + count).</summary>
    long Reserve(int count);
}
