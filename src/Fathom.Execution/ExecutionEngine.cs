using System.Runtime.CompilerServices;
using Fathom.Book;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;
using Fathom.Strategy.Abstractions;

namespace Fathom.Execution;

/// <summary>
/// Turns strategy intents into venue-neutral commands, tracks every order through
/// <see cref="OrderStateMachine"/>, applies fills once to positions, and passes every new order
/// through <see cref="RiskManager"/> (cancels are never checked, so risk can never block one).
/// </summary>
/// <remarks>
/// Entry points: <see cref="Submit"/> (intents), <see cref="OnMarket"/>/<see cref="OnBook"/>, the report
/// handlers in <c>ExecutionEngine.Reports.cs</c>, and <see cref="OnTimer"/> (risk evaluation, stale-book
/// and halt cancels, queries for Unknown orders, cancels and quotes whose back-off or hold ran out).
/// Output: <see cref="Commands"/>: each command goes to the queue's hand-off (the engine's: journal and gateway)
/// as it is queued, before the state change it makes is recorded (in the same call), or, without one, is drained
/// by the caller after each input. Invariants: nothing is sent
/// for an order with a command in flight or an unknown fate (a cancel wanted meanwhile is remembered and
/// sent when it becomes possible); a new order whose fate is unknown is never resent, only queried; a
/// rejected cancel, cancel-replace or amend is retried only after the order's exponential back-off, and
/// nothing at all goes out while a venue Retry-After or ban holds (both on the caller's virtual time);
/// the quote target is re-applied after every report, so behaviour under latency depends only on the
/// input sequence. Single-threaded; no allocation per intent or report after construction.
/// </remarks>
public sealed partial class ExecutionEngine
{
    private sealed class InstrumentState(int id, InstrumentSpec spec, int maxLive)
    {
        public readonly int Id = id;
        public readonly InstrumentSpec Spec = spec;
        public readonly PositionLedger Ledger = new(spec.PriceDecimals, spec.QtyDecimals);
        public readonly long[] Live = new long[maxLive];
        public int LiveCount;
        public int Busy;
        public long BidQuoteSeq;
        public long AskQuoteSeq;
        public Price BestBid;
        public Price BestAsk;
        public bool HasQuoteTarget;
        // Risk wants the instrument's orders cancelled: the quote target is kept and re-applied once it lets go.
        public bool Suspended;
        // An operator pause (or flatten): no quotes until released; the target is kept.
        public bool OperatorHeld;
        public Price TargetBidPrice;
        public Qty TargetBidQty;
        public Price TargetAskPrice;
        public Qty TargetAskQty;
        public bool PostOnly;
        // Prices the analyzer flags (spoof-like walls, withdrawing levels): quotes do not join them.
        public Price AvoidBid;
        public Price AvoidAsk;
        // Work deferred by an order's back-off or the venue's hold: re-applied (timer or next report) at RetryDueNs.
        public bool RetryPending;
        public long RetryDueNs;
        // Restart: adopted quotes wait for the strategy's first quote target until this time, then are cancelled (0: none waiting).
        public long AdoptedUntilNs;
        // The other instances' best resting bid and ask on the account (0: none), for the self-trade check.
        public Price PeerBid;
        public Price PeerAsk;

        public Price Mid => BestBid.Raw > 0 && BestAsk.Raw > 0 ? new Price((BestBid.Raw + BestAsk.Raw) / 2) : Price.Zero;
    }

    private readonly InstrumentState[] _instruments;
    private readonly ExecutionOptions _options;
    private readonly RiskManager _risk;
    private readonly ClientOrderIdGenerator _ids;
    private readonly OrderTable _table;
    private readonly FillDeduplicator _fills;
    private readonly Action<OrderTransition>? _observer;
    // Nothing is sent before this time: the venue's Retry-After (429) or ban (418). Only ever lengthened.
    private long _holdUntilNs = long.MinValue;
    /// <summary>Earlier runs' orders cancelled while running, and when (cold: orphans are rare).</summary>
    private readonly Dictionary<ClientOrderId, long> _orphanCancels = [];
    // The lease: nothing but cancels is sent at or after this (monotonic ns); long.MaxValue while no lease binds the engine.
    private long _sendDeadlineNs = long.MaxValue;
    private bool _leaseBound;
    private bool _oppositeFromPeer;
    private long _rehearsals;
    private long _rehearsalTouch;
    private const int RehearsedClaims = 4;
    private const int MaxOrphansRemembered = 1024;

    public ExecutionEngine(IReadOnlyList<InstrumentSpec> instruments, ExecutionOptions options, RiskManager risk,
        ClientOrderIdGenerator ids, Action<OrderTransition>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(risk);
        ArgumentNullException.ThrowIfNull(ids);
        _options = options.Validate();
        if (risk.Limits.Instruments.Count != instruments.Count)
            ThrowHelper.ThrowArgument(nameof(risk), "Risk and execution must trade the same instruments.");
        _instruments = new InstrumentState[instruments.Count];
        for (int i = 0; i < instruments.Count; i++)
            _instruments[i] = new InstrumentState(i, instruments[i].Validate(), options.MaxLiveOrdersPerInstrument);
        _risk = risk;
        _ids = ids;
        _table = new OrderTable(options.OrderTableCapacity);
        _fills = new FillDeduplicator(options.FillDedupCapacity);
        Commands = new CommandQueue(options.CommandQueueCapacity);
        _observer = observer;
    }

    public CommandQueue Commands { get; }
    public ExecutionCounters Counters { get; } = new();
    public RiskManager Risk => _risk;
    /// <summary>The last illegal transition (default when none): also counted and sent to the observer.</summary>
    public OrderTransition LastIllegal { get; private set; }
    public RiskDecision LastRiskDecision { get; private set; }
    /// <summary>While the virtual time is before this, no command is sent (venue Retry-After or ban); <see cref="long.MinValue"/> when none was ever given.</summary>
    public long VenueHoldUntilNs => _holdUntilNs;

    // ---------------------------------------------------------------- market

    public void OnMarket(int instrumentId, Price bestBid, Price bestAsk, bool bookLive, long nowNs)
    {
        var inst = _instruments[instrumentId];
        inst.BestBid = bestBid;
        inst.BestAsk = bestAsk;
        _risk.OnMarket(instrumentId, bestBid, bestAsk, bookLive, nowNs);
        if (_risk.WantsCancelAll(instrumentId, nowNs))
            CancelAllOrders(inst, nowNs);
    }

    /// <summary>Market update from a book; <paramref name="bookLive"/> is <c>BookSync.IsLive</c> (stale-book gating).</summary>
    public void OnBook(int instrumentId, in BookView book, bool bookLive, long nowNs)
    {
        // The book grid may be finer than the order tick (legacy levels): convert with the book's own grid.
        Price bid = book.HasBid ? book.PriceOf(book.BestBidTick) : Price.Zero;
        Price ask = book.HasAsk ? book.PriceOf(book.BestAskTick) : Price.Zero;
        OnMarket(instrumentId, bid, ask, bookLive, nowNs);
    }

    /// <summary>
    /// Prices quotes must not join on each side (zero: none), from the analyzer: spoof-like walls or
    /// withdrawing levels. Takes effect at the next quote decision.
    /// </summary>
    public void SetAvoidLevels(int instrumentId, Price avoidBid, Price avoidAsk)
    {
        var inst = _instruments[instrumentId];
        inst.AvoidBid = avoidBid;
        inst.AvoidAsk = avoidAsk;
    }

    // ---------------------------------------------------------------- lease and peers

    /// <summary>
    /// The lease this engine sends under lasts until <paramref name="deadlineNs"/> (monotonic, the renewal's
    /// send time + TTL − margin, from the host's lease keeper): at or after it no new order, amend or
    /// replacement is sent (cancels always are), and the next timer cancels every order and stops quoting
    /// for good (<see cref="LeaseLapsed"/>; the host then composes a fresh engine under a fresh lease). Only
    /// extends; the first call binds the engine to a lease (until then nothing limits sending).
    /// </summary>
    public void SetSendDeadline(long deadlineNs, long nowNs)
    {
        if (LeaseLapsed)
            return;
        if (!_leaseBound || deadlineNs > _sendDeadlineNs)
            _sendDeadlineNs = deadlineNs;
        _leaseBound = true;
        if (nowNs >= _sendDeadlineNs)
            Lapse(nowNs);
    }

    /// <summary>The lease is lost (taken over, or refused at renewal): sending stops now and every order is cancelled.</summary>
    public void LoseLease(long nowNs)
    {
        _leaseBound = true;
        _sendDeadlineNs = Math.Min(_sendDeadlineNs, nowNs);
        Lapse(nowNs);
    }

    /// <summary>The lease's deadline (monotonic ns); <see cref="long.MaxValue"/> while no lease binds the engine.</summary>
    public long SendDeadlineNs => _sendDeadlineNs;

    /// <summary>True once the lease lapsed or was lost: only cancels go out from then on.</summary>
    public bool LeaseLapsed { get; private set; }

    private void Lapse(long nowNs)
    {
        if (LeaseLapsed)
            return;
        LeaseLapsed = true;
        Counters.LeaseLapses++;
        foreach (var inst in _instruments)
            CancelAllOrders(inst, nowNs);
    }

    /// <summary>
    /// The other instances' best resting bid and ask on <paramref name="instrumentId"/> (zero: none), as the
    /// coordination service last published them: a new order of ours that would reach them is refused as a
    /// self-trade (<see cref="ExecutionCounters.PeerCrossRefusals"/>); the venue's STP mode is the backstop
    /// for what changed since.
    /// </summary>
    public void SetPeerQuotes(int instrumentId, Price bid, Price ask)
    {
        var inst = _instruments[instrumentId];
        inst.PeerBid = bid;
        inst.PeerAsk = ask;
    }

    /// <summary>True when <paramref name="id"/> is this scope's: this node's (any run) or an earlier holder's of the lease scope.</summary>
    public bool IsOwnOrder(ClientOrderId id) => _ids.IsOwn(id);

    /// <summary>True when <paramref name="id"/> was issued by this node (any run).</summary>
    public bool IsSelfOrder(ClientOrderId id) => _ids.IsSelf(id);

    /// <summary>
    /// Takeover: an open order another holder of this scope placed under an older epoch (a zombie) is
    /// cancelled by id, untracked (it is not in the table; its fills still count, see <see cref="OnFill"/>).
    /// False when it is not such an order.
    /// </summary>
    public bool CancelZombie(in VenueOpenOrder order, long nowNs)
    {
        if (!_ids.IsOwn(order.ClientOrderId) || _ids.IsSelf(order.ClientOrderId))
            return false;
        CancelOrphan(order.InstrumentId, order.ClientOrderId, order.VenueOrderId, nowNs);
        return true;
    }

    /// <summary>The other instances' best resting bid and ask on <paramref name="instrumentId"/> as last set (zero: none).</summary>
    public (Price Bid, Price Ask) PeerQuotes(int instrumentId) => (_instruments[instrumentId].PeerBid, _instruments[instrumentId].PeerAsk);

    /// <summary>Our best resting bid and ask on <paramref name="instrumentId"/> (zero: none), for publishing to the other instances.</summary>
    public (Price Bid, Price Ask) BestResting(int instrumentId)
    {
        var inst = _instruments[instrumentId];
        long bid = 0, ask = 0;
        for (int k = 0; k < inst.LiveCount; k++)
        {
            ref var o = ref _table.Find(inst.Live[k]);
            if (Unsafe.IsNullRef(ref o) || !o.IsLive)
                continue;
            if (o.Side == OrderSide.Buy && o.Price.Raw > bid)
                bid = o.Price.Raw;
            else if (o.Side == OrderSide.Sell && (ask == 0 || o.Price.Raw < ask))
                ask = o.Price.Raw;
        }
        return (new Price(bid), new Price(ask));
    }

    /// <summary>
    /// The largest |position| <paramref name="instrumentId"/> could reach if every working order filled:
    /// max(|position + working buys|, |position − working sells|), raw. What a position quota must cover.
    /// </summary>
    public long Exposure(int instrumentId)
    {
        var inst = _instruments[instrumentId];
        long pos = inst.Ledger.Position.Raw;
        return Math.Max(Math.Abs(pos + OpenQty(inst, OrderSide.Buy).Raw), Math.Abs(pos - OpenQty(inst, OrderSide.Sell).Raw));
    }

    // ---------------------------------------------------------------- intents

    public void Submit(in Intent intent, long nowNs)
    {
        Counters.Intents++;
        if ((uint)intent.InstrumentId >= (uint)_instruments.Length)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(intent), "Unknown instrument id.");
        var inst = _instruments[intent.InstrumentId];
        if (_risk.WantsCancelAll(intent.InstrumentId, nowNs))
        {
            // The strategy's latest quote target stands (it is re-applied when risk lets go); nothing rests meanwhile.
            if (intent.Kind == IntentKind.Quote)
                SetQuoteTarget(inst, intent);
            else if (intent.Kind == IntentKind.CancelAll)
                inst.HasQuoteTarget = false;
            inst.Suspended = true;
            CancelAllOrders(inst, nowNs);
            return;
        }
        switch (intent.Kind)
        {
            case IntentKind.Quote:
                SetQuoteTarget(inst, intent);
                ManageQuotes(inst, nowNs);
                break;
            case IntentKind.CancelAll:
                inst.HasQuoteTarget = false;
                CancelAllOrders(inst, nowNs);
                break;
            case IntentKind.Take:
                Take(inst, intent.Side, intent.Qty, intent.LimitPrice, nowNs);
                break;
            case IntentKind.TargetPosition:
                MoveToTarget(inst, intent.Qty, intent.LimitPrice, nowNs);
                break;
        }
    }

    /// <summary>
    /// Periodic work: risk evaluation (the kill switch), gating cancels, cancels and quotes whose back-off or
    /// venue hold has run out, and queries for Unknown orders (not while the venue holds us).
    /// </summary>
    public void OnTimer(long nowNs)
    {
        if (nowNs >= _sendDeadlineNs)
            Lapse(nowNs);
        _risk.Evaluate(nowNs);
        bool held = nowNs < _holdUntilNs;
        for (int i = 0; i < _instruments.Length; i++)
        {
            var inst = _instruments[i];
            if (inst.AdoptedUntilNs != 0 && nowNs >= inst.AdoptedUntilNs)
                EndAdoptionGrace(inst, nowNs);
            bool retryDue = TakeDueRetry(inst, nowNs);
            if (_risk.WantsCancelAll(i, nowNs))
            {
                inst.Suspended = true;
                CancelAllOrders(inst, nowNs);
            }
            else
            {
                if (retryDue)
                    SendWantedCancels(inst, nowNs);
                // Risk let go of a cancel-all (a halt lifted, a kill switch released): the standing target is quoted again.
                bool released = inst.Suspended;
                inst.Suspended = false;
                if (retryDue || released || !_risk.AllowsIncrease(i, nowNs))
                    ManageQuotes(inst, nowNs);
            }
            if (held)
                continue; // a query costs request weight too; it goes once the hold ends
            for (int k = 0; k < inst.LiveCount; k++)
            {
                ref var o = ref _table.Find(inst.Live[k]);
                if (!Unsafe.IsNullRef(ref o) && o.State == OrderState.Unknown && nowNs >= o.NextQueryNs)
                    SendQuery(ref o, nowNs);
            }
        }
    }

    /// <summary>
    /// Rehearses the decision path of a requote without doing it, for its cache lines only (the engine calls it on
    /// market-data inputs that sent nothing, so the ~1.5 % that do find the path warm): the quote arithmetic of
    /// <see cref="Submit"/>, the open-quantity and own-opposite scans, <see cref="RiskManager.Rehearse"/> (the risk
    /// decision without counters or gate moves), the order table's next slot, and the cancel-replace (or place) the
    /// standing target would produce on one side, built in <see cref="CommandQueue.Staging"/> (outside the queue).
    /// Sides alternate call by call. Nothing changes: no id is taken, no order, counter, rate window or observer is
    /// touched, and the command queue's count stays. Returns that command for the gateway's rehearsal (a null ref
    /// when there is nothing to rehearse: no quote target, or a side with no size).
    /// </summary>
    public ref readonly OrderCommand Rehearse(int instrumentId, long nowNs)
    {
        if ((uint)instrumentId >= (uint)_instruments.Length)
            return ref Unsafe.NullRef<OrderCommand>();
        var inst = _instruments[instrumentId];
        ref OrderCommand staged = ref Commands.Staging;
        if (!inst.HasQuoteTarget || Unsafe.IsNullRef(ref staged))
            return ref Unsafe.NullRef<OrderCommand>();
        var spec = inst.Spec;
        bool buy = (++_rehearsals & 1) == 0;
        var side = buy ? OrderSide.Buy : OrderSide.Sell;
        var (price, qty) = QuoteFor(inst, buy, _risk.QuoteAdjustment(instrumentId));
        if (qty.Raw <= 0 || price.Raw <= 0)
            return ref Unsafe.NullRef<OrderCommand>();
        var type = inst.PostOnly ? OrderType.LimitMaker : OrderType.Limit;
        spec.CheckOrder(price, qty);
        _risk.Rehearse(new OrderCheck(instrumentId, side, price, qty, OpenQty(inst, side), OwnOppositeBest(inst, side)), nowNs);
        ClientOrderId next = _ids.Peek();
        // The slots the next claims would take, every line of each (kept in a field so the reads are not dropped): a
        // place claims the next id's, a cancel-replace the one after (its cancel takes an id, not a slot), and a frame
        // that requotes both sides claims two of these.
        long touched = 0;
        for (long seq = next.Sequence; seq < next.Sequence + RehearsedClaims; seq++)
            touched ^= _table.Touch(seq);
        _rehearsalTouch = touched;
        ref var old = ref _table.Find(buy ? inst.BidQuoteSeq : inst.AskQuoteSeq);
        if (!Unsafe.IsNullRef(ref old) && old.IsLive)
            staged = OrderCommand.From(new CancelReplaceCommand(instrumentId, next, old.CurrentId, old.VenueOrderId,
                new ClientOrderId(next.Node, next.Epoch, next.Sequence + 1), side, type, price, qty), nowNs);
        else
            staged = OrderCommand.From(new PlaceOrderCommand(instrumentId, next, side, type, price, qty), nowNs);
        return ref staged;
    }

    private static void SetQuoteTarget(InstrumentState inst, in Intent intent)
    {
        inst.HasQuoteTarget = true;
        inst.TargetBidPrice = intent.BidPrice;
        inst.TargetBidQty = intent.QuotesBid ? intent.BidQty : Qty.Zero;
        inst.TargetAskPrice = intent.AskPrice;
        inst.TargetAskQty = intent.QuotesAsk ? intent.AskQty : Qty.Zero;
        inst.PostOnly = intent.PostOnly;
    }

    /// <summary>
    /// Operator pause (or flatten) of <paramref name="instrumentId"/>: every order is cancelled and no quote
    /// goes out until <see cref="Release"/>; the strategy's quote target is kept, so quoting returns at
    /// once on release (a strategy that does not resend an unchanged target would otherwise wait for the
    /// market to move). Takes (a flatten's) still go.
    /// </summary>
    public void Hold(int instrumentId, long nowNs)
    {
        var inst = _instruments[instrumentId];
        inst.OperatorHeld = true;
        CancelAllOrders(inst, nowNs);
    }

    /// <summary>Ends <see cref="Hold"/>: the standing quote target is quoted again (unless risk wants everything cancelled).</summary>
    public void Release(int instrumentId, long nowNs)
    {
        var inst = _instruments[instrumentId];
        if (!inst.OperatorHeld)
            return;
        inst.OperatorHeld = false;
        if (!_risk.WantsCancelAll(instrumentId, nowNs))
            ManageQuotes(inst, nowNs);
    }

    private void ManageQuotes(InstrumentState inst, long nowNs)
    {
        if (!inst.HasQuoteTarget || inst.OperatorHeld || LeaseLapsed)
            return;
        var spec = inst.Spec;
        int id = inst.Id;
        var adj = _risk.QuoteAdjustment(id);
        var (bidPrice, bidQty) = QuoteFor(inst, buy: true, adj);
        var (askPrice, askQty) = QuoteFor(inst, buy: false, adj);
        if (!_risk.AllowsIncrease(id, nowNs))
        {
            // Reduce-only: quote only the side that moves toward flat, and never past it.
            long pos = inst.Ledger.Position.Raw;
            if (pos >= 0)
            {
                bidQty = Qty.Zero;
                askQty = new Qty(Math.Min(askQty.Raw, spec.FloorToStep(new Qty(pos)).Raw));
            }
            if (pos <= 0)
            {
                askQty = Qty.Zero;
                bidQty = new Qty(Math.Min(bidQty.Raw, spec.FloorToStep(new Qty(-pos)).Raw));
            }
        }
        // Do not join a level the analyzer flags (a wall likely to vanish, size being withdrawn): a
        // quote there sits in a queue that can disappear in front of a move. Step one tick behind it.
        if (bidPrice.Raw != 0 && bidPrice == inst.AvoidBid)
            bidPrice = new Price(bidPrice.Raw - spec.TickSize.Raw);
        if (askPrice.Raw != 0 && askPrice == inst.AvoidAsk)
            askPrice = new Price(askPrice.Raw + spec.TickSize.Raw);
        var type = inst.PostOnly ? OrderType.LimitMaker : OrderType.Limit;
        ManageSide(inst, id, OrderSide.Buy, bidPrice, bidQty, type, nowNs);
        ManageSide(inst, id, OrderSide.Sell, askPrice, askQty, type, nowNs);
    }

    /// <summary>One side of the standing quote target on the order grid, widened and sized down as risk's volatility gate asks.</summary>
    private static (Price Price, Qty Qty) QuoteFor(InstrumentState inst, bool buy, QuoteAdjustment adj)
    {
        var spec = inst.Spec;
        long widen = adj.ExtraTicks * spec.TickSize.Raw;
        return buy
            ? (new Price(spec.FloorToTick(inst.TargetBidPrice).Raw - widen), spec.FloorToStep(new Qty(inst.TargetBidQty.Raw * adj.QtyPercent / 100)))
            : (new Price(spec.CeilToTick(inst.TargetAskPrice).Raw + widen), spec.FloorToStep(new Qty(inst.TargetAskQty.Raw * adj.QtyPercent / 100)));
    }

    private void ManageSide(InstrumentState inst, int id, OrderSide side, Price price, Qty qty, OrderType type, long nowNs)
    {
        long seq = side == OrderSide.Buy ? inst.BidQuoteSeq : inst.AskQuoteSeq;
        if (seq != 0)
        {
            ref var o = ref _table.Find(seq);
            if (!Unsafe.IsNullRef(ref o) && o.IsLive)
            {
                if (OrderStateMachine.IsBusy(o.State))
                {
                    // Never act on an order with a command in flight: the target is kept and re-applied
                    // when its report arrives.
                    Counters.DeferredBusy++;
                    return;
                }
                if (o.CancelWanted || qty.Raw <= 0)
                {
                    // A cancel already wanted (its last one was rejected and is backing off) stays wanted.
                    SendCancel(inst, ref o, nowNs);
                    return;
                }
                long tick = inst.Spec.TickSize.Raw;
                long priceMoveTicks = Math.Abs(o.Price.Raw - price.Raw) / tick;
                long remaining = o.Remaining.Raw;
                if (priceMoveTicks <= _options.RepriceToleranceTicks && o.Type == type)
                {
                    // "Target unchanged" is judged against the size the order was placed with, so a
                    // partial fill does not trigger a top-up that would cost the queue position.
                    if (qty.Raw >= remaining && qty.Raw <= o.Qty.Raw + _options.QtyToleranceSteps * inst.Spec.StepSize.Raw)
                    {
                        Counters.QuotesKept++;
                        return;
                    }
                    if (qty.Raw < remaining && _options.AmendAllowed)
                    {
                        // Size down in place keeps queue priority (reductions only, new total = filled + wanted).
                        SendAmend(inst, ref o, new Qty(o.Filled.Raw + qty.Raw), nowNs);
                        return;
                    }
                }
                SendCancelReplace(inst, id, ref o, price, qty, type, nowNs);
                return;
            }
            SetQuoteSlot(inst, side, 0);
        }
        if (qty.Raw > 0)
            SendPlace(inst, id, side, type, price, qty, isQuote: true, nowNs);
    }

    private void Take(InstrumentState inst, OrderSide side, Qty qty, Price limit, long nowNs)
    {
        var spec = inst.Spec;
        Qty q = spec.FloorToStep(qty);
        if (q.Raw <= 0)
            return;
        // The limit is rounded passively: a buy never pays more, a sell never receives less, than asked.
        Price p = spec.RoundForSide(limit, side == OrderSide.Buy);
        SendPlace(inst, inst.Id, side, OrderType.LimitIoc, p, q, isQuote: false, nowNs);
    }

    private void MoveToTarget(InstrumentState inst, Qty target, Price limit, long nowNs)
    {
        for (int k = 0; k < inst.LiveCount; k++)
        {
            ref var o = ref _table.Find(inst.Live[k]);
            if (!Unsafe.IsNullRef(ref o) && !o.IsQuote)
            {
                // One taking order at a time: the next step is sized from the position it leaves.
                Counters.DeferredBusy++;
                return;
            }
        }
        long delta = target.Raw - inst.Ledger.Position.Raw;
        if (delta == 0)
            return;
        Take(inst, delta > 0 ? OrderSide.Buy : OrderSide.Sell, new Qty(Math.Abs(delta)), limit, nowNs);
    }

    private void CancelAllOrders(InstrumentState inst, long nowNs)
    {
        for (int k = 0; k < inst.LiveCount; k++)
        {
            ref var o = ref _table.Find(inst.Live[k]);
            if (!Unsafe.IsNullRef(ref o))
                SendCancel(inst, ref o, nowNs);
        }
    }

    // ---------------------------------------------------------------- sending

    private bool SendPlace(InstrumentState inst, int id, OrderSide side, OrderType type, Price price, Qty qty, bool isQuote, long nowNs)
    {
        if (nowNs >= _sendDeadlineNs)
        {
            Counters.LeaseRefusals++; // past the lease's deadline: nothing but cancels goes out
            return false;
        }
        if (Deferred(inst, orderNotBeforeNs: 0, nowNs))
            return false; // a quote is re-applied when the hold ends; a take is dropped, as a risk refusal drops it
        if (inst.Busy >= _options.MaxInFlightPerInstrument || inst.LiveCount >= inst.Live.Length)
        {
            Counters.DeferredByCap++;
            return false;
        }
        if (inst.Spec.CheckOrder(price, qty) != OrderFilterResult.Ok)
        {
            Counters.FilterRefusals++;
            return false;
        }
        var check = new OrderCheck(id, side, price, qty, OpenQty(inst, side), OwnOppositeBest(inst, side));
        var decision = _risk.CheckNewOrder(check, nowNs);
        if (decision != RiskDecision.Allowed)
        {
            Counters.RiskRefusals++;
            if (decision == RiskDecision.SelfTrade && _oppositeFromPeer)
                Counters.PeerCrossRefusals++;
            LastRiskDecision = decision;
            return false;
        }
        var cid = _ids.Next();
        if (!_table.CanClaim(cid.Sequence))
        {
            Counters.TableFull++;
            return false;
        }
        // The command first (an attached hand-off sends it now), then the state change it makes: same input.
        Commands.Add(OrderCommand.From(new PlaceOrderCommand(id, cid, side, type, price, qty), nowNs));
        ref var o = ref _table.Claim(cid.Sequence);
        InitOrder(ref o, cid, id, side, type, price, qty, isQuote);
        AddLive(inst, o.Seq);
        Apply(ref o, OrderEvent.Submit, nowNs);
        SetPending(ref o, cid.Sequence, CommandKind.Place, nowNs);
        _risk.OnCommandSent(cid.Sequence, CommandKind.Place, nowNs);
        Counters.Places++;
        if (isQuote)
            SetQuoteSlot(inst, side, o.Seq);
        return true;
    }

    private void SendCancel(InstrumentState inst, ref OrderRecord o, long nowNs)
    {
        if (OrderStateMachine.IsBusy(o.State))
        {
            o.CancelWanted = true; // sent once nothing is in flight for it (never on top of another command)
            return;
        }
        if (!OrderStateMachine.IsWorking(o.State))
            return;
        if (Deferred(inst, o.NextModifyNs, nowNs))
        {
            o.CancelWanted = true; // sent when the back-off or hold runs out (timer or next report), never before
            return;
        }
        var cid = _ids.Next();
        o.CancelWanted = false;
        Commands.Add(OrderCommand.From(new CancelOrderCommand(o.InstrumentId, cid, o.CurrentId, o.VenueOrderId), nowNs));
        Apply(ref o, OrderEvent.CancelRequest, nowNs);
        SetPending(ref o, cid.Sequence, CommandKind.Cancel, nowNs);
        // No risk check and no in-flight cap: a cancel only ever reduces risk.
        _risk.OnCancelSent(cid.Sequence, nowNs);
        Counters.Cancels++;
    }

    private void SendAmend(InstrumentState inst, ref OrderRecord o, Qty newTotalQty, long nowNs)
    {
        if (nowNs >= _sendDeadlineNs)
        {
            Counters.LeaseRefusals++;
            return;
        }
        if (Deferred(inst, o.NextModifyNs, nowNs))
            return;
        if (inst.Busy >= _options.MaxInFlightPerInstrument)
        {
            Counters.DeferredByCap++;
            return;
        }
        var aid = _ids.Next();
        if (!_table.CanClaim(aid.Sequence))
        {
            Counters.TableFull++;
            return;
        }
        Commands.Add(OrderCommand.From(new AmendQtyCommand(o.InstrumentId, aid, o.CurrentId, o.VenueOrderId, newTotalQty), nowNs));
        // After the amend the venue knows the order by the amend's id: map it back to the order.
        _table.ClaimAlias(aid, o.Seq, o.InstrumentId); // CanClaim held above
        Apply(ref o, OrderEvent.ReplaceRequest, nowNs);
        SetPending(ref o, aid.Sequence, CommandKind.AmendQty, nowNs);
        o.PendingAmendQty = newTotalQty;
        _risk.OnCommandSent(aid.Sequence, CommandKind.AmendQty, nowNs);
        Counters.Amends++;
    }

    private void SendCancelReplace(InstrumentState inst, int id, ref OrderRecord old, Price price, Qty qty, OrderType type, long nowNs)
    {
        if (nowNs >= _sendDeadlineNs)
        {
            // Past the lease's deadline the new leg may not go; the cancel leg only reduces risk.
            Counters.LeaseRefusals++;
            SendCancel(inst, ref old, nowNs);
            return;
        }
        if (Deferred(inst, old.NextModifyNs, nowNs))
            return; // the quote target is re-applied when the back-off or hold runs out
        if (inst.Busy + 2 > _options.MaxInFlightPerInstrument || inst.LiveCount >= inst.Live.Length)
        {
            Counters.DeferredByCap++;
            return;
        }
        if (inst.Spec.CheckOrder(price, qty) != OrderFilterResult.Ok)
        {
            Counters.FilterRefusals++;
            SendCancel(inst, ref old, nowNs); // the target moved somewhere we cannot quote: stop quoting the old one
            return;
        }
        // The old order counts toward exposure: until the venue confirms the cancel it can still fill.
        var check = new OrderCheck(id, old.Side, price, qty, OpenQty(inst, old.Side), OwnOppositeBest(inst, old.Side));
        var decision = _risk.CheckNewOrder(check, nowNs);
        if (decision != RiskDecision.Allowed)
        {
            if (decision == RiskDecision.SelfTrade && _oppositeFromPeer)
                Counters.PeerCrossRefusals++;
            // Risk refused the new leg; the cancel leg must never be blocked, so send it alone.
            Counters.RiskRefusals++;
            Counters.ReplacesDegradedToCancel++;
            LastRiskDecision = decision;
            SendCancel(inst, ref old, nowNs);
            return;
        }
        var cancelId = _ids.Next();
        var newId = _ids.Next();
        if (!_table.CanClaim(newId.Sequence))
        {
            Counters.TableFull++;
            SendCancel(inst, ref old, nowNs);
            return;
        }
        // The command first (an attached hand-off sends it now), then the state changes it makes: same input.
        Commands.Add(OrderCommand.From(new CancelReplaceCommand(id, cancelId, old.CurrentId, old.VenueOrderId, newId,
            old.Side, type, price, qty), nowNs));
        ref var n = ref _table.Claim(newId.Sequence);
        InitOrder(ref n, newId, id, old.Side, type, price, qty, old.IsQuote);
        n.ReplacesSeq = old.Seq;
        AddLive(inst, n.Seq);
        Apply(ref n, OrderEvent.Submit, nowNs);
        SetPending(ref n, cancelId.Sequence, CommandKind.CancelReplace, nowNs);
        Apply(ref old, OrderEvent.ReplaceRequest, nowNs);
        SetPending(ref old, cancelId.Sequence, CommandKind.CancelReplace, nowNs);
        old.ReplacedBySeq = n.Seq;
        _risk.OnCommandSent(cancelId.Sequence, CommandKind.CancelReplace, nowNs);
        Counters.CancelReplaces++;
        if (old.IsQuote)
            SetQuoteSlot(inst, old.Side, n.Seq);
    }

    private void SendQuery(ref OrderRecord o, long nowNs)
    {
        // Reads never change the order; the next query waits with exponential back-off.
        long delay = Math.Min(_options.QueryDelayNs << Math.Min(o.QueryAttempts, 20), _options.MaxQueryBackoffNs);
        o.NextQueryNs = nowNs + delay;
        o.QueryAttempts++;
        Commands.Add(OrderCommand.From(new QueryOrderCommand(o.InstrumentId, o.CurrentId, o.VenueOrderId), nowNs));
        Counters.Queries++;
    }

    // ---------------------------------------------------------------- back-off and venue holds

    /// <summary>
    /// True when the command may not go now: the venue holds every command (Retry-After, ban), or the
    /// order's back-off after a rejected cancel/replace/amend runs. The instrument is marked so the
    /// work is re-applied once it is due, from the timer or the next report: deferred, never dropped.
    /// </summary>
    private bool Deferred(InstrumentState inst, long orderNotBeforeNs, long nowNs)
    {
        if (nowNs < _holdUntilNs)
        {
            Counters.DeferredByVenueHold++;
            RetryAt(inst, _holdUntilNs);
            return true;
        }
        if (nowNs < orderNotBeforeNs)
        {
            Counters.DeferredByBackoff++;
            RetryAt(inst, orderNotBeforeNs);
            return true;
        }
        return false;
    }

    private static void RetryAt(InstrumentState inst, long dueNs)
    {
        if (!inst.RetryPending || dueNs < inst.RetryDueNs)
            inst.RetryDueNs = dueNs;
        inst.RetryPending = true;
    }

    private static bool TakeDueRetry(InstrumentState inst, long nowNs)
    {
        if (!inst.RetryPending || nowNs < inst.RetryDueNs)
            return false;
        inst.RetryPending = false; // whatever is still not due marks itself again
        return true;
    }

    private void SendWantedCancels(InstrumentState inst, long nowNs)
    {
        for (int k = 0; k < inst.LiveCount; k++)
        {
            ref var o = ref _table.Find(inst.Live[k]);
            if (!Unsafe.IsNullRef(ref o) && o.CancelWanted && OrderStateMachine.IsWorking(o.State))
                SendCancel(inst, ref o, nowNs);
        }
    }

    /// <summary>
    /// The venue refused a cancel, cancel-replace or amend of a working order: the next one for it waits
    /// <see cref="ExecutionOptions.CancelRetryDelayNs"/> doubled per consecutive reject, up to the cap. A
    /// refused cancel stays wanted and goes again when the wait is over.
    /// </summary>
    private void BackOff(ref OrderRecord o, bool cancelWanted, long nowNs)
    {
        long delay = Math.Min(_options.CancelRetryDelayNs << Math.Min(o.ModifyRejects, 20), _options.MaxCancelBackoffNs);
        o.ModifyRejects++;
        o.NextModifyNs = nowNs + delay;
        if (cancelWanted)
            o.CancelWanted = true;
        Counters.ModifyRejects++;
        RetryAt(_instruments[o.InstrumentId], o.NextModifyNs);
    }

    /// <summary>
    /// A Retry-After (429) or a ban (418, with the venue's Retry-After or <see cref="ExecutionOptions.BanHoldNs"/>)
    /// holds every command, cancels included: a request sent into a ban only lengthens it.
    /// </summary>
    private void HoldForVenue(in RejectReport report, long nowNs)
    {
        bool banned = report.Reason == RejectReason.Banned;
        if (banned)
            Counters.Bans++;
        long wait = report.RetryAfterNs > 0 ? report.RetryAfterNs : banned ? _options.BanHoldNs : 0;
        if (wait <= 0)
            return;
        Counters.VenueHolds++;
        long until = nowNs > long.MaxValue - wait ? long.MaxValue : nowNs + wait;
        if (until > _holdUntilNs)
            _holdUntilNs = until; // never shortened: a later, shorter Retry-After does not lift a ban
    }

    private static void InitOrder(ref OrderRecord o, ClientOrderId cid, int id, OrderSide side, OrderType type, Price price, Qty qty, bool isQuote)
    {
        o.Id = cid;
        o.CurrentId = cid;
        o.InstrumentId = id;
        o.Side = side;
        o.Type = type;
        o.Price = price;
        o.Qty = qty;
        o.IsQuote = isQuote;
        o.State = OrderState.New;
    }

    private static void SetPending(ref OrderRecord o, long commandSeq, CommandKind kind, long nowNs)
    {
        o.PendingSeq = commandSeq;
        o.PendingKind = kind;
        o.PendingSentNs = nowNs;
    }

    // ---------------------------------------------------------------- the state machine

    // The order as it stands, for the store's upsert (values only: no allocation).
    private static OrderTransition WithOrder(OrderTransition t, in OrderRecord o) => t with
    {
        ClientId = o.Id, CurrentClientId = o.CurrentId, VenueOrderId = o.VenueOrderId, Side = o.Side, Type = o.Type,
        Price = o.Price, Qty = o.Qty, Filled = o.Filled,
    };

    private bool Apply(ref OrderRecord o, OrderEvent evt, long nowNs)
    {
        var from = o.State;
        if (!OrderStateMachine.TryNext(from, evt, o.Filled.Raw > 0, out var to))
        {
            Counters.IllegalTransitions++;
            LastIllegal = WithOrder(new OrderTransition(o.Seq, o.InstrumentId, from, evt, from, true, nowNs), in o);
            _observer?.Invoke(LastIllegal);
            return false;
        }
        if (to == from && evt is not (OrderEvent.PartialFill or OrderEvent.Renamed) && from != OrderState.Unknown)
            Counters.DuplicateReports++;
        o.State = to;
        Counters.Transitions++;
        _observer?.Invoke(WithOrder(new OrderTransition(o.Seq, o.InstrumentId, from, evt, to, false, nowNs), in o));

        var inst = _instruments[o.InstrumentId];
        bool wasBusy = OrderStateMachine.IsBusy(from), isBusy = OrderStateMachine.IsBusy(to);
        if (wasBusy != isBusy)
            inst.Busy += isBusy ? 1 : -1;
        if (from is OrderState.PendingNew or OrderState.PendingCancel or OrderState.PendingReplace && to != from)
        {
            // The command in flight is answered; for Unknown the gateway gave up on it (no latency sample).
            _risk.OnCommandAnswered(o.PendingSeq, nowNs, latencySample: to != OrderState.Unknown);
            if (to == OrderState.Unknown)
            {
                o.UnknownKind = o.PendingKind;
                o.UnknownSentNs = o.PendingSentNs;
                o.NextQueryNs = nowNs + _options.QueryDelayNs;
                o.QueryAttempts = 0;
            }
            o.PendingSeq = 0;
            o.PendingKind = CommandKind.None;
        }
        if (from == OrderState.Unknown && to != OrderState.Unknown)
            o.UnknownKind = CommandKind.None;
        if (OrderStateMachine.IsTerminal(to) && !OrderStateMachine.IsTerminal(from))
            OnTerminal(inst, ref o);
        else if (OrderStateMachine.IsTerminal(from) && !OrderStateMachine.IsTerminal(to))
            AddLive(inst, o.Seq); // reality wins: an order we had written off turned out to exist
        return true;
    }

    private void OnTerminal(InstrumentState inst, ref OrderRecord o)
    {
        RemoveLive(inst, o.Seq);
        long slot = o.Side == OrderSide.Buy ? inst.BidQuoteSeq : inst.AskQuoteSeq;
        if (slot != o.Seq)
            return;
        // A rejected replacement hands the quote back to the order it was meant to replace, if that lives.
        long back = 0;
        if (o.ReplacesSeq != 0)
        {
            ref var prev = ref _table.Find(o.ReplacesSeq);
            if (!Unsafe.IsNullRef(ref prev) && prev.IsLive)
                back = prev.Seq;
        }
        SetQuoteSlot(inst, o.Side, back);
    }

    // ---------------------------------------------------------------- bookkeeping

    private static void SetQuoteSlot(InstrumentState inst, OrderSide side, long seq)
    {
        if (side == OrderSide.Buy)
            inst.BidQuoteSeq = seq;
        else
            inst.AskQuoteSeq = seq;
    }

    private static void AddLive(InstrumentState inst, long seq)
    {
        for (int k = 0; k < inst.LiveCount; k++)
            if (inst.Live[k] == seq)
                return;
        if (inst.LiveCount < inst.Live.Length)
            inst.Live[inst.LiveCount++] = seq;
    }

    private static void RemoveLive(InstrumentState inst, long seq)
    {
        for (int k = 0; k < inst.LiveCount; k++)
        {
            if (inst.Live[k] != seq)
                continue;
            // Keep issue order (Array.Copy on a tiny array): cancel-all and queries then run deterministically oldest first.
            Array.Copy(inst.Live, k + 1, inst.Live, k, inst.LiveCount - k - 1);
            inst.LiveCount--;
            return;
        }
    }

    /// <summary>Remaining quantity of every live order on the side, busy and unknown ones included (they can still fill).</summary>
    private Qty OpenQty(InstrumentState inst, OrderSide side)
    {
        long sum = 0;
        for (int k = 0; k < inst.LiveCount; k++)
        {
            ref var o = ref _table.Find(inst.Live[k]);
            if (!Unsafe.IsNullRef(ref o) && o.Side == side)
                sum += Math.Max(0, o.Remaining.Raw);
        }
        return new Qty(sum);
    }

    /// <summary>Our best resting price on the other side (buy: lowest ask; sell: highest bid), 0 when none.</summary>
    /// <summary>
    /// The best price on the other side that an order on <paramref name="side"/> must not reach: our own
    /// resting orders', and the other instances' on the account (<see cref="SetPeerQuotes"/>), whichever is
    /// nearer. <see cref="_oppositeFromPeer"/> says whether it was a peer's.
    /// </summary>
    private Price OwnOppositeBest(InstrumentState inst, OrderSide side)
    {
        long best = 0;
        for (int k = 0; k < inst.LiveCount; k++)
        {
            ref var o = ref _table.Find(inst.Live[k]);
            if (Unsafe.IsNullRef(ref o) || o.Side == side)
                continue;
            if (best == 0 || (side == OrderSide.Buy ? o.Price.Raw < best : o.Price.Raw > best))
                best = o.Price.Raw;
        }
        long peer = side == OrderSide.Buy ? inst.PeerAsk.Raw : inst.PeerBid.Raw;
        _oppositeFromPeer = peer > 0 && (best == 0 || (side == OrderSide.Buy ? peer < best : peer > best));
        if (_oppositeFromPeer)
            best = peer;
        return new Price(best);
    }

    // ---------------------------------------------------------------- views

    public PositionView Position(int instrumentId)
    {
        var inst = _instruments[instrumentId];
        var l = inst.Ledger;
        return new PositionView(instrumentId, l.Position, l.AverageEntry, l.RealizedPnl, l.UnrealizedPnl(inst.Mid),
            l.FeesPaid, l.BuyQty, l.SellQty);
    }

    public bool TryGetOrder(long orderSeq, out OrderView view)
    {
        ref var o = ref _table.Find(orderSeq);
        view = Unsafe.IsNullRef(ref o) ? default : o.ToView();
        return !Unsafe.IsNullRef(ref o);
    }

    /// <summary>Copies the instrument's live orders (oldest first) into <paramref name="destination"/>; returns how many.</summary>
    public int LiveOrders(int instrumentId, Span<OrderView> destination)
    {
        var inst = _instruments[instrumentId];
        int n = 0;
        for (int k = 0; k < inst.LiveCount && n < destination.Length; k++)
        {
            ref var o = ref _table.Find(inst.Live[k]);
            if (!Unsafe.IsNullRef(ref o))
                destination[n++] = o.ToView();
        }
        return n;
    }

    public int LiveOrderCount(int instrumentId) => _instruments[instrumentId].LiveCount;

    /// <summary>Orders with a command in flight or an unknown fate on the instrument.</summary>
    public int InFlight(int instrumentId) => _instruments[instrumentId].Busy;

    public long QuoteOrder(int instrumentId, OrderSide side) =>
        side == OrderSide.Buy ? _instruments[instrumentId].BidQuoteSeq : _instruments[instrumentId].AskQuoteSeq;
}
