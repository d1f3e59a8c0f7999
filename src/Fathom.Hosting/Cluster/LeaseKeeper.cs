using Fathom.Core;
using Fathom.Engine;
using Fathom.Persistence.Coordination;

namespace Fathom.Hosting.Cluster;

/// <summary>
/// Holds this instance's lease on the coordination service and feeds the core what it needs to send safely:
/// the lease's deadline (renewal sent + TTL − margin, on the monotonic clock), its loss, the position and
/// order-budget quotas leased in blocks, and the other instances' best resting prices. Runs on its own task;
/// every result enters the core as an input (<see cref="TradingEngine.ExtendLease"/> and the like), so
/// nothing here sits on the send path and no database call is made there.
/// </summary>
/// <remarks>
/// Life: <see cref="AcquireAsync"/> (standby until the lease is free, then the takeover cooldown), then
/// <see cref="AttachAsync"/> once the engine is composed, then either <see cref="ReleaseAsync"/> (a clean stop)
/// or a loss (<see cref="Lost"/>: refused at renewal, or no renewal before the deadline — the coordination
/// service unreachable). A keeper is used for one lease: after a loss the host composes a fresh engine under
/// a fresh lease with a new keeper. A fault in the keeper itself (not the service being unreachable) also
/// halts trading with the reason (<see cref="TradingEngine.ReportFault"/>).
/// </remarks>
public sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly ICoordinationService _service;
    private readonly ClusterSettings _settings;
    private readonly MonotonicClock _clock;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<string> _log;
    private Task? _loop;
    private long _deadlineNs;
    private volatile EngineHost? _host;
    private int[] _quotaInstrument = [];
    private long[] _positionGranted = [];
    private int _budgetGranted = -1;
    private long _zombiesReported;
    private (long Bid, long Ask)[] _peers = [];
    private long _renewals, _renewFailures, _quotaCalls, _exchanges, _exchangeFailures;
    private bool _exchangeFailing;
    // Held while the loop reads the engine or adjusts its quotas: DetachAsync waits for it, so nothing touches
    // an engine being shut down.
    private readonly SemaphoreSlim _hostGate = new(1, 1);

    public LeaseKeeper(ICoordinationService service, ClusterSettings settings, string holder, ushort node, MonotonicClock clock, TimeProvider time, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        ArgumentNullException.ThrowIfNull(clock);
        _service = service;
        _settings = settings;
        Holder = holder;
        Node = node;
        _clock = clock;
        _time = time ?? TimeProvider.System;
        _log = log ?? (_ => { });
    }

    public string Holder { get; }
    public ushort Node { get; }
    public ClusterSettings Settings => _settings;
    /// <summary>The lease held (after <see cref="AcquireAsync"/>).</summary>
    public LeaseGrant? Grant { get; private set; }
    /// <summary>Monotonic ns until which new orders may be sent under the lease.</summary>
    public long DeadlineNs => Interlocked.Read(ref _deadlineNs);
    /// <summary>Cancelled when the lease is lost; <see cref="LostReason"/> says why.</summary>
    public CancellationToken Lost => _lost.Token;
    public bool IsLost => _lost.IsCancellationRequested;
    public string? LostReason { get; private set; }
    /// <summary>How long the takeover waits before it looks at the venue (the old lease's remaining life + the pause margin).</summary>
    public TimeSpan Cooldown { get; private set; }
    /// <summary>
    /// Completes when the takeover's cooldown has run (at once when nobody else held the lease): the venue's open
    /// orders are listed and older epochs' cancelled only after it, so an order the old holder had in flight
    /// when its lease ran out is seen. The engine may be composed meanwhile.
    /// </summary>
    public Task CooldownElapsed { get; private set; } = Task.CompletedTask;
    public long Renewals => Interlocked.Read(ref _renewals);
    public long RenewFailures => Interlocked.Read(ref _renewFailures);

    /// <summary>
    /// Standby until the scope's lease is ours: registers as a member, tries to take the lease every
    /// <see cref="ClusterSettings.AcquireEvery"/> (<paramref name="status"/> hears who holds it whenever that
    /// changes); returns once it is taken (and renewed from then on), with the takeover's cooldown running in
    /// <see cref="CooldownElapsed"/>. Throws <see cref="CoordinationConflictException"/>
    /// when another live member uses this node.
    /// </summary>
    public async Task<LeaseGrant> AcquireAsync(Action<string> status, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(status);
        string? lastSaid = null;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            string said;
            try
            {
                await _service.RegisterAsync(Holder, Node, _settings.Scope, _settings.LeaseTtl, cancel).ConfigureAwait(false);
                long sent = 0;
                LeaseGrant? grant = null;
                // Sharding: the first free shard, from this node's own place in the list, so instances spread out.
                IReadOnlyList<string> candidates = _settings.Candidates;
                for (int k = 0; k < candidates.Count && grant is null; k++)
                {
                    sent = _clock.NowNanos();
                    grant = await _service.TryAcquireAsync(candidates[(Node + k) % candidates.Count], Holder, Node, _settings.LeaseTtl, cancel).ConfigureAwait(false);
                }
                if (grant is not null)
                {
                    Grant = grant;
                    Interlocked.Exchange(ref _deadlineNs, sent + Ns(_settings.LeaseTtl) - Ns(_settings.Margin));
                    _loop = Task.Run(RenewLoopAsync, CancellationToken.None);
                    bool takeover = grant.PreviousHolder is not null && grant.PreviousHolder != Holder;
                    Cooldown = takeover ? grant.PreviousRemaining + _settings.PauseMargin : TimeSpan.Zero;
                    status($"lease: scope '{grant.Scope}' taken with epoch {grant.Epoch}" +
                        (takeover ? $" from {grant.PreviousHolder}; cooldown {Cooldown.TotalMilliseconds:F0} ms before cancelling older epochs' orders and quoting" : ""));
                    CooldownElapsed = Cooldown > TimeSpan.Zero ? Task.Delay(Cooldown, _time, cancel) : Task.CompletedTask;
                    return grant;
                }
                ClusterStatus now = await _service.StatusAsync(cancel).ConfigureAwait(false);
                var held = now.Leases.Where(l => candidates.Contains(l.Scope) && l.Live).OrderBy(l => l.Scope, StringComparer.Ordinal).ToList();
                said = held.Count < candidates.Count ? $"standby: scope '{string.Join("', '", candidates.Except(held.Select(l => l.Scope)))}' is being released; retrying"
                    : "standby: " + string.Join("; ", held.Select(l => $"scope '{l.Scope}' is held by {l.Holder} (node {l.Node}, epoch {l.Epoch})")) + "; waiting to take over";
            }
            catch (CoordinationUnavailableException ex)
            {
                said = $"standby: the coordination service is unreachable ({ex.Message}); retrying";
            }
            if (said != lastSaid)
            {
                status(said);
                lastSaid = said;
            }
            await Task.Delay(_settings.AcquireEvery, _time, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The engine is composed: its send deadline is set from the lease (before anything quotes), the quotas
    /// start at nothing and the first blocks are leased, and from now on renewals, quotas and peer quotes go
    /// to it. Call before <see cref="EngineHost.StartTrading"/>, holding no lock.
    /// </summary>
    public async Task AttachAsync(EngineHost host, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(host);
        var specs = host.Specs;
        _quotaInstrument = new int[_settings.PositionQuotas.Count];
        _positionGranted = new long[_settings.PositionQuotas.Count];
        for (int q = 0; q < _settings.PositionQuotas.Count; q++)
        {
            int i = StartupReconciliation.IndexOf(specs, _settings.PositionQuotas[q].Symbol);
            _quotaInstrument[q] = i;
            if (i >= 0)
                host.Engine.SetPositionQuota(i, 0); // nothing may build a position before a block is leased
        }
        if (_settings.OrderBudget is not null)
            host.Engine.SetOrderBudgetQuota(0);
        _peers = new (long, long)[specs.Count];
        host.Engine.ExtendLease(DeadlineNs);
        _host = host;
        await AdjustQuotasAsync(host, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// The engine is about to shut down: quotas and peer quotes stop going to it (an exchange in progress is
    /// waited for). Renewals go on until <see cref="ReleaseAsync"/>. Holding no lock.
    /// </summary>
    public async Task DetachAsync()
    {
        await _hostGate.WaitAsync().ConfigureAwait(false);
        _host = null;
        _hostGate.Release();
    }

    /// <summary>Ends the lease at once (a clean stop): a standby takes over without waiting for it to expire.</summary>
    public async Task ReleaseAsync(CancellationToken cancel)
    {
        await StopLoopAsync().ConfigureAwait(false);
        if (Grant is { } g && !IsLost)
        {
            try
            {
                await _service.ReleaseAsync(g.Scope, Holder, g.Epoch, cancel).ConfigureAwait(false);
            }
            catch (CoordinationUnavailableException ex)
            {
                _log($"lease: release failed ({ex.Message}); it expires in at most {_settings.LeaseTtl.TotalSeconds} s");
            }
        }
    }

    /// <summary>Prometheus lines: renewals, failures, quota calls, the lease's epoch and remaining time.</summary>
    public string Metrics()
    {
        long left = Math.Max(0, DeadlineNs - _clock.NowNanos());
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        return string.Create(ci, $"""
            # HELP fathom_lease_epoch The fencing epoch of the lease this instance sends under.
            # TYPE fathom_lease_epoch gauge
            fathom_lease_epoch {Grant?.Epoch ?? 0}
            # HELP fathom_lease_held 1 while the lease is held and not lost.
            # TYPE fathom_lease_held gauge
            fathom_lease_held {(Grant is not null && !IsLost ? 1 : 0)}
            # HELP fathom_lease_deadline_seconds Time left before sending stops without a renewal.
            # TYPE fathom_lease_deadline_seconds gauge
            fathom_lease_deadline_seconds {left / 1e9}
            # HELP fathom_lease_renewals_total Lease renewals the coordination service accepted.
            # TYPE fathom_lease_renewals_total counter
            fathom_lease_renewals_total {Renewals}
            # HELP fathom_lease_renew_failures_total Renewals that got no answer (coordination service unreachable).
            # TYPE fathom_lease_renew_failures_total counter
            fathom_lease_renew_failures_total {RenewFailures}
            # HELP fathom_lease_taken_over 1 when this lease was taken over from another holder (a takeover), 0 when it was free.
            # TYPE fathom_lease_taken_over gauge
            fathom_lease_taken_over {(Grant is { PreviousHolder: { } previous } && previous != Holder ? 1 : 0)}
            # HELP fathom_lease_takeover_cooldown_seconds The cooldown this lease's takeover waited.
            # TYPE fathom_lease_takeover_cooldown_seconds gauge
            fathom_lease_takeover_cooldown_seconds {Cooldown.TotalSeconds}
            # HELP fathom_quota_calls_total Quota reservations and returns sent to the coordination service.
            # TYPE fathom_quota_calls_total counter
            fathom_quota_calls_total {Interlocked.Read(ref _quotaCalls)}
            # HELP fathom_peer_exchanges_total Resting-quote exchanges with the other instances.
            # TYPE fathom_peer_exchanges_total counter
            fathom_peer_exchanges_total {Interlocked.Read(ref _exchanges)}
            # HELP fathom_peer_exchange_failures_total Quota or peer-quote exchanges that got no answer (the last values stood).
            # TYPE fathom_peer_exchange_failures_total counter
            fathom_peer_exchange_failures_total {Interlocked.Read(ref _exchangeFailures)}

            """) + QuotaLines();
    }

    private string QuotaLines()
    {
        if (_positionGranted.Length == 0 && _budgetGranted < 0)
            return "";
        var sb = new System.Text.StringBuilder();
        sb.Append("# HELP fathom_position_quota This instance's leased share of the account-wide position limit (base units).\n# TYPE fathom_position_quota gauge\n");
        EngineHost? host = _host;
        for (int q = 0; q < _positionGranted.Length; q++)
        {
            int i = _quotaInstrument[q];
            int decimals = host is not null && i >= 0 ? host.Specs[i].QtyDecimals : 0;
            sb.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"fathom_position_quota{{symbol=\"{_settings.PositionQuotas[q].Symbol}\"}} {FixedPoint.ToTrimmedString(Interlocked.Read(ref _positionGranted[q]), decimals)}\n");
        }
        if (_budgetGranted >= 0)
            sb.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"# HELP fathom_order_budget_quota This instance's leased share of the account's order budget.\n# TYPE fathom_order_budget_quota gauge\nfathom_order_budget_quota {_budgetGranted}\n");
        return sb.ToString();
    }

    private async Task RenewLoopAsync()
    {
        var cancel = _stop.Token;
        long renewDue = _clock.NowNanos() + Ns(_settings.RenewEvery);
        long exchangeDue = 0;
        TimeSpan tick = TimeSpan.FromTicks(Math.Min(_settings.RenewEvery.Ticks, _settings.ExchangeEvery.Ticks) / 2);
        if (tick < TimeSpan.FromMilliseconds(10))
            tick = TimeSpan.FromMilliseconds(10);
        try
        {
            while (!cancel.IsCancellationRequested && !IsLost)
            {
                await Task.Delay(tick, _time, cancel).ConfigureAwait(false);
                LeaseGrant g = Grant!;
                long now = _clock.NowNanos();
                if (now >= renewDue)
                {
                    long sent = _clock.NowNanos();
                    bool? renewed;
                    try
                    {
                        renewed = await _service.RenewAsync(g.Scope, Holder, g.Epoch, _settings.LeaseTtl, cancel).ConfigureAwait(false);
                    }
                    catch (CoordinationUnavailableException ex)
                    {
                        renewed = null;
                        Interlocked.Increment(ref _renewFailures);
                        _log($"lease: renewal got no answer ({ex.Message}); sending stops at the deadline unless one does");
                    }
                    if (renewed == true)
                    {
                        Interlocked.Increment(ref _renewals);
                        long deadline = sent + Ns(_settings.LeaseTtl) - Ns(_settings.Margin);
                        Interlocked.Exchange(ref _deadlineNs, deadline);
                        _host?.Engine.ExtendLease(deadline);
                        renewDue = sent + Ns(_settings.RenewEvery);
                    }
                    else if (renewed == false)
                    {
                        Lose($"the coordination service refused the renewal of epoch {g.Epoch}: the lease expired or was taken over");
                        break;
                    }
                    else
                    {
                        renewDue = _clock.NowNanos() + Ns(TimeSpan.FromMilliseconds(100));
                    }
                }
                if (_clock.NowNanos() >= DeadlineNs)
                {
                    Lose($"no renewal before the lease's deadline (epoch {g.Epoch}): the coordination service did not answer in time");
                    break;
                }
                if (_host is not null && _clock.NowNanos() >= exchangeDue)
                {
                    exchangeDue = _clock.NowNanos() + Ns(_settings.ExchangeEvery);
                    await _hostGate.WaitAsync(cancel).ConfigureAwait(false);
                    try
                    {
                        if (_host is { } host)
                        {
                            await ExchangeQuotesAsync(host, g, cancel).ConfigureAwait(false);
                            await AdjustQuotasAsync(host, cancel).ConfigureAwait(false);
                            await ReportZombiesAsync(host, g, cancel).ConfigureAwait(false);
                        }
                        if (_exchangeFailing)
                            _log("lease: quota and peer-quote exchanges answer again");
                        _exchangeFailing = false;
                    }
                    catch (CoordinationUnavailableException ex)
                    {
                        // In doubt like the lease: the local quotas and peer prices stand (quotas only ever limit;
                        // stale peer prices leave the venue's STP as the backstop), and the deadline stops
                        // sending if the service stays away. Counted, and logged once per failing spell.
                        Interlocked.Increment(ref _exchangeFailures);
                        if (!_exchangeFailing)
                            _log($"lease: a quota or peer-quote exchange got no answer ({ex.Message}); the last quotas and peer prices stand");
                        _exchangeFailing = true;
                    }
                    finally
                    {
                        _hostGate.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            string reason = $"lease keeper failed: {ex.GetType().Name}: {ex.Message}";
            Lose(reason);
            _host?.Engine.ReportFault(EngineFault.Background, reason);
        }
    }

    private void Lose(string reason)
    {
        if (IsLost)
            return;
        LostReason = reason;
        Interlocked.Exchange(ref _deadlineNs, Math.Min(DeadlineNs, _clock.NowNanos()));
        _host?.Engine.LoseLease();
        _log("lease lost: " + reason);
        _lost.Cancel();
    }

    private async Task ExchangeQuotesAsync(EngineHost host, LeaseGrant g, CancellationToken cancel)
    {
        var specs = host.Specs;
        var mine = new PeerQuote[specs.Count];
        lock (host.CoreLock)
            for (int i = 0; i < specs.Count; i++)
            {
                var (bid, ask) = host.Execution.BestResting(i);
                mine[i] = new PeerQuote(specs[i].Symbol, bid.Raw, ask.Raw);
            }
        IReadOnlyList<PeerQuote> peers = await _service.ExchangeQuotesAsync(g.Scope, g.Epoch, mine, cancel).ConfigureAwait(false);
        Interlocked.Increment(ref _exchanges);
        for (int i = 0; i < specs.Count; i++)
        {
            long bid = 0, ask = 0;
            foreach (PeerQuote p in peers)
                if (string.Equals(p.Symbol, specs[i].Symbol, StringComparison.OrdinalIgnoreCase))
                {
                    if (p.BidRaw > bid)
                        bid = p.BidRaw;
                    if (p.AskRaw > 0 && (ask == 0 || p.AskRaw < ask))
                        ask = p.AskRaw;
                }
            if (_peers[i] != (bid, ask))
            {
                _peers[i] = (bid, ask);
                host.Engine.SetPeerQuotes(i, new Price(bid), new Price(ask));
            }
        }
    }

    /// <summary>
    /// Keeps each quota one block above what is used: more is leased (from the service first, then in force
    /// locally) when the headroom falls under a block; what is above two blocks of headroom is given back
    /// (in force locally first, then returned), so the sum over instances never exceeds the limit.
    /// </summary>
    private async Task AdjustQuotasAsync(EngineHost host, CancellationToken cancel)
    {
        LeaseGrant g = Grant!;
        for (int q = 0; q < _quotaInstrument.Length; q++)
        {
            int i = _quotaInstrument[q];
            if (i < 0)
                continue;
            PositionQuotaSettings s = _settings.PositionQuotas[q];
            long exposure;
            lock (host.CoreLock)
                exposure = host.Execution.Exposure(i);
            long want = Math.Min(s.MaxPositionRaw, (exposure / s.BlockRaw + 1) * s.BlockRaw);
            long granted = Interlocked.Read(ref _positionGranted[q]);
            string resource = "position:" + s.Symbol.ToUpperInvariant();
            if (want > granted)
            {
                Interlocked.Increment(ref _quotaCalls);
                long got = await _service.SetQuotaAsync(new QuotaRequest(_settings.Account, resource, g.Scope, g.Epoch, want, s.MaxPositionRaw), cancel).ConfigureAwait(false);
                if (got != granted)
                {
                    host.Engine.SetPositionQuota(i, got);
                    Interlocked.Exchange(ref _positionGranted[q], got);
                }
            }
            else if (granted - exposure > 2 * s.BlockRaw)
            {
                host.Engine.SetPositionQuota(i, want); // in force before the service hands it to another instance
                Interlocked.Exchange(ref _positionGranted[q], want);
                Interlocked.Increment(ref _quotaCalls);
                await _service.SetQuotaAsync(new QuotaRequest(_settings.Account, resource, g.Scope, g.Epoch, want, s.MaxPositionRaw), cancel).ConfigureAwait(false);
            }
        }
        if (_settings.OrderBudget is { } b)
        {
            long used;
            lock (host.CoreLock)
                used = host.Execution.Risk.OrderBudgetUsed(_clock.NowNanos());
            int want = (int)Math.Min(b.Limit, (used / b.Block + 2) * b.Block);
            if (want > _budgetGranted)
            {
                Interlocked.Increment(ref _quotaCalls);
                int got = (int)await _service.SetQuotaAsync(new QuotaRequest(_settings.Account, "orders", g.Scope, g.Epoch, want, b.Limit), cancel).ConfigureAwait(false);
                if (got != _budgetGranted)
                {
                    host.Engine.SetOrderBudgetQuota(got);
                    _budgetGranted = got;
                }
            }
            else if (_budgetGranted - used > 3 * b.Block)
            {
                host.Engine.SetOrderBudgetQuota(want);
                _budgetGranted = want;
                Interlocked.Increment(ref _quotaCalls);
                await _service.SetQuotaAsync(new QuotaRequest(_settings.Account, "orders", g.Scope, g.Epoch, want, b.Limit), cancel).ConfigureAwait(false);
            }
        }
    }

    private async Task ReportZombiesAsync(EngineHost host, LeaseGrant g, CancellationToken cancel)
    {
        long zombies;
        lock (host.CoreLock)
            zombies = host.Execution.Counters.ZombieCancels;
        long delta = zombies - _zombiesReported;
        if (delta <= 0)
            return;
        await _service.AddZombiesAsync(g.Scope, delta, cancel).ConfigureAwait(false);
        _zombiesReported = zombies;
    }

    private async Task StopLoopAsync()
    {
        _stop.Cancel();
        if (_loop is { } loop)
            await loop.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync().ConfigureAwait(false);
        _stop.Dispose();
        _lost.Dispose();
        _hostGate.Dispose();
    }

    private static long Ns(TimeSpan t) => t.Ticks * 100;
}
