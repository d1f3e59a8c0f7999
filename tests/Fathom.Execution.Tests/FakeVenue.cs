using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Execution.Tests;

/// <summary>
/// A small venue for property tests: applies commands, fills open orders at random, times out at random
/// (sometimes after applying the command, sometimes before), rate-limits cancels and cancel-replaces at
/// random (sometimes with a Retry-After), and delivers every report for an order in order (as a user
/// stream does) after a random latency. Queries answer the truth.
/// </summary>
internal sealed class FakeVenue(Harness h, Random rng, int rejectPct, int timeoutPct, int maxLatencyMs)
{
    private sealed class VenueOrder
    {
        public ClientOrderId Id;
        public OrderSide Side;
        public long Price;
        public long Qty;
        public long Filled;
        public bool Open;
        public bool Ioc;
    }

    private readonly Dictionary<long, VenueOrder> _orders = [];
    private readonly Dictionary<long, long> _lastDue = [];
    private readonly PriorityQueue<Action, (long Due, long Seq)> _events = new();
    private long _eventSeq;
    private long _tradeId;
    public long NetFilled;
    public bool Healthy;

    private void Schedule(long orderSeq, Action report)
    {
        long due = h.Now + rng.Next(0, maxLatencyMs + 1) * 1_000_000L;
        if (_lastDue.TryGetValue(orderSeq, out long last) && last > due)
            due = last; // per-order reports keep their order
        _lastDue[orderSeq] = due;
        _events.Enqueue(report, (due, ++_eventSeq));
    }

    public void Deliver()
    {
        while (_events.TryPeek(out _, out var key) && key.Due <= h.Now)
            _events.Dequeue()();
    }

    public bool Idle => _events.Count == 0;

    private bool TimesOut() => !Healthy && rng.Next(100) < timeoutPct;
    private bool Rejects() => !Healthy && rng.Next(100) < rejectPct;

    public void Handle(in OrderCommand c)
    {
        switch (c.Kind)
        {
            case CommandKind.Place: Place(c.ClientOrderId, c.Side, c.Price.Raw, c.Qty.Raw, c.Type == OrderType.LimitIoc, CommandKind.Place, c.ClientOrderId); break;
            case CommandKind.Cancel: Cancel(c); break;
            case CommandKind.CancelReplace: CancelReplace(c); break;
            case CommandKind.AmendQty: Amend(c); break;
            case CommandKind.Query: Query(c.OrigClientOrderId); break;
        }
    }

    private void Place(ClientOrderId id, OrderSide side, long price, long qty, bool ioc, CommandKind cmd, ClientOrderId reportAs)
    {
        bool timeout = TimesOut();
        bool applied = !timeout || rng.Next(2) == 0;
        if (applied && Rejects() && !timeout)
        {
            Schedule(id.Sequence, () => h.Engine.OnReject(new RejectReport(0, id, cmd, RejectReason.InsufficientBalance, -2010, null, h.Now), h.Now));
            return;
        }
        if (applied)
        {
            var o = new VenueOrder { Id = id, Side = side, Price = price, Qty = qty, Open = true, Ioc = ioc };
            _orders[id.Sequence] = o;
            Schedule(id.Sequence, () => h.Engine.OnAck(new AckReport(0, id, 10_000 + id.Sequence, h.Now), h.Now));
            if (ioc)
            {
                if (rng.Next(2) == 0)
                    FillSome(o);
                if (o.Open)
                {
                    o.Open = false;
                    Schedule(id.Sequence, () => h.Engine.OnExpired(new ExpiredReport(0, id, h.Now), h.Now));
                }
            }
        }
        if (timeout)
            Schedule(reportAs.Sequence, () => h.Engine.OnStatusUnknown(new StatusUnknownReport(0, reportAs, cmd, UnknownCause.Timeout, h.Now), h.Now));
    }

    private VenueOrder? Find(ClientOrderId id) => _orders.GetValueOrDefault(id.Sequence);

    private void Cancel(in OrderCommand c)
    {
        var orig = c.OrigClientOrderId;
        var o = Find(orig);
        bool timeout = TimesOut();
        bool applied = !timeout || rng.Next(2) == 0;
        if (applied && o is { Open: true } && !timeout && Rejects())
        {
            RateLimited(o.Id.Sequence, orig, CommandKind.Cancel);
            return;
        }
        if (applied)
        {
            if (o is { Open: true })
            {
                o.Open = false;
                Schedule(o.Id.Sequence, () => h.Engine.OnCanceled(new CanceledReport(0, orig, h.Now), h.Now));
            }
            else if (!timeout)
            {
                Schedule(OrderSeq(orig), () => h.Engine.OnReject(new RejectReport(0, orig, CommandKind.Cancel, RejectReason.UnknownOrder, -2011, null, h.Now), h.Now));
            }
        }
        if (timeout)
            Schedule(OrderSeq(orig), () => h.Engine.OnStatusUnknown(new StatusUnknownReport(0, orig, CommandKind.Cancel, UnknownCause.Timeout, h.Now), h.Now));
    }

    private long OrderSeq(ClientOrderId id) => Find(id)?.Id.Sequence ?? id.Sequence;

    /// <summary>A 429 for a cancel or cancel-replace (nothing happened), half the time with a Retry-After of up to 1 s.</summary>
    private void RateLimited(long orderSeq, ClientOrderId orig, CommandKind cmd)
    {
        long retryAfterNs = rng.Next(2) == 0 ? 0 : rng.Next(1, 1_000) * 1_000_000L;
        Schedule(orderSeq, () => h.Engine.OnReject(new RejectReport(0, orig, cmd, RejectReason.RateLimited, -1003, null, h.Now, retryAfterNs), h.Now));
    }

    private void CancelReplace(in OrderCommand c)
    {
        var orig = c.OrigClientOrderId;
        var newId = c.NewClientOrderId;
        var o = Find(orig);
        bool timeout = TimesOut();
        bool applied = !timeout || rng.Next(2) == 0;
        if (applied && o is { Open: true } && !timeout && Rejects())
        {
            RateLimited(o.Id.Sequence, orig, CommandKind.CancelReplace);
            return;
        }
        if (applied)
        {
            if (o is { Open: true })
            {
                o.Open = false;
                // Both legs report on the old order's stream position, so the new leg's ack follows the cancel.
                Schedule(o.Id.Sequence, () => h.Engine.OnCanceled(new CanceledReport(0, orig, h.Now), h.Now));
                var n = new VenueOrder { Id = newId, Side = c.Side, Price = c.Price.Raw, Qty = c.Qty.Raw, Open = true };
                _orders[newId.Sequence] = n;
                _lastDue[newId.Sequence] = _lastDue[o.Id.Sequence];
                Schedule(newId.Sequence, () => h.Engine.OnAck(new AckReport(0, newId, 10_000 + newId.Sequence, h.Now), h.Now));
            }
            else if (!timeout)
            {
                Schedule(OrderSeq(orig), () => h.Engine.OnReject(new RejectReport(0, orig, CommandKind.CancelReplace, RejectReason.UnknownOrder, -2022, null, h.Now), h.Now));
            }
        }
        if (timeout)
            Schedule(OrderSeq(orig), () => h.Engine.OnStatusUnknown(new StatusUnknownReport(0, orig, CommandKind.CancelReplace, UnknownCause.Timeout, h.Now), h.Now));
    }

    private void Amend(in OrderCommand c)
    {
        var orig = c.OrigClientOrderId;
        var newId = c.ClientOrderId;
        var o = Find(orig);
        if (o is { Open: true } && c.Qty.Raw > o.Filled && c.Qty.Raw < o.Qty)
        {
            o.Qty = c.Qty.Raw;
            _orders[newId.Sequence] = o; // the venue now knows it by the amend's id too
            var q = c.Qty;
            Schedule(o.Id.Sequence, () => h.Engine.OnAmended(new AmendedReport(0, orig, newId, q, h.Now), h.Now));
        }
        else
        {
            Schedule(OrderSeq(orig), () => h.Engine.OnReject(new RejectReport(0, orig, CommandKind.AmendQty, RejectReason.UnknownOrder, -2011, null, h.Now), h.Now));
        }
    }

    private void Query(ClientOrderId id)
    {
        var o = Find(id);
        var status = o is null ? VenueOrderStatus.NotFound
            : o.Open ? (o.Filled > 0 ? VenueOrderStatus.PartiallyFilled : VenueOrderStatus.New)
            : o.Filled == o.Qty ? VenueOrderStatus.Filled : o.Ioc ? VenueOrderStatus.Expired : VenueOrderStatus.Canceled;
        long filled = o?.Filled ?? 0;
        Schedule(OrderSeq(id), () => h.Engine.OnOrderStatus(new OrderStatusReport(0, id, status, 0, new Qty(filled), h.Now), h.Now));
    }

    /// <summary>Fills part or all of a random open order.</summary>
    public void RandomFill()
    {
        VenueOrder? pick = null;
        int seen = 0;
        foreach (var o in _orders.Values)
            if (o.Open && rng.Next(++seen) == 0)
                pick = o;
        if (pick is not null)
            FillSome(pick);
    }

    private void FillSome(VenueOrder o)
    {
        long qty = Math.Max(1, Math.Min(o.Qty - o.Filled, rng.Next(1, (int)Math.Max(2, o.Qty))));
        o.Filled += qty;
        NetFilled += o.Side == OrderSide.Buy ? qty : -qty;
        if (o.Filled == o.Qty)
            o.Open = false;
        var id = o.Id;
        long trade = ++_tradeId;
        long price = o.Price, cum = o.Filled;
        var side = o.Side;
        Schedule(id.Sequence, () => h.Engine.OnFill(new FillReport(0, id, 10_000 + id.Sequence, trade, side, new Price(price), new Qty(qty), new Qty(cum), 0, Qty.Zero, true, h.Now), h.Now));
    }
}
