using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Xunit;
using static Fathom.Risk.Tests.RiskHarness;

namespace Fathom.Risk.Tests;

/// <summary>
/// Shares of account-wide limits leased from the coordination service (issue 17): a position quota refuses an
/// order that would take |position + working orders on its side| past it (reducing orders pass), an order
/// budget quota lowers the budget the new-order check uses. Neither lifts the instance's own limits.
/// </summary>
public class RiskQuotaTests
{
    [Fact]
    public void PositionQuota_RefusesAnIncreasingOrderPastIt_CountingOpenOrders_ReducingOnesPass()
    {
        var h = new RiskHarness();
        Assert.Equal(long.MaxValue, h.Risk.PositionQuota(0)); // none leased
        h.Position(1_000, Mid);
        h.Risk.SetPositionQuota(0, 1_500);
        Assert.Equal(1_500, h.Risk.PositionQuota(0));

        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Buy, Mid - 100, 400, open: 100));      // 1 000 + 100 + 400 = 1 500
        Assert.Equal(RiskDecision.PositionQuota, h.Check(OrderSide.Buy, Mid - 100, 401, open: 100)); // 1 501
        Assert.Equal(RiskDecision.PositionQuota, h.Check(OrderSide.Buy, Mid - 100, 1, open: 500));   // the open orders count
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Sell, Mid + 100, 1_000));              // reduces to flat
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Sell, Mid + 100, 1_500, open: 1_000)); // through flat to −1 500
        Assert.Equal(RiskDecision.PositionQuota, h.Check(OrderSide.Sell, Mid + 100, 1_500, open: 1_001));
        Assert.Equal(3, h.Risk.Counters.RefusedBy(RiskDecision.PositionQuota));
        Assert.Equal(3, h.Risk.Counters.Refusals);

        // long.MaxValue lifts it: only the instance's own limits apply again.
        h.Risk.SetPositionQuota(0, long.MaxValue);
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Buy, Mid - 100, 401, open: 100));
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Sell, Mid + 100, 1_500, open: 1_001));
    }

    [Fact]
    public void PositionQuotaOfZero_LetsOnlyReducingOrdersThrough()
    {
        var h = new RiskHarness();
        h.Risk.SetPositionQuota(0, 0);
        Assert.Equal(RiskDecision.PositionQuota, h.Check(OrderSide.Buy, Mid - 100, 1));
        Assert.Equal(RiskDecision.PositionQuota, h.Check(OrderSide.Sell, Mid + 100, 1));
        h.Position(-300, Mid);
        Assert.Equal(RiskDecision.Allowed, h.Check(OrderSide.Buy, Mid - 100, 200, open: 100));
        Assert.Equal(RiskDecision.PositionQuota, h.Check(OrderSide.Buy, Mid - 100, 201, open: 100));
    }

    [Fact]
    public void PositionQuota_AboveTheInstanceLimit_DoesNotLiftIt()
    {
        var h = new RiskHarness(Limits with { MaxTotalNotional = 1_000_000 * Usdt });
        h.Risk.SetPositionQuota(0, 50 * OneBtc);
        h.Position(4_000, Mid);
        Assert.Equal(RiskDecision.MaxPosition, h.Check(OrderSide.Buy, Mid - 100, 1_001));
        Assert.Equal(0, h.Risk.Counters.RefusedBy(RiskDecision.PositionQuota));
    }

    [Fact]
    public void OrderBudgetQuota_LowersTheBudget_KeepingTheCancelHeadroom_LiftedByIntMax()
    {
        var h = new RiskHarness(Limits with { MaxNewOrdersPerSecond = 100 });
        Assert.Equal(int.MaxValue, h.Risk.OrderBudgetQuota);
        h.Risk.SetOrderBudgetQuota(10); // below the limit's 20: new orders may take the window to 10 − 5 headroom
        for (int i = 0; i < 4; i++)
            h.Send();
        Assert.Equal(RiskDecision.Allowed, h.Buy());
        h.Send();
        Assert.Equal(5, h.Risk.OrderBudgetUsed(h.Now));
        Assert.Equal(RiskDecision.RateBudget, h.Buy());
        Assert.Equal(1, h.Risk.Counters.RefusedBy(RiskDecision.RateBudget));

        h.Risk.SetOrderBudgetQuota(int.MaxValue);
        Assert.Equal(RiskDecision.Allowed, h.Buy());

        // A quota above the limit does not raise it: 20 − 5.
        h.Risk.SetOrderBudgetQuota(1_000);
        for (int i = 0; i < 10; i++)
            h.Send();
        Assert.Equal(15, h.Risk.OrderBudgetUsed(h.Now));
        Assert.Equal(RiskDecision.RateBudget, h.Buy());
    }
}
