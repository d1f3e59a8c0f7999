namespace Fathom.MarketData;

/// <summary>Why a transition happened. Everything but <see cref="None"/> is a loss of integrity.</summary>
public enum StaleReason : byte
{
    None = 0,
    /// <summary>A diff does not chain to the book (missed updates).</summary>
    Gap,
    /// <summary>A diff older than the book that is not a repeat of one already applied.</summary>
    OutOfOrder,
    /// <summary>Best bid above best ask after a diff.</summary>
    Crossed,
    /// <summary>Live, and neither a diff nor a top-of-book update within the symbol's silence limit (connection open or not).</summary>
    Silence,
    /// <summary>A malformed or truncated message for this symbol.</summary>
    Malformed,
    /// <summary>A price off the instrument's tick grid: the tick size may have changed; refresh metadata.</summary>
    OffTick,
    /// <summary>Too many diffs buffered while waiting for a snapshot.</summary>
    BufferOverflow,
    /// <summary>The stream was disconnected or the venue announced a shutdown.</summary>
    Disconnected,
    /// <summary>The snapshot is older than the first buffered diff; another is needed.</summary>
    SnapshotTooOld,
    /// <summary>The venue's book checksum (OKX CRC32 over the top levels) disagrees with the book after a message.</summary>
    ChecksumMismatch,
}
