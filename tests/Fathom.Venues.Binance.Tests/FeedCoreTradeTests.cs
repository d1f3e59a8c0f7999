using System.Text;
using Fathom.MarketData;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

/// <summary>The Binance feed core passes each trade once: a repeat (an overlap's) is dropped, and a lost connection forgets the ids.</summary>
public sealed class FeedCoreTradeTests
{
    private static byte[] TradeFrame(long id) => Encoding.UTF8.GetBytes(
        $"{{\"stream\":\"btcusdt@trade\",\"data\":{{\"e\":\"trade\",\"E\":1723161253000,\"s\":\"BTCUSDT\",\"t\":{id},\"p\":\"61800.01\",\"q\":\"0.01\",\"T\":1723161253000,\"m\":true,\"M\":true}}}}");

    [Fact]
    public void RepeatsDropped_UntilALostConnection_ThenAVenueThatStartedItsIdsAgainIsHeard()
    {
        var core = new BinanceFeedCore([TestInstruments.BtcUsdt]);
        var seen = new List<long>();
        core.Router.TradeSink = t => seen.Add(t.TradeId);
        long mono = 1;
        foreach (long id in new long[] { 5_000, 5_001, 4_990, 5_001, 5_002 })
            core.ApplyFrame(TradeFrame(id), mono++, 0, 1);
        Assert.Equal([5_000L, 5_001, 5_002], seen);
        Assert.Equal(2, core.Router.RepeatedTrades);

        core.MarkAllStale(StaleReason.Silence, mono++, 0); // not a lost connection: the ids are kept
        core.ApplyFrame(TradeFrame(5_002), mono++, 0, 1);
        Assert.Equal(3, core.Router.RepeatedTrades);

        // The connection is lost, and the venue (a testnet reset, a restarted simulator) numbers its trades from 1 again.
        core.MarkAllStale(StaleReason.Disconnected, mono++, 0);
        core.ApplyFrame(TradeFrame(1), mono++, 0, 2);
        core.ApplyFrame(TradeFrame(2), mono++, 0, 2);
        Assert.Equal([5_000L, 5_001, 5_002, 1, 2], seen);
        Assert.Equal(3, core.Router.RepeatedTrades);
    }
}
