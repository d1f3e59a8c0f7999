using System.Globalization;
using System.Text;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Journal;
using Fathom.Venues.Binance;
using Fathom.Venues.Okx;

namespace Fathom.Hosting;

/// <summary>
/// Warms the JIT on a throwaway core before the live one sees its first frame: the same code paths
/// (parse, sync, book, analyzer, strategy, execution, risk, journal encoding) run a few thousand times
/// on synthetic Binance frames and instant venue answers, so tiered compilation (with PGO) has
/// promoted them before real money depends on them (<see cref="RunOkx"/>: the same on OKX frames). The throwaway core shares nothing with the live
/// one: its own books, ids (in memory), clock (manual) and gateway (answers in process, sends nothing).
/// </summary>
public static class CoreWarmup
{
    public sealed record Result(int Frames, long Commands, long Fills, string? StrategyError, TimeSpan Elapsed, CoreParts Parts)
    {
        /// <summary>Diffs the throwaway books applied, and sync failures they saw (none, if the synthetic feed is sound).</summary>
        public long DiffsApplied { get; init; }
        public long Gaps { get; init; }
        public long Crossed { get; init; }
    }

    /// <summary>
    /// Builds a throwaway core from <paramref name="setup"/> (its own books, a manual clock, in-memory
    /// ids, a venue that answers in process) and drives every instrument with <paramref name="frames"/>
    /// synthetic depth updates. The strategies come from <paramref name="strategies"/> (the default catalog when null).
    /// </summary>
    public static Result Run(CoreSetup setup, int frames = 5_000, StrategyCatalog? strategies = null)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return Drive(setup, frames, strategies, new BinanceFrames(new BinanceFeedCore(setup.Specs)));
    }

    /// <summary>
    /// <see cref="Run"/> on OKX's wire format: an <see cref="OkxFeedCore"/> fed an in-stream <c>books</c> snapshot per
    /// instrument, then seqId-chained <c>books</c> updates (the same ladder moves as the Binance warm-up).
    /// </summary>
    public static Result RunOkx(CoreSetup setup, int frames = 5_000, StrategyCatalog? strategies = null)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return Drive(setup, frames, strategies, new OkxFrames(new OkxFeedCore(setup.Specs)));
    }

    /// <summary>
    /// <see cref="Run"/> for a core on several venues (<see cref="MultiVenue"/>): venue v owns the setup's instruments
    /// <paramref name="venues"/>[v], each venue gets its own throwaway feed core (OKX's wire format when its specs are
    /// <see cref="Venue.Okx"/>, Binance's otherwise) on one lock, composed as the live core is (<see cref="MultiVenueFeedCore"/>).
    /// </summary>
    public static Result RunMultiVenue(CoreSetup setup, IReadOnlyList<IReadOnlyList<int>> venues, int frames = 5_000, StrategyCatalog? strategies = null)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(venues);
        var coreLock = new Lock();
        var parts = new IWarmupFrames[venues.Count];
        for (int v = 0; v < venues.Count; v++)
        {
            InstrumentSpec[] specs = [.. venues[v].Select(g => setup.Specs[g])];
            parts[v] = specs.All(s => s.Venue == Venue.Okx)
                ? new OkxFrames(new OkxFeedCore(specs, coreLock: coreLock))
                : new BinanceFrames(new BinanceFeedCore(specs, coreLock: coreLock));
        }
        var core = new MultiVenueFeedCore(coreLock, [.. parts.Select((p, v) => (p.Core, venues[v]))]);
        return Drive(setup, frames, strategies, new MultiVenueFrames(core, parts));
    }

    /// <summary>One venue's synthetic frames: a first input that makes each book Live, then one update per frame.</summary>
    private interface IWarmupFrames
    {
        IFeedCore Core { get; }
        void Start(int k, InstrumentSpec spec, long mid, long qty, Random rng, long wallNs, long monoNs);
        void Update(int k, InstrumentSpec spec, long mid, long qty, Random rng, long wallNs, long monoNs);
    }

    private sealed class BinanceFrames(BinanceFeedCore core) : IWarmupFrames
    {
        private readonly long[] _updateIds = new long[core.Books.Count];
        public IFeedCore Core => core;

        public void Start(int k, InstrumentSpec spec, long mid, long qty, Random rng, long wallNs, long monoNs)
        {
            // The stream buffers a diff first, then the snapshot joins it (Binance's procedure).
            core.ApplyFrame(Diff(spec.Symbol, spec, 1_001, 1_001, mid, spec.TickSize.Raw, qty, rng, wallNs), monoNs, wallNs, 1);
            core.ApplySnapshot(k, 1000, Snapshot(spec, 1_000, mid, spec.TickSize.Raw, qty), monoNs, wallNs);
            _updateIds[k] = 1_001;
        }

        public void Update(int k, InstrumentSpec spec, long mid, long qty, Random rng, long wallNs, long monoNs)
        {
            byte[] frame = Diff(spec.Symbol, spec, _updateIds[k] + 1, _updateIds[k] + 3, mid, spec.TickSize.Raw, qty, rng, wallNs);
            _updateIds[k] += 3;
            core.ApplyFrame(frame, monoNs, wallNs, 1);
        }
    }

    private sealed class OkxFrames(OkxFeedCore core) : IWarmupFrames
    {
        private readonly long[] _seqIds = new long[core.Books.Count];
        public IFeedCore Core => core;

        public void Start(int k, InstrumentSpec spec, long mid, long qty, Random rng, long wallNs, long monoNs)
        {
            _seqIds[k] = 1_000;
            core.ApplyFrame(OkxBooksFrame(spec, "snapshot", -1, 1_000, mid, qty, wallNs, snapshot: true), monoNs, wallNs, 1);
        }

        public void Update(int k, InstrumentSpec spec, long mid, long qty, Random rng, long wallNs, long monoNs)
        {
            long prev = _seqIds[k];
            _seqIds[k] += 3;
            core.ApplyFrame(OkxBooksFrame(spec, "update", prev, _seqIds[k], mid, qty, wallNs, snapshot: false), monoNs, wallNs, 1);
        }
    }

    /// <summary>Instrument k's frames in its own venue's format, at its local id there.</summary>
    private sealed class MultiVenueFrames(MultiVenueFeedCore core, IWarmupFrames[] venues) : IWarmupFrames
    {
        public IFeedCore Core => core;

        public void Start(int k, InstrumentSpec spec, long mid, long qty, Random rng, long wallNs, long monoNs) =>
            venues[core.VenueOf(k)].Start(core.LocalOf(k), spec, mid, qty, rng, wallNs, monoNs);

        public void Update(int k, InstrumentSpec spec, long mid, long qty, Random rng, long wallNs, long monoNs) =>
            venues[core.VenueOf(k)].Update(core.LocalOf(k), spec, mid, qty, rng, wallNs, monoNs);
    }

    private static Result Drive(CoreSetup setup, int frames, StrategyCatalog? strategies, IWarmupFrames feed)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var time = new ManualTimeProvider();
        var clock = new MonotonicClock(time);
        IFeedCore core = feed.Core;
        CoreParts parts = CoreComposition.Build(core, setup, clock, new InMemorySequenceReservation(), catalog: strategies);
        TradingEngine engine = parts.Engine;
        var venue = new InstantVenue(engine);
        engine.AttachGateway(venue);
        engine.Start();

        int n = setup.Specs.Count;
        var mids = new long[n];
        var qtys = new long[n];
        var rng = new Random(12345);
        long wallNs = 1_700_000_000_000_000_000;
        for (int k = 0; k < n; k++)
        {
            // Prices on the grid around a level the instrument's filters accept.
            InstrumentSpec spec = setup.Specs[k];
            long tick = spec.TickSize.Raw;
            long anchor = 1_000_000;
            if (spec.MinPrice.Raw > 0)
                anchor = Math.Max(anchor, spec.MinPrice.Raw / tick * 2);
            if (spec.MaxPrice.Raw > 0)
                anchor = Math.Min(anchor, spec.MaxPrice.Raw / tick / 2);
            mids[k] = anchor;
            qtys[k] = Math.Max(spec.StepSize.Raw, spec.MinQty.Raw) * 1000;
            lock (core.CoreLock)
                feed.Start(k, spec, mids[k], qtys[k], rng, wallNs, clock.NowNanos());
        }
        for (int i = 0; i < frames; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            wallNs += 10_000_000;
            for (int k = 0; k < n; k++)
            {
                // The touch trends one tick every other frame, turning every 100 frames: every move is a requote to warm.
                if (i % 2 == 0)
                    mids[k] += (i / 100) % 2 == 0 ? 1 : -1;
                lock (core.CoreLock)
                    feed.Update(k, setup.Specs[k], mids[k], qtys[k], rng, wallNs, clock.NowNanos());
            }
            if (i % 2 == 0)
                engine.OnTimer();
            if (i % 5 == 0)
                venue.FillOneRestingOrder();
        }
        engine.Stop();
        long diffs = 0, gaps = 0, crossed = 0;
        foreach (var book in core.Books)
        {
            diffs += book.Counters.DiffsApplied;
            gaps += book.Counters.Gaps;
            crossed += book.Counters.Crossed + book.Counters.Malformed + book.Counters.OffTick;
        }
        return new Result(frames, venue.Commands, venue.Fills, engine.StrategyError, started.Elapsed, parts)
        {
            DiffsApplied = diffs, Gaps = gaps, Crossed = crossed,
        };
    }

    /// <summary>
    /// An OKX <c>books</c> message: for an update, the same ten-levels-a-side refresh around the touch as
    /// <see cref="Diff"/>; for a snapshot, fifty levels a side. No checksum (0: OKX's retired value), so none is checked.
    /// </summary>
    internal static byte[] OkxBooksFrame(InstrumentSpec spec, string action, long prevSeqId, long seqId, long mid, long qty, long wallNs, bool snapshot)
    {
        var sb = new StringBuilder(2048);
        sb.Append(CultureInfo.InvariantCulture, $"{{\"arg\":{{\"channel\":\"books\",\"instId\":\"{spec.Symbol}\"}},\"action\":\"{action}\",\"data\":[{{\"asks\":[");
        int depth = snapshot ? 50 : 10;
        string size = Qx(spec, qty * 5);
        if (!snapshot)
            sb.Append(CultureInfo.InvariantCulture, $"[\"{Px(spec, mid)}\",\"0\",\"0\",\"0\"],[\"{Px(spec, mid - 1)}\",\"0\",\"0\",\"0\"],");
        for (int k = 1; k <= depth; k++)
            sb.Append(k > 1 ? "," : "").Append(CultureInfo.InvariantCulture, $"[\"{Px(spec, mid + k)}\",\"{size}\",\"0\",\"1\"]");
        sb.Append("],\"bids\":[");
        if (!snapshot)
            sb.Append(CultureInfo.InvariantCulture, $"[\"{Px(spec, mid)}\",\"0\",\"0\",\"0\"],[\"{Px(spec, mid + 1)}\",\"0\",\"0\",\"0\"],");
        for (int k = 1; k <= depth; k++)
            sb.Append(k > 1 ? "," : "").Append(CultureInfo.InvariantCulture, $"[\"{Px(spec, mid - k)}\",\"{size}\",\"0\",\"1\"]");
        sb.Append(CultureInfo.InvariantCulture, $"],\"ts\":\"{wallNs / 1_000_000}\",\"checksum\":0,\"prevSeqId\":{prevSeqId},\"seqId\":{seqId}}}]}}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string Px(InstrumentSpec spec, long ticks) => FixedPoint.ToString(ticks * spec.TickSize.Raw, spec.PriceDecimals);
    private static string Qx(InstrumentSpec spec, long raw) => FixedPoint.ToString(raw, spec.QtyDecimals);

    internal static byte[] Diff(string symbol, InstrumentSpec spec, long first, long last, long mid, long tick, long qty, Random rng, long wallNs)
    {
        // Ten levels a side refreshed around the touch with sizes like the snapshot's (so depth neither
        // withdraws nor piles up and the analyzer lets the strategy quote), and nothing resting through mid
        // (the touch moves one tick at most per frame), so the book stays two-sided and uncrossed.
        var sb = new StringBuilder(1024);
        long eventMs = wallNs / 1_000_000;
        sb.Append(CultureInfo.InvariantCulture, $"{{\"stream\":\"{symbol.ToLowerInvariant()}@depth@100ms\",\"data\":{{\"e\":\"depthUpdate\",\"E\":{eventMs},\"s\":\"{symbol}\",\"U\":{first},\"u\":{last},\"b\":[");
        sb.Append(CultureInfo.InvariantCulture, $"[\"{Px(spec, mid)}\",\"0\"],[\"{Px(spec, mid + 1)}\",\"0\"]");
        for (int k = 1; k <= 10; k++)
            sb.Append(CultureInfo.InvariantCulture, $",[\"{Px(spec, mid - k)}\",\"{Qx(spec, qty * 5)}\"]");
        sb.Append(CultureInfo.InvariantCulture, $"],\"a\":[[\"{Px(spec, mid)}\",\"0\"],[\"{Px(spec, mid - 1)}\",\"0\"]");
        for (int k = 1; k <= 10; k++)
            sb.Append(CultureInfo.InvariantCulture, $",[\"{Px(spec, mid + k)}\",\"{Qx(spec, qty * 5)}\"]");
        sb.Append("]}}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    internal static byte[] Snapshot(InstrumentSpec spec, long lastUpdateId, long mid, long tick, long qty)
    {
        var sb = new StringBuilder(4096);
        sb.Append(CultureInfo.InvariantCulture, $"{{\"lastUpdateId\":{lastUpdateId},\"bids\":[");
        for (int k = 1; k <= 50; k++)
            sb.Append(k > 1 ? "," : "").Append(CultureInfo.InvariantCulture, $"[\"{Px(spec, mid - k)}\",\"{Qx(spec, qty * 5)}\"]");
        sb.Append("],\"asks\":[");
        for (int k = 1; k <= 50; k++)
            sb.Append(k > 1 ? "," : "").Append(CultureInfo.InvariantCulture, $"[\"{Px(spec, mid + k)}\",\"{Qx(spec, qty * 5)}\"]");
        sb.Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
