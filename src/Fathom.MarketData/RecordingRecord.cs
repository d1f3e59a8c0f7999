namespace Fathom.MarketData;

/// <summary>
/// One record read back from a recording. <see cref="Tag"/> and <see cref="Payload"/> point into the
/// reader's block buffer: valid only until the next call to <see cref="RecordingReader.TryRead"/>.
/// </summary>
public readonly ref struct RecordingRecord
{
    public RecordingRecord(RecordKind kind, long receiveTimeNs, int arg, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> payload)
    {
        Kind = kind;
        ReceiveTimeNs = receiveTimeNs;
        Arg = arg;
        Tag = tag;
        Payload = payload;
    }

    public RecordKind Kind { get; }
    /// <summary>Wall-clock receive time, nanoseconds since the Unix epoch, as the recorder stamped it.</summary>
    public long ReceiveTimeNs { get; }
    /// <summary>Kind-specific integer: connection id of a frame, depth limit of a snapshot.</summary>
    public int Arg { get; }
    /// <summary>Kind-specific short bytes: the symbol of a snapshot; empty otherwise.</summary>
    public ReadOnlySpan<byte> Tag { get; }
    public ReadOnlySpan<byte> Payload { get; }
}
