using System.Collections.Concurrent;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Core;

namespace Fathom.Hosting;

/// <summary>What the venue held when <c>fathom run</c> started, and what was done about it.</summary>
public sealed record ReconciliationResult(
    int Found, int Cancelled, int OtherInstances, IReadOnlyList<string> StillOpen, IReadOnlyList<VenueBalance> Balances)
{
    public bool Clean => StillOpen.Count == 0;
}

/// <summary>
/// Before the strategy quotes: list the venue's open orders on every configured symbol, cancel the ones a
/// previous run of this instance left (our prefix and our instance id), wait for the venue to confirm,
/// re-query to prove none is left, and read the balances.
/// </summary>
/// <remarks>
/// It runs on a gateway of its own whose reports go to a local sink, never into the engine: the engine
/// must start from a venue with nothing of ours open, not learn about a previous run's orders one
/// report at a time. Foreign orders (no prefix of ours) are never touched, and neither are orders of
/// another instance sharing the prefix (a different instance id): they are counted and reported.
/// Cancel-all is not used because the venue's cancel-all takes foreign orders too.
/// </remarks>
public static class StartupReconciliation
{
    /// <param name="specs">The instruments of the run: instrument i is <c>specs[i]</c> on <paramref name="venue"/>.</param>
    public static async Task<ReconciliationResult> RunAsync(IVenue venue, IReadOnlyList<InstrumentSpec> specs,
        ClientOrderIdFormat format, ClientOrderIdGenerator ids, TimeProvider time, TimeSpan confirmTimeout, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(venue);
        ArgumentNullException.ThrowIfNull(specs);
        var sink = new CancelSink();
        await using var gateway = venue.CreateOrderEntry(sink, format, latency: null);
        await gateway.StartAsync(cancel).ConfigureAwait(false);

        int found = 0, others = 0;
        var sent = new Dictionary<ClientOrderId, (int Instrument, ClientOrderId CancelId)>();
        for (int instrument = 0; instrument < specs.Count; instrument++)
        {
            foreach (var order in await gateway.GetOpenOrdersAsync(instrument, cancel).ConfigureAwait(false))
            {
                if (order.ClientOrderId.Node != ids.Node)
                {
                    others++;
                    continue;
                }
                found++;
                var cancelId = ids.Next();
                sent[order.ClientOrderId] = (instrument, cancelId);
                gateway.Send(OrderCommand.From(new CancelOrderCommand(instrument, cancelId, order.ClientOrderId, order.VenueOrderId), 0));
            }
        }

        // Each cancel ends in a CanceledReport (the order's id), or a reject / unknown outcome (the cancel's id).
        var deadline = time.GetUtcNow() + confirmTimeout;
        while (sent.Keys.Any(id => !sink.Settled(id, sent[id].CancelId)) && time.GetUtcNow() < deadline)
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancel).ConfigureAwait(false);
        int cancelled = sent.Keys.Count(sink.Canceled.ContainsKey);

        // The venue's own word is the proof, whatever the reports said.
        var stillOpen = new List<string>();
        for (int instrument = 0; instrument < specs.Count; instrument++)
            foreach (var order in await gateway.GetOpenOrdersAsync(instrument, cancel).ConfigureAwait(false))
                if (order.ClientOrderId.Node == ids.Node)
                    stillOpen.Add($"{specs[instrument].Symbol} {format.Format(order.ClientOrderId)} (venue id {order.VenueOrderId})");

        var balances = await gateway.GetBalancesAsync(cancel).ConfigureAwait(false);
        return new ReconciliationResult(found, cancelled, others, stillOpen, balances);
    }

    private sealed class CancelSink : IReportSink
    {
        public readonly ConcurrentDictionary<ClientOrderId, bool> Canceled = new();
        // Expired orders, refused cancels and unknown outcomes: settled, not confirmed (the final query decides).
        // A reject names the order; an unknown outcome may name either, so both ids are looked up.
        private readonly ConcurrentDictionary<ClientOrderId, bool> _otherOutcome = new();

        public bool Settled(ClientOrderId order, ClientOrderId cancelId) =>
            Canceled.ContainsKey(order) || _otherOutcome.ContainsKey(order) || _otherOutcome.ContainsKey(cancelId);

        public void OnCanceled(in CanceledReport report) => Canceled[report.ClientOrderId] = true;
        public void OnExpired(in ExpiredReport report) => _otherOutcome[report.ClientOrderId] = true;
        public void OnReject(in RejectReport report) => _otherOutcome[report.ClientOrderId] = true;
        public void OnStatusUnknown(in StatusUnknownReport report) => _otherOutcome[report.ClientOrderId] = true;
        public void OnFill(in FillReport report) { }
        public void OnAck(in AckReport report) { }
        public void OnAmended(in AmendedReport report) { }
        public void OnOrderStatus(in OrderStatusReport report) { }
        public void OnVenueHealth(in VenueHealthReport report) { }
    }
}
