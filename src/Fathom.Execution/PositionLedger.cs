using Fathom.Core;

namespace Fathom.Execution;

/// <summary>
/// One instrument's position and PnL from our fills, exact in fixed point. Cost basis and realized PnL are
/// <see cref="Int128"/> at (price + qty) decimals, so averaging never drifts; they are rescaled (toward
/// zero) only when read. Spot: the position is the base balance minus the configured baseline.
/// </summary>
/// <remarks>
/// Invariant: <c>CostBasis</c> = Σ price × signed qty of the open position (negative when short), so the
/// average entry is CostBasis / Position and unrealized PnL is mark × Position − CostBasis.
/// Fees: <c>fee</c> (quote value at price decimals) is subtracted from realized PnL once. A base-asset
/// commission (<c>feeQty</c>) only moves the position: it leaves a long like a sale at the average entry
/// (no PnL, since its value is already in <c>fee</c>), and otherwise books a short at the fill price.
/// </remarks>
public sealed class PositionLedger(int priceDecimals, int qtyDecimals)
{
    private readonly long _qtyScale = FixedPoint.Pow10(qtyDecimals);

    public int PriceDecimals { get; } = priceDecimals;
    public int QtyDecimals { get; } = qtyDecimals;
    public Qty Position { get; private set; }
    public Int128 CostBasis { get; private set; }
    public Int128 RealizedExact { get; private set; }
    public long FeesPaid { get; private set; }
    public Qty BuyQty { get; private set; }
    public Qty SellQty { get; private set; }

    public Price AverageEntry => Position.Raw == 0 ? Price.Zero : new Price((long)(CostBasis / Position.Raw));

    /// <summary>Realized PnL net of fees, raw at the price decimals.</summary>
    public long RealizedPnl => FixedPoint.Rescale(RealizedExact, PriceDecimals + QtyDecimals, PriceDecimals);

    /// <summary>Unrealized PnL at <paramref name="mark"/>, raw at the price decimals (0 without a mark).</summary>
    public long UnrealizedPnl(Price mark) =>
        mark.Raw <= 0 || Position.Raw == 0 ? 0
            : FixedPoint.Rescale(FixedPoint.Multiply(mark.Raw, Position.Raw) - CostBasis, PriceDecimals + QtyDecimals, PriceDecimals);

    public void Apply(OrderSide side, Price price, Qty qty, long fee, Qty feeQty)
    {
        long signed = side == OrderSide.Buy ? qty.Raw : -qty.Raw;
        if (side == OrderSide.Buy)
            BuyQty += qty;
        else
            SellQty += qty;
        Trade(price.Raw, signed, realize: true);
        FeesPaid += fee;
        RealizedExact -= (Int128)fee * _qtyScale;
        if (feeQty.Raw > 0)
        {
            long fromLong = Position.Raw > 0 ? Math.Min(feeQty.Raw, Position.Raw) : 0;
            if (fromLong > 0)
                Trade(AverageEntry.Raw, -fromLong, realize: false);
            long rest = feeQty.Raw - fromLong;
            if (rest > 0)
                Trade(price.Raw, -rest, realize: false);
        }
    }

    private void Trade(long price, long signedQty, bool realize)
    {
        long pos = Position.Raw;
        if (pos != 0 && Math.Sign(pos) != Math.Sign(signedQty))
        {
            long close = Math.Min(Math.Abs(signedQty), Math.Abs(pos));
            long signedClose = Math.Sign(signedQty) * close;
            Int128 closedCost = CostBasis * close / Math.Abs(pos);
            if (realize)
                RealizedExact += -((Int128)price * signedClose) - closedCost;
            CostBasis -= closedCost;
            pos += signedClose;
            signedQty -= signedClose;
            if (pos == 0)
                CostBasis = 0; // no rounding residue survives a flat position
        }
        if (signedQty != 0)
        {
            CostBasis += (Int128)price * signedQty;
            pos += signedQty;
        }
        Position = new Qty(pos);
    }
}
