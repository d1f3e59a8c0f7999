using System.Diagnostics;
using System.Globalization;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Integration.Tests;

/// <summary>
/// The checks after each restart, against the venue's own records: (a) every trade of our account is in the
/// store exactly once; (b) the engine's position = the stored fills' sum = the venue's base balance change;
/// (c) no client order id (nor its sequence number, in any epoch) was ever used for two orders; (d) every open
/// order of ours on the venue is known to the engine. Each waits (bounded) for the records to settle while the
/// market flow is paused and the taker idle, then reports what still differs, naming the kill, the trade or
/// order and the phase (run alive, or down after a kill) it happened in.
/// </summary>
public sealed partial class CrashChaosTests
{
    private sealed record Violation(string Check, int Kill, string Message);

    private readonly List<Violation> _violations = [];
    // A trade or order is reported once, at the first check that finds it, not again at every later restart.
    private readonly HashSet<(long, long)> _reportedMissing = [];
    private readonly HashSet<(long, long)> _reportedPhantom = [];
    private readonly HashSet<string> _reportedIds = [];
    private readonly HashSet<long> _reportedUnknownOpen = [];
    private long _tradeChecks;
    private long _reportedPositionGap = long.MinValue;

    private void Violate(string check, int kill, string message)
    {
        _violations.Add(new Violation(check, kill, message));
        Log($"  VIOLATION ({check}) after kill {kill}: {message}");
    }

    /// <summary>The phase a venue time falls in ("run N alive", "down after kill N", …) and how long before the next one began.</summary>
    private string PhaseOf(long timeMs)
    {
        for (int i = _phases.Count - 1; i >= 0; i--)
        {
            if (timeMs < _phases[i].FromMs)
                continue;
            return i + 1 < _phases.Count
                ? string.Create(CultureInfo.InvariantCulture, $"{_phases[i].Name}, {_phases[i + 1].FromMs - timeMs} ms before '{_phases[i + 1].Name}'")
                : _phases[i].Name;
        }
        return "before the first run";
    }

    private sealed record Phase(string Name, long FromMs);

    private readonly List<Phase> _phases = [];

    private void EnterPhase(string name) => _phases.Add(new Phase(name, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    private string DescribeTrade(VenueTrade t)
    {
        string client = _venueOrders.TryGetValue(t.OrderId, out var o) ? o.ClientOrderId : "?";
        return $"trade {t.TradeId} (order {t.OrderId} {client}, {(t.IsBuyer ? "BUY" : "SELL")} {Dec(t.Qty)} @ {Dec(t.Price)}, " +
            $"at {DateTimeOffset.FromUnixTimeMilliseconds(t.TimeMs):HH:mm:ss.fff} while {PhaseOf(t.TimeMs)})";
    }

    /// <summary>One comparison of the three records; <see cref="Problems"/> is empty when (a), (b) and (d) hold.</summary>
    private sealed record Comparison(
        List<VenueTrade> Missing, List<StoredFill> Phantom, List<string> Mismatched, List<(long TradeId, int Rows)> Duplicated,
        long? EnginePosition, long StoredPosition, long VenuePosition, List<VenueOrder> UnknownOpen, List<EngineOrder> Ghosts,
        List<StoredFill> StoredFills, List<StoredOrder> StoredOrders)
    {
        public bool TradesAgree => Missing.Count == 0 && Phantom.Count == 0 && Mismatched.Count == 0 && Duplicated.Count == 0;
        public bool PositionsAgree => (EnginePosition is null || EnginePosition == StoredPosition) && StoredPosition == VenuePosition;
        public bool Holds => TradesAgree && PositionsAgree && UnknownOpen.Count == 0;

        /// <summary>What differs, for deciding whether the records still move.</summary>
        public string Fingerprint => string.Create(CultureInfo.InvariantCulture,
            $"{Missing.Count}/{Phantom.Count}/{Mismatched.Count}/{Duplicated.Count}/{EnginePosition}/{StoredPosition}/{VenuePosition}/{UnknownOpen.Count}/{StoredFills.Count}");
    }

    private async Task<Comparison> CompareAsync(Uri? metrics)
    {
        // The engine before and after the venue: an order the venue lists was known to the engine at one of the two reads.
        List<EngineOrder>? engineBefore = metrics is null ? null : await EngineOrdersAsync(metrics);
        await RefreshVenueTradesAsync();
        await RefreshVenueOrdersAsync();
        var open = await VenueOpenOrdersAsync();
        long venueBase = await VenueBaseBalanceAsync();
        EngineMetrics? engine = metrics is null ? null : await EngineMetricsAsync(metrics);
        List<EngineOrder>? engineAfter = metrics is null ? null : await EngineOrdersAsync(metrics);
        var (fills, orders) = ReadStore();

        var stored = new Dictionary<(long, long), StoredFill>();
        var duplicated = new List<(long, int)>();
        var phantom = new List<StoredFill>();
        foreach (var f in fills)
            if (!stored.TryAdd((f.TradeId, f.VenueOrderId), f))
                duplicated.Add((f.TradeId, 2)); // the primary key forbids it: a schema change that lost it
        // "Exactly once": one row per venue trade of ours, and no second row for the same trade under another order id.
        var venuePerTrade = _venueTrades.Keys.GroupBy(k => k.TradeId).ToDictionary(g => g.Key, g => g.Count());
        foreach (var g in fills.GroupBy(f => f.TradeId).Where(g => g.Count() > 1 && g.Count() > venuePerTrade.GetValueOrDefault(g.Key)))
            duplicated.Add((g.Key, g.Count()));
        var missing = _venueTrades.Values.Where(t => !stored.ContainsKey((t.TradeId, t.OrderId))).OrderBy(t => t.TradeId).ToList();
        phantom.AddRange(fills.Where(f => !_venueTrades.ContainsKey((f.TradeId, f.VenueOrderId))));
        var mismatched = new List<string>();
        foreach (var t in _venueTrades.Values)
        {
            if (!stored.TryGetValue((t.TradeId, t.OrderId), out var f))
                continue;
            long feeQty = t.CommissionAsset == BaseAsset ? t.Commission : 0;
            if (f.Side != (t.IsBuyer ? OrderSide.Buy : OrderSide.Sell) || f.Price != t.Price || f.Qty != t.Qty || f.FeeQty != feeQty || f.Node != InstanceId)
                mismatched.Add($"{DescribeTrade(t)} is stored as {f.Side} {Dec(f.Qty)} @ {Dec(f.Price)} fee qty {Dec(f.FeeQty)} node {f.Node?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        }

        var known = new HashSet<string>();
        var knownIds = new HashSet<long>();
        foreach (var o in (engineBefore ?? []).Concat(engineAfter ?? []))
        {
            known.Add(o.ClientOrderId);
            known.Add(o.OrigClientOrderId);
            if (o.VenueOrderId != 0)
                knownIds.Add(o.VenueOrderId);
        }
        var unknownOpen = metrics is null ? [] : open.Where(o => TryOurs(o.ClientOrderId, out _) && !known.Contains(o.ClientOrderId) && !knownIds.Contains(o.OrderId)).ToList();
        var openIds = open.Select(o => o.OrderId).ToHashSet();
        var ghosts = (engineAfter ?? []).Where(o => o.VenueOrderId != 0 && o.State is "Accepted" or "PartiallyFilled" && !openIds.Contains(o.VenueOrderId)).ToList();

        return new Comparison(missing, phantom, mismatched, duplicated, engine?.Position,
            PositionOf(fills.Where(f => f.Node == InstanceId)), venueBase - InitialBase, unknownOpen, ghosts, fills, orders);
    }

    /// <summary>
    /// (a), (b), (d) after restart <paramref name="kill"/>: compares until the records agree, or until they stop
    /// changing (a trade that was never stored does not arrive by waiting) or the deadline passes; then reports.
    /// (c) is checked on the last comparison. <paramref name="metrics"/> null: the run has exited (final check).
    /// </summary>
    private async Task<Comparison> CheckRecordsAsync(int kill, Uri? metrics)
    {
        var clock = Stopwatch.StartNew();
        Comparison c = await CompareAsync(metrics);
        string? previous = null;
        int stable = 0;
        while (!c.Holds && clock.Elapsed < TimeSpan.FromSeconds(8))
        {
            // Settled: the same differences three reads in a row, a second or more after the first.
            stable = c.Fingerprint == previous ? stable + 1 : 0;
            if (stable >= 2 && clock.Elapsed > TimeSpan.FromSeconds(1))
                break;
            previous = c.Fingerprint;
            await Task.Delay(250);
            c = await CompareAsync(metrics);
        }
        _tradeChecks += _venueTrades.Count;

        // (a) every trade of our account is in the store exactly once.
        var newMissing = c.Missing.Where(t => _reportedMissing.Add((t.TradeId, t.OrderId))).ToList();
        if (newMissing.Count > 0)
            Violate("a", kill, $"{newMissing.Count} trade(s) of our account on the venue are not in the store " +
                $"({c.Missing.Count} missing in all): " + string.Join("; ", newMissing.Take(12).Select(DescribeTrade)) + (newMissing.Count > 12 ? "; …" : ""));
        var newPhantom = c.Phantom.Where(f => _reportedPhantom.Add((f.TradeId, f.VenueOrderId))).ToList();
        if (newPhantom.Count > 0)
            Violate("a", kill, $"{newPhantom.Count} stored fill(s) are not trades of our account on the venue: " +
                string.Join("; ", newPhantom.Take(12).Select(f => $"trade {f.TradeId} order {f.VenueOrderId} seq {f.OrderSeq} {f.Side} {Dec(f.Qty)} @ {Dec(f.Price)}")));
        foreach (string m in c.Mismatched.Where(m => _reportedIds.Add("fill " + m)))
            Violate("a", kill, "a stored fill differs from the venue's trade: " + m);
        foreach (var (tradeId, rows) in c.Duplicated.Where(d => _reportedIds.Add("dup " + d.TradeId.ToString(CultureInfo.InvariantCulture))))
            Violate("a", kill, $"trade {tradeId} is stored {rows} times");

        // (b) engine position = stored fills = venue balance change.
        if (!c.PositionsAgree)
        {
            long missingSum = c.Missing.Sum(BaseChangeOf);
            long gap = c.VenuePosition - c.StoredPosition;
            // Report when it changes, not at every restart while the same trades stay missing.
            if (gap != _reportedPositionGap || (c.EnginePosition is { } e0 && e0 != c.StoredPosition))
            {
                _reportedPositionGap = gap;
                Violate("b", kill, $"position: engine {(c.EnginePosition is { } e ? Dec(e) : "n/a (run exited)")}, stored fills {Dec(c.StoredPosition)}, " +
                    $"venue {BaseAsset} change {Dec(c.VenuePosition)}; venue − store = {Dec(gap)}, " +
                    (gap == missingSum ? "exactly what the trades missing from the store add up to" : $"of which the trades missing from the store explain {Dec(missingSum)}"));
            }
        }

        // (d) every open order of ours on the venue is known to the engine.
        foreach (var o in c.UnknownOpen.Where(o => _reportedUnknownOpen.Add(o.OrderId)))
            Violate("d", kill, $"open on the venue but unknown to the engine: order {o.OrderId} {o.ClientOrderId} {o.Side} {o.OrigQty} @ {o.Price}, " +
                $"placed at {DateTimeOffset.FromUnixTimeMilliseconds(o.TimeMs):HH:mm:ss.fff} while {PhaseOf(o.TimeMs)}");
        if (c.Ghosts.Count > 0)
            Log($"  note: the engine holds {c.Ghosts.Count} order(s) as working that the venue no longer lists: " +
                string.Join(", ", c.Ghosts.Select(g => $"{g.ClientOrderId} (venue {g.VenueOrderId}, {g.State})")));

        CheckClientIds(kill, c.StoredOrders);
        Log($"  checked after kill {kill} in {clock.Elapsed.TotalSeconds:F1} s: {_venueTrades.Count} trade(s), {c.StoredFills.Count} stored fill(s), " +
            $"{_venueOrders.Count} order(s) on the venue; position engine {(c.EnginePosition is { } p ? Dec(p) : "-")} store {Dec(c.StoredPosition)} venue {Dec(c.VenuePosition)}" +
            (c.Holds ? "; all agree" : ""));
        return c;
    }

    /// <summary>
    /// (c) no client order id was used twice: on the venue no two orders carry one id, nor one sequence number
    /// under two epochs (the high-water mark makes sequence numbers unique for ever); every sequence number used is
    /// within the reserved high-water mark; and the store binds each of its ids to the venue order that carries it.
    /// </summary>
    private void CheckClientIds(int kill, List<StoredOrder> stored)
    {
        long hwm = HighWaterMark();
        var ours = new List<(VenueOrder Order, ClientOrderId Id)>();
        foreach (var o in _venueOrders.Values)
        {
            if (TryOurs(o.ClientOrderId, out var id))
                ours.Add((o, id));
            else if (_reportedIds.Add("foreign " + o.ClientOrderId))
                Violate("c", kill, $"order {o.OrderId} on our account carries a client id that is not ours: '{o.ClientOrderId}'");
        }
        foreach (var g in ours.GroupBy(x => x.Order.ClientOrderId).Where(g => g.Count() > 1))
            if (_reportedIds.Add("twice " + g.Key))
                Violate("c", kill, $"client id {g.Key} was used by {g.Count()} orders: {string.Join(", ", g.Select(x => $"{x.Order.OrderId} at {DateTimeOffset.FromUnixTimeMilliseconds(x.Order.TimeMs):HH:mm:ss.fff} while {PhaseOf(x.Order.TimeMs)}"))}");
        foreach (var g in ours.GroupBy(x => x.Id.Sequence).Where(g => g.Select(x => x.Order.ClientOrderId).Distinct().Count() > 1))
            if (_reportedIds.Add("seq " + g.Key.ToString(CultureInfo.InvariantCulture)))
                Violate("c", kill, $"sequence number {g.Key} was used again under another epoch: {string.Join(", ", g.Select(x => $"{x.Order.ClientOrderId} (order {x.Order.OrderId} while {PhaseOf(x.Order.TimeMs)})"))}");
        foreach (var (o, id) in ours.Where(x => x.Id.Sequence > hwm))
            if (_reportedIds.Add("hwm " + o.ClientOrderId))
                Violate("c", kill, $"{o.ClientOrderId} (order {o.OrderId}) has sequence {id.Sequence}, beyond the reserved high-water mark {hwm}");

        var byVenueId = _venueOrders;
        foreach (var s in stored.Where(s => s.VenueOrderId != 0))
        {
            string original = _format.Format(new ClientOrderId((ushort)s.Node, (uint)s.Epoch, s.OrderSeq));
            string current = _format.Format(new ClientOrderId((ushort)s.Node, (uint)s.Epoch, s.CurrentSeq));
            if (!byVenueId.TryGetValue(s.VenueOrderId, out var v))
            {
                if (_reportedIds.Add("nov " + original))
                    Violate("c", kill, $"the store binds {original} to venue order {s.VenueOrderId}, which our account does not have");
            }
            else if (v.ClientOrderId != current && v.ClientOrderId != original)
            {
                // An amend in flight when the run died renamed the order at the venue (to a later id of ours) but
                // never reached the store: the row is stale, not wrong; (d) checks that the restart knows the order.
                bool amendInFlight = s.State is OrderState.PendingReplace or OrderState.Unknown
                    && TryOurs(v.ClientOrderId, out var renamed) && renamed.Sequence > s.CurrentSeq;
                if (amendInFlight)
                {
                    if (_reportedIds.Add("amend " + original))
                        Log($"  note: {original} was being amended when a run died: the venue's order {s.VenueOrderId} carries {v.ClientOrderId}, the store still {current} ({s.State})");
                }
                else if (_reportedIds.Add("bind " + original))
                {
                    Violate("c", kill, $"the store binds {original} (now {current}, {s.State}) to venue order {s.VenueOrderId}, which carries {v.ClientOrderId}");
                }
            }
        }
    }
}
