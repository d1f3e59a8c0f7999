using Fathom.Core;
using Fathom.Engine;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;
using Fathom.Venues.Binance;

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
    }

    /// <summary>
    /// Replays <paramref name="path"/>; <paramref name="adjust"/> may change the setup (to show a replay notices a different core).
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
            throw new InvalidDataException($"{path} has no meta record: not a journal, or its first block is lost");
        if (adjust is not null)
            setup = adjust(setup);

        // Pass 2: a fresh core, fed input by input.
        var time = new ManualTimeProvider();
        var clock = new MonotonicClock(time);
        var core = new BinanceFeedCore(setup.Specs);
        CoreParts parts = CoreComposition.Build(core, setup, clock, reservation, strategies: strategies);
        var recorder = new RecordingGateway();
        parts.Engine.AttachGateway(recorder);
        string? difference = null;
        string? problem;
        long inputs = 0;
        using (var reader = CoreJournalReader.Open(path))
        {
            while (reader.TryRead(out JournalEntry e))
            {
                if (e.Kind is RecordKind.JournalMeta or RecordKind.IdReservation or RecordKind.CommandOut)
                    continue;
                inputs++;
                recorder.CurrentInput = e.Sequence;
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
                difference ??= recorder.FirstDifference(expected);
                if (difference is not null)
                    break;
            }
            problem = reader.Problem;
        }
        if (difference is null && recorder.Count != expected.Count)
            difference = recorder.Count < expected.Count
                ? $"the journal has {expected.Count - recorder.Count} more commands, the first: {JournalCodec.DescribeCommand(expected[recorder.Count].Bytes)} (input {expected[recorder.Count].Sequence})"
                : "the replay produced more commands than the journal";
        return new Result(inputs, expected.Count, recorder.Count, difference, problem);
    }

    private static CoreJournalReader OpenJournal(string path)
    {
        try
        {
            return CoreJournalReader.Open(path);
        }
        catch (InvalidDataException ex)
        {
            // The container's own message does not name the file, and calls it a recording.
            throw new InvalidDataException($"{path} is not a Fathom journal: {ex.Message}", ex);
        }
    }

    /// <summary>The replayed core's gateway: encodes each command as the journal does and keeps it.</summary>
    private sealed class RecordingGateway : IOrderGateway
    {
        private readonly List<(long Sequence, byte[] Bytes)> _sent = [];
        private int _checked;

        public long CurrentInput { get; set; }
        public int Count => _sent.Count;
        public bool IsReady => true;

        public void Send(in OrderCommand command)
        {
            Span<byte> buffer = stackalloc byte[JournalCodec.MaxSize];
            int n = JournalCodec.Encode(command, buffer);
            _sent.Add((CurrentInput, buffer[..n].ToArray()));
        }

        /// <summary>Compares what was sent since the last call with the journal; the first mismatch, or null.</summary>
        public string? FirstDifference(List<(long Sequence, byte[] Bytes)> expected)
        {
            for (; _checked < _sent.Count; _checked++)
            {
                var got = _sent[_checked];
                if (_checked >= expected.Count)
                    return $"command {_checked + 1} at input {got.Sequence} is extra: {JournalCodec.DescribeCommand(got.Bytes)}";
                var want = expected[_checked];
                if (want.Sequence != got.Sequence || !want.Bytes.AsSpan().SequenceEqual(got.Bytes))
                    return $"command {_checked + 1}: journal has {JournalCodec.DescribeCommand(want.Bytes)} at input {want.Sequence}, " +
                        $"replay produced {JournalCodec.DescribeCommand(got.Bytes)} at input {got.Sequence}";
            }
            return null;
        }

        public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;
        public void CancelAll(int instrumentId, ClientOrderId cancelId) => throw new InvalidOperationException("the core never cancels all through the gateway");
        public Task<IReadOnlyList<OrderStatusReport>> GetOpenOrdersAsync(int instrumentId, CancellationToken cancel) => Task.FromResult<IReadOnlyList<OrderStatusReport>>([]);
        public Task<IReadOnlyList<FillReport>> GetTradesAsync(int instrumentId, long fromTradeIdExclusive, CancellationToken cancel) => Task.FromResult<IReadOnlyList<FillReport>>([]);
        public Task<IReadOnlyList<VenueBalance>> GetBalancesAsync(CancellationToken cancel) => Task.FromResult<IReadOnlyList<VenueBalance>>([]);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
