using System.Runtime.CompilerServices;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Execution;

public sealed partial class ExecutionEngine
{
    /// <summary>
    /// Restart: applies one stored fill to <paramref name="instrumentId"/>'s position, as <see cref="OnFill"/>
    /// would (our node's fills only, each trade once), and remembers it so the same trade reported again
    /// (reconciliation, the user stream) is not applied twice. Order state is not touched: the order table
    /// starts empty and reconciliation resolves what the venue still has. Risk is told the position once
    /// the caller has restored every fill (<see cref="PublishRestoredPosition"/>). Under the core lock.
    /// </summary>
    /// <returns>True when the fill moved the position.</returns>
    public bool RestoreFill(int instrumentId, in PersistedFill fill)
    {
        if (!_ids.IsOwn(fill.ClientId))
            return false;
        if (!_fills.TryAdd(instrumentId, fill.TradeId, fill.VenueOrderId))
            return false;
        _instruments[instrumentId].Ledger.Apply(fill.Side, fill.Price, fill.Qty, fill.Fee, fill.FeeQty);
        Counters.RestoredFills++;
        return true;
    }

    /// <summary>Tells risk <paramref name="instrumentId"/>'s position after restored fills (position, average entry, realized PnL).</summary>
    public void PublishRestoredPosition(int instrumentId, long nowNs)
    {
        PositionLedger l = _instruments[instrumentId].Ledger;
        _risk.OnPosition(instrumentId, l.Position, l.AverageEntry, l.RealizedPnl, nowNs);
    }

    /// <summary>The instrument index trading <paramref name="symbol"/>, or -1.</summary>
    public int InstrumentOf(string symbol)
    {
        for (int i = 0; i < _instruments.Length; i++)
            if (string.Equals(_instruments[i].Spec.Symbol, symbol, StringComparison.Ordinal))
                return i;
        return -1;
    }

    /// <summary>
    /// Restart: takes an order of ours an earlier run left resting at the venue into the table, with the
    /// venue's terms and executed quantity (<paramref name="stored"/>, when the store knows it, gives its
    /// original client id and sequence, so the store's row goes on being the same order). The documented
    /// rule: a limit order becomes its side's quote when <paramref name="keep"/> and the side has no quote
    /// yet (the strategy's next quote then keeps it, with its queue priority, or reprices or cancels it like
    /// any quote; with no quote target within <see cref="ExecutionOptions.AdoptGraceNs"/> it is cancelled);
    /// anything else (a second order on the side, a take, trading halted) is cancelled at once. Either
    /// way the order is tracked until the venue confirms, and its fills count. Under the core lock, before
    /// the strategy starts.
    /// </summary>
    /// <returns>True when kept as a quote; false when cancelled (or, with the table full, cancelled by id untracked).</returns>
    public bool Adopt(in VenueOpenOrder venue, PersistedOrder? stored, bool keep, long nowNs)
    {
        int i = venue.InstrumentId;
        if ((uint)i >= (uint)_instruments.Length)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(venue), "Unknown instrument id.");
        var inst = _instruments[i];
        ClientOrderId id = stored is { } s ? s.ClientId : venue.ClientOrderId;
        ref var o = ref Take(inst, id, venue.ClientOrderId, venue.VenueOrderId, venue.Side, venue.Type, venue.Price, venue.Qty, venue.Filled, nowNs);
        if (Unsafe.IsNullRef(ref o))
        {
            CancelOrphan(i, venue.ClientOrderId, venue.VenueOrderId, nowNs);
            return false;
        }
        o.WasAcked = true;
        o.AdoptedAsOfNs = venue.UpdatedNs;
        Apply(ref o, OrderEvent.Adopt, nowNs);
        Counters.AdoptedOrders++;
        long slot = o.Side == OrderSide.Buy ? inst.BidQuoteSeq : inst.AskQuoteSeq;
        if (keep && o.IsQuote && slot == 0)
        {
            SetQuoteSlot(inst, o.Side, o.Seq);
            inst.AdoptedUntilNs = nowNs + _options.AdoptGraceNs;
            return true;
        }
        Counters.AdoptedCancels++;
        SendCancel(inst, ref o, nowNs);
        return false;
    }

    /// <summary>
    /// Restart: an order the store holds as open that the venue does not list (it filled, was cancelled or
    /// expired while we were down, or never arrived). It enters the table as Unknown and is queried at the
    /// next timer like any order whose fate is unknown: the answer (and, for a fill, the order's trades)
    /// settles it. An order never acknowledged is proven never placed only once the receive window has
    /// passed since now (the send time before the crash is on another process's clock). Under the core lock.
    /// </summary>
    /// <returns>False when the order's instrument is not traded or the table had no room (it is left to the store).</returns>
    public bool Recover(in PersistedOrder stored, long nowNs)
    {
        int i = InstrumentOf(stored.Symbol);
        if (i < 0)
            return false;
        var inst = _instruments[i];
        ref var o = ref Take(inst, stored.ClientId, stored.CurrentClientId.IsNone ? stored.ClientId : stored.CurrentClientId,
            stored.VenueOrderId, stored.Side, stored.Type, stored.Price, stored.Qty, stored.Filled, nowNs);
        if (Unsafe.IsNullRef(ref o))
            return false;
        o.WasAcked = stored.VenueOrderId != 0;
        o.Recovered = true;
        Apply(ref o, OrderEvent.Recover, nowNs);
        o.UnknownKind = o.WasAcked ? CommandKind.Query : CommandKind.Place;
        o.UnknownSentNs = nowNs;
        o.NextQueryNs = nowNs;
        o.QueryAttempts = 0;
        Counters.RecoveredOrders++;
        return true;
    }

    /// <summary>Claims the table slot of an earlier run's order (and an alias for the id the venue knows it by now).</summary>
    private ref OrderRecord Take(InstrumentState inst, ClientOrderId id, ClientOrderId currentId, long venueOrderId,
        OrderSide side, OrderType type, Price price, Qty qty, Qty filled, long nowNs)
    {
        if (!_ids.IsSelf(id) || _ids.IsThisRun(id))
            return ref Unsafe.NullRef<OrderRecord>(); // another node's (cancelled by id), or this run's: never taken over
        if (!Unsafe.IsNullRef(ref _table.Find(id.Sequence)) || inst.LiveCount >= inst.Live.Length)
        {
            Counters.TableFull++;
            return ref Unsafe.NullRef<OrderRecord>();
        }
        ref var o = ref _table.Claim(id.Sequence);
        if (Unsafe.IsNullRef(ref o))
        {
            Counters.TableFull++;
            return ref o;
        }
        InitOrder(ref o, id, inst.Id, side, type, price, qty, isQuote: type != OrderType.LimitIoc);
        o.CurrentId = currentId;
        o.VenueOrderId = venueOrderId;
        o.Filled = filled;
        o.Adopted = true;
        if (currentId.Sequence != id.Sequence)
            _table.ClaimAlias(currentId, o.Seq, inst.Id);
        AddLive(inst, o.Seq);
        return ref o;
    }

    /// <summary>An earlier run's order in the table by the id a report names (its own or its current one), or a null ref.</summary>
    private ref OrderRecord FindAdopted(ClientOrderId id)
    {
        ref var o = ref _table.Find(id.Sequence);
        if (Unsafe.IsNullRef(ref o) || !o.Adopted || (o.Id != id && o.CurrentId != id))
            return ref Unsafe.NullRef<OrderRecord>();
        return ref o;
    }

    /// <summary>
    /// An earlier run's order in the table by the venue's order id, for a fill whose client id the table does not know:
    /// the venue names a trade by the order's id there, which an amend the store never had changed. Cold (such fills
    /// come at a restart); a scan of the instrument's live orders.
    /// </summary>
    private ref OrderRecord FindAdoptedByVenueOrder(int instrumentId, long venueOrderId)
    {
        if (venueOrderId <= 0 || (uint)instrumentId >= (uint)_instruments.Length)
            return ref Unsafe.NullRef<OrderRecord>();
        var inst = _instruments[instrumentId];
        for (int k = 0; k < inst.LiveCount; k++)
        {
            ref var o = ref _table.Find(inst.Live[k]);
            if (!Unsafe.IsNullRef(ref o) && o.Adopted && o.VenueOrderId == venueOrderId)
                return ref o;
        }
        return ref Unsafe.NullRef<OrderRecord>();
    }

    /// <summary>The adoption grace ran out: adopted quotes the strategy has not taken over (no quote target) are cancelled.</summary>
    private void EndAdoptionGrace(InstrumentState inst, long nowNs)
    {
        inst.AdoptedUntilNs = 0;
        if (inst.HasQuoteTarget)
            return;
        for (int k = 0; k < inst.LiveCount; k++)
        {
            ref var o = ref _table.Find(inst.Live[k]);
            if (Unsafe.IsNullRef(ref o) || !o.Adopted)
                continue;
            Counters.AdoptedCancels++;
            SendCancel(inst, ref o, nowNs);
        }
    }
}
