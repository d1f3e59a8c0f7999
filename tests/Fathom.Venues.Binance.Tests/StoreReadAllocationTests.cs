using Fathom.Book;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

[Collection(AllocationCollection.Name)]
public class StoreReadAllocationTests
{
    private sealed class Pipeline
    {
        public required StoreReader Reader;
        public required BookSync Sync;
        public required MarketDataRouter Router;
    }

    [Fact]
    public void RealRecordingStore_ReadSyncAndApply_AllocatesNothingAfterWarmUp()
    {
        var store = new MemoryStream();
        BinanceStoreConverter.ConvertHftBacktest([SharedData.BinanceSpotDays[0]], TestInstruments.BtcUsdt, 1000, store);
        store.Position = 0;
        var reader = new StoreReader(store, ownsStream: false);
        var sync = new BookSync(0, new OrderBook(reader.Instruments[0], BookOptions.ForPrice(6_183_763)), SyncRule.BinanceSpot);
        var router = new MarketDataRouter(1);
        router.Add(sync);
        var pipeline = new Pipeline { Reader = reader, Sync = sync, Router = router };

        // Each run forces a resync and reads the whole day from the first event: buffer, splice, apply.
        static void Run(Pipeline p)
        {
            p.Sync.MarkStale(StaleReason.Disconnected, 0);
            p.Reader.Rewind();
            var router = p.Router;
            p.Reader.ReadAll(ref router);
        }

        AllocationAssert.Zero(pipeline, Run, warmups: 4);

        Assert.Equal(SyncState.Live, sync.State);
        Assert.True(sync.Counters.DiffsApplied > 3_000);
        Assert.Equal(0, sync.Counters.Gaps + sync.Counters.Crossed);
        Assert.True(reader.Events > 150_000);
    }
}
