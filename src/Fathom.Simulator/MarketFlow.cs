using Fathom.Core;

namespace Fathom.Simulator;

/// <summary>
/// Synthetic market participants: a maker, a taker and a spoofer account per simulator that post,
/// cancel and take on every symbol, step by step, with Poisson arrival counts, geometric size
/// multiples of a minimum-notional lot, and a <see cref="FlowRegime"/> that shapes both.
/// Entry points: <see cref="Step"/> (one step, deterministic), <see cref="Start"/> (a timer on the
/// exchange's clock). Each step runs under the exchange gate and publishes like any request.
/// </summary>
/// <remarks>
/// Reproducible: the same seed, regime sequence and starting book give the same orders, because
/// every random draw comes from one SplitMix64 stream and the engine is deterministic. Agents trade
/// through the real matching engine, so every filter, lock and STP rule applies to them too; orders
/// the engine rejects (a post-only that would cross, a lot under the minimum) are simply dropped.
/// </remarks>
public sealed class MarketFlow : IDisposable
{
    private readonly SimulatorApi _api;
    private readonly MatchingEngine _engine;
    private readonly SimAccount _maker, _taker, _spoofer;
    private readonly SymbolState[] _symbols;
    private ulong _rng;
    private ITimer? _timer;
    private long _steps;
    private FlowRegime _active = FlowRegime.Calm;
    private long _regimeUntil;

    private sealed class SymbolState(SymbolBook book, long referencePrice)
    {
        public readonly SymbolBook Book = book;
        public long Reference = referencePrice;
        public int TrendDirection = 1;
        public readonly List<long> MakerOrders = [];
        public readonly List<(long OrderId, long Expires)> Walls = [];
    }

    /// <param name="referencePrices">Per symbol name, the price to quote around while a book is empty (raw at the symbol's decimals).</param>
    public MarketFlow(SimulatorApi api, IReadOnlyDictionary<string, long> referencePrices, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(referencePrices);
        _api = api;
        _engine = api.Engine;
        _rng = seed ^ 0x5DEECE66DUL;
        lock (api.Gate)
        {
            _maker = _engine.CreateAccount("flow-maker", 0, 0);
            _taker = _engine.CreateAccount("flow-taker", 0, 0);
            _spoofer = _engine.CreateAccount("flow-spoofer", 0, 0);
            foreach (string asset in _engine.AssetNames)
                foreach (var a in (ReadOnlySpan<SimAccount>)[_maker, _taker, _spoofer])
                    _engine.Deposit(a, asset, 1_000_000_000L * Assets.One);
            _symbols = [.. _engine.Books.Select(b => new SymbolState(b, referencePrices.TryGetValue(b.Name, out long p) ? p : 0))];
        }
    }

    /// <summary>The command-line names (calm, trending, bursty, withdrawal, spoof, mixed; any case) of the regimes; null for anything else.</summary>
    public static FlowRegime? ParseRegime(string name) => name?.ToLowerInvariant() switch
    {
        "calm" => FlowRegime.Calm,
        "trending" => FlowRegime.Trending,
        "bursty" => FlowRegime.Bursty,
        "withdrawal" => FlowRegime.LiquidityWithdrawal,
        "spoof" => FlowRegime.SpoofWalls,
        "mixed" => FlowRegime.Mixed,
        _ => null,
    };

    /// <summary>The regime the agents follow; <see cref="FlowRegime.Mixed"/> picks the others in turn. Thread-safe.</summary>
    public FlowRegime Regime { get; set; } = FlowRegime.Calm;

    /// <summary>The regime of the last step (differs from <see cref="Regime"/> under Mixed).</summary>
    public FlowRegime ActiveRegime => _active;
    public long Steps => Interlocked.Read(ref _steps);
    public long OrdersPlaced { get; private set; }
    public long OrdersCancelled { get; private set; }
    public long Takes { get; private set; }
    public long WallsPulled { get; private set; }

    /// <summary>Steps every <paramref name="interval"/> on the exchange's clock until <see cref="Stop"/> (no-op while running).</summary>
    public void Start(TimeSpan interval)
    {
        lock (_timerGate)
        {
            Interval = interval;
            _timer ??= _engine.Clock.Provider.CreateTimer(static s => ((MarketFlow)s!).Step(), this, interval, interval);
        }
    }

    /// <summary>Stops stepping (a step under way finishes); <see cref="Start"/> resumes from the same state.</summary>
    public void Stop()
    {
        lock (_timerGate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>True between <see cref="Start"/> and <see cref="Stop"/>.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_timerGate)
                return _timer is not null;
        }
    }

    /// <summary>The interval of the last <see cref="Start"/> (zero before any).</summary>
    public TimeSpan Interval { get; private set; }

    private readonly Lock _timerGate = new();

    public void Dispose() => Stop();

    /// <summary>One step of every agent on every symbol, under the exchange gate, then publish.</summary>
    public void Step()
    {
        _api.Run(_ =>
        {
            long step = Interlocked.Increment(ref _steps);
            var regime = Regime;
            if (regime == FlowRegime.Mixed)
            {
                if (step >= _regimeUntil)
                {
                    _active = (FlowRegime)(int)Next((ulong)FlowRegime.Mixed);
                    _regimeUntil = step + 20 + (long)Next(60);
                }
            }
            else
            {
                _active = regime;
            }
            foreach (var s in _symbols)
                StepSymbol(s, _active, step);
        });
    }

    private void StepSymbol(SymbolState s, FlowRegime regime, long step)
    {
        var book = s.Book;
        if (book.Status != SymbolStatus.Trading)
            return;
        var spec = book.Symbol.Spec;
        long tick = spec.TickSize.Raw;
        bool hasBid = book.TryBest(OrderSide.Buy, out long bid, out _);
        bool hasAsk = book.TryBest(OrderSide.Sell, out long ask, out _);
        long mid = hasBid && hasAsk ? (bid + ask) / 2 : hasBid ? bid + tick : hasAsk ? ask - tick : s.Reference;
        if (mid <= 0)
            return;
        mid -= mid % tick;
        long lot = Math.Max(spec.MinQty.Raw, Assets.QtyForQuote(book.Symbol.MinNotional * 2, mid, spec) + spec.StepSize.Raw);
        lot -= lot % spec.StepSize.Raw;

        // Regime shapes: arrival means per step (posts, cancels, takes), taker lean, depth offset.
        double posts = 3, cancels = 2, takes = 0.4;
        double buyBias = 0.5;
        switch (regime)
        {
            case FlowRegime.Trending:
                if (s.Reference > 0 && (mid > s.Reference * 3 / 2 || mid < s.Reference * 2 / 3))
                    s.TrendDirection = mid > s.Reference ? -1 : 1;
                buyBias = s.TrendDirection > 0 ? 0.85 : 0.15;
                takes = 1.2;
                posts = 4;
                break;
            case FlowRegime.Bursty:
                bool burst = Next(10) == 0;
                posts = burst ? 25 : 0.5;
                cancels = burst ? 10 : 0.5;
                takes = burst ? 8 : 0.1;
                break;
            case FlowRegime.LiquidityWithdrawal:
                posts = 0.3;
                cancels = 0;
                takes = 0.2;
                PullNearTouch(s, mid, tick * 20);
                break;
            case FlowRegime.SpoofWalls:
                ManageWalls(s, step, bid, ask, hasBid, hasAsk, tick, lot);
                break;
        }

        for (int i = Poisson(posts); i > 0; i--)
            Post(s, mid, tick, lot, hasBid ? bid : 0, hasAsk ? ask : 0);
        for (int i = Poisson(cancels); i > 0 && s.MakerOrders.Count > 0; i--)
            CancelMaker(s, (int)Next((ulong)s.MakerOrders.Count));
        for (int i = Poisson(takes); i > 0; i--)
            Take(s, NextDouble() < buyBias ? OrderSide.Buy : OrderSide.Sell, tick, lot);
        // Keep the maker under MAX_NUM_ORDERS: the oldest quotes go first.
        while (s.MakerOrders.Count > book.Symbol.MaxNumOrders * 3 / 4)
            CancelMaker(s, 0);
    }

    private void Post(SymbolState s, long mid, long tick, long lot, long bestBid, long bestAsk)
    {
        var book = s.Book;
        var side = Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
        long offset = 1 + Geometric(0.25, 40);
        long price = side == OrderSide.Buy ? mid - offset * tick : mid + offset * tick;
        // Makers do not cross: just inside the other side at most.
        if (side == OrderSide.Buy && bestAsk > 0)
            price = Math.Min(price, bestAsk - tick);
        if (side == OrderSide.Sell && bestBid > 0)
            price = Math.Max(price, bestBid + tick);
        if (price <= 0)
            return;
        long qty = lot * (1 + Geometric(0.35, 30));
        var outcome = _engine.Place(_maker, new NewOrder(book, side, OrderType.LimitMaker, TimeInForce.Gtc, price, qty));
        if (outcome is { Ok: true, Order: { IsOpen: true } o })
        {
            s.MakerOrders.Add(o.OrderId);
            OrdersPlaced++;
        }
    }

    private void CancelMaker(SymbolState s, int index)
    {
        long id = s.MakerOrders[index];
        s.MakerOrders.RemoveAt(index);
        if (_engine.Cancel(_maker, s.Book, id, null).Ok)
            OrdersCancelled++;
    }

    private void Take(SymbolState s, OrderSide side, long tick, long lot)
    {
        var book = s.Book;
        if (!book.TryBest(side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy, out long touch, out _))
            return;
        // An IOC a few ticks through the touch: sweeps a level or two at most.
        long limit = side == OrderSide.Buy ? touch + tick * (long)Next(4) : touch - tick * (long)Next(4);
        if (limit <= 0)
            return;
        long qty = lot * (1 + Geometric(0.3, 40));
        if (_engine.Place(_taker, new NewOrder(book, side, OrderType.Limit, TimeInForce.Ioc, limit, qty)).Ok)
            Takes++;
        s.MakerOrders.RemoveAll(id => !book.TryGetOrder(id, out var o) || !o.IsOpen);
    }

    private void PullNearTouch(SymbolState s, long mid, long band)
    {
        for (int i = s.MakerOrders.Count - 1; i >= 0; i--)
        {
            if (s.Book.TryGetOrder(s.MakerOrders[i], out var o) && Math.Abs(o.Price - mid) <= band && Next(3) != 0)
                CancelMaker(s, i);
        }
    }

    /// <summary>A wall of 20-60 lots 3-8 ticks behind the touch, pulled after 3-10 steps (or when the touch comes within a tick).</summary>
    private void ManageWalls(SymbolState s, long step, long bid, long ask, bool hasBid, bool hasAsk, long tick, long lot)
    {
        var book = s.Book;
        for (int i = s.Walls.Count - 1; i >= 0; i--)
        {
            var (id, expires) = s.Walls[i];
            bool open = book.TryGetOrder(id, out var o) && o.IsOpen;
            bool threatened = open && (o!.Side == OrderSide.Buy ? hasAsk && ask - o.Price <= tick : hasBid && o.Price - bid <= tick);
            if (open && (step >= expires || threatened))
            {
                _engine.Cancel(_spoofer, book, id, null);
                WallsPulled++;
            }
            if (!open || step >= expires || threatened)
                s.Walls.RemoveAt(i);
        }
        if (s.Walls.Count >= 2 || Next(4) != 0 || !hasBid || !hasAsk)
            return;
        var side = Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
        long distance = (3 + (long)Next(6)) * tick;
        long price = side == OrderSide.Buy ? bid - distance : ask + distance;
        if (price <= 0)
            return;
        var outcome = _engine.Place(_spoofer, new NewOrder(book, side, OrderType.LimitMaker, TimeInForce.Gtc, price, lot * (20 + (long)Next(41))));
        if (outcome is { Ok: true, Order: { IsOpen: true } wall })
            s.Walls.Add((wall.OrderId, step + 3 + (long)Next(8)));
    }

    // ---------------------------------------------------------------- seeded randomness

    private ulong NextRaw()
    {
        // SplitMix64: the same stream for a seed on every platform.
        ulong z = _rng += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private ulong Next(ulong bound) => NextRaw() % bound;
    private double NextDouble() => (NextRaw() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Knuth's method: fine for the small means used here.</summary>
    private int Poisson(double mean)
    {
        if (mean <= 0)
            return 0;
        double limit = Math.Exp(-mean), p = 1;
        int k = 0;
        do
        {
            k++;
            p *= NextDouble();
        } while (p > limit && k < 200);
        return k - 1;
    }

    /// <summary>Failures before the first success with probability <paramref name="p"/>, capped.</summary>
    private long Geometric(double p, long cap)
    {
        long k = 0;
        while (k < cap && NextDouble() > p)
            k++;
        return k;
    }
}
