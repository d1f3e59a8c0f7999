namespace Fathom.Book;

/// <summary>
/// A read-only window onto an <see cref="OrderBook"/> for signals and strategies: everything they
/// may read and nothing they may change. A struct over the live book: no copy, no allocation, and
/// valid only for as long as the core does not update the book (i.e. within one core callback).
/// </summary>
public readonly struct BookView(OrderBook book)
{
    public Fathom.Core.InstrumentSpec Instrument => book.Instrument;
    public long UpdateId => book.UpdateId;
    public bool HasBid => book.HasBid;
    public bool HasAsk => book.HasAsk;
    public bool IsTwoSided => book.IsTwoSided;
    public long BestBidTick => book.BestBidTick;
    public long BestAskTick => book.BestAskTick;
    public long BestBidQty => book.BestBidQty;
    public long BestAskQty => book.BestAskQty;
    public long SpreadTicks => book.SpreadTicks;
    public bool IsCrossed => book.IsCrossed;
    public bool IsLocked => book.IsLocked;
    public double Mid => book.Mid;
    public double Microprice => book.Microprice;
    /// <summary>Bid levels; O(levels) (see <see cref="OrderBook.BidCount"/>).</summary>
    public int BidCount => book.BidCount;
    /// <summary>Ask levels; O(levels).</summary>
    public int AskCount => book.AskCount;
    public long QtyAt(Side side, long tick) => book.QtyAt(side, tick);
    public bool IsKnown(Side side, long tick) => book.IsKnown(side, tick);
    public LevelEnumerator Levels(Side side) => book.Levels(side);
    public int TopLevels(Side side, Span<Level> destination) => book.TopLevels(side, destination);
    public DepthResult DepthWithinBps(Side side, double bps) => book.DepthWithinBps(side, bps);
    public DepthResult DepthForNotional(Side side, Int128 notional) => book.DepthForNotional(side, notional);
    public double TicksToPrice(double ticks) => book.TicksToPrice(ticks);
    /// <summary>Raw price units per book tick (the book grid; see <see cref="OrderBook.TickRaw"/>).</summary>
    public long TickRaw => book.TickRaw;
    public Fathom.Core.Price PriceOf(long tick) => book.PriceOf(tick);
}
