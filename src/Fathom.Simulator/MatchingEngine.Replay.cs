namespace Fathom.Simulator;

/// <summary>
/// Replay primitives (<see cref="RecordedMarket"/>): recorded liquidity is held as resting orders of
/// one "recorded" account, so client orders share real FIFO queues with it. These bypass filters,
/// symbol status and order-count limits (recorded levels can be below the minimum notional and
/// number in the thousands) but keep every lock, balance, event and trade rule of the engine.
/// </summary>
public sealed partial class MatchingEngine
{
    /// <summary>The recorded account's resting quantity at one price (0 when there is no level).</summary>
    internal static long RecordedQtyAt(SimAccount recorded, SymbolBook book, OrderSide side, long price)
    {
        var level = (side == OrderSide.Buy ? book.Bids : book.Asks).At(price);
        long qty = 0;
        for (var o = level?.Head; o is not null; o = o.Next)
            if (o.Account == recorded)
                qty += o.Remaining;
        return qty;
    }

    /// <summary>Recorded quantity queued ahead of <paramref name="order"/> at its price (0 if it is not resting).</summary>
    internal static long RecordedQtyAhead(SimAccount recorded, SimOrder order)
    {
        long qty = 0;
        for (var o = order.Level is null ? null : order.Prev; o is not null; o = o.Prev)
            if (o.Account == recorded)
                qty += o.Remaining;
        return qty;
    }

    /// <summary>
    /// Makes the recorded account's resting quantity at (side, price) equal <paramref name="target"/>.
    /// A decrease comes off the back of the queue first (recorded orders behind client orders, then
    /// those ahead), so a client's recorded quantity ahead becomes min(ahead, target) and never less;
    /// an increase joins the back of the queue, behind every client order. An increase at a price a
    /// client order on the other side crosses trades with it first (the client is the maker).
    /// </summary>
    internal void SetRecordedLevel(SimAccount recorded, SymbolBook book, OrderSide side, long price, long target)
    {
        long current = RecordedQtyAt(recorded, book, side, price);
        if (target < current)
        {
            var bookSide = side == OrderSide.Buy ? book.Bids : book.Asks;
            long cut = current - target;
            for (var o = bookSide.At(price)?.Tail; o is not null && cut > 0;)
            {
                var prev = o.Prev;
                if (o.Account == recorded)
                {
                    if (o.Remaining <= cut)
                    {
                        cut -= o.Remaining;
                        RemoveRecorded(o, bookSide);
                    }
                    else
                    {
                        ReduceRecorded(o, cut);
                        cut = 0;
                    }
                }
                o = prev;
            }
            return;
        }
        while (current < target)
        {
            long rested = AddRecorded(recorded, book, side, price, target - current);
            current += rested;
            if (rested == 0 && !WouldCross(book, side, price))
                break; // cannot happen with an uncrossed recording; never loop forever
        }
    }

    private static bool WouldCross(SymbolBook book, OrderSide side, long price) =>
        (side == OrderSide.Buy ? book.Asks : book.Bids).Best is { } best && Crosses(side, price, best.Price);

    private void RemoveRecorded(SimOrder o, BookSide side)
    {
        Unrest(o, o.Level!, side);
        ReleaseAll(o);
        o.Status = OrderStatus.Canceled;
        o.UpdateTime = NowMs;
        Record(o, ExecutionType.Canceled, o.UpdateTime, origClientId: o.ClientOrderId, clientId: o.ClientOrderId);
    }

    private void ReduceRecorded(SimOrder o, long decrease)
    {
        var spec = o.Book.Symbol.Spec;
        o.OrigQty -= decrease;
        o.Level!.TotalQty -= decrease;
        if (o.Side == OrderSide.Sell)
        {
            long units = Assets.FromQty(decrease, spec.QtyDecimals);
            o.Locked -= units;
            o.Account.Unlock(o.Book.BaseAsset, units);
        }
        else
        {
            ReleaseExcess(o);
        }
        o.UpdateTime = NowMs;
        o.Book.MarkChanged(o.Side == OrderSide.Buy, o.Price);
        Record(o, ExecutionType.Replaced, o.UpdateTime);
    }

    private SimOrder NewRecordedOrder(SimAccount recorded, SymbolBook book, OrderSide side, long price, long qty, TimeInForce tif)
    {
        var spec = book.Symbol.Spec;
        int lockAsset = side == OrderSide.Buy ? book.QuoteAsset : book.BaseAsset;
        long lockAmount = side == OrderSide.Buy ? Assets.NotionalCeil(price, qty, spec) : Assets.FromQty(qty, spec.QtyDecimals);
        if (recorded.FreeByAsset[lockAsset] < lockAmount)
            throw new InvalidOperationException($"{book.Name}: the recorded-market account cannot cover {lockAmount} of {_assets[lockAsset]}");
        long now = NowMs;
        long id = ++book.LastOrderId;
        var order = new SimOrder
        {
            Book = book,
            Account = recorded,
            ClientOrderId = "recorded-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Side = side,
            Type = OrderType.Limit,
            TimeInForce = tif,
            Price = price,
            OrigQty = qty,
            Stp = SelfTradePreventionMode.None,
            Time = now,
            UpdateTime = now,
            Status = OrderStatus.New,
            WorkingTime = now,
        };
        order.OrderId = id;
        book.AddOrder(order);
        recorded.Lock(lockAsset, lockAmount);
        order.Locked = lockAmount;
        Record(order, ExecutionType.New, now);
        return order;
    }

    /// <summary>A recorded GTC order: trades with crossing client orders, rests the rest. Returns the quantity rested.</summary>
    private long AddRecorded(SimAccount recorded, SymbolBook book, OrderSide side, long price, long qty)
    {
        _fills.Clear();
        var order = NewRecordedOrder(recorded, book, side, price, qty, TimeInForce.Gtc);
        Match(order, side == OrderSide.Buy ? book.Asks : book.Bids, order.Time);
        if (order.Remaining > 0)
        {
            Rest(order);
            return order.Remaining;
        }
        ReleaseAll(order);
        order.Status = OrderStatus.Filled;
        return 0;
    }

    /// <summary>
    /// One recorded trade: an aggressor of <paramref name="takerSide"/> traded <paramref name="qty"/> at
    /// <paramref name="price"/>. Client orders at strictly better prices fill first (the recorded
    /// aggressor passed through them; recorded orders there are stale and skipped), then the queue at
    /// <paramref name="price"/> in FIFO order, recorded quantity ahead of clients first. Any quantity the
    /// queue cannot supply is printed against a recorded order added at the back. The queue at
    /// <paramref name="price"/> is then topped back up to <paramref name="recordedAtPrice"/> (behind
    /// every client) until the depth stream says how much is left. Returns the quantity clients filled.
    /// </summary>
    internal long ReplayTrade(SimAccount recorded, SymbolBook book, OrderSide takerSide, long price, long qty, long recordedAtPrice)
    {
        _fills.Clear();
        var makerSide = takerSide == OrderSide.Buy ? book.Asks : book.Bids;
        var makerOrderSide = takerSide == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
        var taker = NewRecordedOrder(recorded, book, takerSide, price, qty, TimeInForce.Ioc);
        long now = taker.Time;
        long clientQty = 0;
        var queue = new List<SimOrder>();
        for (int i = 0; i < makerSide.LevelCount; i++)
        {
            var level = makerSide.LevelFromBest(i);
            if (!Crosses(takerSide, price, level.Price))
                break;
            for (var o = level.Head; o is not null; o = o.Next)
                if (level.Price == price || o.Account != recorded)
                    queue.Add(o);
        }
        foreach (var maker in queue)
        {
            if (taker.Remaining == 0)
                break;
            long q = Math.Min(maker.Remaining, taker.Remaining);
            if (maker.Account != recorded)
                clientQty += q;
            Execute(taker, maker, maker.Level!, makerSide, q, now);
        }
        if (taker.Remaining > 0 && !WouldCross(book, makerOrderSide, price))
        {
            // The recording traded more than the replayed queue holds (liquidity added and taken within one diff interval).
            var extra = NewRecordedOrder(recorded, book, makerOrderSide, price, taker.Remaining, TimeInForce.Gtc);
            Rest(extra);
            Execute(taker, extra, extra.Level!, makerSide, taker.Remaining, now);
        }
        ReleaseAll(taker);
        taker.Status = taker.Remaining == 0 ? OrderStatus.Filled : OrderStatus.Expired;
        if (taker.Status == OrderStatus.Expired)
            Record(taker, ExecutionType.Expired, now, expiryReason: "UNFILLED_IOC_QUANTITY_EXPIRED");
        SetRecordedLevel(recorded, book, makerOrderSide, price, recordedAtPrice);
        return clientQty;
    }
}
