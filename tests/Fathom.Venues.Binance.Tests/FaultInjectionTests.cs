using System.Buffers.Text;
using System.Text.Json;
using CsCheck;
using Fathom.Book;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

/// <summary>
/// Fault injection on the real 2024-08-08 BTCUSDT spot recording. Every test replays the file
/// through two pipelines in lockstep: a clean reference (parser, <see cref="BookSync"/> with the spot
/// rule, <see cref="OrderBook"/>) and a faulty one whose input carries one injected fault. The
/// recording holds one REST snapshot only, so the faulty side's resync snapshots are served by the
/// test from the reference book as it stands at that moment.
/// </summary>
/// <remarks>
/// Each fault must be detected by the right counter and transition (or skipped harmlessly), the
/// faulty book must come back through Stale → Resyncing → Live (Stale → Live when the snapshot beats
/// the next diff), and at the end of the file it must equal the reference book level for level with
/// the same update id. The reference must never go Stale.
/// <see cref="Harness_WithoutServedSnapshots_FaultyBookEndsBehindReference"/> proves that the
/// end-state comparison can fail.
/// </remarks>
public class FaultInjectionTests
{
    /// <summary>Seeds that once failed; each is checked on every run before the generated cases.</summary>
    private static readonly ulong[] RegressionSeeds = [];

    /// <summary>Faults go in at this depth diff after the snapshot: long after the first sync.</summary>
    private const int FaultDiff = 500;

    /// <summary>Depth diffs after the REST snapshot in the 0808 file.</summary>
    private const int DiffCount = 3_448;

    private enum FaultKind
    {
        DroppedDiff,
        DuplicatedDiff,
        /// <summary>A diff delivered again <see cref="Fault.Delay"/> diffs later.</summary>
        ReplayedDiff,
        /// <summary>A diff and the next one delivered in the opposite order.</summary>
        SwappedDiffs,
        /// <summary>The first half of a depth line only.</summary>
        TruncatedDiff,
        /// <summary>The whole JSON of a depth line replaced by bytes that are not JSON.</summary>
        GarbageLine,
        /// <summary>The combined-stream envelope intact, its <c>data</c> replaced by garbage.</summary>
        GarbagePayload,
        /// <summary>A field the parser does not know, added to a depth message.</summary>
        UnknownField,
        /// <summary>A dropped diff, then a resync snapshot older than the buffered diffs.</summary>
        SnapshotTooOld,
        /// <summary>A dropped diff, then a resync snapshot whose best bid is above its best ask.</summary>
        CrossedSnapshot,
    }

    private enum SnapshotFault : byte
    {
        None = 0,
        TooOld,
        Crossed,
    }

    /// <summary>One injected fault: its kind, the depth diff it hits (0 = first diff after the snapshot), and its parameters.</summary>
    private readonly record struct Fault(FaultKind Kind, int Diff, int Delay = 0, int Seed = 0)
    {
        public override string ToString() => $"{Kind} at diff {Diff} (delay {Delay}, seed {Seed})";
    }

    /// <summary>
    /// How the test plays the feed driver's REST fetch. A snapshot is taken from the reference when
    /// the faulty book asks (once Resyncing, or already when Stale) and delivered
    /// <see cref="LatencyLines"/> recorded lines later; diffs that arrive meanwhile are buffered and
    /// must be spliced on top of it.
    /// </summary>
    private readonly record struct Fetch(int LatencyLines = 0, bool StartWhenStale = false, bool Disabled = false)
    {
        public static Fetch Immediate => default;
        public override string ToString() => Disabled ? "no snapshots" : $"snapshot after {LatencyLines} lines{(StartWhenStale ? ", fetched when Stale" : "")}";
    }

    /// <summary>
    /// How the faulty pipeline must react: the reason it goes Stale (None: it must stay Live), the
    /// reason its first resync snapshot is refused (None: accepted), repeats counted, and what the
    /// parser must have counted beyond the reference.
    /// </summary>
    private readonly record struct Expectation(
        StaleReason Stale,
        StaleReason Rejected = StaleReason.None,
        long Duplicates = 0,
        long ParserTruncated = 0,
        long ParserMalformed = 0,
        long UnknownFields = 0,
        long Unrouted = 0);

    /// <summary>The 0808 file in memory, read once for the whole class.</summary>
    private sealed class Recording
    {
        public required byte[][] Lines;
        /// <summary>Line index of every depth diff after the REST snapshot line, in file order.</summary>
        public required int[] DiffLines;
    }

    private static readonly Lazy<Recording> s_recording = new(Load);

    private static Recording Load()
    {
        var lines = new List<byte[]>(SharedData.ReadLines(SharedData.BinanceSpotDays[0]));
        int snapshotLine = lines.FindIndex(l => l.AsSpan().IndexOf("{\"lastUpdateId\""u8) >= 0);
        var diffs = new List<int>();
        for (int i = snapshotLine + 1; i < lines.Count; i++)
            if (lines[i].AsSpan().IndexOf("\"e\":\"depthUpdate\""u8) >= 0)
                diffs.Add(i);
        // The shape the faults are placed against (PROVENANCE.md): a failure here means the data changed.
        Assert.Equal(41_249, lines.Count);
        Assert.Equal(7, snapshotLine);
        Assert.Equal(DiffCount, diffs.Count);
        return new Recording { Lines = [.. lines], DiffLines = [.. diffs] };
    }

    /// <summary>Parser, router and book sync for BTCUSDT; records every transition.</summary>
    private sealed class Pipeline
    {
        public readonly BinanceStreamParser Parser;
        public readonly BookSync Sync;
        public readonly MarketDataRouter Router;
        public readonly HftBacktestReplay Replay;
        public readonly List<SyncTransition> Transitions = [];

        public Pipeline()
        {
            var symbols = new BinanceSymbolTable();
            BinanceSymbol symbol = symbols.Add(TestInstruments.BtcUsdt);
            Parser = new BinanceStreamParser(symbols);
            Sync = new BookSync(symbol.Id, new OrderBook(symbol.Spec, BookOptions.ForPrice(6_183_763)), SyncRule.BinanceSpot,
                observer: Transitions.Add);
            Router = new MarketDataRouter(symbols.Count);
            Router.Add(Sync);
            Replay = new HftBacktestReplay(Parser, symbol);
        }

        public OrderBook Book => Sync.Book;

        public void Feed(ReadOnlySpan<byte> line)
        {
            MarketDataRouter router = Router;
            Replay.ReplayLine(line, ref router);
        }
    }

    /// <summary>Both pipelines after the whole file, and what the test's snapshot server did.</summary>
    private sealed class Outcome
    {
        public required Fault Fault;
        public required Fetch Fetch;
        public required Pipeline Reference;
        public required Pipeline Faulty;
        public int GoodSnapshotsServed;
        public int BadSnapshotsServed;
        /// <summary>Buffered diffs applied on top of served snapshots while splicing.</summary>
        public long SplicedDiffs;
    }

    /// <summary>The faulty input: which recorded lines are replaced (by zero or more lines), and the bad snapshots to serve first.</summary>
    private sealed class FaultyStream
    {
        public readonly Dictionary<int, byte[][]> Replacements = [];
        public readonly Queue<SnapshotFault> SnapshotPlan = new();
        /// <summary>The reference book is copied just before this line, to serve later as a too-old snapshot.</summary>
        public int KeepReferenceBeforeLine = -1;
    }

    // ---------------------------------------------------------------- one test per fault

    [Fact]
    public void DroppedDiff_GoesStaleOnGap_ResyncsToReferenceBook()
    {
        var fault = new Fault(FaultKind.DroppedDiff, FaultDiff);
        Outcome o = Run(fault);
        AssertDetectedAndRecovered(o);

        // The Gap is reported by the diff right after the missing one, against the diff before it.
        Recording r = s_recording.Value;
        var (_, beforeFinal) = UpdateIds(r.Lines[r.DiffLines[FaultDiff - 1]]);
        var (afterFirst, afterFinal) = UpdateIds(r.Lines[r.DiffLines[FaultDiff + 1]]);
        SyncTransition stale = o.Faulty.Transitions.Single(t => t.To == SyncState.Stale);
        Assert.Equal((beforeFinal, afterFirst, afterFinal), (stale.BookUpdateId, stale.FirstUpdateId, stale.FinalUpdateId));
    }

    [Fact]
    public void DuplicatedDiff_CountedAsDuplicate_StaysLive()
    {
        var fault = new Fault(FaultKind.DuplicatedDiff, FaultDiff);
        AssertDetectedAndRecovered(Run(fault));
    }

    [Fact]
    public void DiffReplayedTenDiffsLater_CountedAsDuplicate_StaysLive()
    {
        var fault = new Fault(FaultKind.ReplayedDiff, FaultDiff, Delay: 10);
        AssertDetectedAndRecovered(Run(fault));
    }

    [Fact]
    public void DiffReplayedLongAfter_OutOfOrder_Resyncs()
    {
        // Past the window of remembered diffs (BookSync keeps the last 1,024) an old diff can no longer be
        // told from disorder: the safe answer is Stale and a resync, never applying it.
        var fault = new Fault(FaultKind.ReplayedDiff, FaultDiff, Delay: 1_100);
        AssertDetectedAndRecovered(Run(fault));
    }

    [Fact]
    public void SwappedDiffs_GoesStaleOnGap_Resyncs()
    {
        var fault = new Fault(FaultKind.SwappedDiffs, FaultDiff);
        Outcome o = Run(fault);
        AssertDetectedAndRecovered(o);

        // Caught on the first of the pair to arrive: the later diff, which skips the earlier one.
        Recording r = s_recording.Value;
        var (_, beforeFinal) = UpdateIds(r.Lines[r.DiffLines[FaultDiff - 1]]);
        var (laterFirst, _) = UpdateIds(r.Lines[r.DiffLines[FaultDiff + 1]]);
        SyncTransition stale = o.Faulty.Transitions.Single(t => t.To == SyncState.Stale);
        Assert.Equal((beforeFinal, laterFirst), (stale.BookUpdateId, stale.FirstUpdateId));
    }

    [Fact]
    public void SnapshotOlderThanBuffer_RejectedAsTooOld_NextSnapshotRecovers()
    {
        var fault = new Fault(FaultKind.SnapshotTooOld, FaultDiff);
        Outcome o = Run(fault);
        AssertDetectedAndRecovered(o);

        // Refused against the first buffered diff: the one after the diff that revealed the gap.
        Recording r = s_recording.Value;
        var (_, beforeFinal) = UpdateIds(r.Lines[r.DiffLines[FaultDiff - 1]]);
        var (bufferedFirst, bufferedFinal) = UpdateIds(r.Lines[r.DiffLines[FaultDiff + 2]]);
        SyncTransition refused = o.Faulty.Transitions.Single(t => t.Reason == StaleReason.SnapshotTooOld);
        Assert.Equal((beforeFinal, bufferedFirst, bufferedFinal), (refused.BookUpdateId, refused.FirstUpdateId, refused.FinalUpdateId));
    }

    [Fact]
    public void CrossedSnapshot_RejectedAsCrossed_NextSnapshotRecovers()
    {
        var fault = new Fault(FaultKind.CrossedSnapshot, FaultDiff);
        Outcome o = Run(fault);
        AssertDetectedAndRecovered(o);

        // The crossed snapshot carried the reference's id at the first buffered diff after the gap.
        Recording r = s_recording.Value;
        var (_, bufferedFinal) = UpdateIds(r.Lines[r.DiffLines[FaultDiff + 2]]);
        SyncTransition refused = o.Faulty.Transitions.Single(t => t.Reason == StaleReason.Crossed);
        Assert.Equal((SyncState.Resyncing, bufferedFinal), (refused.From, refused.FinalUpdateId));
    }

    [Fact]
    public void TruncatedDiff_GoesStaleAsMalformed_Resyncs()
    {
        var fault = new Fault(FaultKind.TruncatedDiff, FaultDiff);
        AssertDetectedAndRecovered(Run(fault));
    }

    [Fact]
    public void GarbagePayloadInDepthEnvelope_GoesStaleAsMalformed_Resyncs()
    {
        var fault = new Fault(FaultKind.GarbagePayload, FaultDiff, Seed: 17);
        AssertDetectedAndRecovered(Run(fault));
    }

    [Fact]
    public void GarbageLine_ErrorCannotNameSymbol_NextDiffGapResyncs()
    {
        // Nothing in the bytes says which book they were for, so the router cannot blame one; the
        // book stays Live until the next diff shows the gap the lost diff left.
        var fault = new Fault(FaultKind.GarbageLine, FaultDiff, Seed: 29);
        AssertDetectedAndRecovered(Run(fault));
    }

    [Fact]
    public void UnknownFieldInDepthMessage_SkippedAndCounted_StaysLive()
    {
        var fault = new Fault(FaultKind.UnknownField, FaultDiff);
        Outcome o = Run(fault);
        AssertDetectedAndRecovered(o);
        // The diff carrying the field was applied, not dropped.
        Assert.Equal(o.Reference.Sync.Counters.DiffsApplied, o.Faulty.Sync.Counters.DiffsApplied);
    }

    // ---------------------------------------------------------------- property and control

    private static readonly FaultKind[] s_kinds = Enum.GetValues<FaultKind>();

    // Any kind at any diff that leaves room after it for detection and resync; a short replay delay
    // (a repeat, not disorder); a REST fetch latency from none to about ten diffs.
    private static readonly Gen<(Fault Fault, Fetch Fetch)> s_cases =
        Gen.Select(Gen.Int[0, s_kinds.Length - 1], Gen.Int[0, DiffCount - 40], Gen.Int[1, 32], Gen.Int[0, int.MaxValue], Gen.Int[0, 120])
           .Select((k, diff, delay, seed, latency) => (new Fault(s_kinds[k], diff, delay, seed), new Fetch(latency)));

    [Fact]
    public void RandomFaultAtRandomDiff_DetectedAndEndsEqualToReference()
    {
        var kinds = new HashSet<FaultKind>();
        long spliced = 0;
        Property.ForAll(s_cases, 20, c =>
        {
            kinds.Add(c.Fault.Kind);
            Outcome o = Run(c.Fault, c.Fetch);
            AssertDetectedAndRecovered(o);
            spliced += o.SplicedDiffs;
        }, RegressionSeeds);
        // The property is only as good as what it reached.
        Assert.True(kinds.Count >= 6, $"only {kinds.Count} fault kinds drawn: {string.Join(", ", kinds)}");
        Assert.True(spliced > 0, "no resync ever spliced buffered diffs onto a late snapshot");
    }

    [Fact]
    public void DroppedDiff_SnapshotArrivesLate_BufferedDiffsSplicedOntoIt()
    {
        // About five diffs arrive while the snapshot is in flight; they must be applied on top of it.
        var fault = new Fault(FaultKind.DroppedDiff, FaultDiff);
        Outcome o = Run(fault, new Fetch(LatencyLines: 60));
        AssertDetectedAndRecovered(o);
        Assert.True(o.SplicedDiffs >= 3, $"only {o.SplicedDiffs} buffered diffs spliced");
    }

    [Fact]
    public void SnapshotOlderThanBuffer_ArrivingLate_RejectedThenRecovers()
    {
        var fault = new Fault(FaultKind.SnapshotTooOld, FaultDiff);
        Outcome o = Run(fault, new Fetch(LatencyLines: 60));
        AssertDetectedAndRecovered(o);
        Assert.True(o.SplicedDiffs >= 3, $"only {o.SplicedDiffs} buffered diffs spliced");
    }

    [Fact]
    public void TruncatedDiff_SnapshotFetchedWhileStale_StaleGoesStraightToLive()
    {
        var fault = new Fault(FaultKind.TruncatedDiff, FaultDiff);
        AssertDetectedAndRecovered(Run(fault, new Fetch(StartWhenStale: true)));
    }

    [Fact]
    public void Harness_WithoutServedSnapshots_FaultyBookEndsBehindReference()
    {
        // The control: with no snapshot served the faulty side waits in Resyncing to the end, and the
        // end-state comparison the other tests rely on must tell the books apart.
        var fault = new Fault(FaultKind.DroppedDiff, FaultDiff);
        Outcome o = Run(fault, new Fetch(Disabled: true));
        Assert.Equal(SyncState.Resyncing, o.Faulty.Sync.State);
        Assert.True(o.Faulty.Sync.SnapshotRequested);
        Assert.False(SameBook(o.Reference.Book, o.Faulty.Book, out _));
        Assert.True(o.Faulty.Book.UpdateId < o.Reference.Book.UpdateId);
    }

    // ---------------------------------------------------------------- driver

    private static Outcome Run(Fault fault) => Run(fault, Fetch.Immediate);

    private static Outcome Run(Fault fault, Fetch fetch)
    {
        Recording r = s_recording.Value;
        FaultyStream stream = Inject(r, fault);
        var o = new Outcome { Fault = fault, Fetch = fetch, Reference = new Pipeline(), Faulty = new Pipeline() };
        var server = new SnapshotServer(o, stream.SnapshotPlan, fetch);

        for (int i = 0; i < r.Lines.Length; i++)
        {
            if (i == stream.KeepReferenceBeforeLine)
                server.KeepOldReference();
            // Reference first, so its book is at (or one diff past) what the faulty side has seen.
            o.Reference.Feed(r.Lines[i]);
            if (!stream.Replacements.TryGetValue(i, out byte[][]? faultyLines))
                faultyLines = [r.Lines[i]];
            foreach (byte[] line in faultyLines)
            {
                o.Faulty.Feed(line);
                server.AfterFaultyLine(r.Lines[i]);
            }
        }
        return o;
    }

    /// <summary>
    /// Plays the feed driver's part for the faulty pipeline: when it wants a snapshot, takes one
    /// from the reference book (or the planned bad one), acknowledges the request, and delivers it
    /// after the fetch latency.
    /// </summary>
    private sealed class SnapshotServer(Outcome o, Queue<SnapshotFault> plan, Fetch fetch)
    {
        private readonly BookCopy _copy = new();
        private BookCopy? _old;
        private bool _pending;
        private SnapshotFault _pendingKind;
        private long _pendingId;
        private Level[] _pendingBids = [];
        private Level[] _pendingAsks = [];
        private int _linesLeft;

        /// <summary>Remembers the reference book as it is now, to be served later as a too-old snapshot.</summary>
        public void KeepOldReference() => _old = o.Reference.Book.Copy();

        public void AfterFaultyLine(byte[] recordedLine)
        {
            if (fetch.Disabled)
                return;
            if (_pending)
                _linesLeft--;
            BookSync sync = o.Faulty.Sync;
            for (int requests = 0; ; )
            {
                if (_pending)
                {
                    if (_linesLeft > 0)
                        return;
                    Deliver(sync, ReceiveNs(recordedLine));
                    continue;
                }
                bool wanted = sync.SnapshotRequested
                    && (sync.State == SyncState.Resyncing || (fetch.StartWhenStale && sync.State == SyncState.Stale));
                if (!wanted)
                    return;
                Assert.True(++requests <= 3, $"asked for a snapshot {requests} times in a row; last failure {sync.LastFailure}");
                Take(plan.Count > 0 ? plan.Dequeue() : SnapshotFault.None);
                sync.AcknowledgeSnapshotRequest();
            }
        }

        private void Take(SnapshotFault kind)
        {
            BookCopy source = _copy;
            if (kind == SnapshotFault.TooOld)
                source = _old ?? throw new InvalidOperationException("no old reference book kept for a too-old snapshot");
            else
                o.Reference.Book.CopyTo(_copy);
            _pendingId = source.UpdateId;
            _pendingBids = kind == SnapshotFault.Crossed
                ? [new Level(source.Asks[0].Tick + 10, 100_000), .. source.Bids] // a bid 10 ticks through the best ask
                : source.Bids.ToArray();
            _pendingAsks = source.Asks.ToArray();
            _pendingKind = kind;
            _pending = true;
            _linesLeft = fetch.LatencyLines;
        }

        private void Deliver(BookSync sync, long receiveNs)
        {
            _pending = false;
            long applied = sync.Counters.DiffsApplied;
            // depthLimit 0: no side is claimed complete, as for a REST snapshot whose depth is unknown.
            var snapshot = new BookSnapshot(sync.InstrumentId, _pendingId, 0, receiveNs, _pendingBids, _pendingAsks, depthLimit: 0);
            sync.OnSnapshot(snapshot);
            o.SplicedDiffs += sync.Counters.DiffsApplied - applied;
            if (_pendingKind == SnapshotFault.None)
                o.GoodSnapshotsServed++;
            else
                o.BadSnapshotsServed++;
        }
    }

    // ---------------------------------------------------------------- faults

    private static FaultyStream Inject(Recording r, Fault fault)
    {
        var s = new FaultyStream();
        int at = r.DiffLines[fault.Diff];
        byte[] line = r.Lines[at];
        switch (fault.Kind)
        {
            case FaultKind.DroppedDiff:
                s.Replacements[at] = [];
                break;
            case FaultKind.DuplicatedDiff:
                s.Replacements[at] = [line, line];
                break;
            case FaultKind.ReplayedDiff:
            {
                int later = r.DiffLines[fault.Diff + fault.Delay];
                s.Replacements[later] = [r.Lines[later], line];
                break;
            }
            case FaultKind.SwappedDiffs:
            {
                int next = r.DiffLines[fault.Diff + 1];
                s.Replacements[at] = [r.Lines[next]];
                s.Replacements[next] = [line];
                break;
            }
            case FaultKind.TruncatedDiff:
                s.Replacements[at] = [line[..(line.Length / 2)]];
                break;
            case FaultKind.GarbageLine:
                s.Replacements[at] = [[.. ReceivePrefix(line), .. Garbage(fault.Seed)]];
                break;
            case FaultKind.GarbagePayload:
                s.Replacements[at] = [[.. ReceivePrefix(line), .. """{"stream":"btcusdt@depth@100ms","data":"""u8, .. Garbage(fault.Seed), (byte)'}']];
                break;
            case FaultKind.UnknownField:
                s.Replacements[at] = [WithUnknownField(line)];
                break;
            case FaultKind.SnapshotTooOld:
                s.Replacements[at] = [];
                s.KeepReferenceBeforeLine = at; // the book before the lost diff: older than anything buffered after the gap
                s.SnapshotPlan.Enqueue(SnapshotFault.TooOld);
                break;
            case FaultKind.CrossedSnapshot:
                s.Replacements[at] = [];
                s.SnapshotPlan.Enqueue(SnapshotFault.Crossed);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault.Kind, null);
        }
        return s;
    }

    private static Expectation ExpectationFor(Fault fault) => fault.Kind switch
    {
        FaultKind.DroppedDiff => new(StaleReason.Gap),
        FaultKind.DuplicatedDiff => new(StaleReason.None, Duplicates: 1),
        // Shortly after, the diff is still among the recently applied ones (BookSync remembers the
        // last 64); long after, it cannot be told from disorder. In between is left unspecified.
        FaultKind.ReplayedDiff when fault.Delay <= 32 => new(StaleReason.None, Duplicates: 1),
        FaultKind.ReplayedDiff when fault.Delay >= 128 => new(StaleReason.OutOfOrder),
        // The later diff arrives first and does not chain (U > id + 1): a Gap. The earlier one then
        // arrives while Stale and is only buffered, so OutOfOrder is never reached on spot.
        FaultKind.SwappedDiffs => new(StaleReason.Gap),
        FaultKind.TruncatedDiff => new(StaleReason.Malformed, ParserTruncated: 1),
        FaultKind.GarbagePayload => new(StaleReason.Malformed, ParserMalformed: 1),
        FaultKind.GarbageLine => new(StaleReason.Gap, ParserMalformed: 1, Unrouted: 1),
        FaultKind.UnknownField => new(StaleReason.None, UnknownFields: 1),
        FaultKind.SnapshotTooOld => new(StaleReason.Gap, Rejected: StaleReason.SnapshotTooOld),
        FaultKind.CrossedSnapshot => new(StaleReason.Gap, Rejected: StaleReason.Crossed),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault.Kind, null),
    };

    /// <summary>"&lt;recv_ns&gt; " of a recorded line.</summary>
    private static ReadOnlySpan<byte> ReceivePrefix(byte[] line) => line.AsSpan(0, line.AsSpan().IndexOf((byte)' ') + 1);

    private static long ReceiveNs(byte[] line)
    {
        Assert.True(Utf8Parser.TryParse(line, out long ns, out _));
        return ns;
    }

    /// <summary>Seeded bytes that cannot start a JSON value (0xFE first) and hold no newline, as a corrupt recorder line would.</summary>
    private static byte[] Garbage(int seed)
    {
        var rng = new Random(seed);
        byte[] bytes = new byte[rng.Next(16, 400)];
        rng.NextBytes(bytes);
        bytes[0] = 0xFE;
        for (int i = 0; i < bytes.Length; i++)
            if (bytes[i] == (byte)'\n' || bytes[i] == (byte)'\r')
                bytes[i] = (byte)'?';
        return bytes;
    }

    /// <summary>The line with a nested unknown field (braces inside a string, arrays, null) first in <c>data</c>.</summary>
    private static byte[] WithUnknownField(byte[] line)
    {
        ReadOnlySpan<byte> anchor = "\"data\":{"u8;
        int at = line.AsSpan().IndexOf(anchor);
        Assert.True(at > 0, "depth line without a data object");
        at += anchor.Length;
        return [.. line.AsSpan(0, at), .. "\"newField\":{\"x\":[1,2.5,{\"y\":null}],\"z\":\"}]\\\"{\"},"u8, .. line.AsSpan(at)];
    }

    private static (long First, long Final) UpdateIds(byte[] line)
    {
        using var doc = JsonDocument.Parse(line.AsMemory(ReceivePrefix(line).Length));
        JsonElement data = doc.RootElement.GetProperty("data");
        return (data.GetProperty("U").GetInt64(), data.GetProperty("u").GetInt64());
    }

    // ---------------------------------------------------------------- assertions

    private static void AssertDetectedAndRecovered(Outcome o)
    {
        Expectation e = ExpectationFor(o.Fault);
        bool goesStale = e.Stale != StaleReason.None;

        // The reference is clean: one Syncing → Live, never Stale.
        SyncCounters rc = o.Reference.Sync.Counters;
        Assert.Equal(SyncState.Live, o.Reference.Sync.State);
        Assert.Equal(0, rc.StaleCount);
        Assert.Equal([(SyncState.Syncing, SyncState.Live, StaleReason.None)], Edges(o.Reference));
        Assert.Equal(0, rc.Gaps + rc.OutOfOrder + rc.Duplicates + rc.Malformed + rc.Crossed + rc.SnapshotsTooOld);

        // Detected by the right transition, with the right reason, in the right order.
        List<(SyncState, SyncState, StaleReason)> expected = [(SyncState.Syncing, SyncState.Live, StaleReason.None)];
        if (goesStale && o.Fetch.StartWhenStale)
        {
            // The snapshot came back before any new diff: Stale → Live, the first diff after it must chain.
            Assert.Equal(StaleReason.None, e.Rejected);
            expected.Add((SyncState.Live, SyncState.Stale, e.Stale));
            expected.Add((SyncState.Stale, SyncState.Live, StaleReason.None));
        }
        else if (goesStale)
        {
            expected.Add((SyncState.Live, SyncState.Stale, e.Stale));
            expected.Add((SyncState.Stale, SyncState.Resyncing, StaleReason.None));
            if (e.Rejected != StaleReason.None)
                expected.Add((SyncState.Resyncing, SyncState.Resyncing, e.Rejected));
            expected.Add((SyncState.Resyncing, SyncState.Live, StaleReason.None));
        }
        Assert.True(expected.SequenceEqual(Edges(o.Faulty)),
            $"{o.Fault}, {o.Fetch}: transitions {string.Join("; ", o.Faulty.Transitions)}");

        // ... and by the right counters, nothing else.
        SyncCounters fc = o.Faulty.Sync.Counters;
        Assert.Equal(
            (Gaps: e.Stale == StaleReason.Gap ? 1L : 0L,
             OutOfOrder: e.Stale == StaleReason.OutOfOrder ? 1L : 0L,
             e.Duplicates,
             Malformed: e.Stale == StaleReason.Malformed ? 1L : 0L,
             Crossed: e.Rejected == StaleReason.Crossed ? 1L : 0L,
             SnapshotsTooOld: e.Rejected == StaleReason.SnapshotTooOld ? 1L : 0L,
             StaleCount: goesStale ? 1L : 0L,
             IllegalTransitions: 0L),
            (fc.Gaps, fc.OutOfOrder, fc.Duplicates, fc.Malformed, fc.Crossed, fc.SnapshotsTooOld, fc.StaleCount, fc.IllegalTransitions));
        MarketDataCounters rp = o.Reference.Parser.Counters, fp = o.Faulty.Parser.Counters;
        Assert.Equal(0, rp.Truncated + rp.Malformed + o.Reference.Router.UnroutedErrors);
        Assert.Equal(
            (e.ParserTruncated, e.ParserMalformed, e.UnknownFields, e.Unrouted),
            (fp.Truncated, fp.Malformed, fp.UnknownFields - rp.UnknownFields, o.Faulty.Router.UnroutedErrors));

        // Recovered: the snapshots served were the ones the fault called for, and the book is Live.
        Assert.Equal(goesStale ? 1 : 0, o.GoodSnapshotsServed);
        Assert.Equal(e.Rejected != StaleReason.None ? 1 : 0, o.BadSnapshotsServed);
        Assert.Equal(SyncState.Live, o.Faulty.Sync.State);
        Assert.Equal(StaleReason.None, o.Faulty.Sync.LastFailure);
        Assert.False(o.Faulty.Sync.SnapshotRequested);

        // Exactly the reference book at the end of the file.
        Assert.True(SameBook(o.Reference.Book, o.Faulty.Book, out string difference), $"{o.Fault}, {o.Fetch}: {difference}");
    }

    private static List<(SyncState From, SyncState To, StaleReason Reason)> Edges(Pipeline p) =>
        [.. p.Transitions.Select(t => (t.From, t.To, t.Reason))];

    /// <summary>Same update id and the same full list of levels on both sides; otherwise names the first difference.</summary>
    private static bool SameBook(OrderBook expected, OrderBook actual, out string difference)
    {
        BookCopy x = expected.Copy(), y = actual.Copy();
        if (x.UpdateId != y.UpdateId)
        {
            difference = $"update id {y.UpdateId}, expected {x.UpdateId}";
            return false;
        }
        return SameLevels("bid", x.Bids, y.Bids, out difference) && SameLevels("ask", x.Asks, y.Asks, out difference);
    }

    private static bool SameLevels(string side, ReadOnlySpan<Level> expected, ReadOnlySpan<Level> actual, out string difference)
    {
        int n = Math.Min(expected.Length, actual.Length);
        for (int i = 0; i < n; i++)
        {
            if (expected[i] != actual[i])
            {
                difference = $"{side} level {i} is {actual[i]}, expected {expected[i]}";
                return false;
            }
        }
        difference = expected.Length == actual.Length ? "" : $"{actual.Length} {side} levels, expected {expected.Length}";
        return difference.Length == 0;
    }
}
