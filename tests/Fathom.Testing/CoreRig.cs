using Fathom.Book;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Strategies;
using Fathom.Strategy.Abstractions;
using Fathom.Venues.Binance;

namespace Fathom.Testing;

/// <summary>
/// A core built by the composition root (<see cref="CoreComposition.Build"/> on a Binance feed core: the
/// analyzer in the feed path, risk, execution, the strategies, the engine) on virtual time, with a
/// <see cref="RecordingGateway"/> (or the caller's order entry) as its venue. Tests move the market with
/// <see cref="Market"/> (a snapshot through the feed core's router, then the engine, as a feed does) and play
/// the venue by calling the engine's report methods.
/// </summary>
public sealed class CoreRig
{
    /// <summary>The market maker tests quote with: one tick either side, 0.0001 a quote, at most 0.01 long or short.</summary>
    /// <remarks>Amounts in base units (0.0001 = 10 000 raw at 8 decimals), as a configuration gives them.</remarks>
    public static StrategySetup Maker(int instrumentId, long minRequoteIntervalNs = 0) => new(StrategyCatalog.MarketMaker, [instrumentId],
        new Dictionary<string, string?>
        {
            ["halfSpreadTicks"] = "1",
            ["quoteQty"] = "0.0001",
            ["maxPosition"] = "0.01",
            ["minRequoteIntervalMs"] = (minRequoteIntervalNs / 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    /// <summary>Limits wide enough that only the rule a test aims at refuses (1 BTC position, 0.1 an order, 10 000 notional).</summary>
    public static RiskLimits WideLimits(int instruments) => new()
    {
        Instruments =
        [
            .. Enumerable.Range(0, instruments).Select(_ => new InstrumentRiskLimits
            {
                MaxPosition = new Qty(100_000_000), MaxOrderQty = new Qty(10_000_000), MaxOrderNotional = 1_000_000_000_000,
            }),
        ],
        MaxTotalNotional = 10_000_000_000_000,
        MarkoutLossLimit = 1_000_000_000_000,
        MaxDailyLoss = 1_000_000_000_000,
        PriceBandBps = 500,
    };

    /// <summary><paramref name="specs"/> under <see cref="WideLimits"/>, with <paramref name="makers"/> (node 1, epoch 1).</summary>
    public static CoreSetup Setup(IReadOnlyList<InstrumentSpec> specs, params StrategySetup[] makers) =>
        new(specs, WideLimits(specs.Count), makers, new ExecutionOptions(), 1, 1);

    /// <summary>Builds the core of <paramref name="setup"/> and, unless <paramref name="start"/> is false, starts it.</summary>
    /// <param name="orderEntry">The venue's send side; <see cref="Gateway"/> when null.</param>
    /// <param name="journal">Attached through the composition (meta record, id blocks, every input).</param>
    /// <param name="strategies">Hosted instead of the setup's market makers.</param>
    /// <param name="inboxCapacity">The engine's ring for inputs from other threads.</param>
    public CoreRig(CoreSetup setup, IOrderEntry? orderEntry = null, CoreJournal? journal = null,
        IReadOnlyList<IStrategy>? strategies = null, bool start = true, ISequenceReservation? reservation = null,
        int inboxCapacity = TradingEngine.InboxCapacity)
    {
        ArgumentNullException.ThrowIfNull(setup);
        Clock = new MonotonicClock(Time);
        Core = new BinanceFeedCore(setup.Specs);
        Parts = CoreComposition.Build(Core, setup, Clock, reservation ?? new InMemorySequenceReservation(), journal: journal, strategies: strategies,
            inboxCapacity: inboxCapacity);
        OrderEntry = orderEntry ?? Gateway;
        Engine.AttachGateway(OrderEntry);
        if (start)
            Engine.Start();
    }

    public ManualTimeProvider Time { get; } = new();
    public MonotonicClock Clock { get; }
    public BinanceFeedCore Core { get; }
    public CoreParts Parts { get; }
    public TradingEngine Engine => Parts.Engine;
    /// <summary>Where commands go unless the caller gave its own order entry.</summary>
    public RecordingGateway Gateway { get; } = new();
    /// <summary>What the engine sends to.</summary>
    public IOrderEntry OrderEntry { get; }
    public Lock CoreLock => Core.CoreLock;
    public IReadOnlyList<BookSync> Books => Core.Books;
    public long Now => Clock.NowNanos();

    /// <summary>Two levels a side at <paramref name="bid"/> and <paramref name="ask"/> (ticks), 0.05 each.</summary>
    public void Market(long bid, long ask, long id, int instrument = 0) =>
        Snapshot(instrument, id, [new Level(bid, 5_000_000), new Level(bid - 1, 5_000_000)], [new Level(ask, 5_000_000), new Level(ask + 1, 5_000_000)]);

    /// <summary>
    /// A scripted market move: the book resyncs to these levels (a live book ignores unsolicited snapshots, so it
    /// is marked stale first) through the router, so the analyzer sees it, and the engine runs, under the core lock.
    /// </summary>
    public void Snapshot(int instrument, long id, Level[] bids, Level[] asks)
    {
        lock (CoreLock)
        {
            BookSync sync = Books[instrument];
            if (sync.IsLive)
                sync.MarkStale(StaleReason.Disconnected, 0);
            Core.Router.OnBookSnapshot(new BookSnapshot(instrument, id, 0, 0, bids, asks, 0));
            Core.AfterApply?.Invoke(Now);
        }
    }
}
