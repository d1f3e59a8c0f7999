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

        ref var o = ref _ids.IsThisRun(id) ? ref _table.Find(id.Sequence) : ref FindAdopted(id);
        if (Unsafe.IsNullRef(ref o))
        {
            Counters.FillsForUnknownOrders++; // an earlier run's order not adopted, or a long-retired one: position only
            return;
        }
        if (o.VenueOrderId == 0)
            o.VenueOrderId = report.VenueOrderId;
        // An adopted order's executed quantity came from the venue's listing: a fill at or before that
        // listing's time is already in it (the missed-fill fetch reports it again for the position).
        if (!o.Adopted || report.TimeNs > o.AdoptedAsOfNs)
            o.Filled += report.Qty;
        // The stream's cumulative quantity is the venue's own count: it heals a count that missed a fill.
        if (report.CumulativeQty.Raw > o.Filled.Raw)
            o.Filled = report.CumulativeQty;
        if (o.Filled > o.Qty)
            Counters.Overfills++;
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
        // A status for an order still waiting for its answer is no query's (queries go only for Unknown orders): the
        // reconnect's listing of open orders says the venue holds it, so its answer was lost. Nothing else would settle
        // it, and an order held PendingNew can be neither replaced nor cancelled (a stop would wait on it while it
        // rests). The listing acks it below, as a query's New would; the answer, if it still comes, is a duplicate.
        bool listedWhilePending = o.State == OrderState.PendingNew && report.Status is VenueOrderStatus.New or VenueOrderStatus.PartiallyFilled;
        if (o.State != OrderState.Unknown && !listedWhilePending)
        {
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
