namespace Fathom.Signals;

/// <summary>
/// Bid-ask imbalance at the touch, over the best N levels and distance-weighted, and the microprice
/// (docs/signals.md §1). Published at the end of each diff; every double is NaN while the book is
/// not two-sided.
/// </summary>
public sealed class BookImbalance
{
    internal BookImbalance() => Clear();

    public bool IsTwoSided { get; private set; }

    /// <summary>(qb1 − qa1) / (qb1 + qa1), in [−1, 1].</summary>
    public double TopImbalance { get; private set; }

    /// <summary>(b1·qa1 + a1·qb1) / (qb1 + qa1), in ticks.</summary>
    public double MicropriceTicks { get; private set; }

    /// <summary><see cref="MicropriceTicks"/> in price units (the same value as <c>OrderBook.Microprice</c>).</summary>
    public double Microprice { get; private set; }

    /// <summary>Microprice − mid, in ticks: within ±spread/2, positive when the bid side is heavier.</summary>
    public double MicropriceOffsetTicks { get; private set; }

    /// <summary>(b1 + a1) / 2, in ticks.</summary>
    public double MidTicks { get; private set; }

    /// <summary>Σ of the best N bid sizes (raw qty; fewer terms when the side has fewer levels).</summary>
    public long BidDepth { get; private set; }

    /// <summary>Σ of the best N ask sizes (raw qty).</summary>
    public long AskDepth { get; private set; }

    /// <summary>(BidDepth − AskDepth) / (BidDepth + AskDepth), in [−1, 1].</summary>
    public double DepthImbalance { get; private set; }

    /// <summary>Σ over all bids of q·exp(−(mid − tick)/λ), raw qty.</summary>
    public double WeightedBidDepth { get; private set; }

    /// <summary>Σ over all asks of q·exp(−(tick − mid)/λ), raw qty.</summary>
    public double WeightedAskDepth { get; private set; }

    /// <summary>(Wb − Wa) / (Wb + Wa), in [−1, 1].</summary>
    public double WeightedImbalance { get; private set; }

    internal void Clear()
    {
        IsTwoSided = false;
        TopImbalance = MicropriceTicks = Microprice = MicropriceOffsetTicks = MidTicks = double.NaN;
        DepthImbalance = WeightedBidDepth = WeightedAskDepth = WeightedImbalance = double.NaN;
        BidDepth = AskDepth = 0;
    }

    internal void PublishDepth(long bidDepth, long askDepth)
    {
        BidDepth = bidDepth;
        AskDepth = askDepth;
    }

    internal void PublishTwoSided(long bidTick, long bidQty, long askTick, long askQty, double tickToPrice,
        double weightedBid, double weightedAsk)
    {
        IsTwoSided = true;
        double bq = bidQty, aq = askQty;
        TopImbalance = (bq - aq) / (bq + aq);
        // Same expression as OrderBook.Microprice, so the two agree to the bit.
        MicropriceTicks = (bidTick * aq + askTick * bq) / (bq + aq);
        Microprice = MicropriceTicks * tickToPrice;
        MidTicks = (bidTick + askTick) * 0.5;
        MicropriceOffsetTicks = MicropriceTicks - MidTicks;
        long total = BidDepth + AskDepth;
        DepthImbalance = total == 0 ? double.NaN : (double)(BidDepth - AskDepth) / total;
        WeightedBidDepth = weightedBid;
        WeightedAskDepth = weightedAsk;
        WeightedImbalance = (weightedBid - weightedAsk) / (weightedBid + weightedAsk);
    }
}
