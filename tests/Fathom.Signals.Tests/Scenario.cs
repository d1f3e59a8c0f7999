using Fathom.Book;
using Fathom.MarketData;

namespace Fathom.Signals.Tests;

/// <summary>
/// A hand-built market on the toy instrument (tick 1, whole-unit sizes): a snapshot, diffs at
/// chosen venue times and trades, fed to a <see cref="SignalEngine"/> the way the feed would.
/// </summary>
internal sealed class Scenario
{
    private long _updateId;
    private long _tradeId;

    public Scenario(SignalOptions options)
    {
        Book = new OrderBook(TestInstruments.Toy);
        Engine = new SignalEngine(options);
    }

    public OrderBook Book { get; }
    public SignalEngine Engine { get; }

    public static (long Tick, long Qty) L(long tick, long qty) => (tick, qty);

    public Scenario Snapshot((long Tick, long Qty)[] bids, (long Tick, long Qty)[] asks)
    {
        Book.ApplySnapshot([.. bids.Select(l => new Level(l.Tick, l.Qty))], [.. asks.Select(l => new Level(l.Tick, l.Qty))], ++_updateId);
        Engine.Reset(Book);
        return this;
    }

    public Scenario Diff(long timeMs, (long Tick, long Qty)[]? bids = null, (long Tick, long Qty)[]? asks = null)
    {
        Level[] b = [.. (bids ?? []).Select(l => new Level(l.Tick, l.Qty))];
        Level[] a = [.. (asks ?? []).Select(l => new Level(l.Tick, l.Qty))];
        _updateId++;
        Engine.ApplyDelta(Book, new BookDelta(0, _updateId, _updateId, -1, timeMs, 0, b, a));
        return this;
    }

    /// <summary>A seller hitting the bid at <paramref name="tick"/> (Binance m = true).</summary>
    public Scenario Sell(long timeMs, long tick, long qty) => Trade(timeMs, tick, qty, buyerIsMaker: true);

    /// <summary>A buyer lifting the ask at <paramref name="tick"/>.</summary>
    public Scenario Buy(long timeMs, long tick, long qty) => Trade(timeMs, tick, qty, buyerIsMaker: false);

    private Scenario Trade(long timeMs, long tick, long qty, bool buyerIsMaker)
    {
        _tradeId++;
        Engine.OnTrade(new Trade(0, _tradeId, tick, qty, buyerIsMaker, timeMs, timeMs, 0, _tradeId, _tradeId));
        return this;
    }
}
