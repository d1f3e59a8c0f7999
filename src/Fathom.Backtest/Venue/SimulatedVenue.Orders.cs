using Fathom.Book;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Backtest.Venue;

/// <summary>Order entry at the matching engine: what each command does when it arrives.</summary>
public sealed partial class SimulatedVenue
{
    // Binance's codes and messages (EXCHANGES.md §3, §7), so a reject reads as the live one does.
    private const string UnknownOrderMessage = "Unknown order sent.";
    private const string NoSuchOrderMessage = "Order does not exist.";
    private const string WouldTakeMessage = "Order would immediately match and take.";
    private const string DuplicateMessage = "Duplicate order sent.";
    private const string MarketClosedMessage = "Market is closed.";
    private const string InvalidSymbolMessage = "Invalid symbol.";
    private const string AmendIncreaseMessage = "Order amend (quantity increase) is not supported.";
    private const string TooManyOrders10sMessage = "Too many new orders; current limit is {0} orders per 10 SECOND.";
    private const string TooManyOrdersDayMessage = "Too many new orders; current limit is {0} orders per 1 DAY.";
    private const string PriceFilterMessage = "Filter failure: PRICE_FILTER";
    private const string LotSizeMessage = "Filter failure: LOT_SIZE";
    private const string NotionalMessage = "Filter failure: NOTIONAL";

    private string? _tooMany10s, _tooManyDay;

    private void Match(in OrderCommand c)
    {
        switch (c.Kind)
        {
            case CommandKind.Place: Place(c); break;
            case CommandKind.Cancel: Cancel(c); break;
            case CommandKind.CancelReplace: CancelReplace(c); break;
            case CommandKind.AmendQty: Amend(c); break;
            case CommandKind.Query: Query(c); break;
            default:
                EmitReject(c.InstrumentId, c.ClientOrderId, c.Kind, RejectReason.InvalidRequest, -1100, "Unsupported command.");
                break;
        }
    }

    private void Place(in OrderCommand c)
    {
        if (!TryInstrument(c.InstrumentId, c.ClientOrderId, CommandKind.Place, out var s)
            || !PassesFilters(s, c.InstrumentId, c.ClientOrderId, CommandKind.Place, c.Price, c.Qty)
            || IsDuplicate(c.InstrumentId, c.ClientOrderId, CommandKind.Place)
            || !ChargeOrder(c.InstrumentId, c.ClientOrderId, CommandKind.Place))
            return;
        Accept(s, c.InstrumentId, c.ClientOrderId, c.Side, c.Type, c.Price, c.Qty.Raw, CommandKind.Place);
    }

    private void Cancel(in OrderCommand c)
    {
        if (!TryInstrument(c.InstrumentId, c.OrigClientOrderId, CommandKind.Cancel, out var s))
            return;
        if (!TryGetOpen(c.InstrumentId, c.OrigClientOrderId, out var o))
        {
            // Already filled, cancelled or never placed: Binance -2011 (a cancel that arrives after the fill).
            EmitReject(c.InstrumentId, c.OrigClientOrderId, CommandKind.Cancel, RejectReason.UnknownOrder, -2011, UnknownOrderMessage);
            return;
        }
        s.Resting.Remove(o);
        EmitCanceled(c.InstrumentId, o.Id);
        Close(o, VenueOrderStatus.Canceled);
    }

    /// <summary>Binance <c>order.cancelReplace</c>, STOP_ON_FAILURE: counts one order even when the new one is not
    /// attempted; the cancel first, then the new order as a place (it queues behind everything at its price).</summary>
    private void CancelReplace(in OrderCommand c)
    {
        if (!TryInstrument(c.InstrumentId, c.OrigClientOrderId, CommandKind.CancelReplace, out var s)
            || !ChargeOrder(c.InstrumentId, c.OrigClientOrderId, CommandKind.CancelReplace))
            return;
        if (!TryGetOpen(c.InstrumentId, c.OrigClientOrderId, out var o))
        {
            EmitReject(c.InstrumentId, c.OrigClientOrderId, CommandKind.CancelReplace, RejectReason.UnknownOrder, -2011, UnknownOrderMessage);
            return;
        }
        s.Resting.Remove(o);
        EmitCanceled(c.InstrumentId, o.Id);
        Close(o, VenueOrderStatus.Canceled);
        if (!PassesFilters(s, c.InstrumentId, c.NewClientOrderId, CommandKind.CancelReplace, c.Price, c.Qty)
            || IsDuplicate(c.InstrumentId, c.NewClientOrderId, CommandKind.CancelReplace))
            return;
        Accept(s, c.InstrumentId, c.NewClientOrderId, c.Side, c.Type, c.Price, c.Qty.Raw, CommandKind.CancelReplace);
    }

    /// <summary>Binance <c>order.amend.keepPriority</c>: 0 &lt; new qty &lt; qty, the order keeps its place in the
    /// queue and is known by the amend's id from now on. A new quantity at or below what has filled leaves nothing
    /// open: the order is filled.</summary>
    private void Amend(in OrderCommand c)
    {
        if (!TryInstrument(c.InstrumentId, c.OrigClientOrderId, CommandKind.AmendQty, out var s))
            return;
        if (!TryGetOpen(c.InstrumentId, c.OrigClientOrderId, out var o))
        {
            EmitReject(c.InstrumentId, c.OrigClientOrderId, CommandKind.AmendQty, RejectReason.UnknownOrder, -2013, NoSuchOrderMessage);
            return;
        }
        long newQty = c.Qty.Raw;
        if (newQty <= 0 || newQty >= o.Qty)
        {
            EmitReject(c.InstrumentId, c.OrigClientOrderId, CommandKind.AmendQty, RejectReason.AmendNotAllowed, -2038, AmendIncreaseMessage);
            return;
        }
        if (!s.Spec.IsOnStep(c.Qty))
        {
            EmitReject(c.InstrumentId, c.OrigClientOrderId, CommandKind.AmendQty, RejectReason.FilterFailure, -1013, LotSizeMessage);
            return;
        }
        var newId = c.ClientOrderId.IsNone ? o.Id : c.ClientOrderId;
        if (newId != o.Id && IsDuplicate(c.InstrumentId, newId, CommandKind.AmendQty))
            return;
        _open.Remove(o.Id);
        o.Id = newId;
        o.Qty = newQty;
        _open.Add(newId, o);
        EmitAmended(c.InstrumentId, c.OrigClientOrderId, newId, c.Qty);
        if (o.Leaves <= 0)
        {
            s.Resting.Remove(o);
            Close(o, VenueOrderStatus.Filled);
        }
    }

    private void Query(in OrderCommand c)
    {
        var id = c.OrigClientOrderId;
        if (TryGetOpen(c.InstrumentId, id, out var o))
            EmitStatus(new OrderStatusReport(c.InstrumentId, id, o.Filled > 0 ? VenueOrderStatus.PartiallyFilled : VenueOrderStatus.New,
                o.VenueOrderId, new Qty(o.Filled), _stepTime));
        else if (_closed.TryGetValue(id, out var closed))
            EmitStatus(new OrderStatusReport(c.InstrumentId, id, closed.Status, closed.VenueOrderId, closed.Cumulative, closed.TimeNs));
        else
            EmitStatus(new OrderStatusReport(c.InstrumentId, id, VenueOrderStatus.NotFound, 0, Qty.Zero, _stepTime));
    }

    /// <summary>Binance <c>openOrders.cancelAll</c>: every open order of ours on the instrument, oldest first; with none, -2011.</summary>
    private void CancelAllAt(int instrument, ClientOrderId cancelId)
    {
        if (!TryInstrument(instrument, cancelId, CommandKind.Cancel, out var s))
            return;
        if (s.Resting.Count == 0)
        {
            EmitReject(instrument, cancelId, CommandKind.Cancel, RejectReason.UnknownOrder, -2011, UnknownOrderMessage);
            return;
        }
        foreach (var o in s.Resting)
        {
            EmitCanceled(instrument, o.Id);
            Close(o, VenueOrderStatus.Canceled);
        }
        s.Resting.Clear();
    }

    /// <summary>
    /// A new order that passed every check: acked, then (if it crosses the recorded opposite side) it trades as taker
    /// level by level up to its price; a LIMIT remainder rests behind the recorded quantity at its price, an IOC
    /// remainder expires. A post-only order that would take is rejected instead.
    /// </summary>
    private void Accept(InstrumentState s, int instrument, ClientOrderId id, OrderSide side, OrderType type, Price price, long qty, CommandKind kind)
    {
        long tick = price.Raw / s.Spec.TickSize.Raw;
        bool crosses = side == OrderSide.Buy
            ? s.Book.HasAsk && tick >= s.Book.BestAskTick
            : s.Book.HasBid && tick <= s.Book.BestBidTick;
        if (crosses && type == OrderType.LimitMaker)
        {
            EmitReject(instrument, id, kind, RejectReason.WouldTake, -2010, WouldTakeMessage);
            return;
        }
        var o = Rent();
        o.Instrument = instrument;
        o.Id = id;
        o.VenueOrderId = ++_venueOrderIds;
        o.Side = side;
        o.Type = type;
        o.Price = price;
        o.Tick = tick;
        o.Qty = qty;
        o.Filled = 0;
        o.Ahead = 0;
        o.TradedSinceUpdate = 0;
        _open.Add(id, o);
        EmitAck(instrument, id, o.VenueOrderId);
        if (crosses)
            Take(s, o);
        if (o.Leaves == 0)
        {
            Close(o, VenueOrderStatus.Filled);
            return;
        }
        if (type == OrderType.LimitIoc)
        {
            EmitExpired(instrument, id);
            Close(o, VenueOrderStatus.Expired);
            return;
        }
        // Queue position: behind all the recorded quantity at our price as the matching engine sees it now.
        o.Ahead = s.Book.QtyAt(BookSide(side), tick);
        s.Resting.Add(o);
    }

    /// <summary>Walks the recorded opposite levels from the best up to the order's price, one taker fill per level.
    /// What we took is gone from the matching engine's view of each level until the recording next updates it.</summary>
    private void Take(InstrumentState s, VenueOrder o)
    {
        var opposite = o.Side == OrderSide.Buy ? Side.Ask : Side.Bid;
        long remaining = o.Leaves;
        int n = 0;
        foreach (var level in s.Book.Levels(opposite))
        {
            if (o.Side == OrderSide.Buy ? level.Tick > o.Tick : level.Tick < o.Tick)
                break;
            long take = Math.Min(remaining, level.Qty);
            if (n == _scratch.Length)
            {
                Array.Resize(ref _scratch, n * 2);
                Array.Resize(ref _takeScratch, n * 2);
            }
            _scratch[n] = level;
            _takeScratch[n] = take;
            n++;
            remaining -= take;
            if (remaining == 0)
                break;
        }
        // The book is not changed while its levels are enumerated.
        for (int i = 0; i < n; i++)
        {
            var level = _scratch[i];
            s.Book.Set(opposite, level.Tick, level.Qty - _takeScratch[i]);
            ExecuteFill(s, o, s.Book.PriceOf(level.Tick), _takeScratch[i], isMaker: false);
        }
    }

    private bool TryInstrument(int instrument, ClientOrderId target, CommandKind kind, out InstrumentState state)
    {
        if ((uint)instrument < (uint)_instruments.Length)
        {
            state = _instruments[instrument];
            return true;
        }
        state = null!;
        EmitReject(instrument, target, kind, RejectReason.InvalidRequest, -1121, InvalidSymbolMessage);
        return false;
    }

    private bool TryGetOpen(int instrument, ClientOrderId id, out VenueOrder order) =>
        _open.TryGetValue(id, out order!) && order.Instrument == instrument;

    private bool PassesFilters(InstrumentState s, int instrument, ClientOrderId id, CommandKind kind, Price price, Qty qty)
    {
        var result = s.Spec.CheckOrder(price, qty);
        switch (result)
        {
            case OrderFilterResult.Ok:
                return true;
            case OrderFilterResult.NotTrading:
                EmitReject(instrument, id, kind, RejectReason.MarketClosed, -2010, MarketClosedMessage);
                return false;
            case OrderFilterResult.PriceNotPositive:
            case OrderFilterResult.PriceOffTick:
            case OrderFilterResult.PriceBelowMin:
            case OrderFilterResult.PriceAboveMax:
                EmitReject(instrument, id, kind, RejectReason.FilterFailure, -1013, PriceFilterMessage);
                return false;
            case OrderFilterResult.NotionalBelowMin:
                EmitReject(instrument, id, kind, RejectReason.FilterFailure, -1013, NotionalMessage);
                return false;
            default:
                EmitReject(instrument, id, kind, RejectReason.FilterFailure, -1013, LotSizeMessage);
                return false;
        }
    }

    /// <summary>Binance keeps client ids unique among open orders: a second open order with one is -2010.</summary>
    private bool IsDuplicate(int instrument, ClientOrderId id, CommandKind kind)
    {
        if (!_open.ContainsKey(id))
            return false;
        EmitReject(instrument, id, kind, RejectReason.DuplicateOrder, -2010, DuplicateMessage);
        return true;
    }

    private bool ChargeOrder(int instrument, ClientOrderId target, CommandKind kind)
    {
        if (_limiter.TryCharge(_stepTime, out long retryAfterNs, out bool daily))
            return true;
        string message = daily
            ? _tooManyDay ??= string.Format(System.Globalization.CultureInfo.InvariantCulture, TooManyOrdersDayMessage, _model.Limits.OrdersPerDay)
            : _tooMany10s ??= string.Format(System.Globalization.CultureInfo.InvariantCulture, TooManyOrders10sMessage, _model.Limits.OrdersPer10s);
        EmitReject(instrument, target, kind, RejectReason.RateLimited, -1015, message, retryAfterNs);
        return false;
    }
}
