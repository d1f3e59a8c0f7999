using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

/// <summary>
/// Conformance on cryptofeed's recorded Binance sessions (shared/data/cryptofeed): several symbols
/// on one connection, snapshots taken while the stream runs, the spot U/u rule and the USD-M pu
/// rule. Expected per-symbol figures are those in shared/data/PROVENANCE.md.
/// </summary>
public class CryptofeedRecordingTests
{
    private sealed record Result(CryptofeedReplay Replay, MarketDataRouter Router, Dictionary<string, BookSync> Books, List<SyncTransition> Transitions);

    private static Result Run(string exchange, Venue venue, SyncRule rule)
    {
        string info = SharedData.PathOf("cryptofeed", exchange == "BINANCE" ? "BINANCE.0.gz" : exchange + ".0");
        var replay = CryptofeedReplay.Open(info,
            SharedData.PathOf("cryptofeed", exchange + ".http.0.0"),
            SharedData.PathOf("cryptofeed", exchange + ".ws.1.0"), venue);
        var router = new MarketDataRouter(replay.Symbols.Count) { Check = new TopOfBookCheck() };
        var transitions = new List<SyncTransition>();
        var books = new Dictionary<string, BookSync>();
        for (int i = 0; i < replay.Symbols.Count; i++)
        {
            var symbol = replay.Symbols[i];
            var sync = new BookSync(symbol.Id, new OrderBook(symbol.Spec), rule, observer: transitions.Add);
            router.Add(sync);
            books[symbol.Spec.Symbol] = sync;
        }
        replay.Replay(ref router);
        return new Result(replay, router, books, transitions);
    }

    [Theory]
    [InlineData("NKNUSDT", 1, 149)]
    [InlineData("BLZETH", 1, 9)]
    [InlineData("LRCBTC", 2, 13)]
    [InlineData("RUNEEUR", 1, 1)]
    public void BinanceSpot_EverySymbolSyncsByTheSpotRule(string symbol, int dropped, int applied)
    {
        var r = Run("BINANCE", Venue.BinanceSpot, SyncRule.BinanceSpot);
        BookSync sync = r.Books[symbol];
        Assert.Equal(SyncState.Live, sync.State);
        Assert.Equal(dropped, sync.Counters.DiffsDroppedBeforeSync);
        Assert.Equal(applied, sync.Counters.DiffsApplied);
        Assert.Equal(0, sync.Counters.Gaps + sync.Counters.Crossed + sync.Counters.OutOfOrder + sync.Counters.StaleCount);
    }

    [Fact]
    public void BinanceSpot_AllTickersMatch_NoErrors_SnapshotDepthRespected()
    {
        var r = Run("BINANCE", Venue.BinanceSpot, SyncRule.BinanceSpot);
        Assert.Equal(26, r.Router.Check!.Matched);
        Assert.True(r.Router.Check.Mismatched == 0, r.Router.Check.FirstMismatch);
        var p = r.Replay.Parser.Counters;
        Assert.Equal(0, p.Malformed + p.Truncated + p.BadNumbers + p.UnknownSymbols);
        // NKNUSDT's tick is 0.0001 but its book still holds legacy orders at 0.00001 (34 levels in
        // the snapshot): the book grid is refined once, nothing is dropped, nothing goes Stale.
        Assert.Equal(1, p.GridRefinements);
        Assert.Equal(1_000, r.Books["NKNUSDT"].Book.TickRaw);
        Assert.Equal(10_000, r.Books["NKNUSDT"].Book.Instrument.TickSize.Raw);
        Assert.True(r.Books["NKNUSDT"].MetadataRefreshRequested);
        Assert.Equal(265, r.Replay.Frames);
        Assert.Equal(177, p.Deltas);
        Assert.Equal(84, p.TopOfBooks);
        Assert.Equal(2, p.Trades);        // aggTrade
        Assert.Equal(2, p.IgnoredEvents); // kline_1m
        Assert.Equal(4, r.Replay.SnapshotsReplayed);
        Assert.All(r.Transitions, t => Assert.Equal((SyncState.Syncing, SyncState.Live), (t.From, t.To)));
        // RUNEEUR's snapshot had 468 of 1000 ask levels: the venue sent the whole side.
        Assert.True(r.Books["RUNEEUR"].Book.KnownUntilTick(Side.Ask) == long.MaxValue);
        Assert.NotEqual(long.MaxValue, r.Books["RUNEEUR"].Book.KnownUntilTick(Side.Bid));
    }

    [Theory]
    [InlineData("SUSHIUSDT", 3, 252)]
    [InlineData("AKROUSDT", 1, 188)]
    [InlineData("KEEPUSDT", 3, 132)]
    [InlineData("CTKUSDT", 5, 180)]
    public void BinanceUsdM_EverySymbolSyncsByThePuRule(string symbol, int dropped, int applied)
    {
        var r = Run("BINANCE_FUTURES", Venue.BinanceUsdM, SyncRule.BinanceUsdM);
        BookSync sync = r.Books[symbol];
        Assert.Equal(SyncState.Live, sync.State);
        Assert.Equal(dropped, sync.Counters.DiffsDroppedBeforeSync);
        Assert.Equal(applied, sync.Counters.DiffsApplied);
        Assert.Equal(0, sync.Counters.Gaps + sync.Counters.Crossed + sync.Counters.OutOfOrder + sync.Counters.StaleCount);
    }

    [Fact]
    public void BinanceUsdM_AllTickersMatch_NoErrors()
    {
        var r = Run("BINANCE_FUTURES", Venue.BinanceUsdM, SyncRule.BinanceUsdM);
        Assert.Equal(50, r.Router.Check!.Matched);
        Assert.True(r.Router.Check.Mismatched == 0, r.Router.Check.FirstMismatch);
        var p = r.Replay.Parser.Counters;
        Assert.Equal(0, p.Malformed + p.Truncated + p.BadNumbers + p.UnknownSymbols);
        // CTKUSDT (tick 0.001) still has resting orders at 0.00001 (131 snapshot levels).
        Assert.Equal(1, p.GridRefinements);
        Assert.Equal(1_000, r.Books["CTKUSDT"].Book.TickRaw);
        Assert.Equal(1_535, r.Replay.Frames);
        Assert.Equal(764, p.Deltas);
        Assert.Equal(613, p.TopOfBooks);
        Assert.Equal(91, p.Trades);
        Assert.Equal(67, p.IgnoredEvents);
        // SUSHIUSDT grows past its 1000-level snapshot (PROVENANCE: 1006 bid levels).
        Assert.Equal(1_006, r.Books["SUSHIUSDT"].Book.BidCount);
    }

    [Fact]
    public void BinanceUsdM_ReplayedWithTheSpotRule_DetectsGaps()
    {
        // The shared id space makes U jump between one symbol's diffs: the spot rule must call them gaps.
        var r = Run("BINANCE_FUTURES", Venue.BinanceUsdM, SyncRule.BinanceSpot);
        Assert.True(r.Books.Values.Sum(b => b.Counters.Gaps) > 0);
    }

    [Fact]
    public void ExchangeInfo_GivesTickAndStepSizes()
    {
        var r = Run("BINANCE", Venue.BinanceSpot, SyncRule.BinanceSpot);
        InstrumentSpec blz = r.Books["BLZETH"].Book.Instrument;
        Assert.Equal(1, blz.TickSize.Raw);               // 0.00000001
        Assert.Equal(100_000_000, blz.StepSize.Raw);     // 1
        Assert.Equal(InstrumentStatus.Trading, blz.Status);
        Assert.True(blz.MinNotional.Raw > 0);
    }
}
