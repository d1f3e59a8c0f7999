using System.Runtime.CompilerServices;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Execution;

/// <summary>Venue reports: each is mapped to one <see cref="OrderEvent"/> and applied through the table.</summary>
public sealed partial class ExecutionEngine
{
    public void OnAck(in AckReport report, long nowNs)
    {
        _risk.OnVenueResponse(nowNs);
        ref var o = ref Resolve(report.ClientOrderId);
        if (Unsafe.IsNullRef(ref o))
        {
            // An earlier run's order the venue took after that run ended (its request was still in flight).
            CancelOrphan(report.InstrumentId, report.ClientOrderId, report.VenueOrderId, nowNs);
            return;
        }
        if (report.VenueOrderId != 0)
            o.VenueOrderId = report.VenueOrderId;
        o.WasAcked = true;
        Apply(ref o, OrderEvent.Ack, nowNs);
        AfterReport(ref o, nowNs);
    }

    public void OnReject(in RejectReport report, long nowNs)
    {
        _risk.OnVenueResponse(nowNs);
        // A Retry-After or a ban holds every command, whatever the reject names (a cancel-all names no order).
        HoldForVenue(report, nowNs);
        ref var o = ref Resolve(report.ClientOrderId);
        if (Unsafe.IsNullRef(ref o))
            return;
        if (report.Command == CommandKind.Query)
            return; // a refused read (rate limit) says nothing about the order; its next query is already scheduled
        // "Unknown order" for an order we believe live is not a plain refusal: it may have filled or been
        // cancelled a moment ago (cancel rejected because filled). Its fate is unknown until the stream
        // or a query says, so it goes Unknown rather than back to working.
        bool unknownOrder = report.Reason == RejectReason.UnknownOrder;
        OrderEvent evt;
        switch (report.Command)
        {
            case CommandKind.Cancel:
                evt = unknownOrder ? OrderEvent.StatusUnknown : OrderEvent.CancelReject;
                break;
            case CommandKind.AmendQty:
                evt = unknownOrder ? OrderEvent.StatusUnknown : OrderEvent.ReplaceReject;
                break;
            case CommandKind.CancelReplace when o.State == OrderState.PendingNew && o.ReplacesSeq != 0:
                evt = OrderEvent.Reject; // the new leg failed (409 partial failure): the old leg reports for itself
                break;
            case CommandKind.CancelReplace:
                // STOP_ON_FAILURE: the cancel leg failed, so the new leg was never attempted.
                evt = unknownOrder ? OrderEvent.StatusUnknown : OrderEvent.ReplaceReject;
                ref var n = ref _table.Find(o.ReplacedBySeq);
                if (!Unsafe.IsNullRef(ref n) && n.State == OrderState.PendingNew)
                    Apply(ref n, OrderEvent.Reject, nowNs);
                break;
            default:
                evt = OrderEvent.Reject;
                break;
        }
        // A refused cancel, cancel-replace or amend puts the order back to working. Re-sending at once is
        // what turned one rate-limited cancel into a storm (and, on Binance, an IP ban): back off per order.
        if (Apply(ref o, evt, nowNs) && evt is OrderEvent.CancelReject or OrderEvent.ReplaceReject && OrderStateMachine.IsWorking(o.State))
            BackOff(ref o, cancelWanted: report.Command == CommandKind.Cancel, nowNs);
        AfterReport(ref o, nowNs);
    }

    public void OnFill(in FillReport report, long nowNs)
    {
        var id = report.ClientOrderId;
        if (id.IsNone)
        {
            Counters.ForeignReports++;
            return;
        }
        if (!_ids.IsOwn(id))
        {
            Counters.OtherInstanceReports++; // another scope's order: its fills are its position
            return;
        }
        if (!_fills.TryAdd(report.InstrumentId, report.TradeId, report.VenueOrderId))
        {
            Counters.DuplicateFills++;
            return;
        }
        Counters.Fills++;
        var inst = _instruments[report.InstrumentId];
        // The fill is real money whatever we think of the order: position first, state machine second.
        inst.Ledger.Apply(report.Side, report.Price, report.Qty, report.Fee, report.FeeQty);
        _risk.OnFill(report.InstrumentId, report.Side, report.Price, report.Qty, nowNs);
        _risk.OnPosition(report.InstrumentId, inst.Ledger.Position, inst.Ledger.AverageEntry, inst.Ledger.RealizedPnl, nowNs);
        _risk.Evaluate(nowNs);

        bool thisRun = _ids.IsThisRun(id);
        ref var o = ref thisRun ? ref _table.Find(id.Sequence) : ref FindAdopted(id);
        if (Unsafe.IsNullRef(ref o) && !thisRun)
            o = ref FindAdoptedByVenueOrder(report.InstrumentId, report.VenueOrderId);
        if (Unsafe.IsNullRef(ref o))
        {
            Counters.FillsForUnknownOrders++; // an earlier run's order not adopted, or a long-retired one: position only
            return;
        }
        if (o.VenueOrderId == 0)
            o.VenueOrderId = report.VenueOrderId;
        // The venue names a fill by the id it holds the order under: a later one of ours is an amend we never heard
        // the end of (its size comes with it when it was ours to lose).
        if (id != o.CurrentId && id != o.Id)
            TakeVenueName(ref o, id, nowNs);
        // An adopted order's executed quantity came from the venue's listing: a fill at or before that
        // listing's time is already in it (the missed-fill fetch reports it again for the position).
        if (!o.Adopted || report.TimeNs > o.AdoptedAsOfNs)
            o.Filled += report.Qty;
        // The stream's cumulative quantity is the venue's own count: it heals a count that missed a fill.
        if (report.CumulativeQty.Raw > o.Filled.Raw)
            o.Filled = report.CumulativeQty;
        if (o.Filled > o.Qty)
            Counters.Overfills++;
        if (o.Recovered && o.State == OrderState.Unknown && o.Filled < o.Qty)
        {
            // The venue did not list it at the restart: this fill is history, not a sign that it rests (a partial fill
            // would put it back to working, and stop its query). It stays Unknown for the query's answer to settle.
            AfterReport(ref o, nowNs);
            return;
        }
        Apply(ref o, o.Filled >= o.Qty ? OrderEvent.Fill : OrderEvent.PartialFill, nowNs);
        AfterReport(ref o, nowNs);
    }

    public void OnCanceled(in CanceledReport report, long nowNs)
    {
        _risk.OnVenueResponse(nowNs);
        ref var o = ref Resolve(report.ClientOrderId);
        if (Unsafe.IsNullRef(ref o))
            return;
        Apply(ref o, OrderEvent.Canceled, nowNs);
        AfterReport(ref o, nowNs);
    }

    public void OnExpired(in ExpiredReport report, long nowNs)
    {
        ref var o = ref Resolve(report.ClientOrderId);
        if (Unsafe.IsNullRef(ref o))
            return;
        Apply(ref o, OrderEvent.Expire, nowNs);
        AfterReport(ref o, nowNs);
    }

    public void OnAmended(in AmendedReport report, long nowNs)
    {
        _risk.OnVenueResponse(nowNs);
        ref var o = ref Resolve(report.OrigClientOrderId);
        if (Unsafe.IsNullRef(ref o))
            return;
        if (o.CurrentId == report.NewClientOrderId)
        {
            Counters.DuplicateReports++; // response and stream both report the amend
            return;
        }
        if (!OrderStateMachine.TryNext(o.State, OrderEvent.Replaced, o.Filled.Raw > 0, out _))
        {
            Apply(ref o, OrderEvent.Replaced, nowNs); // refused: counted and recorded as it stands
            return;
        }
        // The new id and size first: the transition (and so the store's row, read back after a crash to match the
        // venue's open orders) carries what the venue knows the order as from now on, not what it was.
        o.Qty = report.NewQty;
        o.CurrentId = report.NewClientOrderId;
        Apply(ref o, OrderEvent.Replaced, nowNs);
        // Its fills already add up to the new size (they came first: the stream's REPLACED was lost to a reconnect and
        // the fetched trades read as partial against the old size): it is filled, not working with nothing left.
        if (OrderStateMachine.IsWorking(o.State) && o.Filled >= o.Qty)
            Apply(ref o, OrderEvent.Fill, nowNs);
        o.ModifyRejects = 0; // the venue takes changes to it again
        o.NextModifyNs = 0;
        AfterReport(ref o, nowNs);
    }

    public void OnStatusUnknown(in StatusUnknownReport report, long nowNs)
    {
        _risk.OnVenueError(report.Cause, nowNs);
        ref var o = ref Resolve(report.ClientOrderId);
        if (Unsafe.IsNullRef(ref o))
            return;
        if (report.Command == CommandKind.Query)
            return; // a read timed out: the order's state is unchanged and the next query is already scheduled
        bool applied = false;
        if (report.Command == o.PendingKind)
        {
            Apply(ref o, OrderEvent.StatusUnknown, nowNs);
            applied = true;
        }
        if (report.Command == CommandKind.CancelReplace)
        {
            // A cancel-replace puts both legs in doubt: either may or may not exist now. The leg still
            // waiting goes Unknown even when the other was already resolved by the stream.
            long other = o.ReplacedBySeq != 0 ? o.ReplacedBySeq : o.ReplacesSeq;
            ref var leg = ref _table.Find(other);
            if (!Unsafe.IsNullRef(ref leg) && leg.PendingKind == CommandKind.CancelReplace)
            {
                Apply(ref leg, OrderEvent.StatusUnknown, nowNs);
                applied = true;
            }
        }
        if (!applied)
            Counters.DuplicateReports++; // the stream already answered that command before the gateway gave up on it
        AfterReport(ref o, nowNs);
    }

    /// <summary>The answer to a query; only an Unknown order is changed by it (the stream is fresher otherwise).</summary>
    public void OnOrderStatus(in OrderStatusReport report, long nowNs)
    {
        _risk.OnVenueResponse(nowNs);
        ref var o = ref Resolve(report.ClientOrderId);
        if (Unsafe.IsNullRef(ref o))
        {
            // The reconnect reconciliation lists every open order with our prefix: an earlier run's is an orphan.
            if (report.Status is VenueOrderStatus.New or VenueOrderStatus.PartiallyFilled)
                CancelOrphan(report.InstrumentId, report.ClientOrderId, report.VenueOrderId, nowNs);
            return;
        }
        // The venue's name for it holds whatever the answer's state: a fill may have settled the order before it came.
        TakeVenueName(ref o, report.VenueClientOrderId, nowNs);
        // A status for an order still waiting for its answer is no query's (queries go only for Unknown orders): the
        // reconnect's listing of open orders says the venue holds it, so its answer was lost. Nothing else would settle
        // it, and an order held PendingNew can be neither replaced nor cancelled (a stop would wait on it while it
        // rests). The listing acks it below, as a query's New would; the answer, if it still comes, is a duplicate.
        bool listedWhilePending = o.State == OrderState.PendingNew && report.Status is VenueOrderStatus.New or VenueOrderStatus.PartiallyFilled;
        if (o.State != OrderState.Unknown && !listedWhilePending)
        {
            if (report.Status == VenueOrderStatus.Filled && OrderStateMachine.IsWorking(o.State)
                && report.CumulativeQty.Raw > 0 && report.CumulativeQty.Raw <= o.Filled.Raw)
            {
                // FILLED is final, and every fill it counts has reached the order: the order was smaller than we hold
                // it (an amend reduced it whose answer was lost, or that the store never had before a crash), so its
                // last fill read as partial and put it back to working. It ends here; it would otherwise rest in
                // the table, and hold its quote slot, until a cancel for it came back "unknown order".
                o.Qty = o.Filled;
                Counters.FilledByAnswer++;
                Apply(ref o, OrderEvent.Fill, nowNs);
                AfterReport(ref o, nowNs);
                return;
            }
            Counters.StaleQueryResults++;
            return;
        }
        if (listedWhilePending)
            Counters.AckedByListing++;
        if (report.VenueOrderId != 0)
            o.VenueOrderId = report.VenueOrderId;
        if (report.CumulativeQty.Raw > o.Filled.Raw
            && report.Status is VenueOrderStatus.Filled or VenueOrderStatus.Canceled or VenueOrderStatus.Expired)
        {
            // The venue executed more than the fills we have seen. A status has no price, so the position can
            // only come from the trades (the gateway reads the order's trades before it delivers the answer,
            // and each arrives as a fill, de-duplicated by trade id). Finishing the order on the status alone
            // would leave the position short for good: it stays Unknown and is queried again (back-off)
            // until its fills have arrived; a fill that completes it moves it on by itself.
            Counters.QueryFillsMissing++;
            AfterReport(ref o, nowNs);
            return;
        }
        OrderEvent evt;
        switch (report.Status)
        {
            case VenueOrderStatus.NotFound:
                // Proof that a new order never arrived needs the receive window to have passed since it was
                // sent; an acked order (or the old leg of a replace) cannot be proven away like this at all.
                bool newOrder = o.UnknownKind == CommandKind.Place || (o.UnknownKind == CommandKind.CancelReplace && o.ReplacesSeq != 0);
                if (newOrder && !o.WasAcked && nowNs - o.UnknownSentNs >= _options.UnknownProofWindowNs)
                {
                    Counters.NeverReachedVenue++;
                    evt = OrderEvent.NotFoundFinal;
                }
                else
                {
                    Counters.NotFoundUnproven++;
                    evt = OrderEvent.NotFound;
                }
                break;
            case VenueOrderStatus.New or VenueOrderStatus.PartiallyFilled:
                o.WasAcked = true;
                evt = OrderEvent.Ack;
                break;
            case VenueOrderStatus.Filled:
                evt = OrderEvent.Fill; // the fills themselves still come with trade ids (stream or trade query)
                if (o.Filled.Raw > 0 && o.Filled < o.Qty)
                    o.Qty = o.Filled; // filled at less than we hold it: an amend we never heard the end of cut it
                break;
            case VenueOrderStatus.Canceled:
                evt = OrderEvent.Canceled;
                break;
            case VenueOrderStatus.Expired:
                evt = OrderEvent.Expire;
                break;
            default:
                evt = OrderEvent.Reject;
                break;
        }
        Apply(ref o, evt, nowNs);
        AfterReport(ref o, nowNs);
    }

    /// <summary>
    /// A query's answer (or a fill) names the order as the venue holds it now. A later id of ours than the order's current one
    /// means an amend took effect whose answer we never had: one lost in flight (the order went Unknown with the amend
    /// pending, so the amend's size is taken too), or one the store never heard of before a crash (a recovered order;
    /// its size is left, as the answer does not carry it). From here on the order is that id: a
    /// <see cref="OrderEvent.Renamed"/> transition (state unchanged, even a terminal one) carries it to the store,
    /// and the id maps back to the order for the stream's reports.
    /// </summary>
    private void TakeVenueName(ref OrderRecord o, ClientOrderId venueId, long nowNs)
    {
        if (venueId.IsNone || venueId == o.CurrentId || !_ids.IsOwn(venueId) || venueId.Sequence <= o.CurrentId.Sequence)
            return;
        if (o.State == OrderState.PendingReplace)
            return; // the amend in flight answers for itself (OnAmended), whatever the stream says first
        if (o.UnknownKind == CommandKind.AmendQty && o.PendingAmendQty.Raw > 0)
            o.Qty = o.PendingAmendQty;
        o.CurrentId = venueId;
        Counters.RenamedByVenue++;
        Apply(ref o, OrderEvent.Renamed, nowNs);
        // This run's amend already maps its id to the order; otherwise claim it (unless a live order of this run holds
        // the slot: the stream's reports under that id then go unmatched, as before).
        if (Unsafe.IsNullRef(ref _table.Find(venueId.Sequence)))
            _table.ClaimAlias(venueId, o.Seq, o.InstrumentId);
    }

    private ref OrderRecord Resolve(ClientOrderId id)
    {
        if (id.IsNone)
        {
            Counters.ForeignReports++; // no prefix of ours: never touched
            return ref Unsafe.NullRef<OrderRecord>();
        }
        if (!_ids.IsOwn(id))
        {
            Counters.OtherInstanceReports++;
            return ref Unsafe.NullRef<OrderRecord>();
        }
        if (!_ids.IsThisRun(id))
        {
            // Ours, from an earlier run: in the table only when the restart adopted or recovered it (the
            // record must carry this very id); otherwise an orphan.
            ref var adopted = ref FindAdopted(id);
            if (Unsafe.IsNullRef(ref adopted))
                Counters.EarlierRunReports++;
            return ref adopted;
        }
        ref var o = ref _table.Find(id.Sequence);
        if (Unsafe.IsNullRef(ref o))
            Counters.UnknownOrderReports++;
        return ref o;
    }

    /// <summary>
    /// An open order an earlier run of this instance placed (startup reconciliation cancelled what was open
    /// then; this one reached the venue later, or the venue listed it at a reconnect): it is not in the table,
    /// no strategy owns it and risk never saw it, so it is cancelled by id (the documented rule; adopting it
    /// needs the persisted order, which the table does not have). Once per order per
    /// <see cref="ExecutionOptions.MaxCancelBackoffNs"/>, and not during a venue hold (a later report or
    /// reconnect listing brings it back). The cancel's answer names the orphan and lands here again as an
    /// earlier run's report.
    /// </summary>
    private void CancelOrphan(int instrumentId, ClientOrderId id, long venueOrderId, long nowNs)
    {
        if (!_ids.IsOwn(id) || _ids.IsThisRun(id) || (uint)instrumentId >= (uint)_instruments.Length || nowNs < _holdUntilNs)
            return;
        if (_orphanCancels.TryGetValue(id, out long sentNs) && nowNs - sentNs < _options.MaxCancelBackoffNs)
            return;
        if (_orphanCancels.Count >= MaxOrphansRemembered)
            _orphanCancels.Clear(); // bounded; forgetting only allows one more cancel of an orphan
        _orphanCancels[id] = nowNs;
        // No risk check and no in-flight cap: a cancel only ever reduces risk.
        Commands.Add(OrderCommand.From(new CancelOrderCommand(instrumentId, _ids.Next(), id, venueOrderId), nowNs));
        if (_ids.IsSelf(id))
            Counters.OrphanCancels++;
        else
            Counters.ZombieCancels++; // another holder of this scope placed it under an older epoch
    }

    /// <summary>
    /// After any report: send a cancel that waited for the order to be free (or, on any of the instrument's
    /// orders, for a back-off or hold that has run out), then re-apply the quote target.
    /// </summary>
    private void AfterReport(ref OrderRecord o, long nowNs)
    {
        var inst = _instruments[o.InstrumentId];
        if (o.CancelWanted && OrderStateMachine.IsWorking(o.State))
            SendCancel(inst, ref o, nowNs);
        if (TakeDueRetry(inst, nowNs))
            SendWantedCancels(inst, nowNs);
        if (_risk.WantsCancelAll(inst.Id, nowNs))
            CancelAllOrders(inst, nowNs);
        else
            ManageQuotes(inst, nowNs);
    }
}
