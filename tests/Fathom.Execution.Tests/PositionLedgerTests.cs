using Fathom.Core;
using Xunit;

namespace Fathom.Execution.Tests;

public class PositionLedgerTests
{
    // Price 2 dp, qty 3 dp: 100.00 = 10_000, 1.000 = 1_000.
    private static PositionLedger New() => new(2, 3);

    [Fact]
    public void AveragePrice_RealizedAndUnrealized_Exact()
    {
        var p = New();
        p.Apply(OrderSide.Buy, new Price(10_000), new Qty(1_000), fee: 0, Qty.Zero);
        p.Apply(OrderSide.Buy, new Price(10_300), new Qty(2_000), fee: 0, Qty.Zero);
        Assert.Equal(10_200, p.AverageEntry.Raw);                       // (100 + 2·103) / 3
        Assert.Equal(3 * 300, p.UnrealizedPnl(new Price(10_500)));      // 3 × 3.00 = 9.00
        p.Apply(OrderSide.Sell, new Price(10_400), new Qty(1_500), fee: 0, Qty.Zero);
        Assert.Equal(300, p.RealizedPnl);                               // 1.5 × 2.00
        Assert.Equal(10_200, p.AverageEntry.Raw);
        Assert.Equal(1_500, p.Position.Raw);
    }

    [Fact]
    public void Flip_RealizesTheClosedPart_AndOpensAtTheFillPrice()
    {
        var p = New();
        p.Apply(OrderSide.Buy, new Price(10_000), new Qty(1_000), 0, Qty.Zero);
        p.Apply(OrderSide.Sell, new Price(9_900), new Qty(3_000), 0, Qty.Zero);
        Assert.Equal(-100, p.RealizedPnl);
        Assert.Equal(-2_000, p.Position.Raw);
        Assert.Equal(9_900, p.AverageEntry.Raw);
        p.Apply(OrderSide.Buy, new Price(9_800), new Qty(2_000), 0, Qty.Zero);
        Assert.Equal(-100 + 200, p.RealizedPnl);
        Assert.Equal(0, p.CostBasis);
    }

    [Fact]
    public void Fees_AreSubtractedOnce_BaseCommissionMovesOnlyThePosition()
    {
        var p = New();
        // Buy 1.000 at 100.00 paying 0.001 base (worth 0.10 quote) as commission.
        p.Apply(OrderSide.Buy, new Price(10_000), new Qty(1_000), fee: 10, feeQty: new Qty(1));
        Assert.Equal(999, p.Position.Raw);
        Assert.Equal(-10, p.RealizedPnl);
        Assert.Equal(0, p.UnrealizedPnl(new Price(10_000)));
        p.Apply(OrderSide.Sell, new Price(10_000), new Qty(999), fee: 0, Qty.Zero);
        // Paid 100.00, got 99.90 back: exactly the fee lost, nothing counted twice.
        Assert.Equal(-10, p.RealizedPnl + p.UnrealizedPnl(new Price(10_000)));
        Assert.Equal(10, p.FeesPaid);
    }
}
