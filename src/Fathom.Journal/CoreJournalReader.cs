using System.Buffers.Binary;
using Fathom.MarketData;

namespace Fathom.Journal;

/// <summary>
/// Reads a journal written by <see cref="CoreJournal"/> and checks its integrity as it goes: input
/// sequence numbers must run 1, 2, 3… without a hole, and the container must have no dropped
/// records, corrupt blocks or torn tail. <see cref="Problem"/> says what is wrong, if anything.
/// </summary>
public sealed class CoreJournalReader : IDisposable
{
    private readonly RecordingReader _reader;
    private long _lastInput;

    public CoreJournalReader(Stream stream) => _reader = new RecordingReader(stream);

    public static CoreJournalReader Open(string path) => new(File.OpenRead(path));

    public long Inputs => _lastInput;
    /// <summary>Null while the journal reads back whole; otherwise the first integrity problem found.</summary>
    public string? Problem { get; private set; }

    public bool TryRead(out JournalEntry entry)
    {
        while (_reader.TryRead(out RecordingRecord r))
        {
            if (r.Kind < RecordKind.JournalMeta || r.Kind > RecordKind.CommandOut)
                continue; // not a journal record (a dropped-records marker is counted by the reader)
            if (r.Tag.Length != CoreJournal.TagSize)
            {
                Problem ??= $"record {_reader.Records}: journal tag of {r.Tag.Length} bytes, expected {CoreJournal.TagSize}";
                continue;
            }
            long seq = BinaryPrimitives.ReadInt64LittleEndian(r.Tag);
            bool input = r.Kind is not (RecordKind.JournalMeta or RecordKind.IdReservation or RecordKind.CommandOut);
            if (input)
            {
                if (seq != _lastInput + 1)
                    Problem ??= $"input sequence jumps from {_lastInput} to {seq}: the journal has a hole";
                _lastInput = seq;
            }
            entry = new JournalEntry(r.Kind, seq, BinaryPrimitives.ReadInt64LittleEndian(r.Tag[8..]), r.ReceiveTimeNs, r.Arg,
                BinaryPrimitives.ReadInt32LittleEndian(r.Tag[16..]), BinaryPrimitives.ReadInt32LittleEndian(r.Tag[20..]), r.Payload);
            CheckContainer();
            return true;
        }
        CheckContainer();
        entry = default;
        return false;
    }

    private void CheckContainer()
    {
        if (Problem is not null)
            return;
        if (_reader.DroppedRecords > 0)
            Problem = $"the writer dropped {_reader.DroppedRecords} records (its queue was full)";
        else if (_reader.CorruptBlocks > 0)
            Problem = $"{_reader.CorruptBlocks} corrupt blocks were skipped";
        else if (_reader.TornTail)
            Problem = $"the file ends in a torn block ({_reader.TornTailBytes} bytes)";
    }

    public void Dispose() => _reader.Dispose();
}
