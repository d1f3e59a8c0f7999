using Fathom.Core;
using Fathom.Engine;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Venues.Binance;
using Fathom.Venues.Okx;

namespace Fathom.Hosting;

/// <summary>
/// <c>fathom replay --journal</c>: rebuilds the core a journal describes, feeds it every journaled
/// input with its journaled time, and checks that it produces the journaled command stream byte for
/// byte. The same core code runs as live; only the edges differ (no sockets, a manual clock, ids from
/// the journal's reservations, a gateway that records instead of sending).
/// </summary>
public static class JournalReplay
{
    public sealed record Result(long Inputs, long ExpectedCommands, long ReplayedCommands, string? FirstDifference, string? JournalProblem)
    {
        public bool Identical => FirstDifference is null && JournalProblem is null && ExpectedCommands == ReplayedCommands;
        /// <summary>Files read: 1, or the segments of a rotated journal.</summary>
        public int Segments { get; init; } = 1;
    }

    /// <summary>
    /// Replays <paramref name="path"/>, with the later segments beside it when the journal was rotated
    /// (<see cref="CoreJournalReader.OpenSet"/>: pass the first file); <paramref name="adjust"/> may change the setup (to show a replay notices a different core).
    /// The journal's strategies are rebuilt by name from <paramref name="strategies"/> (the default catalog when null): a
    /// journal written by a program with its own strategies replays only with a catalog that has them.
    /// </summary>
    public static Result Run(string path, Func<CoreSetup, CoreSetup>? adjust = null, StrategyCatalog? strategies = null)
    {
        // Pass 1: the setup, the id blocks and the expected commands.
        CoreSetup? setup = null;
        var reservation = new ReplayedSequenceReservation();
        var expected = new List<(long Sequence, byte[] Bytes)>();
        using (var reader = OpenJournal(path))
        {
            while (reader.TryRead(out JournalEntry e))
            {
                switch (e.Kind)
                {
                    case RecordKind.JournalMeta: setup ??= CoreComposition.FromJson(e.Payload); break;
                    case RecordKind.IdReservation:
                        reservation.Add(System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(e.Payload),
                            System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(e.Payload[8..]));
                        break;
                    case RecordKind.CommandOut: expected.Add((e.Sequence, e.Payload.ToArray())); break;
                }
            }
        }
        if (setup is null)
            throw new InvalidDataException(JournalRotation.IndexOf(path) is > 0 and int index
                ? $"{path} is segment {index} of a rotated journal, which has no meta record: replay the set from its first file"
                : $"{path} has no meta record: not a journal, or its first block is lost");
        if (adjust is not null)
            setup = adjust(setup);

        // Pass 2: a fresh core, fed input by input.
        var time = new ManualTimeProvider();
        var clock = new MonotonicClock(time);
        IFeedCore core = CreateFeedCore(setup.Specs);
        CoreParts parts = CoreComposition.Build(core, setup, clock, reservation, catalog: strategies);
        var recorder = new RecordingGateway();
        var comparison = new ReplayComparison(recorder, expected);
        parts.Engine.AttachGateway(recorder);
        string? difference = null;
        string? problem;
        long inputs = 0;
        int segments;
        using (var reader = OpenJournal(path))
        {
            while (reader.TryRead(out JournalEntry e))
            {
                if (e.Kind is RecordKind.JournalMeta or RecordKind.IdReservation or RecordKind.CommandOut)
                    continue;
                inputs++;
                time.AdvanceToNanos(e.MonoNs);
                try
                {
                    lock (core.CoreLock)
                    {
                        if (!core.Replay(e) && !parts.Engine.Replay(e))
                            throw new InvalidDataException($"journal input {e.Sequence}: unknown kind {e.Kind}");
                    }
                }
                catch (InvalidOperationException ex)
                {
                    difference ??= $"at input {e.Sequence}: {ex.Message}";
                    break;
                }
                difference ??= comparison.FirstDifference(e.Sequence);
                if (difference is not null)
                    break;
            }
            problem = reader.Problem;
            segments = reader.Segments;
        }
        if (difference is null && recorder.Sent.Count != expected.Count)
            difference = recorder.Sent.Count < expected.Count
                ? $"the journal has {expected.Count - recorder.Sent.Count} more commands, the first: {JournalCodec.DescribeCommand(expected[recorder.Sent.Count].Bytes)} (input {expected[recorder.Sent.Count].Sequence})"
                : "the replay produced more commands than the journal";
        return new Result(inputs, expected.Count, recorder.Sent.Count, difference, problem) { Segments = segments };
    }

    /// <summary>
    /// The feed core that reads this journal's market-data inputs: the venue's own parser, chosen by the venue the
    /// meta record's instrument specs name (the journal records are the same kinds for every venue).
    /// </summary>
    internal static IFeedCore CreateFeedCore(IReadOnlyList<InstrumentSpec> specs)
    {
        int okx = specs.Count(s => s.Venue == Venue.Okx);
        if (okx == 0)
            return new BinanceFeedCore(specs);
        if (okx != specs.Count)
            throw new InvalidDataException($"the journal's instruments are from more than one venue ({string.Join(", ", specs.Select(s => $"{s.Symbol} {s.Venue}"))}); one core reads one venue");
        return new OkxFeedCore(specs);
    }

    private static CoreJournalReader OpenJournal(string path)
    {
        try
        {
            return CoreJournalReader.OpenSet(path);
        }
        catch (InvalidDataException ex)
        {
            // The container's own message does not name the file, and calls it a recording.
            throw new InvalidDataException($"{path} is not a Fathom journal: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Compares the replayed core's commands (kept by a <see cref="RecordingGateway"/>) with the journal's, as
    /// they are produced: each command is encoded as the journal encodes it and belongs to the input being replayed.
    /// </summary>
    private sealed class ReplayComparison(RecordingGateway recorder, List<(long Sequence, byte[] Bytes)> expected)
    {
        private int _checked;

        /// <summary>The first command since the last call that differs from the journal's, or null.</summary>
        public string? FirstDifference(long input)
        {
            if (recorder.CancelAlls.Count > 0)
                return $"at input {input}: the core cancelled all through the gateway, which the journal cannot hold";
            Span<byte> buffer = stackalloc byte[JournalCodec.MaxSize];
            for (; _checked < recorder.Sent.Count; _checked++)
            {
                int n = JournalCodec.Encode(recorder.Sent[_checked], buffer);
                byte[] got = buffer[..n].ToArray();
                if (_checked >= expected.Count)
                    return $"command {_checked + 1} at input {input} is extra: {JournalCodec.DescribeCommand(got)}";
                var want = expected[_checked];
                if (want.Sequence != input || !want.Bytes.AsSpan().SequenceEqual(got))
                    return $"command {_checked + 1}: journal has {JournalCodec.DescribeCommand(want.Bytes)} at input {want.Sequence}, " +
                        $"replay produced {JournalCodec.DescribeCommand(got)} at input {input}";
            }
            return null;
        }
    }
}
