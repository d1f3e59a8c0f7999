using System.Buffers.Binary;
using System.Text;
using Fathom.MarketData;

namespace Fathom.Journal;

/// <summary>
/// The input journal: every input to the core (market-data frames and snapshots, feed-state events,
/// venue reports, timer ticks, operator commands, client-order-id reservations), each with a sequence
/// number and the monotonic timestamp the core used for it, plus the commands the core produced, in
/// the order the core processed them. Replaying the inputs through a fresh core must reproduce the
/// commands byte for byte (see <c>fathom replay --journal</c>).
/// </summary>
/// <remarks>
/// Single writer: every append happens under the core lock. The container is the recording format
/// (<see cref="RecordingWriter"/>: blocks, CRCs, a background writer, torn-tail detection), so an
/// append copies bytes and never waits for I/O. When the writer's queue is full the record is dropped
/// and counted (<see cref="Dropped"/>), and the file carries a marker: a replay then reports the
/// journal as incomplete instead of pretending to be exact. Trading does not stop for the journal
/// (the durable store is what halts trading when it cannot keep up).
/// <para>Rotation (<see cref="JournalRotation"/>, only for a journal made by <see cref="Create"/>): before an
/// input is appended, if the current segment has reached its size or age, the input starts the next
/// segment (<see cref="JournalRotation.SegmentPath"/>), so a segment never splits an input from its id
/// reservations and commands. Sequence numbers run on across segments and only the first segment holds the
/// meta record; a reader of the set (<see cref="CoreJournalReader.OpenSet"/>) checks the continuity. The core
/// thread pays for creating the next file (once per segment); finishing the old one (its last blocks, its
/// close) happens on a background task. A segment that cannot be created is counted
/// (<see cref="RotationFailures"/>) and the journal carries on in the current one.</para>
/// </remarks>
public sealed class CoreJournal : IDisposable
{
    /// <summary>Bytes of the tag every journal record carries: seq, monotonic ns, a, b.</summary>
    public const int TagSize = 24;
    // The container's per-record header (RecordingFormat.RecordHeaderSize, internal to MarketData): for sizing segments.
    private const int RecordHeaderBytes = 20;

    private RecordingWriter _writer;
    private long _sequence;
    private long _wallNs;

    // Rotation (null _path: a single stream, never rotated).
    private readonly string? _path;
    private readonly JournalRotation? _rotation;
    private readonly RecordingWriterOptions? _options;
    private readonly TimeProvider? _time;
    private readonly List<Task> _retiring = [];
    private int _segment;
    private long _segmentBytes;
    private long _segmentStartNs;
    private bool _segmentHasInput;

    public CoreJournal(RecordingWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    private CoreJournal(string path, JournalRotation? rotation, RecordingWriterOptions? options, TimeProvider? time)
        : this(RecordingWriter.Create(path, options, time))
    {
        if (rotation is { MaxBytes: < 0 } || rotation?.MaxAge < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(rotation), "journal rotation limits cannot be negative");
        _path = path;
        _rotation = rotation is { Enabled: true } ? rotation : null;
        _options = options;
        _time = time;
    }

    /// <summary>A journal in a new file at <paramref name="path"/>, rotated into further segments beside it by <paramref name="rotation"/> (null: never).</summary>
    public static CoreJournal Create(string path, RecordingWriterOptions? options = null, TimeProvider? time = null, JournalRotation? rotation = null) =>
        new(path, rotation, options, time);

    /// <summary>Segments started after the first (0 while the journal is one file).</summary>
    public int Segment => _segment;
    /// <summary>The file the journal writes now.</summary>
    public string? CurrentPath => _path is null ? null : JournalRotation.SegmentPath(_path, _segment);
    /// <summary>Times the next segment could not be created (the journal went on in the current one).</summary>
    public long RotationFailures { get; private set; }
    /// <summary>Why the last rotation failed, or null.</summary>
    public string? LastRotationError { get; private set; }

    /// <summary>Sequence number of the last input appended (0 before the first).</summary>
    public long Sequence => _sequence;
    /// <summary>Records the writer refused (queue full or stopped): a journal with drops cannot be replayed exactly.</summary>
    public long Dropped { get; private set; }
    public RecordingWriter Writer => _writer;

    /// <summary>How the core was composed, as UTF-8 JSON; written once, first.</summary>
    public void Meta(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        Append(RecordKind.JournalMeta, 0, 0, 0, 0, 0, Encoding.UTF8.GetBytes(json), input: false);
    }

    public void Frame(long monoNs, long wallNs, int connectionId, ReadOnlySpan<byte> frame)
    {
        _wallNs = wallNs;
        Append(RecordKind.CoreFrame, connectionId, monoNs, 0, 0, wallNs, frame, input: true);
    }

    public void Snapshot(long monoNs, long wallNs, int instrument, int depth, ReadOnlySpan<byte> body)
    {
        _wallNs = wallNs;
        Append(RecordKind.CoreSnapshot, depth, monoNs, instrument, 0, wallNs, body, input: true);
    }

    public void FeedEvent(long monoNs, long wallNs, FeedEventKind kind, int a, int b = 0)
    {
        _wallNs = Math.Max(_wallNs, wallNs);
        Append(RecordKind.FeedEvent, (int)kind, monoNs, a, b, wallNs, default, input: true);
    }

    /// <summary>A venue report; <paramref name="fields"/> is its encoding (the engine owns the layout).</summary>
    public void Report(long monoNs, int reportKind, ReadOnlySpan<byte> fields) =>
        Append(RecordKind.VenueReport, reportKind, monoNs, 0, 0, _wallNs, fields, input: true);

    public void Timer(long monoNs) => Append(RecordKind.TimerTick, 0, monoNs, 0, 0, _wallNs, default, input: true);

    public void Operator(long monoNs, int command, long argument) =>
        Append(RecordKind.OperatorCommand, command, monoNs, (int)argument, (int)(argument >> 32), _wallNs, default, input: true);

    /// <summary>A block of id sequence numbers reserved while processing the current input.</summary>
    public void Reservation(long first, int count)
    {
        Span<byte> payload = stackalloc byte[12];
        BinaryPrimitives.WriteInt64LittleEndian(payload, first);
        BinaryPrimitives.WriteInt32LittleEndian(payload[8..], count);
        Append(RecordKind.IdReservation, 0, 0, 0, 0, _wallNs, payload, input: false);
    }

    /// <summary>A command the current input produced; <paramref name="fields"/> is its encoding.</summary>
    public void Command(long monoNs, ReadOnlySpan<byte> fields) =>
        Append(RecordKind.CommandOut, 0, monoNs, 0, 0, _wallNs, fields, input: false);

    /// <summary>Waits until everything appended is in the files, earlier segments included (cold path).</summary>
    public void Flush()
    {
        WaitRetired();
        _writer.Flush();
    }

    public void Dispose()
    {
        WaitRetired();
        _writer.Dispose();
    }

    private void WaitRetired()
    {
        Task[] pending;
        lock (_retiring)
        {
            pending = [.. _retiring];
            _retiring.Clear();
        }
        Task.WaitAll(pending);
    }

    private void Append(RecordKind kind, int arg, long monoNs, int a, int b, long wallNs, ReadOnlySpan<byte> payload, bool input)
    {
        if (input)
        {
            if (_rotation is { } rotation)
            {
                if (!_segmentHasInput)
                {
                    _segmentHasInput = true;
                    _segmentStartNs = monoNs;
                }
                else if ((rotation.MaxBytes > 0 && _segmentBytes >= rotation.MaxBytes)
                    || (rotation.MaxAge > TimeSpan.Zero && monoNs - _segmentStartNs >= rotation.MaxAge.Ticks * 100))
                {
                    Rotate(monoNs);
                }
            }
            _sequence++;
        }
        _segmentBytes += RecordHeaderBytes + TagSize + payload.Length;
        Span<byte> tag = stackalloc byte[TagSize];
        BinaryPrimitives.WriteInt64LittleEndian(tag, _sequence);
        BinaryPrimitives.WriteInt64LittleEndian(tag[8..], monoNs);
        BinaryPrimitives.WriteInt32LittleEndian(tag[16..], a);
        BinaryPrimitives.WriteInt32LittleEndian(tag[20..], b);
        if (!_writer.TryAppend(kind, wallNs, arg, tag, payload))
            Dropped++;
    }

    // Cold, once per segment, before the input that starts the new one (see the remarks).
    private void Rotate(long monoNs)
    {
        RecordingWriter next;
        try
        {
            next = RecordingWriter.Create(JournalRotation.SegmentPath(_path!, _segment + 1), _options, _time);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Carry on in the current segment; try again only after another segment's worth, never at every input.
            RotationFailures++;
            LastRotationError = ex.Message;
            _segmentBytes = 0;
            _segmentStartNs = monoNs;
            return;
        }
        RecordingWriter old = _writer;
        _writer = next;
        _segment++;
        _segmentBytes = 0;
        _segmentStartNs = monoNs;
        lock (_retiring)
        {
            _retiring.RemoveAll(t => t.IsCompleted);
            _retiring.Add(Task.Run(old.Dispose)); // writes the old segment's last blocks and closes it
        }
    }
}
