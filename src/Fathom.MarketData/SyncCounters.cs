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
    /// <summary>Times the book went Stale (any reason).</summary>
    public long StaleCount;
}
