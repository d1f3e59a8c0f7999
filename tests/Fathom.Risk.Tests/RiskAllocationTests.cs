using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Testing;
using Xunit;

namespace Fathom.Risk.Tests;

[Collection(AllocationCollection.Name)]
public class RiskAllocationTests
{
    [Fact]
    public void ChecksAccountingAndEvaluation_AllocateNothing()
    {
        var h = new RiskHarness(RiskHarness.Limits with { MaxNewOrdersPerSecond = 1_000_000, OrderBudget = 1_000_000 });
        AllocationAssert.Zero(h, static h =>
        {
            long acc = 0;
            long now = h.Now;
            for (int i = 0; i < 500; i++)
            {
                acc += (long)h.Risk.CheckNewOrder(new OrderCheck(0, OrderSide.Buy, new Price(RiskHarness.Mid - 100), new Qty(100), new Qty(200), new Price(RiskHarness.Mid + 100)), now);
                h.Risk.OnCommandSent(i + 1, CommandKind.Place, now);
                h.Risk.OnCommandAnswered(i + 1, now + 1_000_000, latencySample: true);
                h.Risk.OnMarket(0, new Price(RiskHarness.Mid - 50 - i % 3), new Price(RiskHarness.Mid + 50), true, now);
                h.Risk.OnFeedLag(5_000_000, now);
                if (i % 100 == 0)
                    h.Risk.Evaluate(now);
            }
            Sink.Consume(acc);
        }, warmups: 30); // past tier-1 promotion, so the background JIT is quiet
    }
}
