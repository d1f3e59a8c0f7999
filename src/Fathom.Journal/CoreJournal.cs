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
/// </remarks>
public sealed class CoreJournal : IDisposable
{
    /// <summary>Bytes of the tag every journal record carries: seq, monotonic ns, a, b.</summary>
    public const int TagSize = 24;

    private readonly RecordingWriter _writer;
    private long _sequence;
    private long _wallNs;

    public CoreJournal(RecordingWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    /// <summary>A journal in a new file at <paramref name="path"/>.</summary>
    public static CoreJournal Create(string path, RecordingWriterOptions? options = null, TimeProvider? time = null) =>
        new(RecordingWriter.Create(path, options, time));

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

    /// <summary>Waits until everything appended is in the file (cold path).</summary>
    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();

    private void Append(RecordKind kind, int arg, long monoNs, int a, int b, long wallNs, ReadOnlySpan<byte> payload, bool input)
    {
        if (input)
            _sequence++;
        Span<byte> tag = stackalloc byte[TagSize];
        BinaryPrimitives.WriteInt64LittleEndian(tag, _sequence);
        BinaryPrimitives.WriteInt64LittleEndian(tag[8..], monoNs);
        BinaryPrimitives.WriteInt32LittleEndian(tag[16..], a);
        BinaryPrimitives.WriteInt32LittleEndian(tag[20..], b);
        if (!_writer.TryAppend(kind, wallNs, arg, tag, payload))
            Dropped++;
    }
}
