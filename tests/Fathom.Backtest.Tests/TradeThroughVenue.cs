using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Backtest.Tests;

/// <summary>
/// A deliberately simple venue for the runner's tests (the real one is SimulatedVenue): constant latencies from the
/// model; a place is acknowledged when it arrives and rests; a resting order fills in full, as maker at its price, when
/// a recorded trade goes through its price (a sell trade below a bid of ours, a buy trade above an ask); cancels,
/// cancel-replaces, amends and cancel-all apply when they arrive. Counts every report when it reaches the core.
/// </summary>
internal sealed class TradeThroughVenue(IReadOnlyList<InstrumentSpec> specs, VenueModel model, IReportSink sink) : IBacktestVenue
{
    private readonly PriorityQueue<Action, (long At, long Seq)> _due = new();
    private readonly List<OrderCommand> _resting = [];
    private long _seq;
    private long _venueIds;
    private long _tradeIds;

    public long NowNs { get; private set; }
    public long CommandsReceived { get; private set; }
    public long PlacesReceived { get; private set; }
    public long AcksSent { get; private set; }
    public long FillsSent { get; private set; }
    public long CancelsSent { get; private set; }
    public long RejectsSent { get; private set; }
    public long Levels { get; private set; }
    public long Trades { get; private set; }
    /// <summary>Best bid/ask updates the runner gave (<see cref="OnTopOfBook"/>).</summary>
    public long Tickers { get; private set; }
    public long LastMarketNs { get; private set; }
    /// <summary>True when a market-data call came with a time before the last <see cref="AdvanceTo"/>'s (the runner must never do that).</summary>
    public bool SawTimeGoBack { get; private set; }

    public bool IsReady => true;
    public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;

    public long NextEventNs => _due.TryPeek(out _, out var key) ? key.At : long.MaxValue;

    public void AdvanceTo(long nowNs)
    {
        if (nowNs < NowNs)
            SawTimeGoBack = true;
        while (_due.TryPeek(out _, out var key) && key.At <= nowNs)
        {
            NowNs = key.At;
            _due.Dequeue()();
        }
        NowNs = nowNs;
    }

    private void At(long ns, Action action) => _due.Enqueue(action, (ns, _seq++));

    private void Report(Action report) => At(NowNs + model.Response.ConstantNs, report);

    public void Send(in OrderCommand command)
    {
        CommandsReceived++;
        OrderCommand c = command;
        if (c.Kind is CommandKind.Place or CommandKind.CancelReplace)
            PlacesReceived++;
        At(NowNs + model.OrderEntry.ConstantNs, () => Arrive(c));
    }

    public void CancelAll(int instrumentId, ClientOrderId cancelId) =>
        At(NowNs + model.OrderEntry.ConstantNs, () =>
        {
            for (int i = _resting.Count - 1; i >= 0; i--)
            {
                OrderCommand o = _resting[i];
                if (o.InstrumentId != instrumentId)
                    continue;
                _resting.RemoveAt(i);
                CanceledReport(o);
            }
        });

    private void Arrive(OrderCommand c)
    {
        switch (c.Kind)
        {
            case CommandKind.Place:
                Accept(c.InstrumentId, c.ClientOrderId, c);
                break;
            case CommandKind.Cancel:
                if (!Cancel(c.OrigClientOrderId))
                    Reject(c.InstrumentId, c.OrigClientOrderId, CommandKind.Cancel);
                break;
            case CommandKind.CancelReplace:
                if (!Cancel(c.OrigClientOrderId))
                {
                    Reject(c.InstrumentId, c.NewClientOrderId, CommandKind.CancelReplace);
                    break;
                }
                Accept(c.InstrumentId, c.NewClientOrderId, c);
                break;
            case CommandKind.AmendQty:
                int i = _resting.FindIndex(o => o.ClientOrderId == c.OrigClientOrderId);
                if (i < 0)
                {
                    Reject(c.InstrumentId, c.OrigClientOrderId, CommandKind.AmendQty);
                    break;
                }
                OrderCommand old = _resting[i];
                _resting[i] = OrderCommand.From(new PlaceOrderCommand(old.InstrumentId, c.ClientOrderId, old.Side, old.Type, old.Price, c.Qty), old.IssuedNs);
                var amended = new AmendedReport(c.InstrumentId, c.OrigClientOrderId, c.ClientOrderId, c.Qty, NowNs);
                Report(() => sink.OnAmended(amended));
                break;
        }
    }

    private void Accept(int instrument, ClientOrderId id, OrderCommand c)
    {
        _resting.Add(OrderCommand.From(new PlaceOrderCommand(instrument, id, c.Side, c.Type, c.Price, c.Qty), c.IssuedNs));
        var ack = new AckReport(instrument, id, ++_venueIds, NowNs);
        Report(() =>
        {
            AcksSent++;
            sink.OnAck(ack);
        });
    }

    private bool Cancel(ClientOrderId id)
    {
        int i = _resting.FindIndex(o => o.ClientOrderId == id);
        if (i < 0)
            return false;
        OrderCommand o = _resting[i];
        _resting.RemoveAt(i);
        CanceledReport(o);
        return true;
    }

    private void CanceledReport(OrderCommand o)
    {
        var canceled = new CanceledReport(o.InstrumentId, o.ClientOrderId, NowNs);
        Report(() =>
        {
            CancelsSent++;
            sink.OnCanceled(canceled);
        });
    }

    private void Reject(int instrument, ClientOrderId id, CommandKind command)
    {
        var reject = new RejectReport(instrument, id, command, RejectReason.UnknownOrder, -2011, "Unknown order sent.", NowNs);
        Report(() =>
        {
            RejectsSent++;
            sink.OnReject(reject);
        });
    }

    public void OnLevel(int instrument, OrderSide side, Price price, Qty qty, long exchangeNs)
    {
        Market(exchangeNs);
        Levels++;
    }

    public void OnBookCleared(int instrument, long exchangeNs) => Market(exchangeNs);

    public void OnTopOfBook(int instrument, Price bidPrice, Qty bidQty, Price askPrice, Qty askQty, long exchangeNs)
    {
        Market(exchangeNs);
        Tickers++;
    }

    public void OnTrade(int instrument, OrderSide aggressor, Price price, Qty qty, long exchangeNs)
    {
        Market(exchangeNs);
        Trades++;
        for (int i = 0; i < _resting.Count; i++)
        {
            OrderCommand o = _resting[i];
            bool through = o.InstrumentId == instrument &&
                (o.Side == OrderSide.Buy ? aggressor == OrderSide.Sell && price < o.Price : aggressor == OrderSide.Buy && price > o.Price);
            if (!through)
                continue;
            _resting.RemoveAt(i--);
            InstrumentSpec spec = specs[instrument];
            decimal notional = (decimal)o.Price.Raw / FixedPoint.Pow10(spec.PriceDecimals) * ((decimal)o.Qty.Raw / FixedPoint.Pow10(spec.QtyDecimals));
            long fee = decimal.ToInt64(decimal.Round(notional * model.Fees[instrument].Maker * FixedPoint.Pow10(spec.PriceDecimals)));
            var fill = new FillReport(instrument, o.ClientOrderId, 0, ++_tradeIds, o.Side, o.Price, o.Qty, o.Qty, fee, Qty.Zero, true, NowNs);
            Report(() =>
            {
                FillsSent++;
                sink.OnFill(fill);
            });
        }
    }

    private void Market(long exchangeNs)
    {
        if (exchangeNs < NowNs)
            SawTimeGoBack = true;
        LastMarketNs = exchangeNs;
    }
}
