using Fathom.Book;
using Fathom.Core;
using Fathom.Strategy.Abstractions;

namespace Fathom.Strategies.Tests;

/// <summary>A strategy context over a hand-built book: tests set the market and read back the intents.</summary>
internal sealed class ScriptedContext : IStrategyContext
{
    public static readonly InstrumentSpec Btc = new InstrumentSpec
    {
        Symbol = "BTCUSDT",
        Venue = Venue.BinanceSpot,
        PriceDecimals = 8,
        QtyDecimals = 8,
        TickSize = new Price(1_000_000),
        StepSize = new Qty(1_000),
    }.Validate();

    public readonly OrderBook OrderBook = new(Btc);
    public readonly List<Intent> Intents = [];
    public readonly List<(int Id, long Delay)> Timers = [];
    public SignalView SignalValues = SignalView.Empty;
    public long PositionRaw;
    public bool Live = true;

    public IReadOnlyList<InstrumentSpec> Instruments { get; } = [Btc];
    public long NowNanos { get; set; }

    /// <summary>Best bid/ask ticks with sizes; a few deeper levels behind them.</summary>
    public ScriptedContext Market(long bid, long bidQty, long ask, long askQty)
    {
        OrderBook.ApplySnapshot(
            [new Level(bid, bidQty), new Level(bid - 1, 1_000_000), new Level(bid - 2, 1_000_000)],
            [new Level(ask, askQty), new Level(ask + 1, 1_000_000), new Level(ask + 2, 1_000_000)], 1);
        return this;
    }

    public BookView Book(int instrumentId) => OrderBook.View;
    public bool IsMarketLive(int instrumentId) => Live;
    /// <summary>A real-time ticker ahead of the book, when set; else the book's own top (the interface default).</summary>
    public TopView? Ticker;
    public TopView Top(int instrumentId) => Ticker ?? TopView.FromBook(OrderBook.View);
    public SignalView Signals(int instrumentId) => SignalValues;
    public PositionView Position(int instrumentId) => new(instrumentId, new Qty(PositionRaw), default, 0, 0, 0, default, default);
    public ReadOnlySpan<OrderView> Orders(int instrumentId) => [];
    public void Submit(in Intent intent) => Intents.Add(intent);
    public void ScheduleTimer(int timerId, long delayNanos) => Timers.Add((timerId, delayNanos));
}
