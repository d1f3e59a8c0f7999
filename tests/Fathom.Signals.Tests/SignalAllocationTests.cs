using Fathom.Book;
using Fathom.MarketData;
using Fathom.Testing;
using Fathom.Venues.Binance;
using Xunit;

namespace Fathom.Signals.Tests;

[Collection(AllocationCollection.Name)]
public class SignalAllocationTests
{
    private sealed class Pipeline
    {
        public required byte[][] Lines;
        public int Count;
        public required HftBacktestReplay Replay;
        public required BookSync Sync;
        public required SignalFeed Feed;
    }

    [Fact]
    public void RealRecording_ParseSyncAndSignals_AllocateNothingAfterWarmUp()
    {
        var symbols = new BinanceSymbolTable();
        BinanceSymbol symbol = symbols.Add(TestInstruments.BtcUsdt);
        var sync = new BookSync(symbol.Id, new OrderBook(symbol.Spec, BookOptions.ForPrice(6_183_763)), SyncRule.BinanceSpot);
        var feed = new SignalFeed(sync, new SignalEngine());
        var pipeline = new Pipeline
        {
            Lines = SharedData.ReadLines(SharedData.BinanceSpotDays[0]),
            Replay = new HftBacktestReplay(new BinanceStreamParser(symbols), symbol),
            Sync = sync,
            Feed = feed,
        };

        // Each run starts over (engine cleared, book resynced), so every run takes the same path:
        // buffer, splice the snapshot, reset the engine, then diffs and trades through every signal.
        static void Run(Pipeline p)
        {
            p.Feed.Engine.Clear();
            p.Sync.MarkStale(StaleReason.Disconnected, 0);
            var feed = p.Feed;
            for (int i = 0; i < p.Count; i++)
                p.Replay.ReplayLine(p.Lines[i], ref feed);
        }

        // Warm up on the whole day (every buffer grows to its steady size), then measure on its first
        // 20,000 lines (~2,000 diffs, ~3,600 trades): short enough to keep the process-wide counter
        // free of the test host's own background allocations.
        pipeline.Count = pipeline.Lines.Length;
        Run(pipeline);
        pipeline.Count = 20_000;
        AllocationAssert.Zero(pipeline, warmups: 3, action: Run);

        SignalEngine e = feed.Engine;
        Assert.Equal(SyncState.Live, sync.State);
        Assert.True(e.DeltasApplied > 1_900 && e.TradesSeen > 3_500, $"{e.DeltasApplied} diffs, {e.TradesSeen} trades");
        Assert.True(e.Walls.Bid.Exists || e.Walls.Ask.Exists || e.Withdrawal.Withdrawn(Side.Bid) > 0);
        Assert.True(e.Sizes.TradeSamples > 100 && e.Volatility.Samples > 0);
    }
}
