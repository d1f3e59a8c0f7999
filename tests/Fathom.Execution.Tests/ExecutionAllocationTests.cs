using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Strategy.Abstractions;
using Fathom.Testing;
using Xunit;

namespace Fathom.Execution.Tests;

[Collection(AllocationCollection.Name)]
public class ExecutionAllocationTests
{
    private sealed class Workload(Harness h)
    {
        public readonly Harness H = h;
        public long Step;
        public long Now;
        public long CancelsSeen;
    }

    [Fact]
    public void IntentToRiskCheckedCommand_AndReports_AllocateNothing()
    {
        var h = new Harness(observe: false);
        var work = new Workload(h);
        AllocationAssert.Zero(work, static w =>
        {
            var h = w.H;
            var engine = h.Engine;
            long now = h.Now;
            for (int i = 0; i < 200; i++)
            {
                long off = ++w.Step % 7;
                // Quote moves (place, keep, cancel-replace, amend), acks, fills, cancels and a timer.
                engine.Submit(Intent.Quote(0, new Price(Harness.Mid - 100 - off / 3 * 3), new Qty(1_000 - off * 50),
                    new Price(Harness.Mid + 100 + off * 3), new Qty(1_000)), now);
                var cmds = engine.Commands.Commands;
                for (int k = 0; k < cmds.Length; k++)
                {
                    ref readonly var c = ref cmds[k];
                    switch (c.Kind)
                    {
                        case CommandKind.Place:
                            engine.OnAck(new AckReport(0, c.ClientOrderId, 1 + c.ClientOrderId.Sequence, now), now);
                            break;
                        case CommandKind.CancelReplace:
                            engine.OnCanceled(new CanceledReport(0, c.OrigClientOrderId, now), now);
                            engine.OnAck(new AckReport(0, c.NewClientOrderId, 1 + c.NewClientOrderId.Sequence, now), now);
                            break;
                        case CommandKind.AmendQty:
                            engine.OnAmended(new AmendedReport(0, c.OrigClientOrderId, c.ClientOrderId, c.Qty, now), now);
                            break;
                        case CommandKind.Cancel:
                            engine.OnCanceled(new CanceledReport(0, c.OrigClientOrderId, now), now);
                            break;
                    }
                }
                engine.Commands.Clear();
                if (i % 50 == 0)
                {
                    engine.OnMarket(0, new Price(Harness.Mid - 50), new Price(Harness.Mid + 50), true, now);
                    engine.OnTimer(now);
                    engine.Commands.Clear();
                }
            }
            Sink.Consume(engine.Counters.Places + engine.Counters.CancelReplaces + engine.Counters.Amends);
        }, warmups: 30); // past tier-1 promotion, so the background JIT is quiet
        Assert.True(h.Engine.Counters.CancelReplaces > 100 && h.Engine.Counters.Amends > 10 && h.Engine.Counters.QuotesKept > 10,
            $"workload did not exercise the paths: {h.Engine.Counters.CancelReplaces} replaces, {h.Engine.Counters.Amends} amends, {h.Engine.Counters.QuotesKept} kept");
    }

    [Fact]
    public void RejectedCancels_BackoffRetryAfterAndRetries_AllocateNothing()
    {
        var h = new Harness(observe: false);
        var work = new Workload(h) { Now = h.Now };
        AllocationAssert.Zero(work, static w =>
        {
            var engine = w.H.Engine;
            for (int i = 0; i < 200; i++)
            {
                long now = w.Now += 10_000_000;
                // Quote a bid, then cancel everything: three of four cancels are rate-limited (every fifth
                // reject with a 20 ms Retry-After), so back-offs, holds and timer retries all run.
                engine.Submit(Intent.Quote(0, new Price(Harness.Mid - 100), new Qty(1_000), new Price(Harness.Mid + 100), Qty.Zero), now);
                Answer(w, now);
                engine.Submit(Intent.CancelAll(0), now);
                Answer(w, now);
                engine.OnTimer(now);
                Answer(w, now);
            }
            Sink.Consume(engine.Counters.Cancels);
        }, warmups: 30);
        Assert.True(h.Engine.Counters.ModifyRejects > 100 && h.Engine.Counters.VenueHolds > 10 && h.Engine.Counters.DeferredByBackoff > 100,
            $"workload did not exercise the paths: {h.Engine.Counters.ModifyRejects} rejects, {h.Engine.Counters.VenueHolds} holds, {h.Engine.Counters.DeferredByBackoff} deferred");
    }

    /// <summary>Plays the venue for every queued command, including those the answers themselves produce.</summary>
    private static void Answer(Workload w, long now)
    {
        var engine = w.H.Engine;
        for (int k = 0; k < engine.Commands.Count; k++)
        {
            var c = engine.Commands[k];
            switch (c.Kind)
            {
                case CommandKind.Place:
                    engine.OnAck(new AckReport(0, c.ClientOrderId, 1 + c.ClientOrderId.Sequence, now), now);
                    break;
                case CommandKind.Cancel when ++w.CancelsSeen % 4 != 0:
                    long retryAfter = w.CancelsSeen % 5 == 0 ? 20_000_000 : 0;
                    engine.OnReject(new RejectReport(0, c.OrigClientOrderId, CommandKind.Cancel, RejectReason.RateLimited, -1003, null, now, retryAfter), now);
                    break;
                case CommandKind.Cancel:
                    engine.OnCanceled(new CanceledReport(0, c.OrigClientOrderId, now), now);
                    break;
            }
        }
        engine.Commands.Clear();
    }
}
