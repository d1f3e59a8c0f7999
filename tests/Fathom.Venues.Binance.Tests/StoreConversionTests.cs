using Fathom.Core;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

/// <summary>
/// The normalized store on real data: every recorded format converted to a store and replayed from
/// it ends with exactly the books, sync counters, transitions and ticker checks of the JSON replay.
/// </summary>
public class StoreConversionTests
{
    private static ReplayComparison ReplayStore(MemoryStream store, Func<InstrumentSpec, Fathom.Book.BookOptions>? options = null)
    {
        store.Position = 0;
        using var reader = new StoreReader(store, ownsStream: false);
        var run = new ReplayComparison(reader.Instruments, options);
        reader.ReadAll(ref run.Router);
        Assert.False(reader.TornTail);
        Assert.Equal(0, reader.CorruptBlocks);
        return run;
    }

    [Fact]
    public void BtcUsdtBothDays_StoreReplay_EqualsJsonReplay()
    {
        var json = new ReplayComparison([TestInstruments.BtcUsdt], ReplayComparison.BtcWindow);
        var symbols = new BinanceSymbolTable();
        var parser = new BinanceStreamParser(symbols);
        var replay = new HftBacktestReplay(parser, symbols.Add(TestInstruments.BtcUsdt));
        foreach (string file in SharedData.BinanceSpotDays)
            replay.ReplayFile(file, ref json.Router);

        var store = new MemoryStream();
        StoreConversionResult result = BinanceStoreConverter.ConvertHftBacktest(SharedData.BinanceSpotDays, TestInstruments.BtcUsdt, 1000, store);
        ReplayComparison fromStore = ReplayStore(store, ReplayComparison.BtcWindow);

        ReplayComparison.AssertSame(json, fromStore);
        Assert.Equal(6_493, fromStore.Syncs[0].Counters.DiffsApplied);
        Assert.Equal(1_072, fromStore.Router.Check!.Matched);
        var p = parser.Counters;
        Assert.Equal(p.Deltas + p.Snapshots + p.TopOfBooks + p.Trades, result.Messages);
        Assert.Equal(result.Levels + p.TopOfBooks + p.Trades, result.Events);
        Assert.Empty(result.Warnings);
        Assert.True(result.Bytes < 20_000_000, $"store is {result.Bytes} bytes");
    }

    [Theory]
    [InlineData("BINANCE", false)]
    [InlineData("BINANCE_FUTURES", true)]
    public void CryptofeedCaptures_StoreReplay_EqualsJsonReplay(string exchange, bool usdm)
    {
        string info = SharedData.PathOf("cryptofeed", usdm ? "BINANCE_FUTURES.0" : "BINANCE.0.gz");
        string http = SharedData.PathOf("cryptofeed", $"{exchange}.http.0.0");
        string ws = SharedData.PathOf("cryptofeed", $"{exchange}.ws.1.0");
        Venue venue = usdm ? Venue.BinanceUsdM : Venue.BinanceSpot;

        CryptofeedReplay replay = CryptofeedReplay.Open(info, http, ws, venue);
        var specs = Enumerable.Range(0, replay.Symbols.Count).Select(i => replay.Symbols[i].Spec).ToArray();
        var json = new ReplayComparison(specs);
        replay.Replay(ref json.Router);

        var store = new MemoryStream();
        StoreConversionResult result = BinanceStoreConverter.ConvertCryptofeed(info, http, ws, venue, store);
        ReplayComparison fromStore = ReplayStore(store);

        ReplayComparison.AssertSame(json, fromStore);
        Assert.Equal(4, result.Instruments);
        Assert.All(fromStore.Syncs, s => Assert.Equal(SyncState.Live, s.State));
        Assert.True(fromStore.Router.Check!.Matched >= (usdm ? 50 : 26));
        // The 2021 captures hold legacy off-grid levels: the grid changes are in the store too.
        Assert.True(result.Parser.GridRefinements > 0);
        Assert.Contains(fromStore.Syncs, s => s.Counters.GridRefinements > 0);
    }

    [Fact]
    public void FathomRecording_StoreReplay_EqualsRecordingReplay()
    {
        using var file = new ReplayComparison.TempFile(".fathomrec");
        ReplayComparison.RecordHftBacktest([SharedData.BinanceSpotDays[0]], file.Path);
        RecordingReplay replay = RecordingReplay.Open(file.Path);
        var fromRecording = new ReplayComparison([replay.Symbols[0].Spec], ReplayComparison.BtcWindow);
        replay.ReplayFile(file.Path, ref fromRecording.Router);

        var store = new MemoryStream();
        StoreConversionResult result = BinanceStoreConverter.ConvertRecording(file.Path, store);
        ReplayComparison fromStore = ReplayStore(store, ReplayComparison.BtcWindow);

        ReplayComparison.AssertSame(fromRecording, fromStore);
        Assert.Equal("fathomrec", result.Format);
        Assert.Empty(result.Warnings);
        Assert.Equal(SyncState.Live, fromStore.Syncs[0].State);
    }

    [Fact]
    public void FathomRecordingAcrossAPlannedReconnect_StoresEachTradeOnce_AndSaysSo()
    {
        // 300 lines (~2 s, ~40 diffs, ~50 trades) carried by both connections of a planned reconnect's overlap, recorded twice.
        using var clean = new ReplayComparison.TempFile(".fathomrec");
        using var overlapped = new ReplayComparison.TempFile(".fathomrec");
        ReplayComparison.RecordHftBacktest([SharedData.BinanceSpotDays[0]], clean.Path);
        ReplayComparison.RecordHftBacktest([SharedData.BinanceSpotDays[0]], overlapped.Path, overlap: (8_000, 300));

        var cleanStore = new MemoryStream();
        var overlappedStore = new MemoryStream();
        Assert.Empty(BinanceStoreConverter.ConvertRecording(clean.Path, cleanStore).Warnings);
        StoreConversionResult result = BinanceStoreConverter.ConvertRecording(overlapped.Path, overlappedStore);

        List<Trade> expected = StoredTrades(cleanStore), stored = StoredTrades(overlappedStore);
        string warning = Assert.Single(result.Warnings);
        Assert.Matches(@"^\d+ repeated trade\(s\) dropped", warning);
        long repeats = long.Parse(warning[..warning.IndexOf(' ')], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(repeats, 20, 300);
        Assert.Equal(expected.Count, stored.Count);
        Assert.Equal(expected.Select(t => t.TradeId), stored.Select(t => t.TradeId));
        // The books come out the same too: the depth repeats are BookSync's duplicates (counted as such).
        BookSync a = ReplayStore(cleanStore, ReplayComparison.BtcWindow).Syncs[0], b = ReplayStore(overlappedStore, ReplayComparison.BtcWindow).Syncs[0];
        Assert.True(b.State == SyncState.Live, $"{b.LastTransition}; dup {b.Counters.Duplicates} ooo {b.Counters.OutOfOrder} gaps {b.Counters.Gaps} stale {b.Counters.StaleCount}");
        Assert.Equal(a.Counters.StaleCount, b.Counters.StaleCount);
        Assert.True(b.Counters.Duplicates > a.Counters.Duplicates);
        Fathom.Book.BookCopy ab = a.Book.Copy(), bb = b.Book.Copy();
        Assert.Equal(ab.UpdateId, bb.UpdateId);
        Assert.Equal(ab.Bids.ToArray(), bb.Bids.ToArray());
        Assert.Equal(ab.Asks.ToArray(), bb.Asks.ToArray());
    }

    private static List<Trade> StoredTrades(MemoryStream store)
    {
        store.Position = 0;
        using var reader = new StoreReader(store, ownsStream: false);
        var trades = new CollectingHandler();
        reader.ReadAll(ref trades);
        return trades.Trades;
    }
}
