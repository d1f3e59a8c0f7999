using Fathom.Book;
using Fathom.Core;

namespace Fathom.MarketData.Tests;

/// <summary>Builds diffs and snapshots by hand and drives one <see cref="BookSync"/>.</summary>
internal sealed class SyncHarness
{
    public static readonly InstrumentSpec Spec = new InstrumentSpec
    {
        Symbol = "BTCUSDT",
        Venue = Venue.BinanceSpot,
        PriceDecimals = 8,
        QtyDecimals = 8,
        TickSize = new Price(1_000_000),
        StepSize = new Qty(1_000),
    }.Validate();

    public readonly List<SyncTransition> Transitions = [];
    public readonly BookSync Sync;
    public long Now = 1_000;

    public SyncHarness(SyncRule rule = SyncRule.BinanceSpot, SyncOptions? options = null, int instrumentId = 0)
    {
        Sync = new BookSync(instrumentId, new OrderBook(Spec), rule, options, Transitions.Add);
    }

    public OrderBook Book => Sync.Book;

    public void Delta(long first, long final, Level[]? bids = null, Level[]? asks = null, long prevFinal = -1)
    {
        Now += 100_000_000;
        Sync.OnDelta(new BookDelta(Sync.InstrumentId, first, final, prevFinal, 0, Now, bids ?? [], asks ?? []));
    }

    public void Snapshot(long lastUpdateId, Level[]? bids = null, Level[]? asks = null)
    {
        Now += 1_000_000;
        Sync.OnSnapshot(new BookSnapshot(Sync.InstrumentId, lastUpdateId, 0, Now,
            bids ?? [new Level(100, 10)], asks ?? [new Level(101, 10)], depthLimit: 1000));
    }

    public SyncTransition Last => Transitions[^1];
}
