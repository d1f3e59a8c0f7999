using Fathom.MarketData;
using Xunit;

namespace Fathom.MarketData.Tests;

/// <summary>The router's trades: each passed on once per id when repeats are looked for, every one otherwise.</summary>
public sealed class RouterTradeTests
{
    private static Trade T(int instrument, long id) => new(instrument, id, 100, 1, false, 0, 0, 0, id, id);

    private static (MarketDataRouter Router, List<(int, long)> Seen) Router(bool dropRepeats)
    {
        var seen = new List<(int, long)>();
        var router = new MarketDataRouter(2) { DropRepeatedTrades = dropRepeats, TradeSink = t => seen.Add((t.InstrumentId, t.TradeId)) };
        return (router, seen);
    }

    [Fact]
    public void RepeatedIds_ArePassedOnOnce_PerInstrument_AndCounted()
    {
        var (router, seen) = Router(dropRepeats: true);
        // A planned reconnect's shape: the old connection delivers 10..12, the new one's queue replays 11..13.
        foreach (long id in new long[] { 10, 11, 12 })
            router.OnTrade(T(0, id));
        router.OnTrade(T(1, 11)); // another symbol's ids are its own
        foreach (long id in new long[] { 11, 12, 13 })
            router.OnTrade(T(0, id));
        router.OnTrade(T(0, 5)); // older than anything passed on: a repeat too

        Assert.Equal([(0, 10L), (0, 11L), (0, 12L), (1, 11L), (0, 13L)], seen);
        Assert.Equal(5, router.Trades);
        Assert.Equal(3, router.RepeatedTrades);
    }

    [Fact]
    public void FirstTrade_PassesWhateverItsId()
    {
        var (router, seen) = Router(dropRepeats: true);
        router.OnTrade(T(0, 0));
        router.OnTrade(T(1, long.MinValue + 1));
        Assert.Equal(2, seen.Count);
        Assert.Equal(0, router.RepeatedTrades);
    }

    [Fact]
    public void Off_ByDefault_EveryTradePasses()
    {
        var (router, seen) = Router(dropRepeats: false);
        Assert.False(new MarketDataRouter(1).DropRepeatedTrades);
        foreach (long id in new long[] { 10, 11, 11, 10 })
            router.OnTrade(T(0, id));
        Assert.Equal(4, seen.Count);
        Assert.Equal(0, router.RepeatedTrades);
    }
}
