using Fathom.Book;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;
using Fathom.Strategy.Abstractions;

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
            Guard(0, static (s, h, _) => s.OnStart(h));
            Flush(_clock.NowNanos(), -1);
        }
    }

    /// <summary>Called by the feed under the core lock after a frame was applied; <paramref name="readStampNs"/> is the socket-read stamp.</summary>
    public void OnMarketDataApplied(long readStampNs)
    {
        if (!_started)
            return;
        long now = _clock.NowNanos();
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
            // Walls the analyzer flags are spoof-like candidates: execution will not join them.
            SignalView signals = _host.Signals(i);
            _execution.SetAvoidLevels(i,
                signals.BidWallTick > 0 ? sync.Book.PriceOf(signals.BidWallTick) : Price.Zero,
                signals.AskWallTick > 0 ? sync.Book.PriceOf(signals.AskWallTick) : Price.Zero);
            Guard(i, static (s, h, instrument) => s.OnMarketData(h, instrument));
        }
        Flush(now, readStampNs);
        EngineLatency.Record(Latency.CoreCost, _clock.NowNanos() - readStampNs);
    }

    /// <summary>Periodic: risk evaluation and kill switches, gating cancels, unknown-order queries, strategy timers.</summary>
    public void OnTimer()
    {
        lock (_lock)
        {
            long now = _clock.NowNanos();
            _execution.OnTimer(now);
            int timer;
            while (!StrategyHalted && (timer = _host.TakeDueTimer(now)) >= 0)
            {
                Guard(timer, static (s, h, id) => s.OnTimer(h, id));
            }
            Flush(now, -1);
        }
    }

    /// <summary>True while an operator has paused the strategy: no callbacks, no quotes (orders were cancelled).</summary>
    public bool Paused { get; private set; }

    /// <summary>Operator: stop calling the strategy and cancel its orders; <see cref="Resume"/> undoes it. An operator input like any other.</summary>
    public void Pause()
    {
        lock (_lock)
        {
            long now = _clock.NowNanos();
            Paused = true;
            for (int i = 0; i < _books.Count; i++)
                _execution.Submit(Intent.CancelAll(i), now);
            Flush(now, -1);
        }
    }

    /// <summary>Operator: let the strategy trade again (and lift an operator halt).</summary>
    public void Resume()
    {
        lock (_lock)
        {
            long now = _clock.NowNanos();
            Paused = false;
            Flattening = false;
            _execution.Risk.OperatorResume(now);
            Flush(now, -1);
        }
    }

    /// <summary>Operator: halt (risk goes Halted: cancels only) until <see cref="Resume"/>.</summary>
    public void Halt()
    {
        lock (_lock)
        {
            long now = _clock.NowNanos();
            _execution.Risk.OperatorHalt(now);
            _execution.OnTimer(now); // risk's halt cancels resting orders
            Flush(now, -1);
        }
    }

    /// <summary>
    /// Operator: pause the strategy and trade the position back to flat, never paying more than
    /// <paramref name="slippageTicks"/> book ticks through the touch.
    /// </summary>
    public void Flatten(long slippageTicks = 5)
    {
        lock (_lock)
        {
            long now = _clock.NowNanos();
            Paused = true;
            _flattenSlippageTicks = slippageTicks;
            Flattening = true;
            for (int i = 0; i < _books.Count; i++)
                _execution.Submit(Intent.CancelAll(i), now);
            Flush(now, -1);
        }
    }

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
    public void Stop()
    {
        lock (_lock)
        {
            long now = _clock.NowNanos();
            Guard(0, static (s, h, _) => s.OnStop(h));
            for (int i = 0; i < _books.Count; i++)
                _execution.Submit(Intent.CancelAll(i), now);
            _started = false;
            Flush(now, -1);
        }
    }

    // ---- reports (gateway threads): each one is a core input under the lock

    public void OnAck(in AckReport report) { lock (_lock) { long now = _clock.NowNanos(); _execution.OnAck(report, now); Flush(now, -1); } }
    public void OnReject(in RejectReport report) { lock (_lock) { long now = _clock.NowNanos(); _execution.OnReject(report, now); Flush(now, -1); } }
    public void OnCanceled(in CanceledReport report) { lock (_lock) { long now = _clock.NowNanos(); _execution.OnCanceled(report, now); Flush(now, -1); } }
    public void OnExpired(in ExpiredReport report) { lock (_lock) { long now = _clock.NowNanos(); _execution.OnExpired(report, now); Flush(now, -1); } }
    public void OnAmended(in AmendedReport report) { lock (_lock) { long now = _clock.NowNanos(); _execution.OnAmended(report, now); Flush(now, -1); } }
    public void OnStatusUnknown(in StatusUnknownReport report) { lock (_lock) { long now = _clock.NowNanos(); _execution.OnStatusUnknown(report, now); Flush(now, -1); } }
    public void OnOrderStatus(in OrderStatusReport report) { lock (_lock) { long now = _clock.NowNanos(); _execution.OnOrderStatus(report, now); Flush(now, -1); } }

    public void OnFill(in FillReport report)
    {
        lock (_lock)
        {
            long now = _clock.NowNanos();
            _execution.OnFill(report, now);
            Fills++;
            if (Store is { } store && !store.TryAppend(report))
            {
                StoreRefusals++;
                _execution.Risk.OperatorHalt(now);
            }
            var fill = new FillView(report.ClientOrderId.Sequence, report.InstrumentId, report.Side, report.Price, report.Qty,
                report.Fee, report.IsMaker, report.TradeId, now);
            Guard(fill, static (s, h, f) => s.OnFill(h, f));
            Flush(now, -1);
        }
    }

    // ---- plumbing

    /// <summary>Intents → execution → commands → gateway, stamping tick-to-order when a frame caused them.</summary>
    private void Flush(long nowNs, long readStampNs)
    {
        foreach (ref readonly Intent intent in _host.PendingIntents)
            _execution.Submit(intent, nowNs);
        _host.ClearIntents();
        if (Flattening)
            ContinueFlatten(nowNs);

        CommandQueue queue = _execution.Commands;
        if (queue.Count == 0)
            return;
        IOrderGateway? gateway = _gateway;
        foreach (ref readonly OrderCommand command in queue.Commands)
        {
            if (gateway is null)
            {
                CommandsWithoutGateway++;
                continue;
            }
            gateway.Send(command);
            CommandsSent++;
        }
        queue.Clear();
        if (readStampNs > 0 && gateway is not null)
            EngineLatency.Record(Latency.TickToOrder, _clock.NowNanos() - readStampNs);
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
            long now = _clock.NowNanos();
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
