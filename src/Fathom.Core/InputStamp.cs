namespace Fathom.Core;

/// <summary>What the sequencer attaches to every core input: its position in the total order and when it was sequenced.</summary>
public readonly record struct InputStamp(long Sequence, long TimestampNanos);
