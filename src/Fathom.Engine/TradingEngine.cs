using Fathom.Book;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Strategy.Abstractions;
using static Fathom.Engine.JournalReportKind;

namespace Fathom.Engine;

/// <summary>
/// The core: books → signals → strategy → execution → risk → commands, run to completion under one
/// lock (the market-data feed's), so a frame's consequences reach the gateway before the receiving
/// thread goes back to its socket. Venue reports and timer ticks enter under the same lock.
/// </summary>
/// <remarks>
/// Entry points: <see cref="OnMarketDataApplied"/> (after each frame the feed applied),
/// <see cref="IReportSink"/> (gateway reports), <see cref="OnTimer"/>. A strategy exception halts
/// that strategy: its orders are cancelled and it gets no further callbacks; the process goes on.
/// Commands are handed to the gateway in the order execution produced them, and each is stamped for
/// tick-to-order latency against the socket-read stamp of the frame that caused it.
/// <para>Determinism: every input reads the clock once (a frame uses its socket-read stamp), the
/// strategy sees that same time, and with a <see cref="Journal"/> attached each input is appended
/// with that time before it is applied (market data by the feed core), and each command after it is
/// produced. A report the gateway delivers synchronously from inside <c>Send</c> (a local reject) is
/// queued and processed as its own input right after the current one, so the journal's order is
/// the order of processing. <see cref="Replay"/> feeds journaled inputs back in.</para>
/// </remarks>
public sealed class TradingEngine : IReportSink
{
    private readonly Lock _lock;
    private readonly IReadOnlyList<BookSync> _books;
    private readonly ExecutionEngine _execution;
    private readonly IStrategy _strategy;
    private readonly StrategyHost _host;
    private readonly MonotonicClock _clock;
    private readonly long[] _lastUpdateId;
    private readonly bool[] _lastLive;
    private readonly long[] _lastTopBid;
    private readonly long[] _lastTopAsk;
    private IOrderGateway? _gateway;
    private bool _started;
    // Time of the input being processed; never goes backwards (a frame's read stamp can predate the last input's).
    private long _lastNow;
    private bool _inInput;
    private readonly Queue<Action> _deferred = new();

    public TradingEngine(Lock coreLock, IReadOnlyList<InstrumentSpec> instruments, IReadOnlyList<BookSync> books,
        ExecutionEngine execution, IStrategy strategy, MonotonicClock clock, Func<int, SignalView>? signals = null)
    {
        _lock = coreLock;
        _books = books;
        _execution = execution;
        _strategy = strategy;
        _clock = clock;
        _host = new StrategyHost(instruments, books, execution, clock, signals ?? BookSignals);
        _lastUpdateId = new long[books.Count];
        _lastLive = new bool[books.Count];
        _lastTopBid = new long[books.Count];
        _lastTopAsk = new long[books.Count];
    }

    public EngineLatency Latency { get; } = new();
    public ExecutionEngine Execution => _execution;
    public IStrategyContext Context => _host;
    public bool StrategyHalted { get; private set; }
    public string? StrategyError { get; private set; }
    public long CommandsSent { get; private set; }
    public long CommandsWithoutGateway { get; private set; }
    public long Fills { get; private set; }

    /// <summary>
    /// The durable store fills are written to (off the core thread). When it refuses a fill (queue
    /// full, disk failure) trading halts at once: a fill is never dropped silently.
    /// </summary>
    public Fathom.Persistence.SqliteTradeStore? Store { get; set; }
    public long StoreRefusals { get; private set; }

    /// <summary>Where every input and command is journaled (see <see cref="CoreJournal"/>); attach before <see cref="Start"/>.
    /// Share it with the feed core, which journals market data.</summary>
    public CoreJournal? Journal { get; set; }

    /// <summary>Where commands go. Until it is set (or while it is not ready) commands are counted and dropped, so the engine can warm up without sending.</summary>
    public void AttachGateway(IOrderGateway gateway) { lock (_lock) _gateway = gateway; }

    /// <summary>Starts the strategy (under the lock).</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_started)
                return;
            _started = true;
            Operator(JournalOperatorKind.Start, 0);
        }
    }

    /// <summary>Called by the feed under the core lock after a frame was applied; <paramref name="readStampNs"/> is the socket-read stamp.</summary>
    public void OnMarketDataApplied(long readStampNs)
    {
        if (!_started)
            return;
        long now = BeginInput(readStampNs);
        long sentStampNs;
        bool ranDeferred;
        try
        {
            OnMarketData(now);
            sentStampNs = Flush(now, readStampNs);
        }
        finally
        {
            ranDeferred = EndInput();
        }
        // The stamp taken when the last command went out is also the end of the core's work, unless
        // deferred inputs ran after it: one clock read less (20–50 ns on a VM) on a command frame.
        long endNs = sentStampNs > 0 && !ranDeferred ? sentStampNs : _clock.NowNanos();
        EngineLatency.Record(Latency.CoreCost, endNs - readStampNs);
    }

    private void OnMarketData(long now)
    {
        for (int i = 0; i < _books.Count; i++)
        {
            BookSync sync = _books[i];
            EffectiveTop top = sync.Top;
            bool live = sync.IsLive;
            if (sync.Book.UpdateId == _lastUpdateId[i] && live == _lastLive[i] && top.BidTick == _lastTopBid[i] && top.AskTick == _lastTopAsk[i])
                continue;
            _lastUpdateId[i] = sync.Book.UpdateId;
            _lastLive[i] = live;
            _lastTopBid[i] = top.BidTick;
            _lastTopAsk[i] = top.AskTick;
            _execution.OnBook(i, sync.Book.View, live, now);
            // Walls the analyzer flags are spoof-like candidates: execution will not join them. The view
            // is kept for this input, so the strategy's own Signals(i) below does not compute it again.
            SignalView signals = _host.ComputeSignalsForInput(i);
            _execution.SetAvoidLevels(i,
                signals.BidWallTick > 0 ? sync.Book.PriceOf(signals.BidWallTick) : Price.Zero,
                signals.AskWallTick > 0 ? sync.Book.PriceOf(signals.AskWallTick) : Price.Zero);
            Guard(i, static (s, h, instrument) => s.OnMarketData(h, instrument));
        }
    }

    /// <summary>Periodic: risk evaluation and kill switches, gating cancels, unknown-order queries, strategy timers.</summary>
    public void OnTimer()
    {
        lock (_lock)
        {
            long now = BeginInput(_clock.NowNanos());
            try
            {
                Journal?.Timer(now);
                _execution.OnTimer(now);
                int timer;
                while (!StrategyHalted && (timer = _host.TakeDueTimer(now)) >= 0)
                {
                    Guard(timer, static (s, h, id) => s.OnTimer(h, id));
                }
                Flush(now, -1);
            }
            finally
            {
                EndInput();
            }
        }
    }

    /// <summary>True while an operator has paused the strategy: no callbacks, no quotes (orders were cancelled).</summary>
    public bool Paused { get; private set; }

    /// <summary>Operator: stop calling the strategy and cancel its orders; <see cref="Resume"/> undoes it. An operator input like any other.</summary>
    public void Pause() => Operator(JournalOperatorKind.Pause, 0);

    /// <summary>Operator: let the strategy trade again (and lift an operator halt).</summary>
    public void Resume() => Operator(JournalOperatorKind.Resume, 0);

    /// <summary>Operator: halt (risk goes Halted: cancels only) until <see cref="Resume"/>.</summary>
    public void Halt() => Operator(JournalOperatorKind.Halt, 0);

    /// <summary>
    /// Operator: pause the strategy and trade the position back to flat, never paying more than
    /// <paramref name="slippageTicks"/> book ticks through the touch.
    /// </summary>
    public void Flatten(long slippageTicks = 5) => Operator(JournalOperatorKind.Flatten, slippageTicks);

    /// <summary>True from <see cref="Flatten"/> until every position is flat (or <see cref="Resume"/>).</summary>
    public bool Flattening { get; private set; }
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
            Flattening = false;
    }

    /// <summary>Stops quoting: the strategy's OnStop, then cancel everything on every instrument.</summary>
    public void Stop() => Operator(JournalOperatorKind.Stop, 0);

    /// <summary>One operator input: journaled, applied, flushed.</summary>
    private void Operator(JournalOperatorKind command, long argument)
    {
        lock (_lock)
        {
            if (_inInput)
            {
                DeferOperator(command, argument);
                return;
            }
            long now = BeginInput(_clock.NowNanos());
            try
            {
                Journal?.Operator(now, (int)command, argument);
                ApplyOperator(command, argument, now);
                Flush(now, -1);
            }
            finally
            {
                EndInput();
            }
        }
    }

    private void DeferOperator(JournalOperatorKind command, long argument) => _deferred.Enqueue(() => Operator(command, argument));

    private void ApplyOperator(JournalOperatorKind command, long argument, long now)
    {
        switch (command)
        {
            case JournalOperatorKind.Start:
                _started = true;
                Guard(0, static (s, h, _) => s.OnStart(h));
                break;
            case JournalOperatorKind.Stop:
                Guard(0, static (s, h, _) => s.OnStop(h));
                for (int i = 0; i < _books.Count; i++)
                    _execution.Submit(Intent.CancelAll(i), now);
                _started = false;
                break;
            case JournalOperatorKind.Pause:
                Paused = true;
                for (int i = 0; i < _books.Count; i++)
                    _execution.Submit(Intent.CancelAll(i), now);
                break;
            case JournalOperatorKind.Resume:
                Paused = false;
                Flattening = false;
                _execution.Risk.OperatorResume(now);
                break;
            case JournalOperatorKind.Halt:
            case JournalOperatorKind.StoreRefusedHalt:
                _execution.Risk.OperatorHalt(now);
                _execution.OnTimer(now); // risk's halt cancels resting orders
                break;
            case JournalOperatorKind.Flatten:
                Paused = true;
                _flattenSlippageTicks = argument;
                Flattening = true;
                for (int i = 0; i < _books.Count; i++)
                    _execution.Submit(Intent.CancelAll(i), now);
                break;
            default:
                ThrowHelper.ThrowInvalidOperation($"unknown operator command {(int)command}");
                break;
        }
    }

    // ---- reports (gateway threads): each one is a core input under the lock

    public void OnAck(in AckReport report) => Report(Ack, report, static (in AckReport r, Span<byte> d) => JournalCodec.Encode(r, d), static (e, r, now) => e._execution.OnAck(r, now));
    public void OnReject(in RejectReport report) => Report(Reject, report, static (in RejectReport r, Span<byte> d) => JournalCodec.Encode(r, d), static (e, r, now) => e._execution.OnReject(r, now));
    public void OnCanceled(in CanceledReport report) => Report(Canceled, report, static (in CanceledReport r, Span<byte> d) => JournalCodec.Encode(r, d), static (e, r, now) => e._execution.OnCanceled(r, now));
    public void OnExpired(in ExpiredReport report) => Report(Expired, report, static (in ExpiredReport r, Span<byte> d) => JournalCodec.Encode(r, d), static (e, r, now) => e._execution.OnExpired(r, now));
    public void OnAmended(in AmendedReport report) => Report(Amended, report, static (in AmendedReport r, Span<byte> d) => JournalCodec.Encode(r, d), static (e, r, now) => e._execution.OnAmended(r, now));
    public void OnStatusUnknown(in StatusUnknownReport report) => Report(StatusUnknown, report, static (in StatusUnknownReport r, Span<byte> d) => JournalCodec.Encode(r, d), static (e, r, now) => e._execution.OnStatusUnknown(r, now));
    public void OnOrderStatus(in OrderStatusReport report) => Report(OrderStatus, report, static (in OrderStatusReport r, Span<byte> d) => JournalCodec.Encode(r, d), static (e, r, now) => e._execution.OnOrderStatus(r, now));
    public void OnVenueHealth(in VenueHealthReport report) => Report(VenueHealth, report, static (in VenueHealthReport r, Span<byte> d) => JournalCodec.Encode(r, d), static (e, r, now) => e.ApplyVenueHealth(r, now));
    public void OnFill(in FillReport report) => Report(Fill, report, static (in FillReport r, Span<byte> d) => JournalCodec.Encode(r, d), static (e, r, now) => e.ApplyFill(r, now));

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
        {
            // Halting is an input of its own, right after this fill, so a replay (which has no store) sees it too.
            StoreRefusals++;
            _deferred.Enqueue(() => Operator(JournalOperatorKind.StoreRefusedHalt, 0));
        }
        var fill = new FillView(report.ClientOrderId.Sequence, report.InstrumentId, report.Side, report.Price, report.Qty,
            report.Fee, report.IsMaker, report.TradeId, now);
        // Only fills execution applied to a position: a repeat (response, stream and reconciliation all
        // report it), another instance's or a foreign one would list a trade that moved nothing.
        if (_execution.Counters.Fills != applied)
            _recentFills[(int)(_recentFillsWritten++ % RecentFillCapacity)] = fill;
        Guard(fill, static (s, h, f) => s.OnFill(h, f));
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

    /// <summary>One venue report: journaled, applied, flushed; queued when it arrives from inside another input.</summary>
    private void Report<TReport>(JournalReportKind kind, in TReport report, ReportEncoder<TReport> encode, Action<TradingEngine, TReport, long> apply)
        where TReport : struct
    {
        lock (_lock)
        {
            if (_inInput)
            {
                Defer(kind, report, encode, apply); // rare: a gateway rejecting synchronously from inside Send
                return;
            }
            long now = BeginInput(_clock.NowNanos());
            try
            {
                if (Journal is { } journal)
                {
                    Span<byte> fields = stackalloc byte[JournalCodec.MaxSize];
                    journal.Report(now, (int)kind, fields[..encode(report, fields)]);
                }
                apply(this, report, now);
                Flush(now, -1);
            }
            finally
            {
                EndInput();
            }
        }
    }

    // Its own method: a lambda capturing the parameters in Report would allocate its closure on every call.
    private void Defer<TReport>(JournalReportKind kind, TReport report, ReportEncoder<TReport> encode, Action<TradingEngine, TReport, long> apply)
        where TReport : struct => _deferred.Enqueue(() => Report(kind, report, encode, apply));

    private delegate int ReportEncoder<TReport>(in TReport report, Span<byte> destination);

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

    private long BeginInput(long candidateNs)
    {
        long now = candidateNs < _lastNow ? _lastNow : candidateNs;
        _lastNow = now;
        _host.InputNs = now;
        _host.ForgetInputSignals();
        _inInput = true;
        return now;
    }

    /// <summary>
    /// Ends the current input, then runs reports that arrived during it, each as an input of its own;
    /// true when any ran.
    /// </summary>
    private bool EndInput()
    {
        _inInput = false;
        _host.ForgetInputSignals();
        bool ran = false;
        while (_deferred.Count > 0)
        {
            ran = true;
            _deferred.Dequeue()();
        }
        return ran;
    }

    /// <summary>
    /// Intents → execution → commands → gateway, stamping tick-to-order when a frame caused them; returns
    /// that stamp (0 when no frame's command went out).
    /// </summary>
    private long Flush(long nowNs, long readStampNs)
    {
        foreach (ref readonly Intent intent in _host.PendingIntents)
            _execution.Submit(intent, nowNs);
        _host.ClearIntents();
        if (Flattening)
            ContinueFlatten(nowNs);

        CommandQueue queue = _execution.Commands;
        if (queue.Count == 0)
            return 0;
        IOrderGateway? gateway = _gateway;
        CoreJournal? journal = Journal;
        Span<byte> encoded = stackalloc byte[JournalCodec.MaxSize];
        foreach (ref readonly OrderCommand command in queue.Commands)
        {
            journal?.Command(nowNs, encoded[..JournalCodec.Encode(command, encoded)]);
            if (gateway is null)
            {
                CommandsWithoutGateway++;
                continue;
            }
            gateway.Send(command, readStampNs > 0 ? readStampNs : 0);
            CommandsSent++;
        }
        queue.Clear();
        if (readStampNs <= 0 || gateway is null)
            return 0;
        long sentNs = _clock.NowNanos();
        EngineLatency.Record(Latency.TickToOrder, sentNs - readStampNs);
        return sentNs;
    }

    // Static lambdas with explicit state: no closure is allocated per event.
    private void Guard<TState>(TState state, Action<IStrategy, IStrategyContext, TState> callback)
    {
        if (StrategyHalted || Paused)
            return;
        try
        {
            callback(_strategy, _host, state);
        }
        catch (Exception ex)
        {
            // A strategy bug halts that strategy, never the process: cancel its orders and stop calling it.
            StrategyHalted = true;
            StrategyError = $"{_strategy.Name}: {ex.GetType().Name}: {ex.Message}";
            _host.ClearIntents();
            long now = _lastNow;
            for (int i = 0; i < _books.Count; i++)
                _execution.Submit(Intent.CancelAll(i), now);
        }
    }

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
