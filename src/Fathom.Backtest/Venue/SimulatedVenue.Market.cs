using Fathom.Book;
using Fathom.Core;

namespace Fathom.Backtest.Venue;

/// <summary>The recorded market at the matching engine: level updates move our queue positions, trades fill us.</summary>
public sealed partial class SimulatedVenue
{
    public void OnLevel(int instrument, OrderSide side, Price price, Qty qty, long exchangeNs)
    {
        var s = State(instrument);
        long tick = ToTick(s, price);
        if (qty.Raw < 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(qty), $"{s.Spec.Symbol}: the recorded level at {price.ToString(s.Spec.PriceDecimals)} has a negative quantity ({qty.Raw} raw).");
        CatchUp(exchangeNs);
        BeginStep(exchangeNs);
        ApplyLevel(s, side, tick, qty.Raw);
    }

    /// <summary>
    /// The recorded best bid and ask (Binance's <c>bookTicker</c>), fresher than the depth diffs (every 100 ms). The
    /// matching engine's touch follows it: every recorded level at a better price than the ticker's best is gone (it
    /// traded or was cancelled since the last diff), and the ticker's quantity replaces the level's at its best price;
    /// each change acts as a level update (<see cref="OnLevel"/>: queue positions, the book moving through us). Deeper
    /// levels are left to the diffs. A side with zero quantity is left as it is.
    /// </summary>
    public void OnTopOfBook(int instrument, Price bidPrice, Qty bidQty, Price askPrice, Qty askQty, long exchangeNs)
    {
        var s = State(instrument);
        if (bidQty.Raw < 0 || askQty.Raw < 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(bidQty), $"{s.Spec.Symbol}: the recorded best bid/ask has a negative quantity ({bidQty.Raw} / {askQty.Raw} raw).");
        long bid = bidQty.Raw > 0 ? ToTick(s, bidPrice) : 0;
        long ask = askQty.Raw > 0 ? ToTick(s, askPrice) : 0;
        if (bid > 0 && ask > 0 && bid >= ask)
            ThrowHelper.ThrowArgument(nameof(askPrice), $"{s.Spec.Symbol}: the recorded best bid {bidPrice.ToString(s.Spec.PriceDecimals)} is not below the best ask {askPrice.ToString(s.Spec.PriceDecimals)}.");
        CatchUp(exchangeNs);
        BeginStep(exchangeNs);
        // Remove the stale better levels of both sides first, so the ticker's own levels never meet a stale crossing one.
        if (bid > 0)
            while (s.Book.HasBid && s.Book.BestBidTick > bid)
                ApplyLevel(s, OrderSide.Buy, s.Book.BestBidTick, 0);
        if (ask > 0)
            while (s.Book.HasAsk && s.Book.BestAskTick < ask)
                ApplyLevel(s, OrderSide.Sell, s.Book.BestAskTick, 0);
        if (bid > 0 && s.Book.QtyAt(Side.Bid, bid) != bidQty.Raw)
            ApplyLevel(s, OrderSide.Buy, bid, bidQty.Raw);
        if (ask > 0 && s.Book.QtyAt(Side.Ask, ask) != askQty.Raw)
            ApplyLevel(s, OrderSide.Sell, ask, askQty.Raw);
    }

    /// <summary>A recorded level's new quantity at the current step: queue positions at it move, and a level on the
    /// other side at or through one of our orders fills it.</summary>
    private void ApplyLevel(InstrumentState s, OrderSide side, long tick, long qty)
    {
        var bookSide = BookSide(side);
        long prev = s.Book.Set(bookSide, tick, qty);
        if (s.Resting.Count == 0)
            return;
        foreach (var o in s.Resting)
        {
            if (o.Side != side || o.Tick != tick)
                continue;
            o.Ahead = QueuePosition.AfterLevelChange(_model.Queue, o.Ahead, o.TradedSinceUpdate, prev, qty, s.QtyUnit);
            o.TradedSinceUpdate = 0;
        }
        if (qty > 0)
            FillCrossed(s, side, tick, qty);
    }

    /// <summary>The recorded book is gone until the snapshot's levels follow. Our queue positions are kept: the first
    /// update of each level caps them (every model keeps ahead ≤ the level's quantity).</summary>
    public void OnBookCleared(int instrument, long exchangeNs)
    {
        var s = State(instrument);
        CatchUp(exchangeNs);
        BeginStep(exchangeNs);
        s.Book.Clear();
    }

    /// <summary>
    /// A recorded trade. Our resting orders on the passive side: those the price went through (strictly better for the
    /// aggressor than the trade price) fill in full at their own price; those at the trade price let the trade consume
    /// the quantity ahead of them first and fill with what reaches them (partial fills allowed). Several of our orders
    /// at the trade price share its quantity in time priority: each later one stands behind the earlier ones as well as
    /// behind its own recorded quantity ahead. Every fill of ours is a maker fill at our price.
    /// </summary>
    public void OnTrade(int instrument, OrderSide aggressor, Price price, Qty qty, long exchangeNs)
    {
        var s = State(instrument);
        long tick = ToTick(s, price);
        if (qty.Raw <= 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(qty), $"{s.Spec.Symbol}: the recorded trade at {price.ToString(s.Spec.PriceDecimals)} has a quantity of {qty.Raw} raw; it must be positive.");
        CatchUp(exchangeNs);
        BeginStep(exchangeNs);
        if (s.Resting.Count == 0)
            return;
        var passive = aggressor == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
        long ours = 0; // what our earlier orders at the trade price took from this trade: they are ahead of later ones
        for (int i = 0; i < s.Resting.Count;)
        {
            var o = s.Resting[i];
            if (o.Side != passive)
            {
                i++;
                continue;
            }
            long fill = 0;
            if (passive == OrderSide.Sell ? o.Tick < tick : o.Tick > tick)
            {
                fill = o.Leaves; // the aggressor went through our price
            }
            else if (o.Tick == tick)
            {
                long consumed = Math.Min(o.Ahead, qty.Raw);
                o.Ahead -= consumed;
                o.TradedSinceUpdate += qty.Raw;
                fill = Math.Clamp(qty.Raw - consumed - ours, 0, o.Leaves);
                ours += fill;
            }
            if (fill > 0)
                ExecuteFill(s, o, o.Price, fill, isMaker: true);
            if (o.Leaves == 0)
            {
                s.Resting.RemoveAt(i);
                Close(o, Gateway.Abstractions.VenueOrderStatus.Filled);
            }
            else
            {
                i++;
            }
        }
    }

    /// <summary>
    /// A recorded level appeared at or through the price of resting orders of ours on the other side: the book moved
    /// through us without a trade print. Whoever placed that liquidity would have traded with us, so we fill as maker at
    /// our price, best price first then time, up to the level's quantity; what we fill is gone from the level until
    /// the recording next updates it.
    /// </summary>
    private void FillCrossed(InstrumentState s, OrderSide levelSide, long tick, long qty)
    {
        var ours = levelSide == OrderSide.Sell ? OrderSide.Buy : OrderSide.Sell;
        long available = qty;
        while (available > 0)
        {
            VenueOrder? best = null;
            foreach (var o in s.Resting)
            {
                if (o.Side != ours || (ours == OrderSide.Buy ? o.Tick < tick : o.Tick > tick))
                    continue;
                if (best is null || (ours == OrderSide.Buy ? o.Tick > best.Tick : o.Tick < best.Tick))
                    best = o;
            }
            if (best is null)
                break;
            long fill = Math.Min(best.Leaves, available);
            available -= fill;
            ExecuteFill(s, best, best.Price, fill, isMaker: true);
            if (best.Leaves == 0)
            {
                s.Resting.Remove(best);
                Close(best, Gateway.Abstractions.VenueOrderStatus.Filled);
            }
        }
        if (available != qty)
            s.Book.Set(BookSide(levelSide), tick, available);
    }

    private static long ToTick(InstrumentState s, Price price)
    {
        if (!s.Spec.TryToTicks(price, out long tick) || tick <= 0)
            ThrowHelper.ThrowArgument(nameof(price),
                $"{s.Spec.Symbol}: the recorded price {price.ToString(s.Spec.PriceDecimals)} is not a positive multiple of the tick size {s.Spec.TickSize.ToString(s.Spec.PriceDecimals)}.");
        return tick;
    }
}
