using Fathom.Core;

namespace Fathom.Journal;

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
