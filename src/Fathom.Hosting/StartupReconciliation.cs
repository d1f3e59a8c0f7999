using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;

namespace Fathom.Hosting;

/// <summary>
/// A base-asset balance check at start: the venue's balance of <see cref="Asset"/> (free + locked) must
/// equal <see cref="Baseline"/> plus the positions of <see cref="Symbols"/> (those whose base asset it is),
/// within <see cref="Tolerance"/>. Amounts are raw at <see cref="VenueBalance.Decimals"/> (8) decimals.
/// </summary>
/// <param name="Baseline">What the account holds of the asset that is not the strategies' position (it held it before the first fill).</param>
public sealed record BalanceCheck(string Asset, IReadOnlyList<string> Symbols, long Baseline, long Tolerance);

/// <summary>What the venue held when the engine started, and what was done about it.</summary>
/// <param name="VenueOpen">Open orders of this instance the venue listed (any earlier run).</param>
/// <param name="OtherInstances">Open orders with our prefix but another instance id: left alone.</param>
/// <param name="MissedFills">Fills fetched from the venue that the store did not hold (taken while the process was down, or not yet committed when it died).</param>
/// <param name="BalanceLines">One line per checked asset: venue, expected, difference.</param>
/// <param name="Mismatch">Why trading is halted after the balance check, or null.</param>
public sealed record ReconciliationResult(
    int VenueOpen, AdoptionSummary Adoption, int OtherInstances, int MissedFills, IReadOnlyList<VenueBalance> Balances,
    IReadOnlyList<string> BalanceLines, string? Mismatch)
{
    /// <summary>Open orders earlier holders of this lease scope (other nodes, older epochs) left: cancelled.</summary>
    public int Zombies { get; init; }
}

/// <summary>
/// Restart reconciliation, before the strategy quotes (the host runs it once the engine has restored the
/// store and its gateway is connected): the venue's open orders of ours are adopted (or cancelled) and the
/// store's open orders the venue no longer lists are queried (<see cref="TradingEngine.Adopt"/>); the fills
/// missed while down are fetched by trade id with paging and applied once; the position is compared with
/// the venue's balances against the configured baselines, and a difference beyond the tolerance halts
/// trading with the reason (persisted: it survives the next restart until an operator resumes).
/// </summary>
/// <remarks>
/// Missed fills are fetched from just below the store's recent trade ids (the lowest of the last
/// <see cref="RefetchWindow"/> stored fills per symbol, so a fill committed out of order is not skipped;
/// repeats are dropped by trade id), or, when the store holds none for the symbol, from the first trade,
/// keeping only the orders this store placed (sequence at or after <see cref="PersistedState.FirstOrderSeq"/>:
/// a store moved aside to start from nothing does not bring back the old store's trades). An empty store
/// fetches nothing.
/// The balances are read before and after the fetch and the pass repeats until they agree, so the fills
/// and the balance describe the same moment; the position checked is the store's fills plus the fetched
/// ones (the live stream's later fills are not part of it).
/// </remarks>
public static class StartupReconciliation
{
    /// <summary>Stored fills per symbol below whose lowest trade id the missed-fill fetch starts.</summary>
    public const int RefetchWindow = 64;
    private const int MaxBalancePasses = 5;

    public static async Task<ReconciliationResult> RunAsync(TradingEngine engine, IVenueQueries venue, IReadOnlyList<InstrumentSpec> specs,
        PersistedState restored, ushort node, IReadOnlyList<BalanceCheck> checks, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(venue);
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(restored);
        ArgumentNullException.ThrowIfNull(checks);

        // 1. Open orders: ours (this instance, any earlier run) are adopted; those an earlier holder of this
        // lease scope left (another node, an older epoch) are cancelled; another scope's are left alone.
        ExecutionEngine execution = engine.Execution;
        var ours = new List<VenueOpenOrder>();
        var zombies = new List<VenueOpenOrder>();
        int others = 0;
        for (int i = 0; i < specs.Count; i++)
            foreach (VenueOpenOrder order in await venue.GetOpenOrdersAsync(i, cancel).ConfigureAwait(false))
                if (execution.IsSelfOrder(order.ClientOrderId))
                    ours.Add(order);
                else if (execution.IsOwnOrder(order.ClientOrderId))
                    zombies.Add(order);
                else
                    others++;
        int zombiesCancelled = zombies.Count == 0 ? 0 : engine.CancelZombies(zombies);
        AdoptionSummary adoption = engine.Adopt(ours, WithStoredFills(restored, node));

        // 2. Missed fills, read between two balance reads that agree.
        var from = new long[specs.Count];
        for (int i = 0; i < specs.Count; i++)
            from[i] = FetchFrom(restored, specs[i].Symbol);
        // A symbol with no stored fill is read from its first trade, keeping only orders this store placed
        // (sequence at or after its first order); a store with no order placed nothing that could have filled.
        var symbolsWithFills = new HashSet<string>(restored.Fills.Select(f => f.Symbol), StringComparer.Ordinal);
        bool Placed(FillReport f) => symbolsWithFills.Contains(specs[f.InstrumentId].Symbol)
            || (restored.FirstOrderSeq > 0 && f.ClientOrderId.Sequence >= restored.FirstOrderSeq);
        // Keyed as the store and execution key a fill: a self-trade's two fills share one trade id.
        var stored = new HashSet<(string, long, long)>(restored.Fills.Select(f => (f.Symbol, f.TradeId, f.VenueOrderId)));
        IReadOnlyList<VenueBalance> before = await venue.GetBalancesAsync(cancel).ConfigureAwait(false), after = before;
        var fetched = new List<FillReport>();
        bool settled = false;
        for (int pass = 0; pass < MaxBalancePasses && !settled; pass++)
        {
            fetched.Clear();
            for (int i = 0; i < specs.Count; i++)
                if (from[i] > 0 || restored.FirstOrderSeq > 0)
                    fetched.AddRange(await venue.GetTradesAsync(i, from[i], cancel).ConfigureAwait(false));
            after = await venue.GetBalancesAsync(cancel).ConfigureAwait(false);
            settled = checks.All(c => Total(before, c.Asset) == Total(after, c.Asset));
            before = after;
        }
        var missed = fetched.Where(f => execution.IsOwnOrder(f.ClientOrderId) && Placed(f) && !stored.Contains((specs[f.InstrumentId].Symbol, f.TradeId, f.VenueOrderId)))
            .GroupBy(f => (f.InstrumentId, f.TradeId, f.VenueOrderId)).Select(g => g.First()).OrderBy(f => f.TradeId).ToList();
        // Into the core as fills like any other (journaled, stored, de-duplicated by trade id).
        foreach (FillReport fill in missed)
            engine.OnFill(fill);

        // 3. Position against balances.
        var lines = new List<string>();
        var problems = new List<string>();
        if (!settled && checks.Count > 0)
            problems.Add($"the venue's balances kept changing over {MaxBalancePasses} reads; the position could not be checked");
        foreach (BalanceCheck check in checks)
        {
            Int128 position = 0;
            var parts = new List<string>();
            foreach (string symbol in check.Symbols)
            {
                int i = IndexOf(specs, symbol);
                if (i < 0)
                    continue;
                var ledger = restored.PositionOf(symbol, execution.IsOwnOrder, specs[i].PriceDecimals, specs[i].QtyDecimals);
                foreach (FillReport f in missed)
                    if (f.InstrumentId == i)
                        ledger.Apply(f.Side, f.Price, f.Qty, f.Fee, f.FeeQty);
                long p = FixedPoint.Rescale(ledger.Position.Raw, specs[i].QtyDecimals, VenueBalance.Decimals);
                position += p;
                parts.Add($"{symbol} {Amount(p)}");
            }
            long venueTotal = Total(after, check.Asset);
            Int128 expected = check.Baseline + position;
            Int128 diff = venueTotal - expected;
            string line = $"{check.Asset}: venue {Amount(venueTotal)} (free + locked), expected {Amount((long)expected)} = baseline {Amount(check.Baseline)} + position {Amount((long)position)} ({string.Join(", ", parts)}); difference {Amount((long)diff)}, tolerance {Amount(check.Tolerance)}";
            lines.Add(line);
            if (Int128.Abs(diff) > check.Tolerance)
                problems.Add("balance check failed: " + line);
        }
        string? mismatch = problems.Count == 0 ? null
            : string.Join("; ", problems) + ". Trading halted before quoting: reconcile by hand (docs/operations.md, After a crash), then resume";
        if (mismatch is not null)
            engine.ReportFault(EngineFault.Reconciliation, mismatch);
        return new ReconciliationResult(ours.Count, adoption, others, missed.Count, after, lines, mismatch) { Zombies = zombiesCancelled };
    }

    /// <summary>
    /// The store's open orders with their filled quantity taken from the stored fills (what the position
    /// counted for them) rather than the order row, which a crash between the fill's commit and the order's
    /// can leave behind: a recovered order then completes on exactly the fills still to come.
    /// </summary>
    internal static IReadOnlyList<PersistedOrder> WithStoredFills(PersistedState restored, ushort node)
    {
        IReadOnlyList<PersistedOrder> orders = restored.OpenOrders;
        // Each of this node's fills belongs to at most one open order: by venue order id, else by client id
        // sequence (its own, or the one an amend gave it). One pass over the fills.
        var byVenueId = new Dictionary<(string, long), int>();
        var bySequence = new Dictionary<(string, long), int>();
        for (int k = 0; k < orders.Count; k++)
        {
            PersistedOrder o = orders[k];
            if (o.VenueOrderId != 0)
                byVenueId[(o.Symbol, o.VenueOrderId)] = k;
            bySequence[(o.Symbol, o.ClientId.Sequence)] = k;
            if (!o.CurrentClientId.IsNone)
                bySequence[(o.Symbol, o.CurrentClientId.Sequence)] = k;
        }
        var filled = new long[orders.Count];
        foreach (PersistedFill f in restored.Fills)
        {
            if (f.ClientId.IsNone || f.ClientId.Node != node)
                continue;
            if (byVenueId.TryGetValue((f.Symbol, f.VenueOrderId), out int k) || bySequence.TryGetValue((f.Symbol, f.ClientId.Sequence), out k))
                filled[k] += f.Qty.Raw;
        }
        var open = new List<PersistedOrder>(orders.Count);
        for (int k = 0; k < orders.Count; k++)
            open.Add(orders[k] with { Filled = new Qty(filled[k]) });
        return open;
    }

    /// <summary>The trade id the missed-fill fetch starts after: below the lowest of the symbol's last stored fills, or 0 (from the first trade).</summary>
    internal static long FetchFrom(PersistedState restored, string symbol)
    {
        var ids = restored.Fills.Where(f => f.Symbol == symbol).Select(f => f.TradeId).OrderDescending().Take(RefetchWindow).ToList();
        return ids.Count == 0 ? 0 : Math.Max(0, ids.Min() - 1);
    }

    private static long Total(IReadOnlyList<VenueBalance> balances, string asset)
    {
        long total = 0;
        foreach (VenueBalance b in balances)
            if (string.Equals(b.Asset, asset, StringComparison.OrdinalIgnoreCase))
                total += b.Total;
        return total;
    }

    /// <summary>The index of <paramref name="symbol"/> in <paramref name="specs"/> (case-insensitive), or -1.</summary>
    internal static int IndexOf(IReadOnlyList<InstrumentSpec> specs, string symbol)
    {
        for (int i = 0; i < specs.Count; i++)
            if (string.Equals(specs[i].Symbol, symbol, StringComparison.OrdinalIgnoreCase))
                return i;
        return -1;
    }

    private static string Amount(long raw) => FixedPoint.ToTrimmedString(raw, VenueBalance.Decimals);
}
