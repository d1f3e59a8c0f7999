using HdrHistogram;
using System.Diagnostics;
using System.IO.Compression;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Strategies;
using Fathom.Testing;
using Fathom.Venues.Binance;

namespace Fathom.LatencyHarness;

/// <summary>
/// Tick-to-order of the whole in-process core on real recorded data: the core is the production one,
/// built by <see cref="CoreComposition.Build"/> on a Binance feed core (parser, sync, analyzer, market maker,
/// execution, risk, engine), and the recorded BTCUSDT frames are fed at their recorded inter-arrival times
/// (scaled by --speed) through the feed core's own entry points into an in-process venue
/// (<see cref="InstantVenue"/>) that answers after each frame. Because the send schedule is fixed by the
/// recording, a slow frame delays the next ones and that shows up in the figures (no coordinated
/// omission). A warm-up pass runs on a throwaway core. Headless: prints HdrHistogram percentiles, GC
/// counts and bytes allocated during the measured run: in the process, on the core's thread, and inside the frames
/// (the core's thread around each frame's feed, the venue's answers included).
/// <para>In the same run it measures a <b>floor</b>: the same frames, on the same schedule, through parse + sync +
/// book only (a bare <see cref="BinanceFeedCore"/>: no analyzer, strategy, execution, risk or encoding), and
/// reports tick-to-order as a ratio to the floor on the frames that produced a command, so a noisy machine
/// (which slows both) cannot hide a regression in the engine's part. The last line, <c>RESULT k=v ...</c>, is
/// for <c>fathom bench</c>.</para>
/// <para>Arguments: <c>[speed] [max frames]</c> (defaults ×1, every frame of the two recorded days). Environment:
/// <c>FATHOM_HARNESS_SPLIT=1</c> splits command frames into applying the frame and the engine's part (one clock read
/// more inside the window); <c>FATHOM_HARNESS_REHEARSE=0</c> turns the core's decision rehearsal off.</para>
/// </summary>
public static class Program
{
    /// <summary>
    /// The send side as the harness measures it, as the Binance gateway's inline send does it: each command is
    /// encoded into its WS API frame (an Ed25519 session, so requests carry no per-request signature), then stamped
    /// "handed to the socket" (returned to the engine as the command's tick-to-order stamp, as the gateway's inline send
    /// returns its stamp from before the write); the tick-to-wire sample taken there is kept until the engine has handed
    /// over the input's last command, then recorded (as the gateway does, so a histogram record does not delay the next
    /// command); the command goes on to the in-process venue, where the socket write would be. <see cref="Rehearse"/>
    /// encodes into the same frame buffer without sending, as the gateway's rehearsal does.
    /// </summary>
    private sealed class WireEncoding(IOrderEntry venue, MonotonicClock clock, HdrHistogram.LongHistogram tickToWire) : IOrderEntry, IDisposable
    {
        private readonly BinanceOrderEncoder _encoder = new([new BinanceOrderInstrument(0, "BTCUSDT", "BTC", "USDT")], new ClientOrderIdFormat("fx"),
            new BinanceCredentials("harness-api-key", "harness-secret"), 5000);
        private readonly byte[] _frame = new byte[BinanceOrderEncoder.MaxFrameLength];
        private readonly long[] _samples = new long[32];
        private int _sampleCount;
        private long _requestIds;

        /// <summary>The last frame-caused command's "handed to the socket" stamp (the engine's tick-to-order end).</summary>
        public long LastHandedNs { get; private set; }
        public bool IsReady => venue.IsReady;
        public Task StartAsync(CancellationToken cancel) => venue.StartAsync(cancel);
        public void Send(in OrderCommand command) => Send(command, 0);

        public long Send(in OrderCommand command, long triggerStampNs)
        {
            _encoder.TryEncodeWs(command, ++_requestIds, 1_723_161_600_000, sessionLoggedOn: true, _frame, out _);
            long handedNs = 0;
            if (triggerStampNs > 0)
            {
                // The frame is ready for the socket: the gateway's "handed to the socket" stamp, which the engine takes
                // as tick-to-order (the in-process venue below stands where the socket write would be).
                handedNs = clock.NowNanos();
                LastHandedNs = handedNs;
                if (_sampleCount == _samples.Length)
                    CommandsHandedOver();
                _samples[_sampleCount++] = Math.Max(1, handedNs - triggerStampNs);
            }
            venue.Send(command, triggerStampNs);
            return handedNs;
        }

        public void CommandsHandedOver()
        {
            for (int i = 0; i < _sampleCount; i++)
                tickToWire.RecordValue(_samples[i]);
            _sampleCount = 0;
        }

        public void Rehearse(in OrderCommand command) =>
            _encoder.TryEncodeWs(command, _requestIds + 1, 1_723_161_600_000, sessionLoggedOn: true, _frame, out _);

        public void CancelAll(int instrumentId, ClientOrderId cancelId) => venue.CancelAll(instrumentId, cancelId);
        public void Dispose() => _encoder.Dispose();
    }

    private sealed class Core
    {
        public required BinanceFeedCore Feed;
        public required TradingEngine Engine;
        public required InstantVenue Venue;
        public required WireEncoding Wire;
    }

    private static Core BuildCore(MonotonicClock clock, double speed)
    {
        InstrumentSpec spec = Specs.BtcUsdt;
        long money = FixedPoint.Pow10(8);
        var limits = new RiskLimits
        {
            Instruments = [new InstrumentRiskLimits { MaxPosition = new Qty(2_000_000), MaxOrderQty = new Qty(500_000), MaxOrderNotional = 100_000 * money }],
            MaxTotalNotional = 1_000_000 * money, MarkoutLossLimit = 1_000_000 * money, MaxDailyLoss = 1_000_000 * money, PriceBandBps = 500,
            MaxNewOrdersPerSecond = 100_000,
            // The venue's 10-second order budget is 10 s of *recorded* time: at ×speed it passes in 10/speed s of wall time.
            OrderBudgetWindowNs = (long)(10_000_000_000 / speed),
        };
        var maker = new StrategySetup(StrategyCatalog.MarketMaker, [0], new Dictionary<string, string?>
        {
            ["halfSpreadTicks"] = "1", ["quoteQty"] = "0.001", ["maxPosition"] = "0.02", ["followTicker"] = "true",
        });
        var setup = new CoreSetup([spec], limits, [maker], new ExecutionOptions(), 1, 1);
        var feed = new BinanceFeedCore(setup.Specs);
        CoreParts parts = CoreComposition.Build(feed, setup, clock, new InMemorySequenceReservation());
        TradingEngine engine = parts.Engine;
        // The split of command-producing frames (FATHOM_HARNESS_SPLIT=1): the feed core calls the engine right after
        // applying a frame; a stamp taken between the two separates applying the frame from the engine's part. Off by
        // default: that clock read and the wrapper's call sit inside the tick-to-order window, which production's has not.
        if (s_split)
        {
            Action<long> runEngine = feed.AfterApply!;
            feed.AfterApply = readStamp =>
            {
                s_appliedNs = clock.NowNanos();
                runEngine(readStamp);
            };
        }
        // Answers (acks, cancels confirmed) come after the frame's work, stamped with the venue's time.
        var venue = new InstantVenue(engine, answerAtOnce: false) { Now = clock.NowNanos };
        var wire = new WireEncoding(venue, clock, engine.Latency.TickToWire);
        engine.AttachGateway(wire);
        // The composition turns the rehearsal of the decision path on for a live core; FATHOM_HARNESS_REHEARSE=0 turns it
        // off, to measure what it buys on this machine.
        if (Environment.GetEnvironmentVariable("FATHOM_HARNESS_REHEARSE") == "0")
            engine.RehearsesDecisions = false;
        engine.Start();
        return new Core { Feed = feed, Engine = engine, Venue = venue, Wire = wire };
    }

    private static List<(long RecvNs, byte[] Line)> Load(string path)
    {
        var lines = new List<(long, byte[])>();
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new LineReader(gz);
        while (reader.TryReadLine(out var line))
        {
            int space = line.IndexOf((byte)' ');
            lines.Add((DecimalParser.Parse(line[..space], 0), line.ToArray()));
        }
        return lines;
    }

    // Split of the command-producing frames: applying the frame (parse, sync, book, analyzer) vs the
    // engine's part (strategy, execution, risk, encoding), to show where tick-to-order goes.
    private static readonly HdrHistogram.LongHistogram s_applyPart = Mapped();
    private static readonly HdrHistogram.LongHistogram s_enginePart = Mapped();

    /// <summary>A histogram whose counts array is mapped now (clearing writes every page), so no sample page-faults.</summary>
    private static HdrHistogram.LongHistogram Mapped()
    {
        var h = new HdrHistogram.LongHistogram(60_000_000_000, 3);
        h.Reset();
        return h;
    }

    private static long s_appliedNs;

    // Tick-to-order by the frame that caused it: a ticker (the top moved) or a depth diff (the book and the analyzer's
    // signals moved; the diff's levels are applied and analyzed before any decision), and a ticker's by how many
    // commands it sent (the engine's figure ends at the last one's hand-off).
    private static readonly HdrHistogram.LongHistogram s_tickerCaused = Mapped(), s_tickerOneCommand = Mapped(),
        s_tickerMoreCommands = Mapped(), s_depthCaused = Mapped();
    private static readonly bool s_split = Environment.GetEnvironmentVariable("FATHOM_HARNESS_SPLIT") == "1";

    /// <summary>One recorded frame through the core; returns its read stamp.</summary>
    private static long Feed(Core core, byte[] line, MonotonicClock clock)
    {
        long readStamp = clock.NowNanos();
        // A recorded line is "<receive ns> <json>": a combined-stream frame, or a REST depth snapshot.
        ReadOnlySpan<byte> span = line;
        int space = span.IndexOf((byte)' ');
        long receiveNs = DecimalParser.Parse(span[..space], 0);
        ReadOnlySpan<byte> json = span[(space + 1)..];
        lock (core.Feed.CoreLock)
        {
            long sent = core.Engine.CommandsSent;
            if (json.StartsWith("{\"lastUpdateId\""u8))
                core.Feed.ApplySnapshot(0, 1000, json, readStamp, receiveNs);
            else
                core.Feed.ApplyFrame(json, readStamp, receiveNs, 1);
            if (s_split && core.Engine.CommandsSent != sent)
            {
                s_applyPart.RecordValue(Math.Max(1, s_appliedNs - readStamp));
                s_enginePart.RecordValue(Math.Max(1, clock.NowNanos() - s_appliedNs));
            }
        }
        core.Venue.AnswerPending();
        return readStamp;
    }

    /// <summary>The floor: one frame through parse + sync + book only, timed from its read stamp to the book applied.</summary>
    private static long FeedFloor(BinanceFeedCore floor, byte[] line, MonotonicClock clock)
    {
        long readStamp = clock.NowNanos();
        ReadOnlySpan<byte> span = line;
        int space = span.IndexOf((byte)' ');
        long receiveNs = DecimalParser.Parse(span[..space], 0);
        ReadOnlySpan<byte> json = span[(space + 1)..];
        lock (floor.CoreLock)
        {
            if (json.StartsWith("{\"lastUpdateId\""u8))
                floor.ApplySnapshot(0, 1000, json, readStamp, receiveNs);
            else
                floor.ApplyFrame(json, readStamp, receiveNs, 1);
        }
        return Math.Max(1, clock.NowNanos() - readStamp);
    }

    /// <summary>
    /// Stalls the harness thread saw while it only spun between frames (no work of ours): gaps between two
    /// consecutive clock reads of at least <see cref="StallThresholdNs"/>. They are the machine's own noise
    /// (interrupts, the hypervisor taking the vCPU, other processes), and a frame that meets one carries it into
    /// its latency: with stalls of ≥ 20 µs arriving r times a second, a frame whose work takes w seconds meets one
    /// with probability ≈ r·w, so the p99.9 cannot be under 20 µs on that machine once r·w passes 0.1 %.
    /// </summary>
    private static readonly HdrHistogram.LongHistogram s_stalls = Mapped();
    private const long StallThresholdNs = 5_000;
    private static long s_spinNs;

    /// <summary>Spins until frame <paramref name="recv"/>'s recorded offset (scaled) from <paramref name="start"/>.</summary>
    private static void WaitUntilDue(MonotonicClock clock, long start, long recv, long firstRecv, double speed)
    {
        long due = start + (long)((recv - firstRecv) / speed);
        long last = clock.NowNanos(), first = last;
        while (last < due)
        {
            Thread.SpinWait(20);
            long now = clock.NowNanos();
            if (now - last >= StallThresholdNs)
                s_stalls.RecordValue(now - last);
            last = now;
        }
        s_spinNs += last - first;
    }

    public static int Main(string[] args)
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        double speed = args.Length > 0 ? double.Parse(args[0], ci) : 1.0;
        int maxFrames = args.Length > 1 ? int.Parse(args[1], ci) : 0;
        string data = FindData();
        var lines = Load(Path.Combine(data, "binance", "hftbacktest", "spot", "btcusdt_20240808.gz"));
        lines.AddRange(Load(Path.Combine(data, "binance", "hftbacktest", "spot", "btcusdt_20240809.gz")));
        if (maxFrames > 0 && lines.Count > maxFrames)
            lines.RemoveRange(maxFrames, lines.Count - maxFrames);
        var clock = MonotonicClock.System;

        // Warm-up on throwaway cores built the same way (their commands go to their own venue; nothing is measured).
        var warm = BuildCore(clock, speed);
        var warmFloor = new BinanceFeedCore([Specs.BtcUsdt]);
        foreach (var (_, line) in lines)
        {
            Feed(warm, line, clock);
            FeedFloor(warmFloor, line, clock);
        }

        var core = BuildCore(clock, speed);
        var floor = new BinanceFeedCore([Specs.BtcUsdt]);
        s_applyPart.Reset();
        s_enginePart.Reset();
        s_stalls.Reset();
        s_spinNs = 0;
        var triggers = new bool[lines.Count];
        System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        long allocatedHere = GC.GetAllocatedBytesForCurrentThread();
        long frameBytes = 0, framesAllocating = 0;
        long start = clock.NowNanos();
        long firstRecv = lines[0].RecvNs;
        for (int i = 0; i < lines.Count; i++)
        {
            // The recorded schedule: the frame is due at its recorded offset (scaled); spin until then.
            WaitUntilDue(clock, start, lines[i].RecvNs, firstRecv, speed);
            long sent = core.Engine.CommandsSent;
            // Bytes the core's thread allocated inside this frame (parse to the venue's answers), apart from the loop's own.
            long before = GC.GetAllocatedBytesForCurrentThread();
            long readStamp = Feed(core, lines[i].Line, clock);
            long inFrame = GC.GetAllocatedBytesForCurrentThread() - before;
            if (inFrame != 0)
            {
                frameBytes += inFrame;
                framesAllocating++;
            }
            triggers[i] = core.Engine.CommandsSent != sent;
            // The same tick-to-order the engine recorded (its end is the last frame-caused command's handed stamp), by cause.
            if (triggers[i] && core.Wire.LastHandedNs > readStamp)
            {
                long ns = core.Wire.LastHandedNs - readStamp;
                if (lines[i].Line.AsSpan().IndexOf("@bookTicker"u8) >= 0)
                {
                    s_tickerCaused.RecordValue(ns);
                    (core.Engine.CommandsSent - sent == 1 ? s_tickerOneCommand : s_tickerMoreCommands).RecordValue(ns);
                }
                else
                {
                    s_depthCaused.RecordValue(ns);
                }
            }
        }
        long elapsed = clock.NowNanos() - start;
        long spinNs = s_spinNs;
        long stallsAt20 = s_stalls.TotalCount - CountBelow(s_stalls, 20_000);
        long bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        // The core runs on this thread: what it allocated, apart from the runtime's own threads (tiered JIT, timers).
        long bytesHere = GC.GetAllocatedBytesForCurrentThread() - allocatedHere;
        int gcs0 = GC.CollectionCount(0) - gen0, gcs1 = GC.CollectionCount(1) - gen1, gcs2 = GC.CollectionCount(2) - gen2;

        // The floor, right after, on the same schedule: the same frames through parse + sync + book only.
        var floorAll = new HdrHistogram.LongHistogram(60_000_000_000, 3);
        var floorTriggers = new HdrHistogram.LongHistogram(60_000_000_000, 3);
        start = clock.NowNanos();
        for (int i = 0; i < lines.Count; i++)
        {
            WaitUntilDue(clock, start, lines[i].RecvNs, firstRecv, speed);
            long ns = FeedFloor(floor, lines[i].Line, clock);
            floorAll.RecordValue(ns);
            if (triggers[i])
                floorTriggers.RecordValue(ns);
        }

        var lat = core.Engine.Latency;
        Console.WriteLine($"frames {lines.Count} over {elapsed / 1e9:F1} s (speed ×{speed}); commands {core.Engine.CommandsSent}; fills {core.Engine.Fills}; " +
            $"decision rehearsals {core.Engine.Rehearsals} ({(core.Engine.RehearsesDecisions ? "on" : "off: FATHOM_HARNESS_REHEARSE=0")})");
        Console.WriteLine($"tick-to-order: {EngineLatency.Describe(lat.TickToOrder)}");
        Console.WriteLine($"  by cause: ticker frames {EngineLatency.Describe(s_tickerCaused)}; of them, one command {EngineLatency.Describe(s_tickerOneCommand)}, " +
            $"two or more {EngineLatency.Describe(s_tickerMoreCommands)}; depth frames {EngineLatency.Describe(s_depthCaused)}");
        Console.WriteLine($"tick-to-wire (frame encoded, Ed25519 session): {EngineLatency.Describe(lat.TickToWire)}");
        Console.WriteLine($"core per event: {EngineLatency.Describe(lat.CoreCost)}");
        if (s_split)
            Console.WriteLine($"  of which, on command-producing frames: applying the frame {EngineLatency.Describe(s_applyPart)}; engine (strategy → encoded frame) {EngineLatency.Describe(s_enginePart)}");
        Console.WriteLine($"floor (parse + sync + book only, same schedule), on the frames that produced a command: {EngineLatency.Describe(floorTriggers)}");
        Console.WriteLine($"floor on every frame: {EngineLatency.Describe(floorAll)}");
        double Ratio(double p) => (double)lat.TickToOrder.GetValueAtPercentile(p) / Math.Max(1, floorTriggers.GetValueAtPercentile(p));
        bool enough999 = EngineLatency.HasEnoughSamples(lat.TickToOrder.TotalCount, 99.9) && EngineLatency.HasEnoughSamples(floorTriggers.TotalCount, 99.9);
        Console.WriteLine(string.Create(ci, $"tick-to-order / floor: p50 {Ratio(50):F1}×, p99 {Ratio(99):F1}×, p99.9 {(enough999 ? Ratio(99.9).ToString("F1", ci) + "×" : "n/a")}"));
        double spinS = spinNs / 1e9;
        double rate20 = stallsAt20 / Math.Max(1e-9, spinS);
        double workP50 = lat.TickToOrder.GetValueAtPercentile(50) / 1e9;
        Console.WriteLine(string.Create(ci, $"machine stalls while spinning idle ({spinS:F1} s): {s_stalls.TotalCount} of ≥ {StallThresholdNs / 1e3:F0} µs ({s_stalls.TotalCount / Math.Max(1e-9, spinS):F0}/s), {stallsAt20} of ≥ 20 µs ({rate20:F0}/s), longest {s_stalls.GetMaxValue() / 1e3:F1} µs; a tick-to-order of the p50's length meets a ≥ 20 µs stall with probability ≈ {100 * rate20 * workP50:F3} % (p99.9 ≤ 20 µs needs it under 0.1 %)"));
        var ec = core.Engine.Execution.Counters;
        var sig = core.Engine.Context.Signals(0);
        Console.WriteLine($"quoting: places {ec.Places}, replaces {ec.CancelReplaces}, cancels {ec.Cancels}, kept {ec.QuotesKept}, risk refusals {ec.RiskRefusals}; " +
            $"risk {core.Engine.Execution.Risk.State} ({core.Engine.Execution.Risk.Reasons}); last signals: volatility {sig.Volatility:G3}/√s, " +
            $"withdrawal {sig.BidWithdrawal:F2}/{sig.AskWithdrawal:F2}; book live {core.Engine.Context.IsMarketLive(0)}");
        var rc = core.Engine.Execution.Risk.Counters;
        Console.WriteLine("risk refusals by rule: " + string.Join(", ", Enum.GetValues<RiskDecision>()
            .Where(d => d != RiskDecision.Allowed && rc.RefusedBy(d) > 0).Select(d => $"{d} {rc.RefusedBy(d)}")));
        Console.WriteLine($"allocated during the measured run: {bytes:N0} bytes in the process, {bytesHere:N0} on the core's thread, " +
            $"{frameBytes:N0} inside frames ({framesAllocating} of {lines.Count} frames allocated); GCs gen0 {gcs0}, gen1 {gcs1}, gen2 {gcs2}");
        Console.WriteLine(string.Create(ci,
            $"RESULT tick_to_order_n={lat.TickToOrder.TotalCount} tick_to_order_p50_ns={lat.TickToOrder.GetValueAtPercentile(50)} tick_to_order_p999_ns={lat.TickToOrder.GetValueAtPercentile(99.9)} " +
            $"floor_p50_ns={floorTriggers.GetValueAtPercentile(50)} floor_p999_ns={floorTriggers.GetValueAtPercentile(99.9)} ratio_p50={Ratio(50):F2} ratio_p999={Ratio(99.9):F2} " +
            $"allocated_bytes={bytes} core_thread_bytes={bytesHere} frame_bytes={frameBytes} gen0={gcs0} stalls20_per_s={rate20:F1} " +
            $"ticker_p50_ns={s_tickerCaused.GetValueAtPercentile(50)} ticker_one_p50_ns={s_tickerOneCommand.GetValueAtPercentile(50)} " +
            $"ticker_more_p50_ns={s_tickerMoreCommands.GetValueAtPercentile(50)} depth_p50_ns={s_depthCaused.GetValueAtPercentile(50)}"));
        return 0;
    }

    private static long CountBelow(HdrHistogram.LongHistogram h, long value)
    {
        long n = 0;
        foreach (var v in h.RecordedValues())
            if (v.ValueIteratedTo < value)
                n += v.CountAtValueIteratedTo;
        return n;
    }

    private static string FindData()
    {
        string? env = Environment.GetEnvironmentVariable("FATHOM_SHARED_DATA");
        if (!string.IsNullOrEmpty(env))
            return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (File.Exists(Path.Combine(candidate, "PROVENANCE.md")))
                return candidate;
        }
        throw new DirectoryNotFoundException("../shared/data not found (set FATHOM_SHARED_DATA)");
    }
}
