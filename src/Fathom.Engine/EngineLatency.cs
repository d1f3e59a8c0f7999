using HdrHistogram;

namespace Fathom.Engine;

/// <summary>
/// Latency histograms (HdrHistogram, nanoseconds, 3 significant digits): tick-to-order (the frame's
/// socket-read stamp to the order frame handed to the gateway, over events that produced a command),
/// per-event core cost (every market-data event), tick-to-wire, command-to-ack and tick-to-ack (the venue's
/// answer as read off its socket) and decision-to-answer (as the core saw it). Pre-allocated; each has one
/// writer (named on it); read under the engine's lock. A percentile is shown only over enough samples
/// (<see cref="HasEnoughSamples"/>): p99.9 of five samples is the maximum under another name.
/// </summary>
public sealed class EngineLatency
{
    private const long Highest = 60_000_000_000; // one minute in ns

    /// <summary>Histograms over one minute at 3 significant digits, mapped now (live: ~1.5 MiB).</summary>
    public EngineLatency() : this(measured: true)
    {
    }

    /// <param name="measured">
    /// False for a core on a virtual clock (a backtest), whose "latencies" would all be the zero-length time an input
    /// takes in virtual time: the engine records nothing, and the histograms are token-sized (clamped to their
    /// range by any writer) instead of seven mapped ~220 KiB arrays written through on every run.
    /// </param>
    public EngineLatency(bool measured)
    {
        Measured = measured;
        TickToOrder = Histogram(measured);
        CoreCost = Histogram(measured);
        CommandToAck = Histogram(measured);
        TickToAck = Histogram(measured);
        DecisionToAnswer = Histogram(measured);
        TickToWire = Histogram(measured);
        TickToWireQueued = Histogram(measured);
    }

    /// <summary>Whether the engine records its latencies here (false on a virtual clock).</summary>
    public bool Measured { get; }

    private static LongHistogram Histogram(bool measured) => measured ? Mapped() : new LongHistogram(2, 1);

    public LongHistogram TickToOrder { get; }
    public LongHistogram CoreCost { get; }
    /// <summary>
    /// Command-to-ack: the order frame handed to the venue's socket → the venue's answer to it read off the socket
    /// (ack, reject, cancel confirmed). Written by the gateway's receive loop.
    /// </summary>
    public LongHistogram CommandToAck { get; }

    /// <summary>
    /// Tick-to-ack: the triggering market-data frame's socket-read stamp → the venue's answer read, for commands
    /// a frame triggered. Written by the gateway's receive loop.
    /// </summary>
    public LongHistogram TickToAck { get; }

    /// <summary>
    /// Decision-to-answer: the command decided on the core → the venue's answer applied by the core (what risk's
    /// ack-latency kill switch sees; includes the hand-over into the core). Written by the core.
    /// </summary>
    public LongHistogram DecisionToAnswer { get; }
    /// <summary>
    /// Tick-to-wire: the triggering frame's socket-read stamp to the order frame written to the venue's
    /// socket (encoding and signing included), for frames the gateway wrote inline on the core thread.
    /// </summary>
    public LongHistogram TickToWire { get; }

    /// <summary>
    /// The same for frames that queued behind another and were written by the gateway's send thread (its
    /// only writer; read here without synchronisation, which can show a count a sample behind).
    /// </summary>
    public LongHistogram TickToWireQueued { get; }

    /// <summary>
    /// A histogram whose counts are mapped now: its ~220 KiB array is fresh memory, and the first sample in each
    /// of its 54 pages would otherwise page-fault on the core thread (1–40 µs in a VM) the first time a latency
    /// lands in a new range. Clearing the counts writes every page.
    /// </summary>
    private static LongHistogram Mapped()
    {
        var h = new LongHistogram(Highest, 3);
        h.Reset();
        return h;
    }

    internal static void Record(LongHistogram h, long nanos) => h.RecordValue(Math.Clamp(nanos, 0, Highest));

    /// <summary>
    /// Samples a percentile needs before it means anything: at least 10, and at least 1/(1 − p) so that the
    /// tail holds one sample (p50: 10, p99: 100, p99.9: 1,000).
    /// </summary>
    public static long MinSamples(double percentile) =>
        Math.Max(10, (long)Math.Ceiling(1 / (1 - percentile / 100) - 1e-9));

    /// <summary>Whether <paramref name="count"/> samples are enough to show <paramref name="percentile"/>.</summary>
    public static bool HasEnoughSamples(long count, double percentile) => count >= MinSamples(percentile);

    /// <summary>
    /// "p50 / p99 / p99.9 / max" in microseconds, for summaries; a percentile without enough samples reads
    /// "n/a" and the count is always given.
    /// </summary>
    public static string Describe(HistogramBase h)
    {
        ArgumentNullException.ThrowIfNull(h);
        long n = h.TotalCount;
        if (n == 0)
            return "no samples";
        return $"p50 {Percentile(h, 50)}, p99 {Percentile(h, 99)}, p99.9 {Percentile(h, 99.9)}, max {h.GetMaxValue() / 1e3:F1} µs (n={n})";
    }

    private static string Percentile(HistogramBase h, double p) => HasEnoughSamples(h.TotalCount, p)
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{h.GetValueAtPercentile(p) / 1e3:F1} µs")
        : "n/a";

    public void Reset()
    {
        TickToOrder.Reset();
        CoreCost.Reset();
        CommandToAck.Reset();
        TickToAck.Reset();
        DecisionToAnswer.Reset();
        TickToWire.Reset();
        TickToWireQueued.Reset();
    }
}
