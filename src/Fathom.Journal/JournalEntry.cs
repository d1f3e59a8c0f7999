using Fathom.MarketData;

namespace Fathom.Journal;

/// <summary>One journal record as read back; <see cref="Payload"/> is valid until the next read.</summary>
public readonly ref struct JournalEntry
{
    public JournalEntry(RecordKind kind, long sequence, long monoNs, long wallNs, int arg, int a, int b, ReadOnlySpan<byte> payload)
    {
        Kind = kind;
        Sequence = sequence;
        MonoNs = monoNs;
        WallNs = wallNs;
        Arg = arg;
        A = a;
        B = b;
        Payload = payload;
    }

    public RecordKind Kind { get; }
    /// <summary>The input's sequence number (for reservations and commands: the input that caused them).</summary>
    public long Sequence { get; }
    /// <summary>The monotonic time the core used for this input.</summary>
    public long MonoNs { get; }
    public long WallNs { get; }
    public int Arg { get; }
    public int A { get; }
    public int B { get; }
    /// <summary>Tag a and b as one int64 (operator command arguments).</summary>
    public long AB => (uint)A | ((long)B << 32);
    public ReadOnlySpan<byte> Payload { get; }
}
