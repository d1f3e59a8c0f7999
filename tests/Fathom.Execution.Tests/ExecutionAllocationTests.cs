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
}
