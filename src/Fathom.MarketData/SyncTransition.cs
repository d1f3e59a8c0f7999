namespace Fathom.MarketData;

/// <summary>
/// One state change of a symbol's book, with the sequence numbers involved: the id the book
/// expected next and the first/final ids of the message that caused the change (0 when not a diff).
/// </summary>
public readonly record struct SyncTransition(
    int InstrumentId, SyncState From, SyncState To, StaleReason Reason,
    long BookUpdateId, long FirstUpdateId, long FinalUpdateId, long ReceiveTimeNs)
{
    public override string ToString() =>
        $"instrument {InstrumentId}: {From} -> {To} ({Reason}) book id {BookUpdateId}, message U={FirstUpdateId} u={FinalUpdateId}";
}
