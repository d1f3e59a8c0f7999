using Fathom.Book;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

/// <summary>
/// Conformance on the real recording in ../shared/data/binance/hftbacktest/spot: the REST snapshot
/// spliced with the buffered diffs by the spot rule, every diff chained, and the rebuilt top of book
/// equal to every bookTicker that carries a diff's final update id. The expected figures are the
/// ones PROVENANCE.md and the Python reference replay (shared/tools/verify_binance.py) report.
/// </summary>
public class BtcUsdtRecordingTests
{
    private sealed class Run
    {
        public required BinanceStreamParser Parser;
        public required BookSync Sync;
        public required MarketDataRouter Router;
        public required TopOfBookCheck Check;
        public required HftBacktestReplay Replay;
        public readonly List<SyncTransition> Transitions = [];
    }

    private static Run Replay(params string[] files)
    {
        var symbols = new BinanceSymbolTable();
        var symbol = symbols.Add(TestInstruments.BtcUsdt);
        var parser = new BinanceStreamParser(symbols);
        var transitions = new List<SyncTransition>();
        var book = new OrderBook(symbol.Spec, BookOptions.ForPrice(6_183_763));
        var sync = new BookSync(symbol.Id, book, SyncRule.BinanceSpot, observer: transitions.Add);
        var router = new MarketDataRouter(symbols.Count) { Check = new TopOfBookCheck() };
        router.Add(sync);
        var run = new Run { Parser = parser, Sync = sync, Router = router, Check = router.Check, Replay = new HftBacktestReplay(parser, symbol) };
        run.Transitions.AddRange(transitions);
        foreach (string file in files)
            run.Replay.ReplayFile(file, ref router);
        run.Transitions.Clear();
        run.Transitions.AddRange(transitions);
        return run;
    }

    [Fact]
    public void BothDays_SyncAndMatchEveryComparableBookTicker()
    {
        var run = Replay(SharedData.BinanceSpotDays);
        SyncCounters c = run.Sync.Counters;

        Assert.Equal(SyncState.Live, run.Sync.State);
        Assert.Equal(6_493, c.DiffsApplied);
        Assert.Equal(2, c.DiffsDroppedBeforeSync);
        Assert.Equal(1, c.SnapshotsApplied);
        Assert.Equal(0, c.Gaps + c.OutOfOrder + c.Crossed + c.Malformed + c.OffTick + c.Duplicates);
        Assert.Equal(50_093_696_318, run.Sync.Book.UpdateId);

        Assert.Equal(1_072, run.Check.Compared);
        Assert.Equal(1_072, run.Check.Matched);
        Assert.True(run.Check.Mismatched == 0, run.Check.FirstMismatch);

        // One transition only: Syncing -> Live when the snapshot was spliced.
        var t = Assert.Single(run.Transitions);
        Assert.Equal((SyncState.Syncing, SyncState.Live), (t.From, t.To));

        var p = run.Parser.Counters;
        Assert.Equal(0, p.Malformed + p.Truncated + p.BadNumbers + p.OffTick + p.UnknownSymbols);
        Assert.Equal(6_495, p.Deltas);
        Assert.Equal(28_040 + 45_134, p.TopOfBooks);
        Assert.Equal(9_757 + 10_147, p.Trades);
        Assert.Equal(41_249 + 58_325, run.Replay.Lines);
        Assert.Equal(0, run.Replay.BadLines);

        // Levels beyond the 1000-level snapshot grow the book (PROVENANCE: 1971 bids / 2962 asks).
        Assert.Equal(1_971, run.Sync.Book.BidCount);
        Assert.Equal(2_962, run.Sync.Book.AskCount);
        Assert.False(run.Sync.Book.IsCrossed);
    }

    [Fact]
    public void ContinuationDayAlone_HasNoSnapshotAndNeverGoesLive()
    {
        var run = Replay(SharedData.PathOf("binance", "hftbacktest", "spot", "btcusdt_20240809.gz"));
        Assert.Equal(SyncState.Syncing, run.Sync.State);
        Assert.Equal(0, run.Sync.Counters.DiffsApplied);
        Assert.True(run.Sync.SnapshotRequested);
        Assert.False(run.Sync.Book.HasBid);
    }

    [Fact]
    public void FirstDay_FinalBookAgreesWithTheLastBookTicker()
    {
        var run = Replay(SharedData.BinanceSpotDays[0]);
        Assert.Equal(SyncState.Live, run.Sync.State);
        // The overlay picks whichever of ticker and book is newer; either way the top is two-sided and uncrossed.
        EffectiveTop top = run.Sync.Top;
        Assert.True(top.IsTwoSided);
        Assert.True(top.BidTick < top.AskTick);
        Assert.True(run.Check.Matched > 0 && run.Check.Mismatched == 0);
    }
}
