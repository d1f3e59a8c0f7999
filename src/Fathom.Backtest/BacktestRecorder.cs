using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;

namespace Fathom.Backtest;

/// <summary>
/// Collects what a backtest produced while it runs: every report the venue sends passes through here on its way to
/// the engine (fills as the venue reported them, reject reasons), every order transition the core applied (one row
/// per order, keyed by its sequence, with its sent, ack and end times), and every risk refusal with its rule. Runs on
/// the core's thread; allocates per order and per fill, never per market-data event.
/// </summary>
internal sealed class BacktestRecorder(IReadOnlyList<InstrumentSpec> specs) : IReportSink
{
    private IReportSink? _engine;

    /// <summary>Where the reports go after they are recorded (the engine; set once it is built).</summary>
    public IReportSink Engine { get => _engine!; set => _engine = value; }

    private sealed class Row
    {
        public required string ClientOrderId;
        public int Instrument;
        public OrderSide Side;
        public OrderType Type;
        public Price Price;
        public Qty Qty;
        public long SentNs, AckNs, EndNs;
        public BacktestOrderOutcome Outcome;
        public Qty Filled;
        public ClientOrderId Id;
    }

    private readonly Dictionary<long, Row> _bySeq = [];
    private readonly List<Row> _rows = [];
    private readonly Dictionary<ClientOrderId, string> _rejects = [];
    private readonly List<BacktestFill> _fills = [];
    private readonly List<RiskRefusal> _refusals = [];

    public IReadOnlyList<BacktestFill> Fills => _fills;
    public IReadOnlyList<RiskRefusal> Refusals => _refusals;
    /// <summary>Reports the venue sent, of each kind (what the venue reported, for checking the result against it).</summary>
    public long Acks { get; private set; }
    public long Rejects { get; private set; }
    public long Cancels { get; private set; }
    public long IllegalTransitions { get; private set; }

    public void OnTransition(OrderTransition t)
    {
        if (t.Illegal)
        {
            IllegalTransitions++;
            return;
        }
        if (!_bySeq.TryGetValue(t.OrderSeq, out Row? row))
        {
            row = new Row
            {
                ClientOrderId = t.ClientId.ToString(),
                Id = t.ClientId,
                Instrument = t.InstrumentId,
                Side = t.Side,
                Type = t.Type,
                Price = t.Price,
                Qty = t.Qty,
                SentNs = t.TimeNs,
            };
            _bySeq.Add(t.OrderSeq, row);
            _rows.Add(row);
        }
        if (t.Event == OrderEvent.Ack && row.AckNs == 0)
            row.AckNs = t.TimeNs;
        if (t.Filled > row.Filled)
            row.Filled = t.Filled;
        BacktestOrderOutcome outcome = t.To switch
        {
            OrderState.Filled => BacktestOrderOutcome.Filled,
            OrderState.Canceled => BacktestOrderOutcome.Canceled,
            OrderState.Rejected => BacktestOrderOutcome.Rejected,
            OrderState.Expired => BacktestOrderOutcome.Expired,
            _ => BacktestOrderOutcome.Open,
        };
        if (outcome != BacktestOrderOutcome.Open && row.Outcome == BacktestOrderOutcome.Open)
        {
            row.Outcome = outcome;
            row.EndNs = t.TimeNs;
        }
    }

    public void OnRefusal(int instrument, RiskDecision decision, long nowNs) =>
        _refusals.Add(new RiskRefusal(nowNs, instrument, decision.ToString()));

    public IReadOnlyList<BacktestOrder> Orders()
    {
        var orders = new BacktestOrder[_rows.Count];
        for (int i = 0; i < orders.Length; i++)
        {
            Row r = _rows[i];
            InstrumentSpec spec = specs[r.Instrument];
            orders[i] = new BacktestOrder(r.ClientOrderId, r.Instrument, r.Side, r.Type.ToString(),
                ToDecimal(r.Price.Raw, spec.PriceDecimals), ToDecimal(r.Qty.Raw, spec.QtyDecimals),
                r.SentNs, r.AckNs, r.EndNs, r.Outcome, ToDecimal(r.Filled.Raw, spec.QtyDecimals),
                r.Outcome == BacktestOrderOutcome.Rejected ? _rejects.GetValueOrDefault(r.Id, "rejected") : null);
        }
        return orders;
    }

    internal static decimal ToDecimal(long raw, int decimals) => (decimal)raw / FixedPoint.Pow10(decimals);

    // ---- the venue's reports, recorded, then to the engine

    public void OnAck(in AckReport report)
    {
        Acks++;
        Engine.OnAck(report);
    }

    public void OnReject(in RejectReport report)
    {
        Rejects++;
        if (report.Command is CommandKind.Place or CommandKind.CancelReplace)
            _rejects[report.ClientOrderId] = report.VenueMessage is { Length: > 0 } m
                ? $"{report.Reason} ({report.VenueCode}): {m}" : $"{report.Reason} ({report.VenueCode})";
        Engine.OnReject(report);
    }

    public void OnFill(in FillReport report)
    {
        InstrumentSpec spec = specs[report.InstrumentId];
        _fills.Add(new BacktestFill(report.TimeNs, report.InstrumentId, report.ClientOrderId.ToString(), report.Side,
            ToDecimal(report.Price.Raw, spec.PriceDecimals), ToDecimal(report.Qty.Raw, spec.QtyDecimals),
            ToDecimal(report.Fee, spec.PriceDecimals), report.IsMaker));
        Engine.OnFill(report);
    }

    public void OnCanceled(in CanceledReport report)
    {
        Cancels++;
        Engine.OnCanceled(report);
    }

    public void OnExpired(in ExpiredReport report) => Engine.OnExpired(report);
    public void OnAmended(in AmendedReport report) => Engine.OnAmended(report);
    public void OnStatusUnknown(in StatusUnknownReport report) => Engine.OnStatusUnknown(report);
    public void OnOrderStatus(in OrderStatusReport report) => Engine.OnOrderStatus(report);
    public void OnVenueHealth(in VenueHealthReport report) => Engine.OnVenueHealth(report);
}
