using System.IO.Compression;

namespace Fathom.MarketData;

/// <summary>Settings of a <see cref="RecordingWriter"/>.</summary>
public sealed record RecordingWriterOptions
{
    /// <summary>
    /// A block is sealed and handed to the background writer once its records reach this many
    /// (uncompressed) bytes: the most a crash can lose besides the time bound below.
    /// </summary>
    public int BlockBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// A block that has waited this long is sealed and written even when not full, so a quiet feed
    /// still reaches the file within about this time (plus the time to compress it).
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Sealed blocks waiting for the background writer. When the queue is full further records are
    /// dropped and counted (never blocking the receive thread); memory bound ≈ this × <see cref="BlockBytes"/>.
    /// </summary>
    public int MaxQueuedBlocks { get; init; } = 256;

    public CompressionLevel Compression { get; init; } = CompressionLevel.Fastest;

    /// <summary>
    /// Also fsync after each write batch (survives power loss, not just a process crash). Off by
    /// default: the OS page cache already survives the process dying, and fsync costs milliseconds.
    /// </summary>
    public bool FlushToDisk { get; init; }

    public static RecordingWriterOptions Default { get; } = new();
}
