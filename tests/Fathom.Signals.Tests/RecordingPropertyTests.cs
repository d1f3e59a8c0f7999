using Fathom.Book;
using Fathom.MarketData;
using Fathom.Testing;
using Fathom.Venues.Binance;
using Xunit;
using Xunit.Abstractions;

namespace Fathom.Signals.Tests;

/// <summary>
/// The real Binance BTCUSDT recording (both days, ~10.8 minutes: 6,493 diffs, 19,904 trades) through
/// the real parser, <see cref="BookSync"/> and <see cref="SignalFeed"/>; after every diff, snapshot and
/// trade every signal must equal the naive recomputation. Coverage counters make sure the
/// interesting paths actually ran on this data, so a silently dead detector fails here too.
/// </summary>
public class RecordingPropertyTests(ITestOutputHelper output)
{
    [Fact]
    public void BothDays_EveryIncrementalSignalEqualsNaiveRecomputation_AfterEveryEvent()
    {
        var symbols = new BinanceSymbolTable();
        BinanceSymbol symbol = symbols.Add(TestInstruments.BtcUsdt);
        var parser = new BinanceStreamParser(symbols);
        var sync = new BookSync(symbol.Id, new OrderBook(symbol.Spec, BookOptions.ForPrice(6_183_763)), SyncRule.BinanceSpot);
        SignalOptions options = SignalOptions.Default;
        var engine = new SignalEngine(options);
        var handler = new CheckingHandler(new SignalFeed(sync, engine), new NaiveSignals(options));
        var replay = new HftBacktestReplay(parser, symbol);

        foreach (string file in SharedData.BinanceSpotDays)
            replay.ReplayFile(file, ref handler);

        output.WriteLine($"events {handler.Events}, compared {handler.Compared}, diffs {handler.DiffsChecked}, " +
            $"withdrawn>0 {handler.WithdrawnSeen}, traded>0 {handler.TradedSeen}, late trades {engine.Withdrawal.LateTrades}, " +
            $"walls {handler.WallsSeen}, absorbing {handler.AbsorbingSeen}, outliers {handler.OutliersSeen}, " +
            $"level z {handler.LevelZSeen}, volatile {handler.VolatileSeen}, ladder refills {engine.LadderRefills}, " +
            $"weighted rebuilds {engine.Weighted.Rebuilds}");

        Assert.Equal(SyncState.Live, sync.State);
        // 6,493 diffs are applied; the first is spliced inside the snapshot (it arrived before it),
        // where the engine sees its result through the reset, not level by level.
        Assert.Equal(6_492, handler.DiffsChecked);
        Assert.Equal(6_492, engine.DeltasApplied);
        Assert.Equal(6_493, sync.Counters.DiffsApplied);
        Assert.Equal(19_904, engine.TradesSeen);
        Assert.Equal(1, engine.Resets);
        Assert.True(handler.Compared >= 6_493 + 19_904);

        // Every detector fired on real data, and every incremental path was taken.
        Assert.True(engine.Withdrawal.LateTrades > 1_000, $"late trades revised only {engine.Withdrawal.LateTrades} diffs");
        Assert.True(handler.WithdrawnSeen > 1_000, "depth withdrawal barely seen");
        Assert.True(handler.TradedSeen > 1_000, "trade-explained decreases barely seen");
        Assert.True(handler.WallsSeen > 1_000, "walls barely seen");
        Assert.True(handler.AbsorbingSeen > 100, "absorption barely seen");
        Assert.True(handler.OutliersSeen > 10, "trade-size outliers barely seen");
        Assert.True(handler.LevelZSeen > 1_000, "level z never warmed up");
        Assert.True(handler.VolatileSeen > 1_000, "volatility never non-zero");
        Assert.True(engine.LadderRefills > 0, "the ladder refill path never ran");
        Assert.True(engine.Weighted.Rebuilds > 10, "the weighted depth was never re-anchored");
    }
}
