using Fathom.Book;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

[Collection(AllocationCollection.Name)]
public class ParseAndApplyAllocationTests
{
    private sealed class Pipeline
    {
        public required byte[][] Lines;
        public int Count;
        public required HftBacktestReplay Replay;
        public required BookSync Sync;
        public required MarketDataRouter Router;
    }

    [Fact]
    public void RealRecording_ParseSyncAndApply_AllocatesNothingAfterWarmUp()
    {
        var symbols = new BinanceSymbolTable();
        var symbol = symbols.Add(TestInstruments.BtcUsdt);
        var parser = new BinanceStreamParser(symbols);
        var sync = new BookSync(symbol.Id, new OrderBook(symbol.Spec, BookOptions.ForPrice(6_183_763)), SyncRule.BinanceSpot);
        var router = new MarketDataRouter(symbols.Count);
        router.Add(sync);
        var pipeline = new Pipeline
        {
            Lines = SharedData.ReadLines(SharedData.BinanceSpotDays[0]),
            Replay = new HftBacktestReplay(parser, symbol),
            Sync = sync,
            Router = router,
        };

        // Each run forces a resync, so every run takes the same path: buffer, splice the snapshot, apply.
        static void Run(Pipeline p)
        {
            p.Sync.MarkStale(StaleReason.Disconnected, 0);
            var router = p.Router;
            for (int i = 0; i < p.Count; i++)
                p.Replay.ReplayLine(p.Lines[i], ref router);
        }

        // Warm up on the whole day (every message size, every code path), then measure on its first
        // 12,000 lines (snapshot splice and ~1,000 diffs): a short window keeps the process-wide
        // counter free of the test host's own background allocations.
        pipeline.Count = pipeline.Lines.Length;
        Run(pipeline);
        pipeline.Count = 12_000;
        AllocationAssert.Zero(pipeline, warmups: 8, action: Run);

        Assert.Equal(SyncState.Live, sync.State);
        Assert.True(sync.Counters.DiffsApplied > 3_000);
        Assert.Equal(0, sync.Counters.Gaps + sync.Counters.Crossed);
    }
}
