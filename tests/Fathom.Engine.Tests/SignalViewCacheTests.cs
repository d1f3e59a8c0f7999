using Fathom.Book;
using Fathom.MarketData;
using Fathom.Signals;
using Fathom.Strategy.Abstractions;
using Fathom.Testing;
using Fathom.Venues.Binance;
using Xunit;

namespace Fathom.Engine.Tests;

/// <summary>
/// The composition's signal view (<see cref="SignalViewCache"/>) on the real Binance BTCUSDT recording (both days,
/// diffs, trades and tickers through the real parser, <see cref="BookSync"/> and <see cref="SignalFeed"/>): after every
/// event the cached view equals a view built afresh from the analyzer, and the tickers (which do not feed the analyzer)
/// reuse the view instead of rebuilding it.
/// </summary>
public class SignalViewCacheTests
{
    private sealed class Checker(SignalFeed feed, SignalViewCache cache) : IMarketDataHandler
    {
        public long Events, Tickers, TickersReused, Compared, Differed;
        public string? FirstDifference;

        private void Check(string what)
        {
            Events++;
            SignalView cached = cache.Get(0), fresh = SignalViews.From(feed.Engine);
            Compared++;
            if (cached != fresh)
            {
                Differed++;
                FirstDifference ??= $"{what}: cached {cached}, fresh {fresh}";
            }
        }

        public void OnBookDelta(in BookDelta delta)
        {
            feed.OnBookDelta(delta);
            Check($"diff u={delta.FinalUpdateId}");
        }

        public void OnBookSnapshot(in BookSnapshot snapshot)
        {
            feed.OnBookSnapshot(snapshot);
            Check($"snapshot {snapshot.LastUpdateId}");
        }

        public void OnTopOfBook(in TopOfBook top)
        {
            long version = feed.Engine.Version;
            feed.OnTopOfBook(top);
            Tickers++;
            if (feed.Engine.Version == version)
                TickersReused++;
            Check($"ticker u={top.UpdateId}");
        }

        public void OnTrade(in Trade trade)
        {
            feed.OnTrade(trade);
            Check($"trade {trade.TradeId}");
        }

        public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) { }
        public void OnBookGridChanged(int instrumentId, long newTickRaw)
        {
            feed.OnBookGridChanged(instrumentId, newTickRaw);
            Check("grid");
        }
        public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs)
        {
            feed.OnMessageError(instrumentId, error, receiveTimeNs);
            Check($"error {error}");
        }
    }

    [Fact]
    public void RecordedDays_TheCachedViewEqualsAFreshOne_AfterEveryEvent_AndTickersReuseIt()
    {
        var symbols = new BinanceSymbolTable();
        BinanceSymbol symbol = symbols.Add(Specs.BtcUsdt);
        var sync = new BookSync(symbol.Id, new OrderBook(symbol.Spec, BookOptions.ForPrice(6_183_763)), SyncRule.BinanceSpot);
        var engine = new SignalEngine();
        var cache = new SignalViewCache([engine]);
        var handler = new Checker(new SignalFeed(sync, engine), cache);
        var replay = new HftBacktestReplay(new BinanceStreamParser(symbols), symbol);

        foreach (string file in SharedData.BinanceSpotDays)
            replay.ReplayFile(file, ref handler);

        Assert.Null(handler.FirstDifference);
        Assert.Equal(0, handler.Differed);
        // Every diff, trade and ticker of both days was compared (the recording's counts), and the analyzer was live.
        Assert.Equal(19_904, engine.TradesSeen);
        Assert.Equal(6_492, engine.DeltasApplied);
        Assert.True(handler.Compared > 6_493 + 19_904 + 50_000, $"compared {handler.Compared}");
        Assert.True(engine.IsReady);
        // The tickers left the analyzer alone and were served the held view.
        Assert.True(handler.Tickers > 50_000, $"tickers {handler.Tickers}");
        Assert.Equal(handler.Tickers, handler.TickersReused);
        Assert.InRange(cache.Builds, 6_492 + 19_904, handler.Compared - handler.TickersReused);
    }

    [Fact]
    public void AReadingInsideADiff_DoesNotOutliveIt()
    {
        var book = new OrderBook(Specs.Btc);
        book.SetBid(10_000, 5_000_000);
        book.SetAsk(10_010, 5_000_000);
        var engine = new SignalEngine();
        engine.Reset(book);
        var cache = new SignalViewCache([engine]);
        SignalView before = cache.Get(0);

        // Readings at every point of a diff (the engine takes none there; the cache must not care) match a fresh view.
        engine.BeginDelta(1_000);
        Assert.Equal(SignalViews.From(engine), cache.Get(0));
        long old = book.SetBid(10_000, 1_000_000);
        engine.OnLevelChange(Side.Bid, 10_000, old, 1_000_000);
        Assert.Equal(SignalViews.From(engine), cache.Get(0));
        book.UpdateId = 2;
        engine.EndDelta(book);

        SignalView after = cache.Get(0);
        Assert.Equal(SignalViews.From(engine), after);
        Assert.NotEqual(before.TopImbalance, after.TopImbalance); // the diff moved the top's imbalance
    }
}
