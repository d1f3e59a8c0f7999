using Fathom.Book;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Backtest.Venue;

/// <summary>
/// The venue a backtest trades against: a single-threaded, deterministic matching engine that fills our orders
/// against the recorded book and trades, in virtual time, with order-entry and response latencies, a queue-position
/// model for resting orders, maker/taker fees, the instruments' filters and the account's order-rate limits.
/// Reports go to the sink given at construction, each at its virtual delivery time.
/// </summary>
/// <remarks>
/// <para>Entry points: <see cref="Send(in OrderCommand)"/> and <see cref="CancelAll"/> (the core, at the last
/// <see cref="AdvanceTo"/> time), <see cref="OnLevel"/>, <see cref="OnBookCleared"/> and <see cref="OnTrade"/> (the
/// recorded market at exchange time), <see cref="AdvanceTo"/> (runs everything due). docs/backtesting.md, "The simulated venue"
/// states every model and its limits.</para>
/// <para>Time: a command reaches the matching engine at send time + an order-entry draw; what it causes is reported
/// at that time + one response draw (all reports of one matching step share the draw, so an ack never follows its
/// own fill). Neither leg lets a message overtake an earlier one (one connection each way). Equal times run in the
/// order they were scheduled. Report stamps (<c>TimeNs</c>) are the matching engine's time, as Binance's transact and
/// trade times are; <see cref="NowNs"/> is the delivery time while a report is being delivered.</para>
/// <para>A market event first lets the matching engine catch up with commands that arrived at or before its time;
/// reports are only delivered by <see cref="AdvanceTo"/>. A market event stamped before the matching engine's clock
/// (streams recorded with skew) acts at the clock's time.</para>
/// <para>Steady state allocates nothing per event: orders are pooled, queues and maps only grow, closed orders are
/// remembered (for <see cref="CommandKind.Query"/>) in a ring of <see cref="ClosedOrdersKept"/>.</para>
/// </remarks>
public sealed partial class SimulatedVenue : IBacktestVenue
{
    /// <summary>How many closed orders <see cref="CommandKind.Query"/> can still answer for (the oldest are forgotten).</summary>
    public const int ClosedOrdersKept = 1 << 16;

    private readonly IReportSink _sink;
    private readonly VenueModel _model;
    private readonly InstrumentState[] _instruments;
    private readonly LatencySampler _entry;
    private readonly LatencySampler _response;
    private readonly OrderRateLimiter _limiter;
    // Both legs are FIFO (nothing overtakes an earlier message), so each queue is already in (time, seq) order and a
    // plain ring does what a priority queue would, in O(1).
    private readonly Queue<ScheduledCommand> _arrivals = new(64);
    private readonly Queue<ScheduledReport> _reports = new(64);
    private readonly Dictionary<ClientOrderId, VenueOrder> _open = new(64);
    private readonly Dictionary<ClientOrderId, ClosedOrder> _closed = new(ClosedOrdersKept);
    private readonly ClientOrderId[] _closedRing = new ClientOrderId[ClosedOrdersKept];
    private readonly Stack<VenueOrder> _pool = new(64);
    private Level[] _scratch = new Level[64];
    private long[] _takeScratch = new long[64];
    private int _closedNext;
    private long _seq;
    private long _now;
    private long _clock;
    private long _lastArrival = long.MinValue;
    private long _lastDelivery = long.MinValue;
    private long _stepTime;
    private long _stepDelivery;
    private bool _stepDrawn;
    private long _venueOrderIds;
    private long _tradeIds;

    private readonly record struct ClosedOrder(VenueOrderStatus Status, long VenueOrderId, Qty Cumulative, long TimeNs);

    private sealed class InstrumentState(InstrumentSpec spec, FeeRates fees)
    {
        public readonly InstrumentSpec Spec = spec;
        public readonly OrderBook Book = new(spec);
        // Invariant: our open orders on this instrument in arrival (time-priority) order, none with zero leaves.
        public readonly List<VenueOrder> Resting = new(16);
        public readonly decimal MakerRate = fees.Maker;
        public readonly decimal TakerRate = fees.Taker;
        public readonly double QtyUnit = FixedPoint.Pow10(spec.QtyDecimals);
    }

    /// <param name="specs">The instruments, indexed by instrument id.</param>
    /// <param name="model">Latencies, queue model, fees (one per instrument) and limits.</param>
    /// <param name="sink">Where reports go (the engine's input door).</param>
    public SimulatedVenue(IReadOnlyList<InstrumentSpec> specs, VenueModel model, IReportSink sink)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sink);
        if (model.Fees is null || model.Fees.Count < specs.Count)
            throw new ArgumentException($"The venue model has fees for {model.Fees?.Count ?? 0} instruments; {specs.Count} are configured.", nameof(model));
        if (model.Limits is null || model.Limits.OrdersPer10s <= 0 || model.Limits.OrdersPerDay <= 0)
            throw new ArgumentException("The venue's order limits must be positive.", nameof(model));
        if (model.Queue is null || (model.Queue.Kind == QueueKind.PowerProbability && !(model.Queue.Exponent > 0)))
            throw new ArgumentException($"The power-law queue model needs a positive exponent (got {model.Queue?.Exponent}).", nameof(model));
        if (!Enum.IsDefined(model.Queue.Kind))
            throw new ArgumentException($"Unknown queue model {model.Queue.Kind}.", nameof(model));
        _sink = sink;
        _model = model;
        _entry = new LatencySampler(model.OrderEntry, "order-entry");
        _response = new LatencySampler(model.Response, "response");
        _limiter = new OrderRateLimiter(model.Limits);
        _instruments = new InstrumentState[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            var spec = specs[i] ?? throw new ArgumentException($"Instrument {i} has no spec.", nameof(specs));
            var fees = model.Fees[i] ?? throw new ArgumentException($"Instrument {i} ({spec.Symbol}) has no fee rates.", nameof(model));
            _instruments[i] = new InstrumentState(spec.Validate(), fees);
        }
    }

    /// <summary>The venue's virtual time: the time of what it is doing now (a report being delivered, a command
    /// arriving), else the last <see cref="AdvanceTo"/> time.</summary>
    public long NowNs => _now;

    /// <summary>Our orders open at the venue.</summary>
    public int OpenOrders => _open.Count;

    /// <summary>The recorded quantity at a price as the matching engine sees it (less what our taker orders took
    /// since the level's last update), raw.</summary>
    public Qty RecordedQty(int instrument, OrderSide side, Price price)
    {
        var s = State(instrument);
        return s.Spec.TryToTicks(price, out long tick) && tick > 0 ? new Qty(s.Book.QtyAt(BookSide(side), tick)) : Qty.Zero;
    }

    /// <summary>The recorded quantity estimated ahead of an open order of ours (false when it is not open).</summary>
    internal bool TryGetQueueAhead(ClientOrderId id, out Qty ahead)
    {
        if (_open.TryGetValue(id, out var o))
        {
            ahead = new Qty(o.Ahead);
            return true;
        }
        ahead = Qty.Zero;
        return false;
    }

    public bool IsReady => true;

    public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;

    public long NextEventNs
    {
        get
        {
            long next = long.MaxValue;
            if (_arrivals.TryPeek(out var a))
                next = a.Time;
            if (_reports.TryPeek(out var r) && r.Time < next)
                next = r.Time;
            return next;
        }
    }

    public void Send(in OrderCommand command) => Schedule(command, false);

    public void CancelAll(int instrumentId, ClientOrderId cancelId) =>
        Schedule(OrderCommand.From(new CancelOrderCommand(instrumentId, cancelId, ClientOrderId.None, 0), _now), true);

    public void AdvanceTo(long nowNs)
    {
        if (nowNs < _now)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(nowNs), $"The venue's time cannot go back: AdvanceTo({nowNs}) after {_now}.");
        while (true)
        {
            bool hasArrival = _arrivals.TryPeek(out var a);
            bool hasReport = _reports.TryPeek(out var r);
            if (!hasArrival && !hasReport)
                break;
            bool arrivalFirst = hasArrival && (!hasReport || a.Time < r.Time || (a.Time == r.Time && a.Seq < r.Seq));
            long time = arrivalFirst ? a.Time : r.Time;
            if (time > nowNs)
                break;
            if (time > _now)
                _now = time;
            if (arrivalFirst)
                Arrive(_arrivals.Dequeue());
            else
                Deliver(_reports.Dequeue());
        }
        _now = nowNs;
    }

    private void Schedule(in OrderCommand command, bool isCancelAll)
    {
        // One connection: a command never overtakes one sent before it.
        long at = Math.Max(SaturatingAdd(_now, _entry.Next()), _lastArrival);
        _lastArrival = at;
        _arrivals.Enqueue(new ScheduledCommand(at, ++_seq, command, isCancelAll));
    }

    /// <summary>Runs the commands that reached the matching engine at or before <paramref name="time"/> (a market
    /// event is about to apply at it); delivers nothing.</summary>
    private void CatchUp(long time)
    {
        while (_arrivals.TryPeek(out var a) && a.Time <= time)
            Arrive(_arrivals.Dequeue());
    }

    private void Arrive(in ScheduledCommand scheduled)
    {
        BeginStep(scheduled.Time);
        if (scheduled.IsCancelAll)
            CancelAllAt(scheduled.Command.InstrumentId, scheduled.Command.ClientOrderId);
        else
            Match(scheduled.Command);
    }

    /// <summary>Starts one matching step at <paramref name="time"/> (or the clock, if the market is already later).</summary>
    private void BeginStep(long time)
    {
        if (time > _clock)
            _clock = time;
        _stepTime = _clock;
        _stepDrawn = false;
    }

    /// <summary>The delivery time of this step's reports: one response draw for the step, never before an earlier report.</summary>
    private long StepDelivery()
    {
        if (!_stepDrawn)
        {
            _stepDelivery = Math.Max(SaturatingAdd(_stepTime, _response.Next()), _lastDelivery);
            _lastDelivery = _stepDelivery;
            _stepDrawn = true;
        }
        return _stepDelivery;
    }

    private void Deliver(in ScheduledReport r)
    {
        switch (r.Kind)
        {
            case ScheduledReport.ReportKind.Ack: _sink.OnAck(r.Ack); break;
            case ScheduledReport.ReportKind.Reject: _sink.OnReject(r.Reject); break;
            case ScheduledReport.ReportKind.Fill: _sink.OnFill(r.Fill); break;
            case ScheduledReport.ReportKind.Canceled: _sink.OnCanceled(r.Canceled); break;
            case ScheduledReport.ReportKind.Expired: _sink.OnExpired(r.Expired); break;
            case ScheduledReport.ReportKind.Amended: _sink.OnAmended(r.Amended); break;
            case ScheduledReport.ReportKind.Status: _sink.OnOrderStatus(r.Status); break;
        }
    }

    private void Enqueue(ScheduledReport report)
    {
        // One connection: StepDelivery never goes back, so the queue stays in time order.
        report.Time = StepDelivery();
        report.Seq = ++_seq;
        _reports.Enqueue(report);
    }

    private void EmitAck(int instrument, ClientOrderId id, long venueOrderId) =>
        Enqueue(new ScheduledReport { Kind = ScheduledReport.ReportKind.Ack, Ack = new AckReport(instrument, id, venueOrderId, _stepTime) });

    private void EmitReject(int instrument, ClientOrderId target, CommandKind command, RejectReason reason, int code, string message, long retryAfterNs = 0) =>
        Enqueue(new ScheduledReport
        {
            Kind = ScheduledReport.ReportKind.Reject,
            Reject = new RejectReport(instrument, target, command, reason, code, message, _stepTime, retryAfterNs),
        });

    private void EmitCanceled(int instrument, ClientOrderId id) =>
        Enqueue(new ScheduledReport { Kind = ScheduledReport.ReportKind.Canceled, Canceled = new CanceledReport(instrument, id, _stepTime) });

    private void EmitExpired(int instrument, ClientOrderId id) =>
        Enqueue(new ScheduledReport { Kind = ScheduledReport.ReportKind.Expired, Expired = new ExpiredReport(instrument, id, _stepTime) });

    private void EmitAmended(int instrument, ClientOrderId from, ClientOrderId to, Qty qty) =>
        Enqueue(new ScheduledReport { Kind = ScheduledReport.ReportKind.Amended, Amended = new AmendedReport(instrument, from, to, qty, _stepTime) });

    private void EmitStatus(in OrderStatusReport status) =>
        Enqueue(new ScheduledReport { Kind = ScheduledReport.ReportKind.Status, Status = status });

    /// <summary>One execution of <paramref name="o"/>: <paramref name="qty"/> at <paramref name="price"/>, fee at the maker or taker rate.</summary>
    private void ExecuteFill(InstrumentState s, VenueOrder o, Price price, long qty, bool isMaker)
    {
        o.Filled += qty;
        long fee = Fee(s.Spec, price, new Qty(qty), isMaker ? s.MakerRate : s.TakerRate);
        var fill = new FillReport(o.Instrument, o.Id, o.VenueOrderId, ++_tradeIds, o.Side, price, new Qty(qty), new Qty(o.Filled),
            fee, Qty.Zero, isMaker, _stepTime);
        Enqueue(new ScheduledReport { Kind = ScheduledReport.ReportKind.Fill, Fill = fill });
    }

    /// <summary>rate × price × qty in the quote currency, raw at the price decimals, truncated toward zero (as the live
    /// simulator's commission is).</summary>
    internal static long Fee(InstrumentSpec spec, Price price, Qty qty, decimal rate) =>
        rate == 0 ? 0 : decimal.ToInt64(decimal.Truncate((decimal)InstrumentSpec.NotionalExact(price, qty) * rate / FixedPoint.Pow10(spec.QtyDecimals)));

    private InstrumentState State(int instrument)
    {
        if ((uint)instrument >= (uint)_instruments.Length)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(instrument), $"Instrument {instrument} is not configured (the venue has {_instruments.Length}).");
        return _instruments[instrument];
    }

    private static Side BookSide(OrderSide side) => side == OrderSide.Buy ? Side.Bid : Side.Ask;

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private VenueOrder Rent() => _pool.Count > 0 ? _pool.Pop() : new VenueOrder();

    /// <summary>Closes an open order: it leaves the open map (the caller removes it from its instrument's list) and is remembered for queries.</summary>
    private void Close(VenueOrder o, VenueOrderStatus status)
    {
        _open.Remove(o.Id);
        Remember(o.Id, new ClosedOrder(status, o.VenueOrderId, new Qty(o.Filled), _stepTime));
        _pool.Push(o);
    }

    private void Remember(ClientOrderId id, ClosedOrder closed)
    {
        ref var slot = ref _closedRing[_closedNext];
        if (!slot.IsNone)
            _closed.Remove(slot);
        slot = id;
        _closed[id] = closed;
        _closedNext = (_closedNext + 1) & (ClosedOrdersKept - 1);
    }
}
