using Fathom.Core;

namespace Fathom.Execution;

/// <summary>Non-durable reservation for backtests, paper trading and tests, where ids never reach a venue twice.</summary>
public sealed class InMemorySequenceReservation(long highWater = 0) : ISequenceReservation
{
    public long HighWater { get; private set; } = highWater;
    public int Reservations { get; private set; }

    public long Reserve(int count)
    {
        long first = HighWater + 1;
        HighWater = checked(HighWater + count);
        Reservations++;
        return first;
    }
}
