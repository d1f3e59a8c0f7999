using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Backtest.Benchmarks;

/// <summary>
/// The benchmark's venue (SimulatedVenue is measured by its own benchmark): constant latencies, so arrivals and reports
/// are each first in, first out; a place is acknowledged on arrival and rests; a resting order fills in full, as maker,
/// when a recorded trade goes through its price; cancels, cancel-replaces and amends apply on arrival. Steady state allocates
/// nothing (queues and the resting list only grow).
/// </summary>
internal sealed class BenchVenue(VenueModel model, IReportSink sink) : IBacktestVenue
{
    private enum ReportKind : byte { Ack, Canceled, Fill, Reject, Amended }

    private readonly Queue<(long At, OrderCommand Command)> _arrivals = new(256);
    private readonly Queue<(long At, ReportKind Kind, OrderCommand Order)> _reports = new(256);
    private readonly List<OrderCommand> _resting = new(64);
    private long _now;
    private long _venueIds;
    private long _tradeIds;

    public bool IsReady => true;
    public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;

    public long NextEventNs => Math.Min(
        _arrivals.TryPeek(out var a) ? a.At : long.MaxValue,
        _reports.TryPeek(out var r) ? r.At : long.MaxValue);

    public void Send(in OrderCommand command) => _arrivals.Enqueue((_now + model.OrderEntry.ConstantNs, command));

    public void CancelAll(int instrumentId, ClientOrderId cancelId)
    {
        for (int i = _resting.Count - 1; i >= 0; i--)
        {
            if (_resting[i].InstrumentId != instrumentId)
                continue;
            Report(ReportKind.Canceled, _resting[i]);
            _resting.RemoveAt(i);
        }
    }

    public void AdvanceTo(long nowNs)
    {
        while (true)
        {
            bool arrival = _arrivals.TryPeek(out var a) && a.At <= nowNs;
            bool report = _reports.TryPeek(out var r) && r.At <= nowNs;
            if (!arrival && !report)
                break;
            if (arrival && (!report || a.At <= r.At))
            {
                _now = a.At;
                Arrive(_arrivals.Dequeue().Command);
            }
            else
            {
                _now = r.At;
                Deliver(_reports.Dequeue());
            }
        }
        _now = nowNs;
    }

    private void Report(ReportKind kind, in OrderCommand order) => _reports.Enqueue((_now + model.Response.ConstantNs, kind, order));

    private void Arrive(in OrderCommand c)
    {
        switch (c.Kind)
        {
            case CommandKind.Place:
                _resting.Add(c);
                Report(ReportKind.Ack, c);
                break;
            case CommandKind.Cancel:
                if (!Remove(c.OrigClientOrderId))
                    Report(ReportKind.Reject, c);
                break;
            case CommandKind.CancelReplace:
                if (!Remove(c.OrigClientOrderId))
                {
                    Report(ReportKind.Reject, c);
                    break;
                }
                OrderCommand placed = OrderCommand.From(new PlaceOrderCommand(c.InstrumentId, c.NewClientOrderId, c.Side, c.Type, c.Price, c.Qty), c.IssuedNs);
                _resting.Add(placed);
                Report(ReportKind.Ack, placed);
                break;
            case CommandKind.AmendQty:
                int i = IndexOf(c.OrigClientOrderId);
                if (i < 0)
                {
                    Report(ReportKind.Reject, c);
                    break;
                }
                OrderCommand old = _resting[i];
                // A size reduction keeps its place; the order goes by the amend's client id from now on.
                _resting[i] = OrderCommand.From(new PlaceOrderCommand(old.InstrumentId, c.ClientOrderId, old.Side, old.Type, old.Price, c.Qty), old.IssuedNs);
                Report(ReportKind.Amended, c);
                break;
        }
    }

    private int IndexOf(ClientOrderId id)
    {
        for (int i = 0; i < _resting.Count; i++)
            if (_resting[i].ClientOrderId == id)
                return i;
        return -1;
    }

    private bool Remove(ClientOrderId id)
    {
        int i = IndexOf(id);
        if (i < 0)
            return false;
        Report(ReportKind.Canceled, _resting[i]);
        _resting.RemoveAt(i);
        return true;
    }

    private void Deliver((long At, ReportKind Kind, OrderCommand Order) r)
    {
        OrderCommand o = r.Order;
        switch (r.Kind)
        {
            case ReportKind.Ack:
                sink.OnAck(new AckReport(o.InstrumentId, o.ClientOrderId, ++_venueIds, r.At));
                break;
            case ReportKind.Canceled:
                sink.OnCanceled(new CanceledReport(o.InstrumentId, o.ClientOrderId, r.At));
                break;
            case ReportKind.Fill:
                sink.OnFill(new FillReport(o.InstrumentId, o.ClientOrderId, 0, ++_tradeIds, o.Side, o.Price, o.Qty, o.Qty, 0, Qty.Zero, true, r.At));
                break;
            case ReportKind.Amended:
                sink.OnAmended(new AmendedReport(o.InstrumentId, o.OrigClientOrderId, o.ClientOrderId, o.Qty, r.At));
                break;
            case ReportKind.Reject:
                ClientOrderId id = o.Kind == CommandKind.CancelReplace ? o.NewClientOrderId : o.OrigClientOrderId;
                sink.OnReject(new RejectReport(o.InstrumentId, id, o.Kind, RejectReason.UnknownOrder, -2011, null, r.At));
                break;
        }
    }

    public void OnLevel(int instrument, OrderSide side, Price price, Qty qty, long exchangeNs) { }

    public void OnBookCleared(int instrument, long exchangeNs) { }

    public void OnTopOfBook(int instrument, Price bidPrice, Qty bidQty, Price askPrice, Qty askQty, long exchangeNs) { }

    public void OnTrade(int instrument, OrderSide aggressor, Price price, Qty qty, long exchangeNs)
    {
        for (int i = _resting.Count - 1; i >= 0; i--)
        {
            OrderCommand o = _resting[i];
            if (o.InstrumentId == instrument &&
                (o.Side == OrderSide.Buy ? aggressor == OrderSide.Sell && price < o.Price : aggressor == OrderSide.Buy && price > o.Price))
            {
                Report(ReportKind.Fill, o);
                _resting.RemoveAt(i);
            }
        }
    }
}
