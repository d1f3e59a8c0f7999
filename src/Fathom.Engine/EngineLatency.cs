using HdrHistogram;

namespace Fathom.Engine;

/// <summary>
/// Latency histograms (HdrHistogram, nanoseconds, 3 significant digits): tick-to-order (the frame's
/// socket-read stamp to the order frame handed to the gateway, over events that produced a command),
/// per-event core cost (every market-data event), and command-to-ack. Recorded on the core thread
/// into pre-allocated histograms; read under the engine's lock.
/// </summary>
public sealed class EngineLatency
{
    private const long Highest = 60_000_000_000; // one minute in ns

    public LongHistogram TickToOrder { get; } = new(Highest, 3);
    public LongHistogram CoreCost { get; } = new(Highest, 3);
    public LongHistogram CommandToAck { get; } = new(Highest, 3);
    /// <summary>
    /// Tick-to-wire: the triggering frame's socket-read stamp to the order frame written to the venue's
    /// socket (encoding and signing included), for frames the gateway wrote inline on the core thread.
    /// </summary>
    public LongHistogram TickToWire { get; } = new(Highest, 3);

    /// <summary>
    /// The same for frames that queued behind another and were written by the gateway's send thread (its
    /// only writer; read here without synchronisation, which can show a count a sample behind).
    /// </summary>
    public LongHistogram TickToWireQueued { get; } = new(Highest, 3);

    internal static void Record(LongHistogram h, long nanos) => h.RecordValue(Math.Clamp(nanos, 0, Highest));

    /// <summary>"p50 / p99 / p99.9 / max" in microseconds, for dashboards and summaries.</summary>
    public static string Describe(HistogramBase h) => h.TotalCount == 0
        ? "no samples"
        : $"p50 {h.GetValueAtPercentile(50) / 1e3:F1} µs, p99 {h.GetValueAtPercentile(99) / 1e3:F1} µs, " +
          $"p99.9 {h.GetValueAtPercentile(99.9) / 1e3:F1} µs, max {h.GetMaxValue() / 1e3:F1} µs (n={h.TotalCount})";

    public void Reset()
    {
        TickToOrder.Reset();
        CoreCost.Reset();
        CommandToAck.Reset();
        TickToWire.Reset();
        TickToWireQueued.Reset();
    }
}
