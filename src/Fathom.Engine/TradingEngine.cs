using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Fathom.Book;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Strategy.Abstractions;
using static Fathom.Journal.JournalReportKind;

namespace Fathom.Engine;

/// <summary>
/// The core: books → signals → strategy → execution → risk → commands, one input at a time under one
/// lock (the market-data feed's), so a frame's consequences reach the gateway before the receiving
/// thread goes back to its socket.
/// </summary>
/// <remarks>
/// Entry points: <see cref="OnMarketDataApplied"/> (after each frame the feed applied, under the lock),
/// <see cref="IReportSink"/> (gateway reports and venue health), <see cref="OnTimer"/>, operator inputs
/// (<see cref="Halt"/>, <see cref="Resume"/>, ...), <see cref="StartNewDay"/> and <see cref="ReportFault"/>.
/// <para>One door: a thread other than the core never waits for the core lock while it holds a lock of
/// its own. Reports and faults from other threads are appended to a lock-free input ring and the caller
/// returns; the ring is drained by whichever thread holds the core lock at the end of its input, by
/// the calling thread when the lock is free (<c>TryEnter</c>, never a wait), or by a thread-pool pump
/// that holds nothing else. A report the gateway delivers on the core thread from inside <c>Send</c> (a
/// local reject) is queued and processed as its own input right after the current one.</para>
/// <para>Strategies: the engine hosts several instances side by side, each with its own
/// <see cref="IStrategyContext"/> (its timers, intents and view of orders), and each instrument is
/// traded by at most one of them (<see cref="IStrategy.InstrumentIds"/>). An instrument's market data,
/// fills and order updates reach its owner only; start and stop reach every instance; a timer fires
/// on the instance that scheduled it.</para>
/// <para>Faults halt, visibly: a store that fails, an id block that cannot be reserved, an exception
/// in the timer loop or in a core input halts risk (cancels only) with <see cref="HaltReason"/> set,
/// which the dashboard, <c>/health</c> and the log show. A strategy exception halts that instance
/// only: its instruments' orders are cancelled and it is called no more, while the others trade on
/// (<see cref="StrategyHalted"/>, <see cref="StrategyError"/>).</para>
/// <para>Determinism: every input reads the clock once (a frame uses its socket-read stamp), the
/// strategy sees that same time, and with a <see cref="Journal"/> attached each input is appended
/// with that time before it is applied (market data by the feed core), and each command after it is
/// produced, so the journal's order is the order of processing. <see cref="Replay"/> feeds journaled
/// inputs back in.</para>
/// </remarks>
public sealed class TradingEngine : IReportSink
{
    private readonly Lock _lock;
    private readonly IReadOnlyList<BookSync> _books;
    private readonly ExecutionEngine _execution;
    // One context per strategy instance, in the order given; _ownerOf[i] is instrument i's, or null.
    private readonly StrategyHost[] _hosts;
    private readonly StrategyHost?[] _ownerOf;
    // Reads only (owns nothing): what the engine exposes as Context.
    private readonly StrategyHost _readContext;
    private readonly Func<int, SignalView> _signals;
    // The signal view computed for the input being processed (instrument -1: none), reused by the
    // strategies' Signals(i) in the same input.
    private SignalView _inputSignals;
    private int _inputSignalsInstrument = -1;
    private int _strategiesHalted;
    private readonly MonotonicClock _clock;
    private readonly long[] _lastUpdateId;
    private readonly bool[] _lastLive;
    private readonly long[] _lastTopBid;
    private readonly long[] _lastTopAsk;
    private readonly long[] _lastLagSamples;
    private IOrderEntry? _gateway;
    // Invariant: moved only by MoveOperator, through EngineOperatorStateMachine's table.
    private EngineOperatorState _operatorState;
    // Time of the input being processed; never goes backwards (a frame's read stamp can predate the last input's).
    private long _lastNow;
    private bool _inInput;
    private bool _draining;
    // Inputs from other threads (bounded, lock-free, allocation-free) and inputs raised on the core thread
    // during an input (local rejects, halts), processed after it.
    private readonly MpscRing<PendingInput> _inbox;
    // Inputs that found the ring full while the core lock was taken: the producer may hold a lock of its
    // own that the core is about to ask for, so it must not wait for room. Created on first use.
    private ConcurrentQueue<PendingInput>? _overflow;
    private long _inboxOverflows;
    private readonly Queue<PendingInput> _local = new(64);
    private readonly InboxPump _pump;
    private int _pumpScheduled;
    // Order state changes seen during the input, for the strategy's OnOrderUpdate.
    private readonly List<OrderView> _orderUpdates = new(256);

    /// <summary>Inputs the ring holds by default; a producer finding it full helps drain it or waits for the core.</summary>
    public const int InboxCapacity = 4096;

    /// <summary>Inputs this engine's ring holds (<see cref="InboxCapacity"/> unless the composition chose another).</summary>
    public int InboxSize => _inbox.Capacity;

    /// <summary>An engine trading one strategy (on the instruments it declares).</summary>
    public TradingEngine(Lock coreLock, IReadOnlyList<InstrumentSpec> instruments, IReadOnlyList<BookSync> books,
        ExecutionEngine execution, IStrategy strategy, MonotonicClock clock, Func<int, SignalView>? signals = null)
        : this(coreLock, instruments, books, execution, [strategy], clock, signals)
    {
    }

    /// <summary>
    /// An engine trading several strategy instances side by side, each on the instruments it declares
    /// in <see cref="IStrategy.InstrumentIds"/>; instruments no instance claims are still tracked (books,
    /// risk) but not traded.
    /// </summary>
    /// <exception cref="ArgumentException">Two instances claim the same instrument, one claims an
    /// instrument the engine does not have, or the same instance is given twice.</exception>
    public TradingEngine(Lock coreLock, IReadOnlyList<InstrumentSpec> instruments, IReadOnlyList<BookSync> books,
        ExecutionEngine execution, IReadOnlyList<IStrategy> strategies, MonotonicClock clock, Func<int, SignalView>? signals = null,
        int inboxCapacity = InboxCapacity, bool measureLatency = true)
    {
        Latency = new EngineLatency(measureLatency);
        ArgumentNullException.ThrowIfNull(strategies);
        // The ring's slots are written now (their sequence numbers), so its pages are mapped before the first input.
        _inbox = new MpscRing<PendingInput>(inboxCapacity);
        _lock = coreLock;
        _books = books;
        _execution = execution;
        // Each command goes to the journal and the gateway as execution queues it, before execution records the
        // state change it makes (FlushCommands sends whatever was queued without one).
        execution.Commands.HandOff = new CommandHandOff(this);
        _clock = clock;
        _signals = signals ?? BookSignals;
        // One delegate for every host, made once: Signals(i) reuses the view computed for this input.
        Func<int, SignalView> inputSignals = InputSignals;
        _hosts = new StrategyHost[strategies.Count];
        _ownerOf = new StrategyHost?[books.Count];
        for (int s = 0; s < strategies.Count; s++)
        {
            IStrategy strategy = strategies[s] ?? throw new ArgumentException($"strategy {s} is null", nameof(strategies));
            for (int other = 0; other < s; other++)
                if (ReferenceEquals(_hosts[other].Strategy, strategy))
                    throw new ArgumentException($"strategy '{strategy.Name}' is given twice: each instance needs its own state", nameof(strategies));
            var host = new StrategyHost(strategy, instruments, books, execution, inputSignals);
            for (int i = 0; i < books.Count; i++)
            {
                if (!host.Owns(i))
                    continue;
                if (_ownerOf[i] is { } owner)
                    throw new ArgumentException(
                        $"instrument {i} is claimed by both '{owner.Strategy!.Name}' and '{strategy.Name}': each instrument is traded by one strategy",
                        nameof(strategies));
                _ownerOf[i] = host;
            }
            _hosts[s] = host;
        }
        _readContext = new StrategyHost(null, instruments, books, execution, inputSignals);
        _lastUpdateId = new long[books.Count];
        _lastLive = new bool[books.Count];
        _lastTopBid = new long[books.Count];
        _lastTopAsk = new long[books.Count];
        _lastLagSamples = new long[books.Count];
        _pump = new InboxPump(this);
    }

    /// <summary>The core's latency histograms (see <see cref="EngineLatency.Measured"/>: nothing is recorded on a virtual clock).</summary>
    public EngineLatency Latency { get; }
    public ExecutionEngine Execution => _execution;
    /// <summary>A read-only view of books, signals and positions (it owns no instrument: it cannot submit).</summary>
    public IStrategyContext Context => _readContext;

    /// <summary>
    /// True once any strategy instance has halted on an exception (the others trade on). When every instance
    /// has halted, the operator state takes its strategy-fault edge (<see cref="OperatorState"/>; cleared only by a restart).
    /// </summary>
    public bool StrategyHalted => _strategiesHalted > 0;

    /// <summary>Why: each halted instance's name, instruments and exception, in the order they halted; or null.</summary>
    public string? StrategyError { get; private set; }

    /// <summary>Started, paused, flattening, strategy faulted: the operator state, moved only through <see cref="EngineOperatorStateMachine"/>.</summary>
    public EngineOperatorState OperatorState => _operatorState;

    /// <summary>Operator-state edges the table refused (the state stayed). None is reachable by design: a non-zero count is a bug.</summary>
    public long IllegalOperatorTransitions { get; private set; }

    private bool Started => EngineOperatorStateMachine.IsStarted(_operatorState);

    private void MoveOperator(EngineOperatorTrigger trigger)
    {
        if (EngineOperatorStateMachine.TryNext(_operatorState, trigger, out EngineOperatorState next))
            _operatorState = next;
        else
            IllegalOperatorTransitions++;
    }
    public long CommandsSent { get; private set; }
    public long CommandsWithoutGateway { get; private set; }
    public long Fills { get; private set; }

    /// <summary>
    /// Why trading is halted by a fault (store, id reservation, timer, core), or null. Cleared by an
    /// operator <see cref="Resume"/>; a fault that persists halts again at its next occurrence.
    /// </summary>
    public string? HaltReason { get; private set; }

    /// <summary>Faults that halted trading since start (each also sent to <see cref="FaultObserver"/>).</summary>
    public long FaultHalts { get; private set; }

    /// <summary>
    /// Told each fault that halts trading, with its reason (for the log and the dashboard). Called on the
    /// core thread under the core lock: it must only record (take no lock held while calling out).
    /// </summary>
    public Action<string>? FaultObserver { get; set; }

    /// <summary>
    /// The durable store fills and order state changes are written to (off the core thread). When it
    /// refuses a record (queue full) or its writer starts failing (its <c>FaultObserver</c>, installed
    /// here) trading halts with the reason: nothing is dropped silently.
    /// </summary>
    public ITradeStore? Store
    {
        get => _store;
        set
        {
            _store = value;
            if (value is not null)
                value.FaultObserver = reason =>
                {
                    if (StoreFaultLosesLease)
                    {
                        LeaseLostReason ??= "trade store: " + reason;
                        LoseLease();
                    }
                    else
                        ReportFault(EngineFault.Store, reason);
                };
        }
    }
    private ITradeStore? _store;

    /// <summary>
    /// Several instances on one PostgreSQL database: a failing store means the database is in doubt, and so is
    /// the lease kept there. The instance then loses its lease (stops sending, cancels everything, steps down)
    /// instead of halting until an operator resumes; it comes back through a fresh lease and the restart
    /// reconciliation, which fetches from the venue any fill the store missed.
    /// </summary>
    public bool StoreFaultLosesLease { get; set; }

    /// <summary>Why the lease was lost when the engine itself saw it (a failing store); the host's keeper knows the rest.</summary>
    public string? LeaseLostReason { get; set; }
    public long StoreRefusals { get; private set; }
    private bool _storeHaltQueued;

    /// <summary>Where every input and command is journaled (see <see cref="CoreJournal"/>); attach before <see cref="Start"/>.
    /// Share it with the feed core, which journals market data.</summary>
    public CoreJournal? Journal { get; set; }

    /// <summary>Where commands go. Until it is set (or while it is not ready) commands are counted and dropped, so the engine can warm up without sending.</summary>
    public void AttachGateway(IOrderEntry gateway) { lock (_lock) _gateway = gateway; }

    /// <summary>Starts the strategy (under the lock).</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (Started)
                return;
            MoveOperator(EngineOperatorTrigger.Start); // before the journaled start is queued: a second Start() returns here
            Operator(JournalOperatorKind.Start, 0);
        }
    }

    /// <summary>Called by the feed under the core lock after a frame was applied; <paramref name="readStampNs"/> is the socket-read stamp.</summary>
    public void OnMarketDataApplied(long readStampNs)
    {
        if (!Started)
        {
            DrainQueued();
            return;
        }
        long now = BeginInput(readStampNs);
        long sentStampNs = 0;
        try
        {
            _triggerStampNs = readStampNs > 0 ? readStampNs : 0;
            OnMarketData(now);
            sentStampNs = Flush(now, readStampNs);
            AfterFrame?.Invoke();
        }
        catch (Exception ex) when (IsCoreFault(ex))
        {
            CoreFault(ex, "market data", now);
        }
        finally
        {
            _triggerStampNs = 0;
            EndInput();
        }
        // The core's work ends after the last command went out (execution records the state changes after the
        // hand-off), so this is a clock read of its own, after the tick-to-order stamp.
        if (Latency.Measured)
            EngineLatency.Record(Latency.CoreCost, _clock.NowNanos() - readStampNs);
        if (sentStampNs == 0 && RehearsesDecisions)
            Rehearse(now);
    }

    /// <summary>
    /// Work no decision waits for, run in every market-data input after its commands went out (and its tick-to-order
    /// stamp), under the core lock, as part of the input (a fault in it halts like any core fault). The composition
    /// settles the analyzers here (<see cref="SignalViewCache.Settle"/>: the size window's insert of the last diff's
    /// level sizes), which would otherwise run in the next diff, between it and its decision. Nothing it does may
    /// change what a strategy reads.
    /// </summary>
    public Action? AfterFrame { get; set; }

    /// <summary>
    /// Rehearse the decision and send path after every market-data input that sent nothing (a live core; the
    /// composition sets it where latency is measured): one instrument per input, round robin, execution builds the
    /// requote its standing target would produce (<see cref="ExecutionEngine.Rehearse"/>: quote arithmetic, the risk
    /// decision, the order table's next slot) and the gateway encodes it without sending
    /// (<see cref="IOrderEntry.Rehearse"/>). Nothing changes state; the ~1.5 % of frames that do send find that path
    /// in cache instead of paying a miss on every line of it. Costs the core a few hundred ns per quiet input, after
    /// the input's work and its latency stamps.
    /// </summary>
    public bool RehearsesDecisions { get; set; }

    /// <summary>Rehearsals run (<see cref="RehearsesDecisions"/>).</summary>
    public long Rehearsals { get; private set; }

    private int _rehearseNext;

    private void Rehearse(long now)
    {
        IOrderEntry? gateway = _gateway;
        if (gateway is null || _books.Count == 0)
            return;
        int i = _rehearseNext;
        _rehearseNext = i + 1 == _books.Count ? 0 : i + 1;
        if (_ownerOf[i] is null || !EngineOperatorStateMachine.CallsStrategy(_operatorState))
            return;
        try
        {
            ref readonly OrderCommand command = ref _execution.Rehearse(i, now);
            if (Unsafe.IsNullRef(in command))
                return;
            if (Journal is not null)
            {
                Span<byte> scratch = stackalloc byte[JournalCodec.MaxSize];
                JournalCodec.Encode(command, scratch);
            }
            gateway.Rehearse(command);
            Rehearsals++;
        }
        catch (Exception ex) when (IsCoreFault(ex))
        {
            // The real path runs the same code: a rehearsal that throws is a fault of the core, halted like one.
            CoreFault(ex, "decision rehearsal", now);
        }
    }

    private void OnMarketData(long now)
    {
        RiskManager risk = _execution.Risk;
        for (int i = 0; i < _books.Count; i++)
        {
            BookSync sync = _books[i];
            // Feed lag: every diff's (receive − exchange time), over the rolling baseline (risk's FeedLag rule).
            FeedLag lag = sync.FeedLag;
            if (lag.Samples != _lastLagSamples[i])
            {
                _lastLagSamples[i] = lag.Samples;
                risk.OnFeedLag(lag.ApparentNanos, now);
            }
            EffectiveTop top = sync.Top;
            bool live = sync.IsLive;
            if (sync.Book.UpdateId == _lastUpdateId[i] && live == _lastLive[i] && top.BidTick == _lastTopBid[i] && top.AskTick == _lastTopAsk[i])
                continue;
            _lastUpdateId[i] = sync.Book.UpdateId;
            _lastLive[i] = live;
            _lastTopBid[i] = top.BidTick;
            _lastTopAsk[i] = top.AskTick;
            // The view is kept for this input, so the strategy's own Signals(i) below does not compute it again.
            SignalView signals = ComputeSignalsForInput(i);
            // Volatility from the analyzer drives risk's widen / pause gate before execution sees the book.
            risk.OnVolatility(i, signals.Volatility, now);
            _execution.OnBook(i, sync.Book.View, live, now);
            // Walls the analyzer flags are spoof-like candidates: execution will not join them.
            _execution.SetAvoidLevels(i,
                signals.BidWallTick > 0 ? sync.Book.PriceOf(signals.BidWallTick) : Price.Zero,
                signals.AskWallTick > 0 ? sync.Book.PriceOf(signals.AskWallTick) : Price.Zero);
            if (_ownerOf[i] is { } owner)
                Guard(owner, i, static (s, h, instrument) => s.OnMarketData(h, instrument));
        }
    }

    /// <summary>Periodic: risk evaluation and kill switches, gating cancels, unknown-order queries, strategy timers.</summary>
    public void OnTimer()
    {
        lock (_lock)
        {
            if (_inInput || _draining)
                return; // the timer thread never nests; a replay calls this from outside any input
            long now = BeginInput(_clock.NowNanos());
            try
            {
                Journal?.Timer(now);
                _execution.OnTimer(now);
                // Each instance's timers fire on that instance only: timer ids are per instance.
                foreach (StrategyHost host in _hosts)
                {
                    int timer;
                    while (!host.Halted && (timer = host.TakeDueTimer(now)) >= 0)
                        Guard(host, timer, static (s, h, id) => s.OnTimer(h, id));
                }
                Flush(now, -1);
            }
            catch (Exception ex) when (IsCoreFault(ex))
            {
                CoreFault(ex, "timer", now);
            }
            finally
            {
                EndInput();
            }
        }
    }

    /// <summary>True while an operator has paused the strategy (or is flattening): no callbacks, no quotes (orders were cancelled). A view of <see cref="OperatorState"/>.</summary>
    public bool Paused => EngineOperatorStateMachine.IsPaused(_operatorState);

    /// <summary>Operator: stop calling the strategy and cancel its orders; <see cref="Resume"/> undoes it. An operator input like any other.</summary>
    public void Pause() => Operator(JournalOperatorKind.Pause, 0);

    /// <summary>Operator: let the strategy trade again (and lift an operator or fault halt).</summary>
    public void Resume() => Operator(JournalOperatorKind.Resume, 0);

    /// <summary>Operator: halt (risk goes Halted: cancels only) until <see cref="Resume"/>.</summary>
    public void Halt() => Operator(JournalOperatorKind.Halt, 0);

    /// <summary>
    /// Operator: pause the strategy and trade the position back to flat, never paying more than
    /// <paramref name="slippageTicks"/> book ticks through the touch.
    /// </summary>
    public void Flatten(long slippageTicks = 5) => Operator(JournalOperatorKind.Flatten, slippageTicks);

    /// <summary>A new trading day: drawdown is measured from here (the host sends it at the configured day start).</summary>
    public void StartNewDay(long dayIndex) => Operator(JournalOperatorKind.NewDay, dayIndex);

    /// <summary>
    /// A fault outside the core (store, id reservation, timer loop, a background task): trading halts
    /// with <paramref name="reason"/> until an operator resumes. Safe from any thread; never waits for
    /// the core lock.
    /// </summary>
    public void ReportFault(EngineFault source, string reason)
    {
        var input = new PendingInput { Type = InputType.Operator, Operator = JournalOperatorKind.FaultHalt, Argument = (long)source, Text = reason };
        Enqueue(input);
    }

    // ---- the lease and the other instances (the host's lease keeper, on its own thread)

    /// <summary>Packs an instrument and a non-negative raw amount (below 2^48) into one journaled argument.</summary>
    private const long AmountMask = (1L << 48) - 1;

    /// <summary>
    /// The lease was renewed: new orders may go until <paramref name="deadlineNs"/> (monotonic, the renewal's
    /// send time + TTL − margin); see <see cref="ExecutionEngine.SetSendDeadline"/>. Safe from any thread;
    /// never waits for the core lock.
    /// </summary>
    public void ExtendLease(long deadlineNs) =>
        Enqueue(new PendingInput { Type = InputType.Operator, Operator = JournalOperatorKind.LeaseDeadline, Argument = deadlineNs });

    /// <summary>The lease is lost: every order is cancelled, only cancels go out from now on. Safe from any thread; never waits.</summary>
    public void LoseLease() =>
        Enqueue(new PendingInput { Type = InputType.Operator, Operator = JournalOperatorKind.LeaseLost });

    /// <summary>
    /// This instance's share of the account-wide position limit on <paramref name="instrumentId"/>
    /// (<see cref="RiskManager.SetPositionQuota"/>; <see cref="long.MaxValue"/>: none). Waits for the core
    /// lock and returns once it is in force (a share is given back to the other instances only after), so
    /// the caller must hold no lock.
    /// </summary>
    public void SetPositionQuota(int instrumentId, long qtyRaw)
    {
        if ((uint)instrumentId >= (uint)_books.Count || instrumentId > ushort.MaxValue)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(instrumentId), "Unknown instrument id.");
        // long.MaxValue is "none"; anything else is capped just below the packing's limit (about 2.8 million units at
        // 8 decimals), so a huge quota is enforced as a slightly smaller one, never silently lifted.
        long amount = qtyRaw == long.MaxValue ? AmountMask : Math.Clamp(qtyRaw, 0, AmountMask - 1);
        Operator(JournalOperatorKind.PositionQuota, ((long)instrumentId << 48) | amount);
    }

    /// <summary>This instance's share of the account's order budget (<see cref="RiskManager.SetOrderBudgetQuota"/>; negative: none). Waits like <see cref="SetPositionQuota"/>.</summary>
    public void SetOrderBudgetQuota(int orders) => Operator(JournalOperatorKind.OrderBudgetQuota, orders);

    /// <summary>The other instances' best resting bid and ask on <paramref name="instrumentId"/> (zero: none). Safe from any thread; never waits.</summary>
    public void SetPeerQuotes(int instrumentId, Price bid, Price ask)
    {
        if ((uint)instrumentId >= (uint)_books.Count || instrumentId > ushort.MaxValue)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(instrumentId), "Unknown instrument id.");
        Enqueue(new PendingInput { Type = InputType.Operator, Operator = JournalOperatorKind.PeerBid, Argument = ((long)instrumentId << 48) | Math.Clamp(bid.Raw, 0, AmountMask) });
        Enqueue(new PendingInput { Type = InputType.Operator, Operator = JournalOperatorKind.PeerAsk, Argument = ((long)instrumentId << 48) | Math.Clamp(ask.Raw, 0, AmountMask) });
    }

    /// <summary>True from <see cref="Flatten"/> until every position is flat (or <see cref="Resume"/>). A view of <see cref="OperatorState"/>.</summary>
    public bool Flattening => EngineOperatorStateMachine.IsFlattening(_operatorState);
    private long _flattenSlippageTicks;
    private readonly OrderView[] _liveScratch = new OrderView[64];

    // Flattening is re-applied after every input: the take can only go once our own resting orders
    // are gone (risk refuses an order that would trade with one of ours), and a partial IOC leaves a rest.
    private void ContinueFlatten(long nowNs)
    {
        bool allFlat = true;
        for (int i = 0; i < _books.Count; i++)
        {
            long position = _execution.Position(i).Position.Raw;
            if (position == 0)
                continue;
            allFlat = false;
            OrderBook book = _books[i].Book;
            if (!book.IsTwoSided || _execution.LiveOrders(i, _liveScratch) > 0)
                continue; // wait for cancels (and any working take) to finish
            Price limit = position > 0
                ? book.PriceOf(book.BestBidTick - _flattenSlippageTicks)
                : book.PriceOf(book.BestAskTick + _flattenSlippageTicks);
            _execution.Submit(Intent.TargetPosition(i, Qty.Zero, limit), nowNs);
        }
        if (allFlat)
            MoveOperator(EngineOperatorTrigger.FlattenDone);
    }

    /// <summary>Stops quoting: the strategy's OnStop, then cancel everything on every instrument.</summary>
    public void Stop() => Operator(JournalOperatorKind.Stop, 0);

    /// <summary>
    /// One operator input: journaled, applied, flushed before this returns (an operator who asked for a
    /// halt sees it in force). The calling thread waits for the core lock, so it must hold no lock of its
    /// own (the control server, a key handler, the host); on the core thread it is queued behind the
    /// current input.
    /// </summary>
    private void Operator(JournalOperatorKind command, long argument)
    {
        var input = new PendingInput { Type = InputType.Operator, Operator = command, Argument = argument };
        lock (_lock)
            Enqueue(input);
    }

    private void OperatorInput(JournalOperatorKind command, long argument, string? text)
    {
        long now = BeginInput(_clock.NowNanos());
        try
        {
            Journal?.Operator(now, (int)command, argument);
            ApplyOperator(command, argument, text, now);
            Flush(now, -1);
        }
        catch (Exception ex) when (IsCoreFault(ex))
        {
            CoreFault(ex, $"operator {command}", now);
        }
        finally
        {
            EndInput();
        }
    }

    private void ApplyOperator(JournalOperatorKind command, long argument, string? text, long now)
    {
        switch (command)
        {
            case JournalOperatorKind.Start:
                MoveOperator(EngineOperatorTrigger.Start);
                _execution.Risk.FeedStarted(now); // after an adoption: the books' stale-book grace runs from here
                foreach (StrategyHost host in _hosts)
                    Guard(host, 0, static (s, h, _) => s.OnStart(h));
                break;
            case JournalOperatorKind.Stop:
                // Before the Stop edge: a throwing OnStop halts that strategy first.
                foreach (StrategyHost host in _hosts)
                    Guard(host, 0, static (s, h, _) => s.OnStop(h));
                for (int i = 0; i < _books.Count; i++)
                    _execution.Submit(Intent.CancelAll(i), now);
                MoveOperator(EngineOperatorTrigger.Stop);
                break;
            case JournalOperatorKind.Pause:
                MoveOperator(EngineOperatorTrigger.Pause);
                // Orders cancelled, quoting held; the strategies' quote targets stand for the resume.
                for (int i = 0; i < _books.Count; i++)
                    _execution.Hold(i, now);
                break;
            case JournalOperatorKind.Resume:
                MoveOperator(EngineOperatorTrigger.Resume);
                HaltReason = null;
                _storeHaltQueued = false;
                _execution.Risk.OperatorResume(now);
                PersistHalt(new RiskHaltRecord(false, null, now));
                for (int i = 0; i < _books.Count; i++)
                    _execution.Release(i, now);
                break;
            case JournalOperatorKind.Halt:
                _execution.Risk.OperatorHalt(now);
                PersistHalt(new RiskHaltRecord(true, OperatorHaltReason, now));
                _execution.OnTimer(now); // risk's halt cancels resting orders
                break;
            case JournalOperatorKind.StoreRefusedHalt: // journals written before FaultHalt existed
                HaltWithReason("trade store: refused a record (replayed)", now);
                break;
            case JournalOperatorKind.FaultHalt:
                HaltWithReason($"{Describe((EngineFault)argument)}: {text ?? "fault (replayed)"}", now);
                break;
            case JournalOperatorKind.NewDay:
                _execution.Risk.StartNewDay(now);
                DayIndex = argument;
                PersistDay(now);
                _execution.OnTimer(now);
                break;
            case JournalOperatorKind.LeaseDeadline:
                _execution.SetSendDeadline(argument, now);
                break;
            case JournalOperatorKind.LeaseLost:
                _execution.LoseLease(now);
                break;
            case JournalOperatorKind.PositionQuota:
            {
                long amount = argument & AmountMask;
                _execution.Risk.SetPositionQuota((int)(argument >>> 48), amount == AmountMask ? long.MaxValue : amount);
                break;
            }
            case JournalOperatorKind.OrderBudgetQuota:
                _execution.Risk.SetOrderBudgetQuota(argument < 0 ? int.MaxValue : (int)Math.Min(argument, int.MaxValue));
                break;
            case JournalOperatorKind.PeerBid:
            case JournalOperatorKind.PeerAsk:
            {
                int i = (int)(argument >>> 48);
                (Price bid, Price ask) = _execution.PeerQuotes(i);
                Price price = new(argument & AmountMask);
                if (command == JournalOperatorKind.PeerBid)
                    _execution.SetPeerQuotes(i, price, ask);
                else
                    _execution.SetPeerQuotes(i, bid, price);
                break;
            }
            case JournalOperatorKind.Flatten:
                MoveOperator(EngineOperatorTrigger.Flatten);
                _flattenSlippageTicks = argument;
                for (int i = 0; i < _books.Count; i++)
                    _execution.Hold(i, now);
                break;
            default:
                ThrowHelper.ThrowInvalidOperation($"unknown operator command {(int)command}");
                break;
        }
    }

    private static string Describe(EngineFault source) => source switch
    {
        EngineFault.Store => "trade store",
        EngineFault.IdReservation => "client order ids",
        EngineFault.Timer => "timer loop",
        EngineFault.Core => "core",
        EngineFault.Background => "background task",
        EngineFault.Reconciliation => "reconciliation",
        EngineFault.Venue => "venue",
        _ => "fault",
    };

    private void HaltWithReason(string reason, long now)
    {
        HaltReason = reason;
        FaultHalts++;
        _execution.Risk.OperatorHalt(now);
        PersistHalt(new RiskHaltRecord(true, reason, now));
        _execution.OnTimer(now); // risk's halt cancels resting orders
        FaultObserver?.Invoke(reason);
    }

    // ---- reports (gateway threads): each one is a core input

    public void OnAck(in AckReport report) => Enqueue(new PendingInput { Type = InputType.Report, Kind = Ack, Ack = report });
    public void OnReject(in RejectReport report) => Enqueue(new PendingInput { Type = InputType.Report, Kind = Reject, Reject = report });
    public void OnCanceled(in CanceledReport report) => Enqueue(new PendingInput { Type = InputType.Report, Kind = Canceled, Canceled = report });
    public void OnExpired(in ExpiredReport report) => Enqueue(new PendingInput { Type = InputType.Report, Kind = Expired, Expired = report });
    public void OnAmended(in AmendedReport report) => Enqueue(new PendingInput { Type = InputType.Report, Kind = Amended, Amended = report });
    public void OnStatusUnknown(in StatusUnknownReport report) => Enqueue(new PendingInput { Type = InputType.Report, Kind = StatusUnknown, Unknown = report });
    public void OnOrderStatus(in OrderStatusReport report) => Enqueue(new PendingInput { Type = InputType.Report, Kind = OrderStatus, Status = report });
    public void OnVenueHealth(in VenueHealthReport report) => Enqueue(new PendingInput { Type = InputType.Report, Kind = VenueHealth, Health = report });
    public void OnFill(in FillReport report) => Enqueue(new PendingInput { Type = InputType.Report, Kind = Fill, Fill = report });

    /// <summary>One venue report: journaled, applied, flushed, as an input of its own.</summary>
    private void ReportInput(in PendingInput input)
    {
        long now = BeginInput(_clock.NowNanos());
        try
        {
            if (Journal is { } journal)
            {
                Span<byte> fields = stackalloc byte[JournalCodec.MaxSize];
                journal.Report(now, (int)input.Kind, fields[..Encode(input, fields)]);
            }
            long answers = _execution.Risk.AnswerSamples;
            switch (input.Kind)
            {
                case Ack: _execution.OnAck(input.Ack, now); break;
                case Reject: _execution.OnReject(input.Reject, now); break;
                case Canceled: _execution.OnCanceled(input.Canceled, now); break;
                case Expired: _execution.OnExpired(input.Expired, now); break;
                case Amended: _execution.OnAmended(input.Amended, now); break;
                case StatusUnknown: _execution.OnStatusUnknown(input.Unknown, now); break;
                case OrderStatus: _execution.OnOrderStatus(input.Status, now); break;
                case Fill: ApplyFill(input.Fill, now); break;
                case VenueHealth: ApplyVenueHealth(input.Health, now); break;
                default: ThrowHelper.ThrowInvalidOperation($"unknown report kind {(int)input.Kind}"); break;
            }
            // Decision-to-answer: the venue's answer to a command, as risk timed it (decided → answer applied).
            if (_execution.Risk.AnswerSamples != answers)
                if (Latency.Measured)
                    EngineLatency.Record(Latency.DecisionToAnswer, _execution.Risk.LastAnswerLatencyNs);
            Flush(now, -1);
        }
        catch (Exception ex) when (IsCoreFault(ex))
        {
            CoreFault(ex, $"{input.Kind} report", now);
        }
        finally
        {
            EndInput();
        }
    }

    private static int Encode(in PendingInput input, Span<byte> d) => input.Kind switch
    {
        Ack => JournalCodec.Encode(input.Ack, d),
        Reject => JournalCodec.Encode(input.Reject, d),
        Canceled => JournalCodec.Encode(input.Canceled, d),
        Expired => JournalCodec.Encode(input.Expired, d),
        Amended => JournalCodec.Encode(input.Amended, d),
        StatusUnknown => JournalCodec.Encode(input.Unknown, d),
        OrderStatus => JournalCodec.Encode(input.Status, d),
        Fill => JournalCodec.Encode(input.Fill, d),
        VenueHealth => JournalCodec.Encode(input.Health, d),
        _ => 0,
    };

    /// <summary>Venue health reaches risk here, and only here: order entry up/down, instrument status, probe round trips.</summary>
    private void ApplyVenueHealth(in VenueHealthReport report, long now)
    {
        RiskManager risk = _execution.Risk;
        switch (report.Kind)
        {
            case VenueHealthKind.OrderEntryUp:
            case VenueHealthKind.OrderEntryDown:
                risk.OnOrderEntryConnection(report.Kind == VenueHealthKind.OrderEntryUp, now);
                break;
            case VenueHealthKind.InstrumentStatus:
                if ((uint)report.InstrumentId < (uint)_books.Count)
                    risk.OnInstrumentStatus(report.InstrumentId, report.Status, now);
                break;
            case VenueHealthKind.ProbeRoundTrip:
                risk.OnProbeRoundTrip(report.Value, now);
                break;
        }
        _execution.OnTimer(now); // a halt or a closed symbol cancels resting orders now, not at the next tick
    }

    private void ApplyFill(in FillReport report, long now)
    {
        long applied = _execution.Counters.Fills;
        _execution.OnFill(report, now);
        Fills++;
        if (Store is { } store && !store.TryAppend(report))
            StoreRefused("a fill");
        var fill = new FillView(report.ClientOrderId.Sequence, report.InstrumentId, report.Side, report.Price, report.Qty,
            report.Fee, report.IsMaker, report.TradeId, now);
        // Only fills execution applied to a position: a repeat (response, stream and reconciliation all
        // report it), another instance's or a foreign one would list a trade that moved nothing.
        if (_execution.Counters.Fills != applied)
            _recentFills[(int)(_recentFillsWritten++ % RecentFillCapacity)] = fill;
        if ((uint)fill.InstrumentId < (uint)_ownerOf.Length && _ownerOf[fill.InstrumentId] is { } owner)
            Guard(owner, fill, static (s, h, f) => s.OnFill(h, f));
    }

    /// <summary>
    /// Every order state change execution makes (the composition installs this as its observer): written
    /// to the store, and kept for the strategy's <see cref="IStrategy.OnOrderUpdate"/> after the input.
    /// </summary>
    public void OnOrderTransition(in OrderTransition transition)
    {
        if (Store is { } store && !store.TryAppend(transition))
            StoreRefused("an order state change");
        if (!transition.Illegal && _execution.TryGetOrder(transition.OrderSeq, out OrderView view))
            _orderUpdates.Add(view);
    }

    /// <summary>
    /// Every risk state change (the composition installs this as risk's observer): kill switches tripping and
    /// releasing, halts, with trigger and reasons, written to the store as the audit trail. On the core thread.
    /// </summary>
    public void OnRiskTransition(in RiskTransition transition)
    {
        if (Store is { } store && !store.TryAppend(transition))
            StoreRefused("a risk state change");
    }

    private const string OperatorHaltReason = "operator halt";

    /// <summary>The trading day risk measures drawdown in (set by <see cref="Restore"/> and each <see cref="StartNewDay"/>; -1 before).</summary>
    public long DayIndex { get; private set; } = -1;

    private void PersistDay(long now)
    {
        if (Store is { } store && !store.TryAppend(new RiskDayRecord(DayIndex, _execution.Risk.DayStartPnl, now)))
            StoreRefused("the risk day");
    }

    private void PersistHalt(in RiskHaltRecord halt)
    {
        if (Store is { } store && !store.TryAppend(halt))
            StoreRefused("a halt");
    }

    /// <summary>
    /// Restart: seeds the core from what the store kept, before <see cref="Start"/> and before a gateway
    /// is attached. Positions are rebuilt from the stored fills (our node's, each trade once, by symbol:
    /// a symbol the engine does not trade is skipped and counted); risk's day continues from the stored
    /// day start when the store's day is <paramref name="dayIndex"/> (so the loss taken before the crash
    /// still counts against <c>MaxDailyLoss</c>), else a new day starts from the restored PnL; a stored
    /// operator or fault halt is put back in force (<see cref="HaltReason"/> says so) until an operator
    /// resumes. Open orders are left to reconciliation.
    /// </summary>
    /// <remarks>
    /// Not journaled: a journal records one run's inputs from an empty core, so replaying the journal of
    /// a run that restored state reproduces it only from the same store (the replay's positions start
    /// from zero otherwise). The restore writes the day it settled on back to the store.
    /// </remarks>
    /// <returns>How many stored fills moved a position.</returns>
    public int Restore(PersistedState state, long dayIndex)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_lock)
        {
            if (Started)
                ThrowHelper.ThrowInvalidOperation("Restore must run before Start.");
            long now = BeginInput(_clock.NowNanos());
            int restored = 0;
            try
            {
                var touched = new bool[_books.Count];
                foreach (PersistedFill fill in state.Fills)
                {
                    int i = _execution.InstrumentOf(fill.Symbol);
                    if (i < 0)
                    {
                        RestoreSkippedFills++;
                        continue;
                    }
                    if (_execution.RestoreFill(i, fill))
                    {
                        restored++;
                        touched[i] = true;
                    }
                }
                for (int i = 0; i < touched.Length; i++)
                    if (touched[i])
                        _execution.PublishRestoredPosition(i, now);
                RiskManager risk = _execution.Risk;
                DayIndex = dayIndex;
                if (state.Day is { } day && day.DayIndex == dayIndex)
                    risk.RestoreDay(day.StartPnl, now);
                else
                    risk.StartNewDay(now);
                PersistDay(now);
                if (state.Halt is { Halted: true } halt)
                {
                    string reason = halt.Reason ?? OperatorHaltReason;
                    HaltReason = $"{reason} (in force since before the restart; resume to trade)";
                    risk.OperatorHalt(now);
                    FaultObserver?.Invoke(HaltReason);
                }
                RestoredFills = restored;
            }
            finally
            {
                EndInput();
            }
            return restored;
        }
    }

    /// <summary>
    /// Restart, after <see cref="Restore"/> and once the gateway is attached, before <see cref="Start"/>: takes
    /// over what an earlier run left. Every open order of ours the venue lists (<paramref name="venueOrders"/>,
    /// any earlier run of this instance) is adopted into the order table (<see cref="ExecutionEngine.Adopt"/>):
    /// kept as its side's quote on an instrument a strategy owns while trading is not halted, cancelled
    /// otherwise. Every order the store holds as open that the venue does not list
    /// (<paramref name="storedOpen"/>) is recovered as Unknown and queried (<see cref="ExecutionEngine.Recover"/>).
    /// Cancels go to the gateway now. One input under the core lock, not journaled (like <see cref="Restore"/>).
    /// </summary>
    public AdoptionSummary Adopt(IReadOnlyList<VenueOpenOrder> venueOrders, IReadOnlyList<PersistedOrder> storedOpen)
    {
        ArgumentNullException.ThrowIfNull(venueOrders);
        ArgumentNullException.ThrowIfNull(storedOpen);
        lock (_lock)
        {
            if (Started)
                ThrowHelper.ThrowInvalidOperation("Adopt must run before Start.");
            long now = BeginInput(_clock.NowNanos());
            int kept = 0, cancelled = 0, recovered = 0;
            try
            {
                var byVenueId = new Dictionary<long, PersistedOrder>();
                var byClientId = new Dictionary<ClientOrderId, PersistedOrder>();
                foreach (PersistedOrder o in storedOpen)
                {
                    if (o.VenueOrderId != 0)
                        byVenueId[o.VenueOrderId] = o;
                    byClientId[o.ClientId] = o;
                    if (!o.CurrentClientId.IsNone)
                        byClientId[o.CurrentClientId] = o;
                }
                var matched = new HashSet<long>();
                _execution.Risk.AwaitFeed();
                bool halted = HaltReason is not null || _execution.Risk.State == RiskState.Halted;
                foreach (VenueOpenOrder v in venueOrders)
                {
                    PersistedOrder? stored = byVenueId.TryGetValue(v.VenueOrderId, out var byV) ? byV
                        : byClientId.TryGetValue(v.ClientOrderId, out var byC) ? byC : null;
                    if (stored is { } s)
                        matched.Add(s.OrderSeq);
                    bool keep = !halted && (uint)v.InstrumentId < (uint)_ownerOf.Length && _ownerOf[v.InstrumentId] is not null;
                    if (_execution.Adopt(v, stored, keep, now))
                        kept++;
                    else
                        cancelled++;
                }
                foreach (PersistedOrder o in storedOpen)
                    if (!matched.Contains(o.OrderSeq) && _execution.Recover(o, now))
                        recovered++;
                Flush(now, -1);
            }
            catch (Exception ex) when (IsCoreFault(ex))
            {
                CoreFault(ex, "adoption", now);
            }
            finally
            {
                EndInput();
            }
            return new AdoptionSummary(kept, cancelled, recovered);
        }
    }

    /// <summary>
    /// Takeover: cancels, by id, the open orders earlier holders of this lease scope left at the venue (older
    /// epochs, other nodes); returns how many. One input under the core lock, before <see cref="Start"/>, like <see cref="Adopt"/>.
    /// </summary>
    public int CancelZombies(IReadOnlyList<VenueOpenOrder> venueOrders)
    {
        ArgumentNullException.ThrowIfNull(venueOrders);
        lock (_lock)
        {
            long now = BeginInput(_clock.NowNanos());
            int cancelled = 0;
            try
            {
                foreach (VenueOpenOrder v in venueOrders)
                    if (_execution.CancelZombie(v, now))
                        cancelled++;
                Flush(now, -1);
            }
            catch (Exception ex) when (IsCoreFault(ex))
            {
                CoreFault(ex, "takeover cancels", now);
            }
            finally
            {
                EndInput();
            }
            return cancelled;
        }
    }

    /// <summary>Stored fills the last <see cref="Restore"/> applied to positions.</summary>
    public int RestoredFills { get; private set; }

    /// <summary>Stored fills <see cref="Restore"/> skipped because the engine does not trade their symbol.</summary>
    public int RestoreSkippedFills { get; private set; }

    // Halting is an input of its own, right after this one, so a replay (which has no store) sees it too.
    private void StoreRefused(string what)
    {
        StoreRefusals++;
        if (_storeHaltQueued)
            return;
        _storeHaltQueued = true;
        string reason = Store?.Failure is { } failure
            ? $"refused {what}: {failure}"
            : $"refused {what} (its queue is full): trading halted so nothing is lost";
        _local.Enqueue(new PendingInput { Type = InputType.Operator, Operator = JournalOperatorKind.FaultHalt, Argument = (long)EngineFault.Store, Text = reason });
    }

    /// <summary>How many of the latest fills <see cref="CopyRecentFills"/> can return.</summary>
    public const int RecentFillCapacity = 32;
    // Ring of the latest applied fills, preallocated so a fill allocates nothing: the next write goes to
    // slot _recentFillsWritten % RecentFillCapacity, which holds the oldest once the ring has wrapped.
    private readonly FillView[] _recentFills = new FillView[RecentFillCapacity];
    private long _recentFillsWritten;

    /// <summary>
    /// Copies the latest fills applied to a position (at most <see cref="RecentFillCapacity"/>), newest
    /// first, into <paramref name="destination"/>; returns how many it wrote. Repeats of a fill already
    /// applied, other instances' fills and foreign reports are not among them, so the list adds up to
    /// the position's bought and sold totals.
    /// </summary>
    /// <remarks>The caller must hold the core lock: every fill writes the ring under it.</remarks>
    public int CopyRecentFills(Span<FillView> destination)
    {
        if (!_lock.IsHeldByCurrentThread)
            ThrowHelper.ThrowInvalidOperation("CopyRecentFills needs the core lock held by the caller.");
        int n = (int)Math.Min(Math.Min(_recentFillsWritten, RecentFillCapacity), destination.Length);
        for (int i = 0; i < n; i++)
            destination[i] = _recentFills[(int)((_recentFillsWritten - 1 - i) % RecentFillCapacity)];
        return n;
    }

    // ---- the door

    private enum InputType : byte { None, Report, Operator }

    /// <summary>One input waiting for the core: a venue report or an operator/fault input. Copied by value, allocation-free.</summary>
    private struct PendingInput
    {
        public InputType Type;
        public JournalReportKind Kind;
        public JournalOperatorKind Operator;
        public long Argument;
        public string? Text;
        public AckReport Ack;
        public RejectReport Reject;
        public CanceledReport Canceled;
        public ExpiredReport Expired;
        public AmendedReport Amended;
        public StatusUnknownReport Unknown;
        public OrderStatusReport Status;
        public FillReport Fill;
        public VenueHealthReport Health;
    }

    /// <summary>
    /// Hands one input to the core. On the core thread during an input: queued behind it. On the core
    /// thread between inputs (a replay, a caller holding the lock): run now. Elsewhere: appended to the
    /// ring, then run here if the core lock is free, else by the thread that holds it or by the pump.
    /// Never waits for the core lock.
    /// </summary>
    private void Enqueue(in PendingInput input)
    {
        if (_lock.IsHeldByCurrentThread)
        {
            if (_inInput || _draining)
            {
                _local.Enqueue(input);
                return;
            }
            _draining = true;
            try
            {
                Run(input);
            }
            finally
            {
                _draining = false;
            }
            DrainQueued();
            return;
        }
        while (true)
        {
            // Once anything waits in the overflow, later inputs queue behind it: each producer's inputs stay
            // in the order it gave them (the drain takes the ring before the overflow).
            if (Volatile.Read(ref _overflow) is { IsEmpty: false } overflow)
            {
                overflow.Enqueue(input);
                break;
            }
            if (_inbox.TryWrite(input))
                break;
            // Full (the core is far behind): help drain it when the lock is free; never wait for it, since
            // the holder may be waiting for a lock this thread holds (a gateway's report gate).
            if (_lock.TryEnter())
            {
                try { DrainQueued(); }
                finally { _lock.Exit(); }
                continue;
            }
            Interlocked.Increment(ref _inboxOverflows);
            Overflow().Enqueue(input);
            break;
        }
        DrainFromOutside();
    }

    /// <summary>Whether anything waits in the overflow (it exists only once the ring was found full).</summary>
    private bool OverflowHolds => Volatile.Read(ref _overflow) is { IsEmpty: false };

    private ConcurrentQueue<PendingInput> Overflow()
    {
        ConcurrentQueue<PendingInput>? overflow = Volatile.Read(ref _overflow);
        if (overflow is not null)
            return overflow;
        Interlocked.CompareExchange(ref _overflow, new ConcurrentQueue<PendingInput>(), null);
        return _overflow!;
    }

    /// <summary>Whether anything waits in the ring or the overflow.</summary>
    private bool HasQueued()
    {
        return _inbox.Count > 0 || OverflowHolds;
    }

    private void DrainFromOutside()
    {
        while (HasQueued())
        {
            if (!_lock.TryEnter())
            {
                // Whoever holds the lock may be past its last drain: the pump takes it when it is free.
                SchedulePump();
                return;
            }
            bool ran;
            try { ran = DrainQueued(); }
            finally { _lock.Exit(); }
            // Nothing readable though the ring counts an input: its producer claimed the slot and has not published
            // it yet. It drains after publishing (every producer does), so spinning here for it would only burn
            // this thread (a receive thread, perhaps) while that producer is off the CPU.
            if (!ran)
                return;
        }
    }

    private void SchedulePump()
    {
        if (Interlocked.Exchange(ref _pumpScheduled, 1) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(_pump, preferLocal: false);
    }

    /// <summary>Drains the inbox on a pool thread that holds no other lock (so waiting for the core lock here is safe).</summary>
    private sealed class InboxPump(TradingEngine engine) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            Volatile.Write(ref engine._pumpScheduled, 0);
            lock (engine._lock)
                engine.DrainQueued();
            if (engine.HasQueued())
                engine.DrainFromOutside();
        }
    }

    /// <summary>Runs queued inputs (core-thread ones first, then the ring), each as an input of its own; true when any ran. Under the lock.</summary>
    private bool DrainQueued()
    {
        if (_draining || _inInput)
            return false;
        // The common case, at the end of every input: nothing queued (one load per queue).
        if (_local.Count == 0 && _inbox.NothingToRead && !OverflowHolds)
            return false;
        _draining = true;
        bool ran = false;
        try
        {
            while (true)
            {
                if (_local.TryDequeue(out PendingInput input) || _inbox.TryRead(out input) || (_overflow is { } overflow && overflow.TryDequeue(out input)))
                {
                    ran = true;
                    Run(input);
                    continue;
                }
                break;
            }
        }
        finally
        {
            _draining = false;
        }
        return ran;
    }

    private void Run(in PendingInput input)
    {
        if (input.Type == InputType.Report)
            ReportInput(input);
        else
            OperatorInput(input.Operator, input.Argument, input.Text);
    }

    // ---- replay

    /// <summary>
    /// Feeds one journaled engine input (report, timer tick, operator command) back in; false when the
    /// entry is not the engine's (market data goes to the feed core). The clock must read the entry's
    /// time (a replay drives a <see cref="ManualTimeProvider"/>).
    /// </summary>
    public bool Replay(in JournalEntry entry)
    {
        switch (entry.Kind)
        {
            case RecordKind.VenueReport:
                JournalCodec.Dispatch((JournalReportKind)entry.Arg, entry.Payload, this);
                return true;
            case RecordKind.TimerTick:
                OnTimer();
                return true;
            case RecordKind.OperatorCommand:
                Operator((JournalOperatorKind)entry.Arg, entry.AB);
                return true;
            default:
                return false;
        }
    }

    // ---- plumbing

    /// <summary>Inputs the core has processed (market data, reports, timers, operator and fault inputs).</summary>
    public long InputsProcessed { get; private set; }

    /// <summary>Inputs waiting in the ring for the core (approximate while producers write).</summary>
    public long InputsQueued => _inbox.Count + (Volatile.Read(ref _overflow)?.Count ?? 0);

    /// <summary>
    /// Inputs from other threads that found the ring full while the core was busy and waited in the
    /// overflow queue instead (nothing is dropped and no producer waits; each one allocates). Non-zero
    /// means the core fell a full ring behind: a stall or a burst worth looking at.
    /// </summary>
    public long InboxOverflows => Interlocked.Read(ref _inboxOverflows);

    private long BeginInput(long candidateNs)
    {
        InputsProcessed++;
        long now = candidateNs < _lastNow ? _lastNow : candidateNs;
        _lastNow = now;
        foreach (StrategyHost host in _hosts)
            host.InputNs = now;
        _readContext.InputNs = now;
        _inputSignalsInstrument = -1;
        _inInput = true;
        return now;
    }

    /// <summary>
    /// Ends the current input, then runs inputs that arrived during it (and any in the ring), each as an
    /// input of its own; true when any ran.
    /// </summary>
    private bool EndInput()
    {
        _inInput = false;
        _inputSignalsInstrument = -1;
        return DrainQueued();
    }

    private static bool IsCoreFault(Exception ex) => ex is not (OutOfMemoryException or StackOverflowException);

    /// <summary>A core input threw: halt (cancels only) with the reason, in the same input, so a replay does the same.</summary>
    private void CoreFault(Exception ex, string input, long now)
    {
        _triggerStampNs = 0; // the halt's cancels are not the frame's orders
        foreach (StrategyHost host in _hosts)
            host.ClearIntents();
        _orderUpdates.Clear();
        string reason = ex is ClientIdReservationException
            ? $"client order ids: {ex.Message}"
            : $"core fault in {input}: {ex.GetType().Name}: {ex.Message}";
        try
        {
            HaltWithReason(reason, now);
            FlushCommands(now, -1);
        }
        catch (Exception again) when (IsCoreFault(again))
        {
            // Execution itself is failing: the halt stands (risk refuses every new order); say so.
            HaltReason = reason + $"; cancelling failed too: {again.GetType().Name}: {again.Message}";
        }
    }

    /// <summary>
    /// Intents → execution → commands → gateway, stamping tick-to-order when a frame caused them; returns
    /// that stamp (0 when no frame's command went out). The commands go out first, then the strategy hears of the
    /// orders they created (<c>OnOrderUpdate</c>), so no callback stands between a frame and its orders; intents
    /// submitted there go out in the same input, right after, in the order a single batch would have had.
    /// </summary>
    private long Flush(long nowNs, long readStampNs)
    {
        SubmitIntents(nowNs);
        long sentNs = FlushCommands(nowNs, readStampNs);
        if (_orderUpdates.Count == 0 && !Flattening)
            return sentNs;
        // OnOrderUpdate for every state change so far (reports, and orders the intents just created).
        for (int round = 0; round < 2 && _orderUpdates.Count > 0; round++)
        {
            DispatchOrderUpdates();
            SubmitIntents(nowNs);
        }
        if (Flattening)
            ContinueFlatten(nowNs);
        // Caused by the same frame: tick-to-wire counts them; tick-to-order only when the frame's own batch sent nothing.
        long laterNs = FlushCommands(nowNs, readStampNs, recordTickToOrder: sentNs == 0);
        return sentNs > 0 ? sentNs : laterNs;
    }

    /// <summary>Every instance's intents, instance by instance in the order given, each in the order submitted.</summary>
    private void SubmitIntents(long nowNs)
    {
        foreach (StrategyHost host in _hosts)
        {
            foreach (ref readonly Intent intent in host.PendingIntents)
                _execution.Submit(intent, nowNs);
            host.ClearIntents();
        }
    }

    private void DispatchOrderUpdates()
    {
        int n = _orderUpdates.Count;
        for (int i = 0; i < n; i++)
        {
            OrderView order = _orderUpdates[i];
            if ((uint)order.InstrumentId < (uint)_ownerOf.Length && _ownerOf[order.InstrumentId] is { } owner)
                Guard(owner, order, static (s, h, o) => s.OnOrderUpdate(h, o));
        }
        _orderUpdates.RemoveRange(0, n);
    }

    /// <summary>
    /// Ends a batch of commands: sends what execution queued without handing it off (normally nothing: the queue's
    /// hand-off sent each as it was queued), stamps tick-to-order when a frame caused the batch (the time its last
    /// command's frame was handed to the socket, as the gateway reports it, else the time the gateway's Send
    /// returned), clears the queue and tells the gateway the batch is over. Returns the stamp, or 0 when nothing of a
    /// frame's went out.
    /// </summary>
    private long FlushCommands(long nowNs, long readStampNs, bool recordTickToOrder = true)
    {
        CommandQueue queue = _execution.Commands;
        if (queue.Count == 0)
            return 0;
        IOrderEntry? gateway = _gateway;
        bool sentHere = false;
        long handedHereNs = 0;
        for (int i = queue.HandedOff; i < queue.Count; i++)
        {
            if (SendCommand(queue[i], nowNs, readStampNs > 0 ? readStampNs : 0, out long handedNs))
            {
                sentHere = true;
                handedHereNs = handedNs;
            }
        }
        queue.Clear();
        long handedOffNs = _lastHandOffNs;
        _lastHandOffNs = 0;
        if (readStampNs <= 0 || gateway is null || !Latency.Measured || !recordTickToOrder)
        {
            gateway?.CommandsHandedOver();
            return 0;
        }
        long sentNs = sentHere ? HandedOrNow(handedHereNs) : HandedOrNow(handedOffNs);
        EngineLatency.Record(Latency.TickToOrder, sentNs - readStampNs);
        gateway.CommandsHandedOver();
        return sentNs;
    }

    /// <summary>
    /// One command to the journal and the gateway (counted and dropped while no gateway is attached); true when it went
    /// to the gateway. <paramref name="handedNs"/>: when the gateway handed its frame to the socket, if it says (see
    /// <see cref="IOrderEntry.Send(in OrderCommand, long)"/>), else 0.
    /// </summary>
    private bool SendCommand(in OrderCommand command, long nowNs, long triggerStampNs, out long handedNs)
    {
        if (Journal is { } journal)
            JournalCommand(journal, command, nowNs);
        IOrderEntry? gateway = _gateway;
        if (gateway is null)
        {
            CommandsWithoutGateway++;
            handedNs = 0;
            return false;
        }
        handedNs = gateway.Send(command, triggerStampNs);
        CommandsSent++;
        return true;
    }

    private static void JournalCommand(CoreJournal journal, in OrderCommand command, long nowNs)
    {
        Span<byte> encoded = stackalloc byte[JournalCodec.MaxSize];
        journal.Command(nowNs, encoded[..JournalCodec.Encode(command, encoded)]);
    }

    /// <summary>
    /// The queue's hand-off: a command execution just queued goes to the journal and the gateway at once, with the
    /// market-data frame's read stamp when a frame caused it; the time its frame was handed to the socket (the gateway's
    /// own stamp, taken before the write; the clock after the call when the gateway has none) is the frame's
    /// tick-to-order stamp if it is the batch's last. Execution records the order's state change right after.
    /// </summary>
    private sealed class CommandHandOff(TradingEngine engine) : ICommandHandOff
    {
        public void HandOff(in OrderCommand command)
        {
            long trigger = engine._triggerStampNs;
            if (engine.SendCommand(command, engine._lastNow, trigger, out long handedNs) && trigger > 0 && engine.Latency.Measured)
                engine._lastHandOffNs = engine.HandedOrNow(handedNs);
        }
    }

    /// <summary>A command's tick-to-order stamp: the gateway's "handed to the socket" stamp when it gave one, else now.</summary>
    private long HandedOrNow(long handedNs) => handedNs > 0 ? handedNs : _clock.NowNanos();

    // The read stamp of the market-data frame whose input is running (0 otherwise), and when the current batch's last
    // command caused by it was handed to the gateway.
    private long _triggerStampNs;
    private long _lastHandOffNs;

    // Static lambdas with explicit state: no closure is allocated per event.
    private void Guard<TState>(StrategyHost host, TState state, Action<IStrategy, IStrategyContext, TState> callback)
    {
        // Stopped (after OnStop), paused or halted: the strategy gets no callback, so a fill arriving while
        // the stop's cancels are in flight cannot requote.
        if (host.Halted || !EngineOperatorStateMachine.CallsStrategy(_operatorState))
            return;
        try
        {
            callback(host.Strategy!, host, state);
        }
        catch (Exception ex)
        {
            HaltStrategy(host, ex);
        }
    }

    /// <summary>
    /// A strategy bug halts that instance, never the process nor the other instances: its intents of
    /// this callback are dropped, its instruments' orders cancelled, and it is called no more.
    /// </summary>
    private void HaltStrategy(StrategyHost host, Exception ex)
    {
        host.Halted = true;
        _strategiesHalted++;
        host.ClearIntents();
        IStrategy strategy = host.Strategy!;
        var instruments = new System.Text.StringBuilder();
        long now = _lastNow;
        for (int i = 0; i < _books.Count; i++)
        {
            if (!host.Owns(i))
                continue;
            _execution.Submit(Intent.CancelAll(i), now);
            instruments.Append(instruments.Length == 0 ? "" : ", ").Append(host.Instruments[i].Symbol);
        }
        string error = $"{strategy.Name} ({instruments}): {ex.GetType().Name}: {ex.Message}";
        StrategyError = StrategyError is null ? error : StrategyError + "; " + error;
        if (_strategiesHalted == _hosts.Length)
            MoveOperator(EngineOperatorTrigger.StrategyFault);
    }

    /// <summary>
    /// Computes the instrument's signal view and keeps it for the rest of the input, so a strategy's
    /// <see cref="IStrategyContext.Signals"/> in the same input reuses it. Valid because nothing inside
    /// an engine input feeds the analyzer: market data is applied before the engine's input starts.
    /// </summary>
    private SignalView ComputeSignalsForInput(int instrumentId)
    {
        _inputSignals = _signals(instrumentId);
        _inputSignalsInstrument = instrumentId;
        return _inputSignals;
    }

    private SignalView InputSignals(int instrumentId) =>
        instrumentId == _inputSignalsInstrument ? _inputSignals : _signals(instrumentId);

    /// <summary>Signals from the book alone (top-of-book imbalance, microprice), used when no analyzer is wired.</summary>
    private SignalView BookSignals(int instrumentId)
    {
        OrderBook book = _books[instrumentId].Book;
        if (!book.IsTwoSided)
            return SignalView.Empty;
        double bq = book.BestBidQty, aq = book.BestAskQty;
        return SignalView.Empty with { TopImbalance = (bq - aq) / (bq + aq), Microprice = book.Microprice };
    }
}
