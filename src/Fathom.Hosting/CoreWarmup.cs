using System.Globalization;
using System.Text;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Venues.Binance;

namespace Fathom.Hosting;

/// <summary>
/// Warms the JIT on a throwaway core before the live one sees its first frame: the same code paths
/// (parse, sync, book, analyzer, strategy, execution, risk, journal encoding) run a few thousand times
/// on synthetic Binance frames and instant venue answers, so tiered compilation (with PGO) has
/// promoted them before real money depends on them. The throwaway core shares nothing with the live
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
        var started = System.Diagnostics.Stopwatch.StartNew();
        var time = new ManualTimeProvider();
        var clock = new MonotonicClock(time);
        var core = new BinanceFeedCore(setup.Specs);
        CoreParts parts = CoreComposition.Build(core, setup, clock, new InMemorySequenceReservation(), catalog: strategies);
        TradingEngine engine = parts.Engine;
        var venue = new InstantVenue(engine);
        engine.AttachGateway(venue);
        engine.Start();

        int n = setup.Specs.Count;
        var mids = new long[n];
        var qtys = new long[n];
        var updateIds = new long[n];
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
            updateIds[k] = 1_000;
            lock (core.CoreLock)
            {
                // The stream buffers a diff first, then the snapshot joins it (Binance's procedure).
                core.ApplyFrame(Diff(spec.Symbol, spec, 1_001, 1_001, mids[k], tick, qtys[k], rng, wallNs), clock.NowNanos(), wallNs, 1);
                core.ApplySnapshot(k, 1000, Snapshot(spec, 1_000, mids[k], tick, qtys[k]), clock.NowNanos(), wallNs);
            }
            updateIds[k]++;
        }
        for (int i = 0; i < frames; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            wallNs += 10_000_000;
            for (int k = 0; k < n; k++)
            {
                InstrumentSpec spec = setup.Specs[k];
                // The touch trends one tick every other frame, turning every 100 frames: every move is a requote to warm.
                if (i % 2 == 0)
                    mids[k] += (i / 100) % 2 == 0 ? 1 : -1;
                byte[] frame = Diff(spec.Symbol, spec, updateIds[k] + 1, updateIds[k] + 3, mids[k], spec.TickSize.Raw, qtys[k], rng, wallNs);
                updateIds[k] += 3;
                lock (core.CoreLock)
                    core.ApplyFrame(frame, clock.NowNanos(), wallNs, 1);
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
