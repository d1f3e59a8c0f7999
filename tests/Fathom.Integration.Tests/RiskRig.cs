using Fathom.Hosting;
using System.Globalization;
using System.Text;
using Fathom.Cli;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Venues.Binance;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// The demo's core built by <see cref="CoreComposition.Build"/> (feed core, analyzer, market maker,
/// execution, risk) on a <see cref="ManualTimeProvider"/>, fed Binance depth frames through the real
/// parser and sync, with a <see cref="ScriptedVenue"/> as its gateway. Everything a risk rule needs
/// reaches the core through its one door: frames under the core lock, reports and venue health through
/// <see cref="IReportSink"/>, timer ticks, operator and fault inputs.
/// </summary>
/// <remarks>
/// The book is a known shape: ten levels a side one tick either side of <see cref="Mid"/> (best bid
/// mid − 1, best ask mid + 1), so the mid risk sees is exactly <see cref="Mid"/> ticks. Levels that would
/// cross a move are deleted in the same frame, so the book never crosses however far the mid jumps.
/// The market maker's own withdrawal pull is switched off (<c>PullWithdrawal = 1</c>): deleting levels
/// near the touch on every move reads as withdrawal, and a strategy pulling its own quotes would hide
/// whether risk pulled them. The venue order budget is raised (see <see cref="Synced"/>).
/// </remarks>
internal sealed class RiskRig
{
    public static readonly InstrumentSpec Btc = Fathom.Testing.Specs.BtcUsdt;
    /// <summary>One USDT as risk money at the default <see cref="RiskLimits.MoneyDecimals"/> (8).</summary>
    public const long Usdt = 100_000_000;
    /// <summary>The demo's quote size, 0.001 BTC raw.</summary>
    public const long QuoteQty = 100_000;
    /// <summary>10,000.00 USDT in ticks of 0.01.</summary>
    public const long StartMid = 1_000_000;
    public const long FrameNs = 10_000_000;
    private const long LevelQty = QuoteQty * 5;
    private const int Levels = 10;

    private readonly SortedSet<long> _bids = [];
    private readonly SortedSet<long> _asks = [];
    private long _updateId = 1_000;
    private long _lastExchangeMs;

    private RiskRig(CoreSetup setup, DateTimeOffset start)
    {
        Setup = setup;
        Time = new ManualTimeProvider(start);
        Clock = new MonotonicClock(Time);
        Core = new BinanceFeedCore(setup.Specs);
        Venue = new ScriptedVenue(this);
        Parts = CoreComposition.Build(Core, setup, Clock, new InMemorySequenceReservation(),
            t => Transitions.Add(t), t => OrderTransitions.Add(t));
        Engine.AttachGateway(Venue);
        Engine.Start();
        Mid = StartMid;
    }

    public CoreSetup Setup { get; }
    public ManualTimeProvider Time { get; }
    public MonotonicClock Clock { get; }
    public BinanceFeedCore Core { get; }
    public CoreParts Parts { get; }
    public ScriptedVenue Venue { get; }
    public TradingEngine Engine => Parts.Engine;
    public RiskManager Risk => Parts.Risk;
    public ExecutionEngine Execution => Parts.Execution;
    public List<RiskTransition> Transitions { get; } = [];
    public List<OrderTransition> OrderTransitions { get; } = [];
    /// <summary>The mid in ticks the last frame left in the book.</summary>
    public long Mid { get; private set; }
    public long NowNs => Clock.NowNanos();
    public long WallNs => (Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    /// <summary>
    /// The demo setup (<see cref="DemoCore.Setup"/>) tuned by <paramref name="tune"/>, built through the
    /// composition, synced from a snapshot and run until both quotes rest at the venue.
    /// </summary>
    public static RiskRig Quoting(Func<CoreSetup, CoreSetup>? tune = null, DateTimeOffset? start = null)
    {
        var rig = Synced(tune, start);
        rig.Frames(30);
        Assert.True(rig.Venue.RestingCount(OrderSide.Buy) == 1 && rig.Venue.RestingCount(OrderSide.Sell) == 1,
            $"quoting both sides after warm-up: {rig.Venue.Describe()}, risk {rig.Risk.State} {rig.Risk.Reasons}, last refusal {rig.Execution.LastRiskDecision}");
        Assert.Equal(RiskState.Active, rig.Risk.State);
        return rig;
    }

    /// <summary>
    /// Built and synced (the book is live); the market maker quotes from the first live frame on, so with
    /// <paramref name="holdAnswers"/> the venue holds its answers from before that.
    /// </summary>
    public static RiskRig Synced(Func<CoreSetup, CoreSetup>? tune = null, DateTimeOffset? start = null, bool holdAnswers = false)
    {
        CoreSetup setup = DemoCore.Setup(Btc, 1, 1);
        setup = setup with
        {
            Strategies = [setup.Strategies[0].With("pullWithdrawal", "1")],
            // The synthetic market moves every 20 ms; the demo's market maker then changes both quotes
            // every 250 ms, 8 commands a second against the budget's 4 (50 − 10 per 10 s), and the budget
            // rule would throttle every test. Only the budget's own test keeps a small one.
            Limits = setup.Limits with { OrderBudget = 1_000 },
        };
        if (tune is not null)
            setup = tune(setup);
        var rig = new RiskRig(setup, start ?? new DateTimeOffset(2024, 8, 8, 12, 0, 0, TimeSpan.Zero));
        rig.Venue.Holding = holdAnswers;
        rig.Sync();
        return rig;
    }

    /// <summary>Setup tuning: the risk limits changed by <paramref name="change"/>.</summary>
    public static Func<CoreSetup, CoreSetup> Limits(Func<RiskLimits, RiskLimits> change) =>
        s => s with { Limits = change(s.Limits) };

    /// <summary>The feed connection drops: every book goes stale (as <c>BinanceMarketDataFeed</c> reports a disconnect).</summary>
    public void Disconnect()
    {
        lock (Core.CoreLock)
            Core.MarkAllStale(StaleReason.Disconnected, NowNs, WallNs);
    }

    /// <summary>Binance's sync procedure: a diff is buffered, a snapshot joins it, the book is live.</summary>
    public void Sync()
    {
        // Binance's procedure: a diff is buffered, then the snapshot joins it.
        Frame();
        long wall = WallNs;
        var sb = new StringBuilder(2048);
        sb.Append(CultureInfo.InvariantCulture, $"{{\"lastUpdateId\":{_updateId - 1},\"bids\":[");
        for (int k = 1; k <= Levels; k++)
            sb.Append(k > 1 ? "," : "").Append(CultureInfo.InvariantCulture, $"[\"{Px(Mid - k)}\",\"{Qx(LevelQty)}\"]");
        sb.Append("],\"asks\":[");
        for (int k = 1; k <= Levels; k++)
            sb.Append(k > 1 ? "," : "").Append(CultureInfo.InvariantCulture, $"[\"{Px(Mid + k)}\",\"{Qx(LevelQty)}\"]");
        sb.Append("]}");
        // The snapshot replaces the book; the buffered diff (same mid) adds nothing it lacks.
        _bids.Clear();
        _asks.Clear();
        for (int k = 1; k <= Levels; k++)
        {
            _bids.Add(Mid - k);
            _asks.Add(Mid + k);
        }
        lock (Core.CoreLock)
            Core.ApplySnapshot(0, 1000, Encoding.UTF8.GetBytes(sb.ToString()), NowNs, wall);
        Frame();
        Assert.True(Core.Books[0].IsLive, "the book is live after the snapshot");
    }

    /// <summary>
    /// 10 ms of virtual time (venue answers falling due are delivered), then one depth diff that leaves the
    /// mid at <paramref name="mid"/> ticks (unchanged when null). The frame's exchange time (E) is the wall
    /// clock minus <paramref name="lagNs"/>; it never goes backwards.
    /// </summary>
    public void Frame(long? mid = null, long lagNs = 0)
    {
        Advance(FrameNs);
        long wall = WallNs;
        long exchangeMs = Math.Max(_lastExchangeMs, (wall - lagNs) / 1_000_000);
        _lastExchangeMs = exchangeMs;
        long m = mid ?? Mid;
        var bids = new List<(long Tick, long Qty)>();
        var asks = new List<(long Tick, long Qty)>();
        // Delete what would cross or sit inside the new spread, and what drifted far away.
        foreach (long t in _bids.Where(t => t >= m || t < m - 100).ToList())
        {
            bids.Add((t, 0));
            _bids.Remove(t);
        }
        foreach (long t in _asks.Where(t => t <= m || t > m + 100).ToList())
        {
            asks.Add((t, 0));
            _asks.Remove(t);
        }
        for (int k = 1; k <= Levels; k++)
        {
            if (_bids.Add(m - k))
                bids.Add((m - k, LevelQty));
            if (_asks.Add(m + k))
                asks.Add((m + k, LevelQty));
        }
        Mid = m;
        _updateId++;
        var sb = new StringBuilder(1024);
        sb.Append(CultureInfo.InvariantCulture,
            $"{{\"stream\":\"btcusdt@depth@100ms\",\"data\":{{\"e\":\"depthUpdate\",\"E\":{exchangeMs},\"s\":\"BTCUSDT\",\"U\":{_updateId},\"u\":{_updateId},\"b\":[");
        Levels_(sb, bids);
        sb.Append("],\"a\":[");
        Levels_(sb, asks);
        sb.Append("]}}");
        lock (Core.CoreLock)
            Core.ApplyFrame(Encoding.UTF8.GetBytes(sb.ToString()), NowNs, wall, 1);

        static void Levels_(StringBuilder sb, List<(long Tick, long Qty)> levels)
        {
            for (int i = 0; i < levels.Count; i++)
                sb.Append(i > 0 ? "," : "").Append(CultureInfo.InvariantCulture, $"[\"{Px(levels[i].Tick)}\",\"{Qx(levels[i].Qty)}\"]");
        }
    }

    /// <summary><paramref name="count"/> frames, each moving the mid by <paramref name="step"/> ticks, with a timer tick every 100 ms.</summary>
    public void Frames(int count, long step = 0, long lagNs = 0)
    {
        for (int i = 0; i < count; i++)
        {
            Frame(Mid + step, lagNs);
            if (i % 10 == 9)
                Engine.OnTimer();
        }
    }

    /// <summary>
    /// A quiet market with some life: the mid steps two ticks up and back on alternate frames (ending where
    /// it started for an even count), so the market maker's target keeps moving past the reprice tolerance
    /// (it requotes only on a change) while the market goes nowhere. A timer tick every 100 ms.
    /// </summary>
    public void Wiggle(int count, long lagNs = 0)
    {
        long home = Mid;
        for (int i = 0; i < count; i++)
        {
            Frame(i % 2 == 0 ? home + 2 : home, lagNs);
            if (i % 10 == 9)
                Engine.OnTimer();
        }
    }

    /// <summary>Timer ticks every <paramref name="stepMs"/> for <paramref name="totalMs"/> of virtual time, no frames.</summary>
    public void Ticks(long totalMs, long stepMs = 100)
    {
        for (long t = 0; t < totalMs; t += stepMs)
            Tick(stepMs);
    }

    public void Tick(long ms = 100)
    {
        Advance(ms * 1_000_000);
        Engine.OnTimer();
    }

    /// <summary>Moves virtual time and delivers the venue answers that fell due.</summary>
    public void Advance(long ns)
    {
        Time.Advance(TimeSpan.FromTicks(ns / 100));
        Venue.DeliverDue();
    }

    /// <summary>Runs <paramref name="step"/> until <paramref name="done"/> holds, at most <paramref name="maxSteps"/> times (virtual time only).</summary>
    public void Until(Func<bool> done, Action step, int maxSteps, string what)
    {
        for (int i = 0; i < maxSteps && !done(); i++)
            step();
        Assert.True(done(), $"{what} after {maxSteps} steps: {Describe()}");
    }

    /// <summary>Sent commands of these kinds since index <paramref name="from"/> of <see cref="ScriptedVenue.Sent"/>.</summary>
    public List<OrderCommand> SentSince(int from, params CommandKind[] kinds) =>
        [.. Venue.Sent.Skip(from).Select(s => s.Command).Where(c => kinds.Length == 0 || kinds.Contains(c.Kind))];

    /// <summary>New orders (places and cancel-replaces) sent since index <paramref name="from"/>.</summary>
    public List<OrderCommand> NewOrdersSince(int from) => SentSince(from, CommandKind.Place, CommandKind.CancelReplace);

    public RiskTransition LastAccountTransition() => Transitions.Last(t => t.InstrumentId < 0 && !t.Illegal);

    public string Describe() =>
        $"risk {Risk.State} ({Risk.Reasons}), venue {Venue.Describe()}, last refusal {Execution.LastRiskDecision}, transitions [{string.Join("; ", Transitions)}]";

    private static string Px(long ticks) => FixedPoint.ToString(ticks * Btc.TickSize.Raw, Btc.PriceDecimals);
    private static string Qx(long raw) => FixedPoint.ToString(raw, Btc.QtyDecimals);
}

/// <summary>
/// The gateway double: records every command and answers it as a venue would (acks places, confirms
/// cancels, applies cancel-replaces and amends, answers queries from its own book), at once, after a
/// delay on virtual time, or not until released. Answers enter the core through <see cref="IReportSink"/>.
/// </summary>
internal sealed class ScriptedVenue(RiskRig rig) : IOrderEntry
{
    public bool IsReady => true;
    public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;

    public readonly record struct SentCommand(OrderCommand Command, long AtNs);
    public readonly record struct RestingOrder(OrderSide Side, Price Price, Qty Qty, long VenueOrderId);

    private readonly Dictionary<ClientOrderId, RestingOrder> _resting = [];
    private readonly HashSet<ClientOrderId> _gone = [];
    private readonly List<(long DueNs, long Order, Action Deliver)> _pending = [];
    private long _venueIds = 1, _tradeIds = 1, _order;

    public List<SentCommand> Sent { get; } = [];

    /// <summary>Answers go out this long after the command (0: at once, from inside Send).</summary>
    public long AnswerDelayNs { get; set; }
    /// <summary>When set, the delay of each command's answer (overrides <see cref="AnswerDelayNs"/>).</summary>
    public Func<OrderCommand, long>? DelayOf { get; set; }
    /// <summary>While set, answers are kept until <see cref="Release"/>: the venue has stopped answering.</summary>
    public bool Holding { get; set; }
    /// <summary>When set, new orders are accepted but answered "status unknown" with this cause (a 5xx or a timeout).</summary>
    public UnknownCause? NewOrderOutcome { get; set; }

    private TradingEngine Engine => rig.Engine;

    public void Send(in OrderCommand command)
    {
        OrderCommand c = command;
        Sent.Add(new SentCommand(c, rig.NowNs));
        Action answer = c.Kind switch
        {
            CommandKind.Place or CommandKind.CancelReplace => () => NewOrder(c),
            CommandKind.Cancel => () => Cancel(c.InstrumentId, c.OrigClientOrderId),
            CommandKind.AmendQty => () =>
            {
                if (!_resting.Remove(c.OrigClientOrderId, out RestingOrder o))
                    return;
                _resting[c.ClientOrderId] = o with { Qty = c.Qty };
                Engine.OnAmended(new AmendedReport(c.InstrumentId, c.OrigClientOrderId, c.ClientOrderId, c.Qty, rig.WallNs));
            },
            CommandKind.Query => () =>
            {
                VenueOrderStatus status = _resting.TryGetValue(c.OrigClientOrderId, out RestingOrder r) ? VenueOrderStatus.New
                    : _gone.Contains(c.OrigClientOrderId) ? VenueOrderStatus.Canceled : VenueOrderStatus.NotFound;
                Engine.OnOrderStatus(new OrderStatusReport(c.InstrumentId, c.OrigClientOrderId, status, r.VenueOrderId, Qty.Zero, rig.WallNs));
            },
            _ => () => { },
        };
        long delay = DelayOf?.Invoke(c) ?? AnswerDelayNs;
        if (delay == 0 && !Holding)
            answer();
        else
            _pending.Add((Holding ? long.MaxValue : rig.NowNs + delay, _order++, answer));
    }

    private void NewOrder(in OrderCommand c)
    {
        // With an unknown outcome the venue still acted (a 5xx does not mean refused); only the answer is lost.
        bool answered = NewOrderOutcome is null;
        if (c.Kind == CommandKind.CancelReplace)
            Cancel(c.InstrumentId, c.OrigClientOrderId, answered);
        ClientOrderId id = c.Kind == CommandKind.Place ? c.ClientOrderId : c.NewClientOrderId;
        long venueId = _venueIds++;
        _resting[id] = new RestingOrder(c.Side, c.Price, c.Qty, venueId);
        if (NewOrderOutcome is UnknownCause cause)
        {
            UnknownReports++;
            // As the Binance gateway names it: a place by its own id, a cancel-replace by the order it replaces.
            ClientOrderId target = c.Kind == CommandKind.Place ? c.ClientOrderId : c.OrigClientOrderId;
            Engine.OnStatusUnknown(new StatusUnknownReport(c.InstrumentId, target, c.Kind, cause, rig.WallNs));
        }
        else
        {
            Engine.OnAck(new AckReport(c.InstrumentId, id, venueId, rig.WallNs));
        }
    }

    private void Cancel(int instrumentId, ClientOrderId id, bool answered = true)
    {
        if (!_resting.Remove(id))
            return; // filled or never arrived: the venue would reject; not needed by these tests
        _gone.Add(id);
        if (answered)
            Engine.OnCanceled(new CanceledReport(instrumentId, id, rig.WallNs));
    }

    /// <summary>Delivers the answers that are due (never while holding).</summary>
    public void DeliverDue()
    {
        while (true)
        {
            int best = -1;
            for (int i = 0; i < _pending.Count; i++)
                if (_pending[i].DueNs <= rig.NowNs && (best < 0 || _pending[i].Order < _pending[best].Order))
                    best = i;
            if (best < 0)
                return;
            Action deliver = _pending[best].Deliver;
            _pending.RemoveAt(best);
            deliver();
        }
    }

    /// <summary>Stops holding and delivers every answer kept meanwhile, in order.</summary>
    public void Release()
    {
        Holding = false;
        for (int i = 0; i < _pending.Count; i++)
            if (_pending[i].DueNs == long.MaxValue)
                _pending[i] = _pending[i] with { DueNs = rig.NowNs };
        DeliverDue();
    }

    public int PendingAnswers => _pending.Count;
    /// <summary>"Status unknown" answers given so far (see <see cref="NewOrderOutcome"/>).</summary>
    public int UnknownReports { get; private set; }

    public int RestingCount(OrderSide side) => _resting.Values.Count(o => o.Side == side);
    public int RestingCount() => _resting.Count;
    public IReadOnlyDictionary<ClientOrderId, RestingOrder> Resting => _resting;

    /// <summary>Fills our resting order on <paramref name="side"/> (all of it by default) at its price, as the venue's stream reports it.</summary>
    public FillReport Fill(OrderSide side, long? qtyRaw = null)
    {
        var (id, o) = _resting.Single(kv => kv.Value.Side == side);
        Qty qty = new(qtyRaw ?? o.Qty.Raw);
        if (qty.Raw >= o.Qty.Raw)
        {
            _resting.Remove(id);
            _gone.Add(id);
        }
        else
        {
            _resting[id] = o with { Qty = new Qty(o.Qty.Raw - qty.Raw) };
        }
        var fill = new FillReport(0, id, o.VenueOrderId, _tradeIds++, side, o.Price, qty, qty, 0, Qty.Zero, true, rig.WallNs);
        Engine.OnFill(fill);
        return fill;
    }

    /// <summary>
    /// A fill of an order an earlier run of this node placed (epoch 0; ours is 1): real money, so it moves
    /// the position, but no order of this run matches it and no pre-trade check ever saw it.
    /// </summary>
    public void FillFromEarlierEpoch(OrderSide side, long priceTicks, long qtyRaw)
    {
        var id = new ClientOrderId(1, 0, 77);
        Engine.OnFill(new FillReport(0, id, 9_999, _tradeIds++, side, new Price(priceTicks * RiskRig.Btc.TickSize.Raw), new Qty(qtyRaw),
            new Qty(qtyRaw), 0, Qty.Zero, false, rig.WallNs));
    }

    public string Describe() =>
        $"{_resting.Count} resting [{string.Join(", ", _resting.Values.Select(o => $"{o.Side} {o.Qty.Raw}@{o.Price.Raw / RiskRig.Btc.TickSize.Raw}"))}], " +
        $"{Sent.Count} sent, {_pending.Count} answers pending";

    public void CancelAll(int instrumentId, ClientOrderId cancelId) => _resting.Clear();
}
