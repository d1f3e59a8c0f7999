using System.Runtime.CompilerServices;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Risk;

/// <summary>
/// Pre-trade checks, kill switches and venue health for the single-threaded core. Every new order passes
/// <see cref="CheckNewOrder"/>; cancels are never checked (<see cref="OnCancelSent"/> only counts them),
/// so risk can never block a cancel.
/// </summary>
/// <remarks>
/// Entry points. Market: <see cref="OnMarket"/>, <see cref="OnVolatility"/>, <see cref="OnFeedLag"/>,
/// <see cref="OnInstrumentStatus"/>. Execution: <see cref="CheckNewOrder"/>, <see cref="OnCommandSent"/>,
/// <see cref="OnCommandAnswered"/>, <see cref="OnCancelSent"/>, <see cref="OnFill"/>, <see cref="OnPosition"/>,
/// <see cref="OnVenueResponse"/>, <see cref="OnVenueError"/>, <see cref="OnOrderEntryConnection"/>.
/// Timer: <see cref="Evaluate"/> (the kill switch lives here, so it fires even when no report arrives).
/// Operator: <see cref="OperatorHalt"/>, <see cref="OperatorResume"/>, <see cref="StartNewDay"/>.
/// Invariants: the account state changes only through <see cref="RiskStateMachine"/>, each instrument's gate
/// (volatility level, markout cool-down, VWAP stop) only through <see cref="InstrumentGateMachine"/>; every
/// illegal edge of either is counted and reported to the observer, as is every account change and every
/// change of an instrument's reduce-only holds; nothing here allocates after construction.
/// </remarks>
public sealed class RiskManager
{
    private const RiskReason HaltReasons =
        RiskReason.DailyDrawdown | RiskReason.InFlightAge | RiskReason.VenueErrors | RiskReason.OrderEntryDown | RiskReason.Operator;
    // Sticky reasons survive an evaluation that no longer sees them: only a new day or the operator clears them.
    private const RiskReason StickyReasons = RiskReason.DailyDrawdown | RiskReason.Operator;
    private const int MarkoutSlots = 16;

    private struct InstrumentRisk
    {
        public int PriceDecimals;
        public int QtyDecimals;
        public Price BestBid;
        public Price BestAsk;
        public bool HasMarket;
        public bool BookLive;
        public long StaleSinceNs;
        public InstrumentStatus Status;
        public Qty Position;
        public Price AverageEntry;
        public long RealizedPnl;
        // Invariant: moved only by MoveGate. CoolingUntilNs is the cool-down's end while the gate is Cooling*;
        // the cool-down holds while now < CoolingUntilNs, and ExpireCooling fires MarkoutElapsed at that time.
        public InstrumentGate Gate;
        public long CoolingUntilNs;
        public int MarkoutNext;
        public readonly Price Mid => new((BestBid.Raw + BestAsk.Raw) / 2);
    }

    private readonly record struct MarkoutFill(OrderSide Side, Price Price, Qty Qty, long TimeNs);

    private readonly RiskLimits _limits;
    private readonly InstrumentRisk[] _instruments;
    private readonly MarkoutFill[] _markouts;
    private readonly Action<RiskTransition>? _observer;
    private readonly RollingCounter _ordersPerSecond = new(1_000_000_000, 10);
    private readonly RollingCounter _budget;
    private readonly RollingCounter _venueOutcomes;
    private readonly RollingCounter _venueErrors;
    private readonly LatencyWindow _ackLatency;
    private readonly LatencyWindow _probeLatency = new(64);
    private long _lastAckSampleNs = long.MinValue / 2;
    // Ack samples at or before this were judged by the probes' release: they no longer count.
    private long _ackSamplesValidAfterNs = long.MinValue / 2;
    // When order entry last went down: commands sent before it give no latency sample when answered.
    private long _orderEntryDownAtNs = long.MinValue;
    private readonly MinFilter _feedLagBaseline;
    private readonly long[] _inFlightSeq;
    private readonly long[] _inFlightSentNs;
    private int _inFlightCount;

    private RiskReason _reasons;
    // Shares of account-wide limits leased from the coordination service (several instances, one account):
    // long.MaxValue / int.MaxValue when none is leased (the instance's own limits alone apply).
    private readonly long[] _positionQuota;
    private int _orderBudgetQuota = int.MaxValue;
    private bool _ackLatencyBreached;
    private bool _feedLagBreached;
    private bool _orderEntryDown;
    private long _lastFeedLagExcessNs;
    private long _lastHaltReasonNs = long.MinValue / 2;
    private long _lastReduceReasonNs = long.MinValue / 2;
    private long _lastTransitionNs = long.MinValue / 2;
    private long _dayStartPnl;
    private bool _dayStarted;

    public RiskManager(RiskLimits limits, IReadOnlyList<InstrumentSpec> instruments, Action<RiskTransition>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(instruments);
        _limits = limits.Validate();
        if (limits.Instruments.Count != instruments.Count)
            ThrowHelper.ThrowArgument(nameof(limits), $"Risk limits name {limits.Instruments.Count} instruments, the engine trades {instruments.Count}.");
        _instruments = new InstrumentRisk[instruments.Count];
        _positionQuota = new long[instruments.Count];
        Array.Fill(_positionQuota, long.MaxValue);
        for (int i = 0; i < instruments.Count; i++)
        {
            _instruments[i].PriceDecimals = instruments[i].PriceDecimals;
            _instruments[i].QtyDecimals = instruments[i].QtyDecimals;
            _instruments[i].Status = instruments[i].Status;
        }
        _markouts = new MarkoutFill[instruments.Count * MarkoutSlots];
        _observer = observer;
        _budget = new RollingCounter(limits.OrderBudgetWindowNs, 20);
        _venueOutcomes = new RollingCounter(limits.VenueErrorWindowNs, 20);
        _venueErrors = new RollingCounter(limits.VenueErrorWindowNs, 20);
        _ackLatency = new LatencyWindow(limits.AckLatencyWindow);
        _feedLagBaseline = new MinFilter(limits.FeedLagBaselineWindowNs, 30);
        _inFlightSeq = new long[limits.MaxTrackedInFlight];
        _inFlightSentNs = new long[limits.MaxTrackedInFlight];
    }

    public RiskState State { get; private set; } = RiskState.Active;
    public RiskReason Reasons => _reasons;
    public RiskCounters Counters { get; } = new();
    public RiskTransition LastTransition { get; private set; }
    public RiskLimits Limits => _limits;
    public int InFlightCount => _inFlightCount;
    public long LastFeedLagExcessNs => _lastFeedLagExcessNs;

    /// <summary>
    /// Sees every refused new order (instrument, the rule, the time), on the core thread, after it is counted:
    /// the backtester's record of refusals by rule. Refusals are not the hot path; null costs one test.
    /// </summary>
    public Action<int, RiskDecision, long>? RefusalObserver { get; set; }

    // ---------------------------------------------------------------- pre-trade

    /// <summary>
    /// Checks one new order (a place, or the new leg of a cancel-replace). Returns the first rule that
    /// refuses it. Counts nothing toward rate limits: call <see cref="OnCommandSent"/> once it is sent.
    /// </summary>
    public RiskDecision CheckNewOrder(in OrderCheck check, long nowNs)
    {
        Counters.Checks++;
        var decision = Decide(check, nowNs);
        if (decision != RiskDecision.Allowed)
        {
            Counters.Refused(decision);
            RefusalObserver?.Invoke(check.InstrumentId, decision, nowNs);
        }
        return decision;
    }

    /// <summary>
    /// The decision <see cref="CheckNewOrder"/> would take, run for its cache lines only (the engine's rehearsal of its
    /// decision path on inputs that send nothing): no counter, no observer, and no gate moves (an expired cool-down is
    /// left for the real check to end). The answer is the real check's, except that a cool-down past its end still reads
    /// as cooling.
    /// </summary>
    public RiskDecision Rehearse(in OrderCheck check, long nowNs) => Decide(check, nowNs, rehearsal: true);

    private RiskDecision Decide(in OrderCheck c, long nowNs, bool rehearsal = false)
    {
        if (State == RiskState.Halted)
            return RiskDecision.Halted;
        ref var s = ref _instruments[c.InstrumentId];
        if (s.Status != InstrumentStatus.Trading)
            return RiskDecision.MarketClosed;
        if (!s.BookLive)
            return RiskDecision.StaleBook;
        if (!s.HasMarket)
            return RiskDecision.NoMarketPrice;

        bool reduces = Reduces(s.Position, c.Side, c.Qty.Raw + c.OpenSameSideQty.Raw);
        if (!reduces && !(rehearsal ? State == RiskState.Active && InstrumentGateMachine.AllowsIncrease(s.Gate) : AllowsIncrease(c.InstrumentId, ref s, nowNs)))
            return RiskDecision.ReduceOnly;

        var limits = _limits.Instruments[c.InstrumentId];
        if (c.Qty > limits.MaxOrderQty)
            return RiskDecision.MaxOrderQty;
        if (ToMoney(FixedPoint.Multiply(c.Price.Raw, c.Qty.Raw), s.PriceDecimals + s.QtyDecimals) > limits.MaxOrderNotional)
            return RiskDecision.MaxOrderNotional;

        Price mid = s.Mid;
        // |price − mid| / mid > band / 10 000, cross-multiplied in Int128 so nothing rounds.
        if ((Int128)Math.Abs(c.Price.Raw - mid.Raw) * 10_000 > (Int128)mid.Raw * _limits.PriceBandBps)
            return RiskDecision.PriceBand;

        if (!reduces)
        {
            long exposure = c.OpenSameSideQty.Raw + c.Qty.Raw;
            long projected = c.Side == OrderSide.Buy ? s.Position.Raw + exposure : s.Position.Raw - exposure;
            if (Math.Abs(projected) > limits.MaxPosition.Raw)
                return RiskDecision.MaxPosition;
            if (Math.Abs(projected) > _positionQuota[c.InstrumentId])
                return RiskDecision.PositionQuota;
            long total = ToMoney(FixedPoint.Multiply(mid.Raw, Math.Abs(projected)), s.PriceDecimals + s.QtyDecimals);
            for (int j = 0; j < _instruments.Length; j++)
                if (j != c.InstrumentId)
                    total += PositionNotional(ref _instruments[j]);
            if (total > _limits.MaxTotalNotional)
                return RiskDecision.MaxTotalNotional;
        }

        // Our own resting order on the other side at or through this price would trade with it.
        if (c.OwnOppositeBest.Raw > 0 &&
            (c.Side == OrderSide.Buy ? c.Price >= c.OwnOppositeBest : c.Price <= c.OwnOppositeBest))
            return RiskDecision.SelfTrade;

        if (_ordersPerSecond.Sum(nowNs) >= _limits.MaxNewOrdersPerSecond)
            return RiskDecision.OrderRate;
        // The last CancelHeadroom commands of the venue budget are kept for cancels.
        if (_budget.Sum(nowNs) >= Math.Min(_limits.OrderBudget, _orderBudgetQuota) - _limits.CancelHeadroom)
            return RiskDecision.RateBudget;
        if (_inFlightCount >= _inFlightSeq.Length)
            return RiskDecision.TooManyInFlight;
        return RiskDecision.Allowed;
    }

    /// <summary>
    /// This instance's share of an account-wide position limit on <paramref name="instrumentId"/> (several
    /// instances trade one account): a new order that would take |position + working orders on its side|
    /// past it is refused (<see cref="RiskDecision.PositionQuota"/>); reducing orders always pass. Raw
    /// quantity; <see cref="long.MaxValue"/> lifts it.
    /// </summary>
    public void SetPositionQuota(int instrumentId, long qtyRaw)
    {
        if ((uint)instrumentId >= (uint)_positionQuota.Length)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(instrumentId), "Unknown instrument id.");
        _positionQuota[instrumentId] = Math.Max(0, qtyRaw);
    }

    /// <summary>This instance's position quota on <paramref name="instrumentId"/> (<see cref="long.MaxValue"/>: none leased).</summary>
    public long PositionQuota(int instrumentId) => _positionQuota[instrumentId];

    /// <summary>
    /// This instance's share of the account's order-rate budget (new orders per <see cref="RiskLimits.OrderBudgetWindowNs"/>):
    /// the budget check uses the lower of it and <see cref="RiskLimits.OrderBudget"/>. <see cref="int.MaxValue"/> lifts it.
    /// </summary>
    public void SetOrderBudgetQuota(int orders) => _orderBudgetQuota = Math.Max(0, orders);

    /// <summary>This instance's order-budget quota (<see cref="int.MaxValue"/>: none leased).</summary>
    public int OrderBudgetQuota => _orderBudgetQuota;

    /// <summary>New orders counted in the current order-budget window.</summary>
    public long OrderBudgetUsed(long nowNs) => _budget.Sum(nowNs);

    /// <summary>
    /// True when an order may increase |position| on the instrument: the account is Active and the gate is
    /// <see cref="InstrumentGate.Open"/> or <see cref="InstrumentGate.Widened"/>. A markout cool-down whose
    /// time has come is lifted first (its edge is reported), so the answer is exact at <paramref name="nowNs"/>.
    /// </summary>
    public bool AllowsIncrease(int instrumentId, long nowNs) => AllowsIncrease(instrumentId, ref _instruments[instrumentId], nowNs);

    private bool AllowsIncrease(int instrumentId, ref InstrumentRisk s, long nowNs)
    {
        ExpireCooling(instrumentId, ref s, nowNs);
        return State == RiskState.Active && InstrumentGateMachine.AllowsIncrease(s.Gate);
    }

    /// <summary>True when an order of <paramref name="qtyRaw"/> on <paramref name="side"/> only moves the position toward zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Reduces(Qty position, OrderSide side, long qtyRaw) =>
        side == OrderSide.Buy ? position.Raw < 0 && qtyRaw <= -position.Raw : position.Raw > 0 && qtyRaw <= position.Raw;

    /// <summary>
    /// True when resting orders on the instrument must be cancelled: halted, the venue stopped the symbol,
    /// the book has been stale past its grace period, or volatility paused quoting.
    /// </summary>
    public bool WantsCancelAll(int instrumentId, long nowNs)
    {
        ref var s = ref _instruments[instrumentId];
        return State == RiskState.Halted
            || s.Status != InstrumentStatus.Trading
            || (!s.BookLive && !_awaitingFeed && nowNs - s.StaleSinceNs >= _limits.StaleBookGraceNs)
            || InstrumentGateMachine.IsPaused(s.Gate);
    }

    private bool _awaitingFeed;

    /// <summary>
    /// Restart, before the feed runs: orders adopted from an earlier run rest while the books are not yet
    /// synced, so a book that has never been live does not count as stale until <see cref="FeedStarted"/>.
    /// A halt, a closed symbol or a volatility pause still cancels.
    /// </summary>
    public void AwaitFeed() => _awaitingFeed = true;

    /// <summary>
    /// The feed starts now: a book that has never been live is stale from here, so resting (adopted) orders
    /// are cancelled if it is not live within <see cref="RiskLimits.StaleBookGraceNs"/>.
    /// </summary>
    public void FeedStarted(long nowNs)
    {
        if (!_awaitingFeed)
            return;
        _awaitingFeed = false;
        for (int i = 0; i < _instruments.Length; i++)
        {
            ref var s = ref _instruments[i];
            if (!s.BookLive && !s.HasMarket)
                s.StaleSinceNs = nowNs;
        }
    }

    public QuoteAdjustment QuoteAdjustment(int instrumentId) => InstrumentGateMachine.VolatilityLevel(_instruments[instrumentId].Gate) switch
    {
        0 => Risk.QuoteAdjustment.None,
        1 => new QuoteAdjustment(_limits.VolatilityWidenTicks, _limits.VolatilityQtyPercent, false),
        _ => new QuoteAdjustment(_limits.VolatilityWidenTicks, _limits.VolatilityQtyPercent, true),
    };

    // ---------------------------------------------------------------- command accounting

    /// <summary>A command left for the venue: tracked for the in-flight age kill switch and counted against rate limits.</summary>
    public void OnCommandSent(long commandSeq, CommandKind kind, long nowNs)
    {
        if (kind is CommandKind.Place or CommandKind.CancelReplace)
            _ordersPerSecond.Add(nowNs);
        if (kind != CommandKind.Query)
            _budget.Add(nowNs);
        if (_inFlightCount < _inFlightSeq.Length)
        {
            _inFlightSeq[_inFlightCount] = commandSeq;
            _inFlightSentNs[_inFlightCount] = nowNs;
            _inFlightCount++;
        }
        else
        {
            Counters.InFlightUntracked++; // only a cancel can get here: new orders are refused when full
        }
    }

    /// <summary>A cancel left: counted, never refused.</summary>
    public void OnCancelSent(long commandSeq, long nowNs)
    {
        Counters.CancelsPassed++;
        OnCommandSent(commandSeq, CommandKind.Cancel, nowNs);
    }

    /// <summary>The venue answered a command (ack, reject, cancel, fill, or "unknown"); a latency sample when it was a real answer.</summary>
    public void OnCommandAnswered(long commandSeq, long nowNs, bool latencySample)
    {
        for (int i = 0; i < _inFlightCount; i++)
        {
            if (_inFlightSeq[i] != commandSeq)
                continue;
            // A command sent before order entry last went down was answered across the outage (a fill or a status the
            // reconnect's reconciliation read): its seconds measure the outage, which OrderEntryDown covers, not the
            // venue's speed, and one such sample would hold the ack-latency p99 over its trip level for a minute.
            if (latencySample && _inFlightSentNs[i] > _orderEntryDownAtNs)
            {
                LastAnswerLatencyNs = nowNs - _inFlightSentNs[i];
                AnswerSamples++;
                _ackLatency.Add(LastAnswerLatencyNs, nowNs);
                _lastAckSampleNs = nowNs;
            }
            _inFlightCount--;
            _inFlightSeq[i] = _inFlightSeq[_inFlightCount];
            _inFlightSentNs[i] = _inFlightSentNs[_inFlightCount];
            return;
        }
    }

    /// <summary>Commands answered by the venue so far (each a latency sample), and the last one's command-to-answer time.</summary>
    public long AnswerSamples { get; private set; }
    public long LastAnswerLatencyNs { get; private set; }

    /// <summary>Age of the oldest in-flight command, 0 when none.</summary>
    public long OldestInFlightAgeNs(long nowNs)
    {
        long oldest = long.MaxValue;
        for (int i = 0; i < _inFlightCount; i++)
            oldest = Math.Min(oldest, _inFlightSentNs[i]);
        return _inFlightCount == 0 ? 0 : nowNs - oldest;
    }

    public void OnVenueResponse(long nowNs) => _venueOutcomes.Add(nowNs);

    public void OnVenueError(UnknownCause cause, long nowNs)
    {
        _ = cause; // 5xx, timeouts and drops count alike: each leaves an order's fate unknown
        _venueOutcomes.Add(nowNs);
        _venueErrors.Add(nowNs);
    }

    /// <summary>
    /// A liveness probe's round trip (WebSocket API <c>ping</c>): the venue's latency while no order flows.
    /// Without it a latency switch, once tripped, would never see a fast answer again (no orders, no acks).
    /// </summary>
    public void OnProbeRoundTrip(long roundTripNs, long nowNs)
    {
        if (roundTripNs < 0)
            return;
        _probeLatency.Add(roundTripNs, nowNs);
        Evaluate(nowNs);
    }

    /// <summary>True while order entry is reported down (a dropped or stalled connection).</summary>
    public bool OrderEntryDown => _orderEntryDown;

    /// <summary>An instrument's venue status as risk last heard it.</summary>
    public InstrumentStatus StatusOf(int instrumentId) => _instruments[instrumentId].Status;

    /// <summary>An instrument's volatility level (a view of its gate): 0 normal, 1 wider and smaller quotes, 2 paused.</summary>
    public int VolatilityLevelOf(int instrumentId) => InstrumentGateMachine.VolatilityLevel(_instruments[instrumentId].Gate);

    /// <summary>An instrument's gate as risk last moved it (a markout cool-down past its end is lifted at the next check or evaluation).</summary>
    public InstrumentGate GateOf(int instrumentId) => _instruments[instrumentId].Gate;

    public void OnOrderEntryConnection(bool up, long nowNs)
    {
        if (!up)
            _orderEntryDownAtNs = nowNs;
        _orderEntryDown = !up;
        Evaluate(nowNs);
    }

    // ---------------------------------------------------------------- market and position

    public void OnMarket(int instrumentId, Price bestBid, Price bestAsk, bool bookLive, long nowNs)
    {
        ref var s = ref _instruments[instrumentId];
        if (!bookLive && s.BookLive)
            s.StaleSinceNs = nowNs;
        if (!bookLive && !s.HasMarket && s.StaleSinceNs == 0)
            s.StaleSinceNs = nowNs;
        s.BookLive = bookLive;
        if (bestBid.Raw > 0 && bestAsk.Raw > 0 && bestBid < bestAsk)
        {
            s.BestBid = bestBid;
            s.BestAsk = bestAsk;
            s.HasMarket = true;
            CheckMarkouts(instrumentId, ref s, nowNs);
            CheckVwapStop(instrumentId, ref s, nowNs);
        }
    }

    public void OnInstrumentStatus(int instrumentId, InstrumentStatus status, long nowNs)
    {
        _ = nowNs;
        _instruments[instrumentId].Status = status;
    }

    /// <summary>Realized volatility from the signals (NaN while warming up is ignored); wider, smaller, then paused quotes, with hysteresis.</summary>
    public void OnVolatility(int instrumentId, double volatility, long nowNs)
    {
        if (double.IsNaN(volatility))
            return;
        ref var s = ref _instruments[instrumentId];
        int current = InstrumentGateMachine.VolatilityLevel(s.Gate);
        int level = current;
        int raw = volatility >= _limits.VolatilityPauseAbove ? 2 : volatility >= _limits.VolatilityWidenAbove ? 1 : 0;
        if (raw > level)
        {
            level = raw;
        }
        else
        {
            // Step down only below threshold × ratio, so a value hovering at a threshold does not flap.
            if (level == 2 && volatility < _limits.VolatilityPauseAbove * _limits.VolatilityReleaseRatio)
                level = 1;
            if (level == 1 && volatility < _limits.VolatilityWidenAbove * _limits.VolatilityReleaseRatio)
                level = 0;
        }
        if (level != current)
            MoveGate(instrumentId, ref s, InstrumentGateMachine.VolatilityTrigger(level), nowNs);
    }

    /// <summary>
    /// One market-data message's (receive − exchange) wall-clock difference. The clocks disagree by
    /// more than a second in real recordings, so only the excess over the window's minimum counts.
    /// </summary>
    /// <summary>One market-data message's apparent lag (receive − exchange time; clocks may differ, so it may be negative).</summary>
    public void OnFeedLag(long lag, long nowNs)
    {
        _feedLagBaseline.Add(lag, nowNs);
        _feedLagBaseline.TryMin(nowNs, out long baseline);
        _lastFeedLagExcessNs = lag - baseline;
        if (_lastFeedLagExcessNs > _limits.FeedLagTripNs)
            _feedLagBreached = true;
        else if (_lastFeedLagExcessNs < _limits.FeedLagReleaseNs)
            _feedLagBreached = false;
    }

    /// <summary>A fill of ours, remembered for the markout check.</summary>
    public void OnFill(int instrumentId, OrderSide side, Price price, Qty qty, long nowNs)
    {
        ref var s = ref _instruments[instrumentId];
        _markouts[instrumentId * MarkoutSlots + s.MarkoutNext] = new MarkoutFill(side, price, qty, nowNs);
        s.MarkoutNext = (s.MarkoutNext + 1) % MarkoutSlots;
        if (s.HasMarket)
            CheckMarkouts(instrumentId, ref s, nowNs);
    }

    /// <summary>The position after a fill (or a balance reconciliation); realized PnL raw at the instrument's price decimals, net of fees.</summary>
    public void OnPosition(int instrumentId, Qty position, Price averageEntry, long realizedPnl, long nowNs)
    {
        ref var s = ref _instruments[instrumentId];
        s.Position = position;
        s.AverageEntry = averageEntry;
        s.RealizedPnl = realizedPnl;
        if (position.Raw == 0)
            MoveGate(instrumentId, ref s, InstrumentGateTrigger.Flat, nowNs); // lifts a VWAP stop; a repeat elsewhere
        else if (s.HasMarket)
        {
            CheckVwapStop(instrumentId, ref s, nowNs);
        }
    }

    private void CheckMarkouts(int instrumentId, ref InstrumentRisk s, long nowNs)
    {
        Price mid = s.Mid;
        int scale = s.PriceDecimals + s.QtyDecimals;
        var fills = _markouts.AsSpan(instrumentId * MarkoutSlots, MarkoutSlots);
        foreach (ref readonly var f in fills)
        {
            if (f.Qty.Raw <= 0 || nowNs - f.TimeNs > _limits.MarkoutHorizonNs)
                continue;
            long adverse = f.Side == OrderSide.Buy ? f.Price.Raw - mid.Raw : mid.Raw - f.Price.Raw;
            if (adverse <= 0)
                continue;
            if (ToMoney(FixedPoint.Multiply(adverse, f.Qty.Raw), scale) <= _limits.MarkoutLossLimit)
                continue;
            // A breach while cooling renews the cool-down (a repeat edge, not counted again).
            ExpireCooling(instrumentId, ref s, nowNs);
            s.CoolingUntilNs = nowNs + _limits.MarkoutCooldownNs;
            if (MoveGate(instrumentId, ref s, InstrumentGateTrigger.MarkoutBreach, nowNs))
                Counters.MarkoutBreaches++;
            return;
        }
    }

    private void CheckVwapStop(int instrumentId, ref InstrumentRisk s, long nowNs)
    {
        if (InstrumentGateMachine.IsStopped(s.Gate) || s.Position.Raw == 0 || s.AverageEntry.Raw <= 0)
            return;
        long adverse = s.Position.Raw > 0 ? s.AverageEntry.Raw - s.Mid.Raw : s.Mid.Raw - s.AverageEntry.Raw;
        if ((Int128)adverse * 10_000 <= (Int128)s.AverageEntry.Raw * _limits.VwapStopBps)
            return;
        Counters.VwapStops++;
        MoveGate(instrumentId, ref s, InstrumentGateTrigger.VwapStop, nowNs);
    }

    // ---------------------------------------------------------------- instrument gates

    // The cool-down's end is a time, not an input: whoever reads the hold (a check, a markout breach, the
    // timer's evaluation) first fires MarkoutElapsed when its time has come, so the hold is exact when read.
    private void ExpireCooling(int instrumentId, ref InstrumentRisk s, long nowNs)
    {
        if (InstrumentGateMachine.IsCooling(s.Gate) && nowNs >= s.CoolingUntilNs)
            MoveGate(instrumentId, ref s, InstrumentGateTrigger.MarkoutElapsed, nowNs);
    }

    /// <summary>
    /// Drives an instrument's gate table directly (operator tooling and tests); normal changes come from the
    /// market, fill and position inputs. A driven <see cref="InstrumentGateTrigger.MarkoutBreach"/> starts the
    /// configured cool-down. Returns false when the edge is illegal (counted and reported, gate unchanged).
    /// </summary>
    public bool TransitionGate(int instrumentId, InstrumentGateTrigger trigger, long nowNs)
    {
        ref var s = ref _instruments[instrumentId];
        if (trigger == InstrumentGateTrigger.MarkoutBreach)
            s.CoolingUntilNs = nowNs + _limits.MarkoutCooldownNs;
        bool legal = InstrumentGateMachine.Cell(s.Gate, trigger) != InstrumentGateMachine.Illegal;
        MoveGate(instrumentId, ref s, trigger, nowNs);
        return legal;
    }

    // True when the gate changed. An illegal edge is counted and reported (Illegal set, gate unchanged). A change
    // of the reduce-only holds is reported as the account's edges are (Active → Reducing on a new hold, back on a
    // lifted one, with the hold as the reason); a volatility change alone is not (QuoteAdjustment shows it).
    private bool MoveGate(int instrumentId, ref InstrumentRisk s, InstrumentGateTrigger trigger, long nowNs)
    {
        var from = s.Gate;
        if (!InstrumentGateMachine.TryNext(from, trigger, out var to))
        {
            Counters.IllegalTransitions++;
            var seen = InstrumentGateMachine.AllowsIncrease(from) ? RiskState.Active : RiskState.Reducing;
            Report(seen, seen, AccountTriggerOf(trigger), HoldsOf(from), instrumentId, true, nowNs);
            return false;
        }
        if (to == from)
            return false;
        s.Gate = to;
        RiskReason held = HoldsOf(from), holds = HoldsOf(to);
        if ((holds & ~held) != 0)
            Report(RiskState.Active, RiskState.Reducing, RiskTrigger.Reduce, holds & ~held, instrumentId, false, nowNs);
        if ((held & ~holds) != 0)
            Report(RiskState.Reducing, RiskState.Active,
                trigger == InstrumentGateTrigger.OperatorResume ? RiskTrigger.OperatorResume : RiskTrigger.Release,
                held & ~holds, instrumentId, false, nowNs);
        return true;
    }

    private static RiskReason HoldsOf(InstrumentGate gate) =>
        (InstrumentGateMachine.IsCooling(gate) ? RiskReason.MarkoutLoss : RiskReason.None)
        | (InstrumentGateMachine.IsStopped(gate) ? RiskReason.VwapStop : RiskReason.None);

    // How a gate edge reads in a RiskTransition: a new hold or a higher volatility level reduces, the rest release.
    private static RiskTrigger AccountTriggerOf(InstrumentGateTrigger trigger) => trigger switch
    {
        InstrumentGateTrigger.MarkoutBreach or InstrumentGateTrigger.VwapStop or InstrumentGateTrigger.Widen
            or InstrumentGateTrigger.Pause => RiskTrigger.Reduce,
        InstrumentGateTrigger.OperatorResume => RiskTrigger.OperatorResume,
        _ => RiskTrigger.Release,
    };

    // ---------------------------------------------------------------- evaluation and state

    /// <summary>Total PnL (realized net of fees + unrealized at mid) at <see cref="RiskLimits.MoneyDecimals"/>.</summary>
    public long TotalPnl()
    {
        long total = 0;
        for (int i = 0; i < _instruments.Length; i++)
        {
            ref var s = ref _instruments[i];
            total += Rescale(s.RealizedPnl, s.PriceDecimals);
            if (s.HasMarket && s.Position.Raw != 0)
                total += ToMoney(FixedPoint.Multiply(s.Mid.Raw - s.AverageEntry.Raw, s.Position.Raw), s.PriceDecimals + s.QtyDecimals);
        }
        return total;
    }

    /// <summary>Starts the trading day: drawdown is measured from here, and a drawdown halt is released.</summary>
    public void StartNewDay(long nowNs)
    {
        _dayStartPnl = TotalPnl();
        _dayStarted = true;
        _reasons &= ~RiskReason.DailyDrawdown;
        Evaluate(nowNs);
    }

    /// <summary>Total PnL at the start of the trading day (<see cref="RiskLimits.MoneyDecimals"/>): drawdown is measured from it.</summary>
    public long DayStartPnl => _dayStartPnl;

    /// <summary>
    /// Restart on the same trading day: drawdown is measured from the stored day start, so the loss taken
    /// before the crash still counts (call after the restored positions reached <see cref="OnPosition"/>).
    /// </summary>
    public void RestoreDay(long dayStartPnl, long nowNs)
    {
        _dayStartPnl = dayStartPnl;
        _dayStarted = true;
        Evaluate(nowNs);
    }

    /// <summary>
    /// Re-evaluates every account-wide rule and moves the state through the table. Run from a timer
    /// (and after fills): the in-flight age rule must fire even when nothing else arrives.
    /// </summary>
    public void Evaluate(long nowNs)
    {
        if (!_dayStarted)
        {
            _dayStartPnl = TotalPnl();
            _dayStarted = true;
        }
        RiskReason breached = _reasons & StickyReasons;
        long totalNotional = 0;
        for (int i = 0; i < _instruments.Length; i++)
        {
            ref var s = ref _instruments[i];
            ExpireCooling(i, ref s, nowNs); // the timer lifts an ended cool-down even when nothing else asks
            if (Math.Abs(s.Position.Raw) > _limits.Instruments[i].MaxPosition.Raw)
                breached |= RiskReason.PositionLimit;
            totalNotional += PositionNotional(ref s);
        }
        if (totalNotional > _limits.MaxTotalNotional)
            breached |= RiskReason.NotionalLimit;
        if (_dayStartPnl - TotalPnl() > _limits.MaxDailyLoss)
            breached |= RiskReason.DailyDrawdown;
        if (OldestInFlightAgeNs(nowNs) > _limits.MaxInFlightAgeNs)
            breached |= RiskReason.InFlightAge;

        // Hysteresis: trip above the trip level, release only below the lower release level, and keep
        // the last verdict while there are too few recent samples (no evidence either way; stopped acks
        // are the in-flight age rule's job).
        // While orders flow their acks are the evidence; once none has been answered for OrderFlowQuietNs
        // (a tripped switch sends none) the probes decide, so the switch lets go when the venue is fast again.
        bool ordersFlowing = nowNs - _lastAckSampleNs <= _limits.OrderFlowQuietNs;
        long ackMaxAge = Math.Min(_limits.AckLatencyMaxAgeNs, nowNs - _ackSamplesValidAfterNs - 1);
        if (ordersFlowing && ackMaxAge >= 0 && _ackLatency.TryPercentile(_limits.AckLatencyPercentile, _limits.AckLatencyMinSamples, nowNs,
                ackMaxAge, out long p))
        {
            if (p > _limits.AckLatencyTripNs)
                _ackLatencyBreached = true;
            else if (p < _limits.AckLatencyReleaseNs)
                _ackLatencyBreached = false;
        }
        if (_probeLatency.TryPercentile(_limits.LatencyProbePercentile, _limits.LatencyProbeMinSamples, nowNs,
                _limits.LatencyProbeMaxAgeNs, out long probe))
        {
            if (probe > _limits.AckLatencyTripNs)
                _ackLatencyBreached = true;
            else if (probe < _limits.AckLatencyReleaseNs && !ordersFlowing && _ackLatencyBreached)
            {
                // Released on the probes' evidence: the slow acks from before must not re-trip it when quoting resumes.
                _ackLatencyBreached = false;
                _ackSamplesValidAfterNs = nowNs;
            }
        }
        if (_ackLatencyBreached)
            breached |= RiskReason.AckLatency;
        if (_feedLagBreached)
            breached |= RiskReason.FeedLag;

        long errors = _venueErrors.Sum(nowNs);
        if (errors >= _limits.VenueErrorMinCount && errors * 100 >= _venueOutcomes.Sum(nowNs) * _limits.VenueErrorRatePercent)
            breached |= RiskReason.VenueErrors;
        if (_orderEntryDown)
            breached |= RiskReason.OrderEntryDown;

        Apply(breached, nowNs);
    }

    private void Apply(RiskReason breached, long nowNs)
    {
        _reasons = breached;
        var severity = SeverityOf(breached);
        if (severity == RiskState.Halted)
            _lastHaltReasonNs = nowNs;
        if (severity != RiskState.Active)
            _lastReduceReasonNs = nowNs;

        if (severity > State)
        {
            Transition(severity == RiskState.Halted ? RiskTrigger.Halt : RiskTrigger.Reduce, nowNs);
            return;
        }
        if (severity == State || State == RiskState.Active)
            return;
        // Step down one level at a time, each after a cool-down without a breach of the current level.
        long lastAtLevel = State == RiskState.Halted ? _lastHaltReasonNs : _lastReduceReasonNs;
        if (nowNs - lastAtLevel >= _limits.ReleaseCooldownNs && nowNs - _lastTransitionNs >= _limits.ReleaseCooldownNs)
            Transition(RiskTrigger.Release, nowNs);
    }

    private static RiskState SeverityOf(RiskReason reasons) =>
        (reasons & HaltReasons) != 0 ? RiskState.Halted : reasons != RiskReason.None ? RiskState.Reducing : RiskState.Active;

    public void OperatorHalt(long nowNs)
    {
        _reasons |= RiskReason.Operator;
        _lastHaltReasonNs = nowNs;
        Transition(RiskTrigger.OperatorHalt, nowNs);
    }

    /// <summary>Clears every reason, sticky ones included; a rule still breached trips again at the next <see cref="Evaluate"/>.</summary>
    public void OperatorResume(long nowNs)
    {
        _reasons = RiskReason.None;
        _ackLatencyBreached = false;
        _feedLagBreached = false;
        for (int i = 0; i < _instruments.Length; i++)
            MoveGate(i, ref _instruments[i], InstrumentGateTrigger.OperatorResume, nowNs);
        Transition(RiskTrigger.OperatorResume, nowNs);
    }

    /// <summary>Drives the table directly (operator tooling and tests); normal changes come from <see cref="Evaluate"/>.</summary>
    public bool Transition(RiskTrigger trigger, long nowNs)
    {
        var from = State;
        if (!RiskStateMachine.TryNext(from, trigger, out var to))
        {
            Counters.IllegalTransitions++;
            Report(from, from, trigger, _reasons, -1, true, nowNs);
            return false;
        }
        State = to;
        _lastTransitionNs = nowNs;
        Counters.Transitions++;
        Report(from, to, trigger, _reasons, -1, false, nowNs);
        return true;
    }

    private void Report(RiskState from, RiskState to, RiskTrigger trigger, RiskReason reasons, int instrumentId, bool illegal, long nowNs)
    {
        var t = new RiskTransition(from, to, trigger, reasons, instrumentId, illegal, nowNs);
        LastTransition = t;
        _observer?.Invoke(t);
    }

    // ---------------------------------------------------------------- money

    private long PositionNotional(ref InstrumentRisk s) =>
        s.HasMarket ? ToMoney(FixedPoint.Multiply(s.Mid.Raw, Math.Abs(s.Position.Raw)), s.PriceDecimals + s.QtyDecimals) : 0;

    private long ToMoney(Int128 value, int decimals) => FixedPoint.Rescale(value, decimals, _limits.MoneyDecimals);

    private long Rescale(long value, int decimals) => FixedPoint.Rescale(value, decimals, _limits.MoneyDecimals);
}
