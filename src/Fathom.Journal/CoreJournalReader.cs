using System.Buffers.Binary;
using Fathom.MarketData;

namespace Fathom.Journal;

/// <summary>
/// Reads a journal written by <see cref="CoreJournal"/> and checks its integrity as it goes: input
/// sequence numbers must run 1, 2, 3… without a hole, and the container must have no dropped
/// records, corrupt blocks or torn tail. <see cref="Problem"/> says what is wrong, if anything.
/// A rotated journal (<see cref="OpenSet"/>) is read segment after segment as one journal: the
/// sequence numbers must run on across segments, and a missing segment ends the reading there with
/// a <see cref="Problem"/> naming it.
/// </summary>
public sealed class CoreJournalReader : IDisposable
{
    private RecordingReader _reader;
    private readonly Queue<string> _next = new();
    private string? _currentPath;
    private bool _multiple;
    private string? _missing;
    private long _lastInput;

    public CoreJournalReader(Stream stream) => _reader = new RecordingReader(stream);

    public static CoreJournalReader Open(string path) => new(File.OpenRead(path));

    /// <summary>
    /// The journal whose first file is <paramref name="firstPath"/> with every later segment beside it
    /// (<see cref="JournalRotation.SegmentPath"/>); just that file when it was never rotated.
    /// </summary>
    public static CoreJournalReader OpenSet(string firstPath)
    {
        var reader = Open(firstPath);
        reader._currentPath = firstPath;
        var segments = JournalRotation.FindSegments(firstPath);
        reader._multiple = segments.Count > 0;
        reader.Segments = segments.Count + 1;
        int expected = 1;
        foreach (var (index, path) in segments)
        {
            if (index != expected)
            {
                // Read up to the gap: what follows cannot be replayed without what is missing.
                reader._missing = $"segment {expected} ({Path.GetFileName(JournalRotation.SegmentPath(firstPath, expected))}) of the rotated journal is missing, " +
                    $"segments up to {segments[^1].Index} exist; the replay stops before the gap";
                break;
            }
            reader._next.Enqueue(path);
            expected++;
        }
        return reader;
    }

    public long Inputs => _lastInput;
    /// <summary>Files in the set (1 for a journal never rotated).</summary>
    public int Segments { get; private set; } = 1;
    /// <summary>Null while the journal reads back whole; otherwise the first integrity problem found.</summary>
    public string? Problem { get; private set; }

    public bool TryRead(out JournalEntry entry)
    {
        while (true)
        {
            if (TryReadSegment(out entry))
                return true;
            CheckContainer();
            if (!_next.TryDequeue(out string? path))
                break;
            _reader.Dispose();
            _currentPath = path;
            try
            {
                _reader = new RecordingReader(File.OpenRead(path));
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{path} is not a Fathom journal segment: {ex.Message}", ex);
            }
        }
        if (_missing is not null)
            Problem ??= _missing;
        entry = default;
        return false;
    }

    private bool TryReadSegment(out JournalEntry entry)
    {
        while (_reader.TryRead(out RecordingRecord r))
        {
            if (r.Kind < RecordKind.JournalMeta || r.Kind > RecordKind.CommandOut)
                continue; // not a journal record (a dropped-records marker is counted by the reader)
            if (r.Tag.Length != CoreJournal.TagSize)
            {
                Problem ??= $"{Where()}record {_reader.Records}: journal tag of {r.Tag.Length} bytes, expected {CoreJournal.TagSize}";
                continue;
            }
            long seq = BinaryPrimitives.ReadInt64LittleEndian(r.Tag);
            bool input = r.Kind is not (RecordKind.JournalMeta or RecordKind.IdReservation or RecordKind.CommandOut);
            if (input)
            {
                if (seq != _lastInput + 1)
                    Problem ??= $"{Where()}input sequence jumps from {_lastInput} to {seq}: the journal has a hole";
                _lastInput = seq;
            }
            entry = new JournalEntry(r.Kind, seq, BinaryPrimitives.ReadInt64LittleEndian(r.Tag[8..]), r.ReceiveTimeNs, r.Arg,
                BinaryPrimitives.ReadInt32LittleEndian(r.Tag[16..]), BinaryPrimitives.ReadInt32LittleEndian(r.Tag[20..]), r.Payload);
            CheckContainer();
            return true;
        }
        entry = default;
        return false;
    }

    // Names the segment in a problem when the journal is a rotated set.
    private string Where() => _multiple && _currentPath is not null ? $"{Path.GetFileName(_currentPath)}: " : "";

    private void CheckContainer()
    {
        if (Problem is not null)
            return;
        if (_reader.DroppedRecords > 0)
            Problem = $"{Where()}the writer dropped {_reader.DroppedRecords} records (its queue was full)";
        else if (_reader.CorruptBlocks > 0)
            Problem = $"{Where()}{_reader.CorruptBlocks} corrupt blocks were skipped";
        else if (_reader.TornTail)
            Problem = $"{Where()}the file ends in a torn block ({_reader.TornTailBytes} bytes)";
    }

    public void Dispose() => _reader.Dispose();
}
