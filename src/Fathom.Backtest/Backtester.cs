using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Backtest;

/// <summary>
/// Runs a backtest: the production core (<see cref="CoreComposition.Build"/> on a Binance feed core: book sync,
/// signals, the strategy, execution, risk, the engine) on recorded data in virtual time, against a simulated venue.
/// </summary>
/// <remarks>
/// <para>Time: a <see cref="BacktestTimeProvider"/> (a lock-free <see cref="ManualTimeProvider"/>) is the core's clock, and virtual time is Unix nanoseconds of the
/// recording's local clock. Nothing reads the wall clock, and nothing runs on another thread, so the same config gives
/// the same result, byte for byte, as fast as one core allows.</para>
/// <para>One merged event loop on the calling thread. Each recorded message is delivered twice: to the venue at
/// exchange time (its levels and trades, <see cref="IBacktestVenue.OnLevel"/>, <see cref="IBacktestVenue.OnTrade"/>) and
/// to the feed core at the core's time (exchange time plus the feed latency; the raw frame through
/// <see cref="BinanceFeedCore.ApplyFrame"/> for JSON data, the store's records through the feed core's router), after
/// which the engine runs, as live. The engine's timer input runs every <see cref="BacktestConfig.TimerPeriodNs"/> of
/// virtual time (risk windows, kill switches, strategy timers), a new trading day starts when the virtual day turns,
/// and the venue does what is due (an order reaching the matching engine, a report reaching the core) through
/// <see cref="IBacktestVenue.AdvanceTo"/>, which is called before anything else stamped at a time. At equal times the
/// order is: the venue's own events, the start, the venue's market data, the core's market data, the engine timer,
/// the marks. Reports the venue sends reach the engine through its one door and are processed at once, each as an
/// input of its own, so the core sees them in order.</para>
/// </remarks>
public static class Backtester
{
    private const int ProgressEvery = 1 << 16;

    /// <summary>
    /// The engine's cross-thread input ring in a backtest. Everything runs on the backtest's one thread, so the
    /// ring carries nothing a live run's gateway threads would; the live default (4,096 slots of a ~0.5 KiB
    /// input, 2 MiB written at every build) cost 5–8 % of a market-maker run over the recorded days.
    /// A full ring is still correct: the producer drains it.
    /// </summary>
    internal const int InboxCapacity = 64;

    /// <summary>
    /// Runs <paramref name="config"/> to the end of its data (or <see cref="BacktestConfig.EndNs"/>) and returns what it produced.
    /// </summary>
    /// <param name="venueFactory">Builds the simulated venue for the instruments and model; it reports into the sink it is given.</param>
    /// <param name="catalog">The strategies (the built-in ones when null; a host's catalog has the user's too).</param>
    /// <param name="progress">Called every 65,536 loop steps on this thread (the caller decides what to print, and how often).</param>
    /// <exception cref="InvalidDataException">A data file is damaged or not of its kind (the message names the file and line).</exception>
    public static BacktestResult Run(BacktestConfig config,
        Func<IReadOnlyList<InstrumentSpec>, VenueModel, IReportSink, IBacktestVenue> venueFactory,
        StrategyCatalog? catalog = null, Action<BacktestProgress>? progress = null, CancellationToken cancel = default) =>
        Execute(config, venueFactory, catalog, progress, cancel).Result;

    /// <summary>As <see cref="Run"/>, with what the core and the venue counted on the way (for summaries and checks).</summary>
    public static BacktestOutcome Execute(BacktestConfig config,
        Func<IReadOnlyList<InstrumentSpec>, VenueModel, IReportSink, IBacktestVenue> venueFactory,
        StrategyCatalog? catalog = null, Action<BacktestProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(venueFactory);
        IReadOnlyList<InstrumentSpec> specs = config.Specs;

        // The core, composed as live; its clock reads Unix ns of the data once advanced (origin: 1 s after the epoch).
        var time = new BacktestTimeProvider(DateTimeOffset.UnixEpoch.AddSeconds(1));
        var clock = new MonotonicClock(time);
        var core = new BinanceFeedCore(specs);
        var recorder = new BacktestRecorder(specs);
        var riskTransitions = new List<string>();
        CoreParts parts = CoreComposition.Build(core, config.Core, clock, new InMemorySequenceReservation(),
            riskObserver: t => riskTransitions.Add(t.ToString()), orderObserver: recorder.OnTransition, catalog: catalog,
            inboxCapacity: InboxCapacity, measureLatency: false); // virtual time: a wall-clock latency means nothing here
        TradingEngine engine = parts.Engine;
        recorder.Engine = engine;
        parts.Risk.RefusalObserver = recorder.OnRefusal;
        IBacktestVenue venue = venueFactory(specs, config.Venue, recorder)
            ?? throw new InvalidOperationException("the venue factory returned null");
        engine.AttachGateway(venue);

        var venueCursors = new List<MarketCursor>();
        var coreCursors = new List<MarketCursor>();
        var marks = new List<MarkSample>();
        try
        {
            foreach (BacktestDataSource source in config.Data)
                Open(source, config, core, venue, venueCursors, coreCursors);
            MarketCursor[] venueSide = [.. venueCursors];
            MarketCursor[] coreSide = [.. coreCursors];

            long firstNs = Math.Min(MinNs(venueSide), MinNs(coreSide));
            long startNs = Math.Max(config.StartNs, firstNs == long.MaxValue ? 0 : firstNs);
            long endNs = config.EndNs;
            long now = long.MinValue;
            bool started = false;
            long nextTimer = long.MaxValue, nextMark = long.MaxValue;
            long day = -1;
            long steps = 0;
            long dayOffset = config.Core.Limits.TradingDayStartOffsetNs;
            // The core lock is held for the whole loop (one thread does everything, so per-step locks only cost),
            // and let go only around the progress callback.
            Lock coreLock = core.CoreLock;
            coreLock.Enter();
            try
            {
                while (true)
                {
                    if ((++steps & 4095) == 0)
                    {
                        cancel.ThrowIfCancellationRequested();
                        if (progress is not null && (steps & (ProgressEvery - 1)) == 0)
                        {
                            coreLock.Exit();
                            try
                            {
                                progress(new BacktestProgress(Events(venueSide), firstNs, now, recorder.Fills.Count));
                            }
                            finally
                            {
                                coreLock.Enter();
                            }
                        }
                    }
                    // Follow-ups the venue scheduled at the current time (zero latency) come before anything else at it.
                    long tVenue = venue.NextEventNs;
                    if (tVenue <= now)
                    {
                        venue.AdvanceTo(now);
                        continue;
                    }
                    MarketCursor? nextVenue = Next(venueSide);
                    MarketCursor? nextCore = Next(coreSide);
                    long tv = nextVenue?.NextNs ?? long.MaxValue;
                    long tc = nextCore?.NextNs ?? long.MaxValue;
                    long tData = Math.Min(tv, tc);
                    if (tData == long.MaxValue || tData > endNs)
                        break;
                    long tStart = started ? long.MaxValue : startNs;
                    long t = Math.Min(Math.Min(tData, tVenue), Math.Min(Math.Min(nextTimer, nextMark), tStart));
                    if (t > now)
                    {
                        // A new moment: the clock moves, then the venue does everything due up to it, before the core sees anything.
                        now = t;
                        time.AdvanceToNanos(t);
                        venue.AdvanceTo(t);
                        // What it scheduled at this moment goes first; otherwise nothing read above has moved (the venue
                        // does not touch the data cursors, the timer or the marks), so the step below is the one a
                        // fresh pass would pick, without reading everything again.
                        if (venue.NextEventNs <= now)
                            continue;
                    }
                    if (!started && tStart <= now)
                    {
                        started = true;
                        engine.Start();
                        day = TradingDay.IndexOf(time.GetUtcNow(), dayOffset);
                        engine.StartNewDay(day);
                        nextTimer = now + config.TimerPeriodNs;
                        nextMark = now;
                    }
                    else if (tv <= now)
                        nextVenue!.Dispatch();
                    else if (tc <= now)
                        nextCore!.Dispatch();
                    else if (nextTimer <= now)
                    {
                        long today = TradingDay.IndexOf(time.GetUtcNow(), dayOffset);
                        if (today != day)
                        {
                            day = today;
                            engine.StartNewDay(today);
                        }
                        engine.OnTimer();
                        nextTimer += config.TimerPeriodNs;
                    }
                    else if (nextMark <= now)
                    {
                        SampleMarks(core, now, marks);
                        nextMark += config.MarkIntervalNs;
                    }
                }
            }
            finally
            {
                coreLock.Exit();
            }

            long events = Events(venueSide);
            progress?.Invoke(new BacktestProgress(events, firstNs, now, recorder.Fills.Count));
            var info = new BacktestRunInfo(config.StrategyName, config.StrategyParameters,
                firstNs == long.MaxValue ? 0 : startNs, now == long.MinValue ? 0 : now, events,
                config.LatencyDescription, config.QueueDescription, config.MarkIntervalNs);
            var instruments = new BacktestInstrument[specs.Count];
            for (int i = 0; i < instruments.Length; i++)
                instruments[i] = new BacktestInstrument(i, specs[i].Symbol,
                    BacktestRecorder.ToDecimal(specs[i].TickSize.Raw, specs[i].PriceDecimals),
                    BacktestRecorder.ToDecimal(specs[i].StepSize.Raw, specs[i].QtyDecimals),
                    config.Venue.Fees[i].Maker, config.Venue.Fees[i].Taker);
            var result = new BacktestResult(info, instruments, [.. recorder.Fills], recorder.Orders(), marks, [.. recorder.Refusals]);
            return new BacktestOutcome(result, engine.InputsProcessed, recorder.Acks, recorder.Rejects, recorder.Cancels,
                recorder.Fills.Count, recorder.IllegalTransitions, engine.StrategyError, engine.HaltReason, riskTransitions,
                Counters(parts.Execution.Counters), DataWarnings(core));
        }
        finally
        {
            foreach (MarketCursor c in venueCursors)
                c.Dispose();
            foreach (MarketCursor c in coreCursors)
                c.Dispose();
        }
    }

    private static void Open(BacktestDataSource source, BacktestConfig config, BinanceFeedCore core, IBacktestVenue venue,
        List<MarketCursor> venueCursors, List<MarketCursor> coreCursors)
    {
        IReadOnlyList<InstrumentSpec> specs = config.Specs;
        long offset = ClockOffset.Of(source, specs);
        long[] tickRaw = [.. specs.Select(s => s.TickSize.Raw)];
        switch (source.Kind)
        {
            case BacktestDataKind.FathomStore:
                var blocks = new StoreBlockSource(source.Files, specs);
                venueCursors.Add(new StoreCursor(blocks, new MessageClock(config.FeedLatency, offset), null, venue, tickRaw));
                coreCursors.Add(new StoreCursor(blocks, new MessageClock(config.FeedLatency, offset), core, null, tickRaw));
                break;
            default:
                var symbols = new BinanceSymbolTable();
                foreach (InstrumentSpec spec in specs)
                    symbols.Add(spec);
                venueCursors.Add(new JsonVenueCursor(ClockOffset.Reader(source, specs), new MessageClock(config.FeedLatency, offset), symbols, venue, tickRaw));
                coreCursors.Add(new JsonCoreCursor(ClockOffset.Reader(source, specs), new MessageClock(config.FeedLatency, offset), core));
                break;
        }
    }

    /// <summary>Instruments no depth diff reached: a snapshot alone (hftbacktest's carry no symbol) makes a book that never moves.</summary>
    private static List<string> DataWarnings(BinanceFeedCore core)
    {
        var warnings = new List<string>();
        long otherSymbols = core.ParserCounters.UnknownSymbols;
        for (int i = 0; i < core.Books.Count; i++)
        {
            if (core.Books[i].Counters.DiffsApplied > 0)
                continue;
            warnings.Add($"{core.Symbols[i].Spec.Symbol}: no depth diff of it reached the core, so its results are on a book that never moved" +
                (otherSymbols > 0 ? $" ({otherSymbols} message(s) named a symbol not configured: is the data of this symbol?)" : " (does the data cover the window?)"));
        }
        return warnings;
    }

    // Under the core lock (the loop holds it).
    private static void SampleMarks(BinanceFeedCore core, long now, List<MarkSample> marks)
    {
        for (int i = 0; i < core.Books.Count; i++)
        {
            BookSync sync = core.Books[i];
            EffectiveTop top = sync.Top;
            if (!sync.IsLive || !top.IsTwoSided)
                continue;
            long sum = sync.Book.PriceOf(top.BidTick).Raw + sync.Book.PriceOf(top.AskTick).Raw;
            marks.Add(new MarkSample(now, i, BacktestRecorder.ToDecimal(sum, core.Symbols[i].Spec.PriceDecimals) / 2));
        }
    }

    private static string Counters(ExecutionCounters counters) =>
        string.Join("\n", typeof(ExecutionCounters).GetFields().Select(f => $"{f.Name} {f.GetValue(counters)}"));

    private static MarketCursor? Next(MarketCursor[] cursors)
    {
        MarketCursor? best = null;
        foreach (MarketCursor c in cursors)
            if (best is null || c.NextNs < best.NextNs)
                best = c;
        return best;
    }

    private static long MinNs(MarketCursor[] cursors)
    {
        long min = long.MaxValue;
        foreach (MarketCursor c in cursors)
            min = Math.Min(min, c.NextNs);
        return min;
    }

    private static long Events(MarketCursor[] cursors)
    {
        long n = 0;
        foreach (MarketCursor c in cursors)
            n += c.Events;
        return n;
    }
}
