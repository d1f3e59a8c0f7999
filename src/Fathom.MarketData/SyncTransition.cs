namespace Fathom.MarketData;

/// <summary>
/// One state change of a symbol's book, with the sequence numbers involved: the id the book
/// expected next and the first/final ids of the message that caused the change (0 when not a diff).
/// </summary>
/// <remarks>
/// An edge <see cref="BookSync"/>'s table refuses is reported too, with <see cref="Illegal"/> set and
/// <see cref="To"/> equal to <see cref="From"/> (the state did not change): it is counted in
/// <see cref="SyncCounters.IllegalTransitions"/>, kept as <see cref="BookSync.LastIllegal"/>, and can
/// never be mistaken for a legal self-edge such as Syncing + SnapshotTooOld.
/// </remarks>
public readonly record struct SyncTransition(
    int InstrumentId, SyncState From, SyncState To, StaleReason Reason,
    long BookUpdateId, long FirstUpdateId, long FinalUpdateId, long ReceiveTimeNs, bool Illegal = false)
{
    public override string ToString() =>
        $"instrument {InstrumentId}: {From} -> {(Illegal ? "ILLEGAL" : To.ToString())} ({Reason}) book id {BookUpdateId}, message U={FirstUpdateId} u={FinalUpdateId}";
}
