using System.Globalization;
using System.Text;
using Fathom.Core;
using Fathom.MarketData;
using HdrHistogram;

namespace Fathom.Engine;

/// <summary>
/// The engine's state in Prometheus text exposition format (version 0.0.4): book sync, orders and
/// rejects, risk state, latency quantiles, GC counts and pause time. Built on request, off the hot
/// path, under the core lock (the caller takes it). Instrument labels are symbols.
/// </summary>
public static class PrometheusMetrics
{
    public static string Build(TradingEngine engine, IReadOnlyList<BookSync> books)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(books);
        var sb = new StringBuilder(4096);
        var inv = CultureInfo.InvariantCulture;

        Header(sb, "fathom_book_live", "gauge", "1 when the symbol's book is in sync with the venue");
        foreach (BookSync s in books)
            sb.Append(inv, $"fathom_book_live{{symbol=\"{s.Book.Instrument.Symbol}\"}} {(s.IsLive ? 1 : 0)}\n");
        Header(sb, "fathom_book_diffs_applied_total", "counter", "depth diffs applied to the book");
        foreach (BookSync s in books)
            sb.Append(inv, $"fathom_book_diffs_applied_total{{symbol=\"{s.Book.Instrument.Symbol}\"}} {s.Counters.DiffsApplied}\n");
        Header(sb, "fathom_book_sync_transitions_total", "counter", "sync state changes");
        foreach (BookSync s in books)
            sb.Append(inv, $"fathom_book_sync_transitions_total{{symbol=\"{s.Book.Instrument.Symbol}\"}} {s.Counters.Transitions}\n");
        Header(sb, "fathom_book_gaps_total", "counter", "sequence gaps detected");
        foreach (BookSync s in books)
            sb.Append(inv, $"fathom_book_gaps_total{{symbol=\"{s.Book.Instrument.Symbol}\"}} {s.Counters.Gaps}\n");
        Header(sb, "fathom_feed_lag_seconds", "gauge", "receive minus venue event time above its recent minimum");
        foreach (BookSync s in books)
            sb.Append(inv, $"fathom_feed_lag_seconds{{symbol=\"{s.Book.Instrument.Symbol}\"}} {s.FeedLag.ExcessNanos / 1e9}\n");

        var c = engine.Execution.Counters;
        Header(sb, "fathom_orders_total", "counter", "commands sent, by kind");
        sb.Append(inv, $"fathom_orders_total{{kind=\"place\"}} {c.Places}\n");
        sb.Append(inv, $"fathom_orders_total{{kind=\"cancel\"}} {c.Cancels}\n");
        sb.Append(inv, $"fathom_orders_total{{kind=\"cancel_replace\"}} {c.CancelReplaces}\n");
        sb.Append(inv, $"fathom_orders_total{{kind=\"amend\"}} {c.Amends}\n");
        sb.Append(inv, $"fathom_orders_total{{kind=\"query\"}} {c.Queries}\n");
        Header(sb, "fathom_fills_total", "counter", "fills applied to positions");
        sb.Append(inv, $"fathom_fills_total {c.Fills}\n");
        // Written from fixed point, so the text is the position exactly (base asset, net of base-asset fees).
        Header(sb, "fathom_position", "gauge", "position in the base asset from our fills (restored ones included)");
        for (int i = 0; i < books.Count; i++)
        {
            var spec = books[i].Book.Instrument;
            sb.Append(inv, $"fathom_position{{symbol=\"{spec.Symbol}\"}} {FixedPoint.ToTrimmedString(engine.Execution.Position(i).Position.Raw, spec.QtyDecimals)}\n");
        }
        Header(sb, "fathom_risk_refusals_total", "counter", "new orders refused by risk");
        sb.Append(inv, $"fathom_risk_refusals_total {c.RiskRefusals}\n");
        Header(sb, "fathom_order_illegal_transitions_total", "counter", "order state machine edges refused");
        sb.Append(inv, $"fathom_order_illegal_transitions_total {c.IllegalTransitions}\n");

        Header(sb, "fathom_risk_state", "gauge", "0 Active, 1 Reducing, 2 Halted");
        sb.Append(inv, $"fathom_risk_state {(int)engine.Execution.Risk.State}\n");
        Header(sb, "fathom_strategy_halted", "gauge", "1 when the strategy threw and was halted");
        sb.Append(inv, $"fathom_strategy_halted {(engine.StrategyHalted ? 1 : 0)}\n");
        Header(sb, "fathom_operator_state", "gauge", "EngineOperatorState: 0 Stopped, 3 Running, 4 Paused, 5 Flattening; +6 once the strategy faulted");
        sb.Append(inv, $"fathom_operator_state {(int)engine.OperatorState}\n");
        Header(sb, "fathom_operator_illegal_transitions_total", "counter", "operator state machine edges refused (none is reachable: non-zero is a bug)");
        sb.Append(inv, $"fathom_operator_illegal_transitions_total {engine.IllegalOperatorTransitions}\n");
        Header(sb, "fathom_fault_halted", "gauge", "1 while a fault (store, client ids, timer, core) holds trading halted until an operator resumes");
        sb.Append(inv, $"fathom_fault_halted {(engine.HaltReason is null ? 0 : 1)}\n");
        Header(sb, "fathom_fault_halts_total", "counter", "faults that halted trading");
        sb.Append(inv, $"fathom_fault_halts_total {engine.FaultHalts}\n");
        var risk = engine.Execution.Risk;
        Header(sb, "fathom_risk_reasons", "gauge", "risk reasons in force, as a bit set (see RiskReason)");
        sb.Append(inv, $"fathom_risk_reasons {(long)risk.Reasons}\n");
        Header(sb, "fathom_order_entry_up", "gauge", "1 while order entry is reported up");
        sb.Append(inv, $"fathom_order_entry_up {(risk.OrderEntryDown ? 0 : 1)}\n");
        Header(sb, "fathom_store_healthy", "gauge", "1 while the durable store writes");
        sb.Append(inv, $"fathom_store_healthy {(engine.Store is { IsHealthy: false } ? 0 : 1)}\n");
        Header(sb, "fathom_lease_lapsed", "gauge", "1 once the lease lapsed or was lost: only cancels go out (the instance steps down to standby)");
        sb.Append(inv, $"fathom_lease_lapsed {(engine.Execution.LeaseLapsed ? 1 : 0)}\n");
        Header(sb, "fathom_lease_refusals_total", "counter", "new orders, amends and replacements not sent because the lease's deadline had passed");
        sb.Append(inv, $"fathom_lease_refusals_total {c.LeaseRefusals}\n");
        Header(sb, "fathom_zombie_cancels_total", "counter", "cancels of orders an earlier holder of this lease scope left open (older epochs)");
        sb.Append(inv, $"fathom_zombie_cancels_total {c.ZombieCancels}\n");
        Header(sb, "fathom_peer_cross_refusals_total", "counter", "new orders refused because they would trade with another instance's resting order");
        sb.Append(inv, $"fathom_peer_cross_refusals_total {c.PeerCrossRefusals}\n");
        Header(sb, "fathom_position_quota_refusals_total", "counter", "new orders refused by this instance's share of an account-wide position limit");
        sb.Append(inv, $"fathom_position_quota_refusals_total {engine.Execution.Risk.Counters.RefusedBy(Fathom.Risk.RiskDecision.PositionQuota)}\n");
        Header(sb, "fathom_inputs_total", "counter", "core inputs processed");
        sb.Append(inv, $"fathom_inputs_total {engine.InputsProcessed}\n");
        Header(sb, "fathom_inputs_queued", "gauge", "inputs from other threads waiting for the core (ring and overflow)");
        sb.Append(inv, $"fathom_inputs_queued {engine.InputsQueued}\n");
        Header(sb, "fathom_decision_rehearsals_total", "counter", "market-data inputs that sent nothing and rehearsed the decision and send path instead (built and encoded a requote, sent nothing)");
        sb.Append(inv, $"fathom_decision_rehearsals_total {engine.Rehearsals}\n");
        Header(sb, "fathom_input_overflows_total", "counter", "inputs that found the core's input ring full and waited in the overflow queue (the core fell a ring behind)");
        sb.Append(inv, $"fathom_input_overflows_total {engine.InboxOverflows}\n");

        Quantiles(sb, "fathom_tick_to_order_seconds", "socket read of the triggering frame to the command handed to the gateway", engine.Latency.TickToOrder);
        Quantiles(sb, "fathom_tick_to_wire_seconds", "socket read of the triggering frame to the order frame written to the venue's socket (inline)", engine.Latency.TickToWire);
        Quantiles(sb, "fathom_tick_to_wire_queued_seconds", "the same for frames written by the gateway's send thread after queueing", engine.Latency.TickToWireQueued);
        Quantiles(sb, "fathom_command_to_ack_seconds", "order frame handed to the venue's socket to the venue's answer read off it (ack, reject, cancel confirmed)", engine.Latency.CommandToAck);
        Quantiles(sb, "fathom_tick_to_ack_seconds", "socket read of the triggering frame to the venue's answer read", engine.Latency.TickToAck);
        Quantiles(sb, "fathom_decision_to_answer_seconds", "command decided on the core to the venue's answer applied by the core (what the ack-latency kill switch sees)", engine.Latency.DecisionToAnswer);
        Quantiles(sb, "fathom_core_event_seconds", "socket read to the end of the core's work on a market-data frame", engine.Latency.CoreCost);

        Header(sb, "fathom_gc_collections_total", "counter", "garbage collections by generation");
        for (int g = 0; g <= 2; g++)
            sb.Append(inv, $"fathom_gc_collections_total{{generation=\"{g}\"}} {GC.CollectionCount(g)}\n");
        Header(sb, "fathom_gc_pause_seconds_total", "counter", "total time the runtime paused threads for GC");
        sb.Append(inv, $"fathom_gc_pause_seconds_total {GC.GetTotalPauseDuration().TotalSeconds}\n");
        return sb.ToString();
    }

    /// <summary>Healthy: every book Live, risk not Halted, strategy running.</summary>
    public static bool IsHealthy(TradingEngine engine, IReadOnlyList<BookSync> books) => Problems(engine, books).Count == 0;

    /// <summary>Why the engine is not healthy, one line each (empty when it is): what <c>/health</c> prints with its 503.</summary>
    public static List<string> Problems(TradingEngine engine, IReadOnlyList<BookSync> books)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(books);
        var problems = new List<string>();
        for (int i = 0; i < books.Count; i++)
            if (!books[i].IsLive)
                problems.Add($"book {i} {books[i].State} ({books[i].LastFailure})");
        var risk = engine.Execution.Risk;
        if (risk.State == Fathom.Risk.RiskState.Halted)
            problems.Add($"risk Halted ({risk.Reasons})");
        if (engine.HaltReason is { } halt)
            problems.Add("halted: " + halt);
        if (engine.StrategyHalted)
            problems.Add("strategy halted: " + engine.StrategyError);
        if (engine.Store is { } store && !store.IsHealthy)
            problems.Add("store failing: " + store.Failure);
        if (engine.Execution.LeaseLapsed)
            problems.Add("lease lost" + (engine.LeaseLostReason is { } why ? ": " + why : "") + "; only cancels are sent, the instance steps down to standby");
        return problems;
    }

    private static void Header(StringBuilder sb, string name, string type, string help) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Quantiles(StringBuilder sb, string name, string help, HistogramBase h)
    {
        Header(sb, name, "summary", help);
        foreach (double q in (double[])[0.5, 0.99, 0.999])
        {
            // As on the dashboard: a quantile without enough samples behind it is not a number (NaN), not the max.
            double seconds = EngineLatency.HasEnoughSamples(h.TotalCount, q * 100) ? h.GetValueAtPercentile(q * 100) / 1e9 : double.NaN;
            sb.Append(CultureInfo.InvariantCulture, $"{name}{{quantile=\"{q}\"}} {seconds}\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"{name}_count {h.TotalCount}\n");
    }
}
