namespace Fathom.MarketData;

/// <summary>What happened to one symbol's book since start. Plain fields: written by the core thread only.</summary>
public sealed class SyncCounters
{
    public long DiffsApplied;
    public long LevelsApplied;
    /// <summary>Diffs older than the snapshot, dropped while splicing (normal: they are in the snapshot).</summary>
    public long DiffsDroppedBeforeSync;
    public long DiffsBuffered;
    public long Duplicates;
    public long Gaps;
    public long OutOfOrder;
    public long Crossed;
    public long Silences;
    public long Malformed;
    public long OffTick;
    /// <summary>Times the book moved to a finer price grid (see <see cref="BookSync.OnGridChanged"/>).</summary>
    public long GridRefinements;
    public long BufferOverflows;
    public long Disconnects;
    public long SnapshotsApplied;
    public long SnapshotsTooOld;
    public long TopOfBookUpdates;
    public long Transitions;
    public long IllegalTransitions;
    /// <summary>OKX: applied updates with prevSeqId == seqId and no levels (the venue's keep-alive); also in <see cref="DiffsApplied"/>.</summary>
    public long Heartbeats;
    /// <summary>OKX: applied updates with seqId &lt; prevSeqId (sequence reset by maintenance); also in <see cref="DiffsApplied"/>.</summary>
    public long Resets;
    /// <summary>OKX: applied updates without sequence ids (older recordings), checked by checksum only; also in <see cref="DiffsApplied"/>.</summary>
    public long Unsequenced;
    /// <summary>Messages whose venue checksum was verified against the book and agreed.</summary>
    public long ChecksumsMatched;
    /// <summary>Messages whose venue checksum disagreed with the book (each one sends the book Stale).</summary>
    public long ChecksumsMismatched;
    /// <summary>Times the book went Stale (any reason).</summary>
    public long StaleCount;
}
