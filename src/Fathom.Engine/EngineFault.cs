namespace Fathom.Engine;

/// <summary>Where a fault that halts trading came from. On disk (the argument of a journaled <see cref="Fathom.Journal.JournalOperatorKind.FaultHalt"/>): never renumber.</summary>
public enum EngineFault
{
    None = 0,
    /// <summary>The durable store failed a write or refused a record (disk full, database locked, queue full).</summary>
    Store = 1,
    /// <summary>Reserving the next block of client order ids failed.</summary>
    IdReservation = 2,
    /// <summary>The timer loop caught an exception.</summary>
    Timer = 3,
    /// <summary>A core input threw (not a strategy exception: those halt the strategy only).</summary>
    Core = 4,
    /// <summary>A background loop (feed, gateway, control server) failed.</summary>
    Background = 5,
    /// <summary>Restart reconciliation: the position does not agree with the venue's balances (or could not be checked).</summary>
    Reconciliation = 6,
    /// <summary>The venue's process went away (the demo's simulator child exited).</summary>
    Venue = 7,
}
