using System.Text;
using CsCheck;
using Fathom.Book;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

public class BinanceStreamParserTests
{
    // Real messages from the shared recordings (hftbacktest spot; cryptofeed USD-M), trimmed to a few levels.
    internal const string SpotDepth =
        """{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255308,"s":"BTCUSDT","U":50093239203,"u":50093239207,"b":[["55653.87000000","0.00000000"]],"a":[["61838.04000000","0.32332000"],["61844.30000000","0.40163000"]]}}""";
    private const string SpotTicker =
        """{"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}""";
    private const string SpotTrade =
        """{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}""";

    private static (BinanceStreamParser Parser, CollectingHandler Handler, BinanceSymbolTable Symbols) New()
    {
        var symbols = new BinanceSymbolTable();
        symbols.Add(TestInstruments.BtcUsdt);
        symbols.Add(TestInstruments.EthUsdt);
        symbols.Add(TestInstruments.OddTick);
        return (new BinanceStreamParser(symbols), new CollectingHandler(), symbols);
    }

    private static MarketDataError Parse(BinanceStreamParser p, CollectingHandler h, string json, long recv = 7) =>
        p.ParseFrame(Encoding.UTF8.GetBytes(json), recv, ref h);

    [Fact]
    public void DepthUpdate_InCombinedEnvelope_BecomesBookDeltaInTicks()
    {
        var (p, h, _) = New();
        Assert.Equal(MarketDataError.None, Parse(p, h, SpotDepth, recv: 123));
        var d = Assert.Single(h.Deltas);
        Assert.Equal((0, 50093239203L, 50093239207L, -1L, 1723161255308L, 123L), (d.InstrumentId, d.First, d.Final, d.PrevFinal, d.ExchangeTimeMs, d.ReceiveNs));
        Assert.Equal([new Level(5_565_387, 0)], d.Bids);
        Assert.Equal([new Level(6_183_804, 32_332_000), new Level(6_184_430, 40_163_000)], d.Asks);
    }

    [Fact]
    public void DepthUpdate_RawStream_AndUsdMWithPu()
    {
        var (p, h, _) = New();
        Parse(p, h, """{"e":"depthUpdate","E":1,"T":2,"s":"ETHUSDT","U":157,"u":160,"pu":149,"b":[["0.01","10"]],"a":[]}""");
        var d = Assert.Single(h.Deltas);
        Assert.Equal((1, 157L, 160L, 149L), (d.InstrumentId, d.First, d.Final, d.PrevFinal));
        Assert.Equal([new Level(1, 1_000_000_000)], d.Bids);
        Assert.Empty(d.Asks);
    }

    [Fact]
    public void BookTicker_SpotWithoutEventType_AndUsdMWithIt()
    {
        var (p, h, _) = New();
        Parse(p, h, SpotTicker);
        Parse(p, h, """{"e":"bookTicker","u":400900217,"E":1568014460893,"T":1568014460891,"s":"ETHUSDT","b":"25.35000000","B":"31.21000000","a":"25.36000000","A":"40.66000000"}""");
        Assert.Equal(2, h.Tops.Count);
        Assert.Equal(new TopOfBook(0, 50093239212, 6_183_763, 378_826_000, 6_183_764, 154_698_000, 0, 7), h.Tops[0]);
        Assert.Equal(1568014460893, h.Tops[1].ExchangeTimeMs);
        Assert.Equal((1, 2_535L, 2_536L), (h.Tops[1].InstrumentId, h.Tops[1].BidTick, h.Tops[1].AskTick));
    }

    [Fact]
    public void Trade_AndAggTrade()
    {
        var (p, h, _) = New();
        Parse(p, h, SpotTrade);
        Parse(p, h, """{"e":"aggTrade","E":1672515782136,"s":"BTCUSDT","a":12345,"p":"0.01000000","q":"100.00000000","f":100,"l":105,"T":1672515782136,"m":false,"M":true}""");
        Assert.Equal(2, h.Trades.Count);
        Trade t = h.Trades[0];
        Assert.Equal((3735683259L, 6_183_763L, 2_000_000L, true, -1), (t.TradeId, t.PriceTick, t.Qty, t.BuyerIsMaker, t.AggressorSign));
        Assert.Equal(1723161255342, t.TradeTimeMs);
        Trade agg = h.Trades[1];
        Assert.Equal((12345L, 1L, 100L, 105L, 1), (agg.TradeId, agg.PriceTick, agg.FirstTradeId, agg.LastTradeId, agg.AggressorSign));
    }

    [Fact]
    public void ServerShutdown_RawAndCombined()
    {
        var (p, h, _) = New();
        Parse(p, h, """{"e":"serverShutdown","E":1746679200000}""");
        Parse(p, h, """{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1746679200000}}""");
        Assert.Equal(2, h.Shutdowns);
        Assert.Equal(2, p.Counters.ServerShutdowns);
    }

    [Fact]
    public void ControlResponses_AndOtherEventKinds_AreCountedNotErrors()
    {
        var (p, h, _) = New();
        Assert.Equal(MarketDataError.None, Parse(p, h, """{"result":null,"id":1}"""));
        Assert.Equal(MarketDataError.None, Parse(p, h, """{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1,"s":"BTCUSDT","k":{"t":1,"o":"1.0","x":false}}}"""));
        Assert.Equal(1, p.Counters.ControlResponses);
        Assert.Equal(1, p.Counters.IgnoredEvents);
        Assert.Empty(h.Errors);
        Assert.Equal(0, h.Events);
    }

    [Fact]
    public void UnknownFields_AreSkippedAndCounted()
    {
        var (p, h, _) = New();
        Parse(p, h, """{"stream":"btcusdt@depth@100ms","newTopLevel":[1,{"x":"}"}],"data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","X":{"nested":[true,false,null,-1.5e3]},"U":1,"u":2,"b":[],"a":[],"zz":"a\"b"}}""");
        Assert.Single(h.Deltas);
        Assert.Equal(3, p.Counters.UnknownFields);
    }

    [Fact]
    public void LevelsBeforeSymbol_WithoutEnvelope_AreStillConvertedToTicks()
    {
        var (p, h, _) = New();
        Parse(p, h, """{"b":[["1.05","1"]],"a":[["1.10","2"]],"e":"depthUpdate","E":1,"U":1,"u":2,"s":"ODDUSDT"}""");
        var d = Assert.Single(h.Deltas);
        Assert.Equal([new Level(21, 100_000_000)], d.Bids);
        Assert.Equal([new Level(22, 200_000_000)], d.Asks);
    }

    [Theory]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["61837.000000001","1"]],"a":[]}""", MarketDataError.BadNumber)]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["-1.00","1"]],"a":[]}""", MarketDataError.BadNumber)]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["0.00","1"]],"a":[]}""", MarketDataError.BadNumber)]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["1.00","-1"]],"a":[]}""", MarketDataError.BadNumber)]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["1.00","abc"]],"a":[]}""", MarketDataError.BadNumber)]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"b":[],"a":[]}""", MarketDataError.Malformed)]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["1.00"]],"a":[]}""", MarketDataError.Malformed)]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1.5,"u":2,"b":[],"a":[]}""", MarketDataError.Malformed)]
    [InlineData("""{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[],"a":[]} trailing""", MarketDataError.Malformed)]
    [InlineData("""{"e":"depthUpdate","s":"BTCUSDT" "E":1}""", MarketDataError.Malformed)]
    [InlineData("""{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1.00","q":"1","T":1}""", MarketDataError.Malformed)]
    public void BadMessages_AreReportedForTheirSymbol(string json, MarketDataError expected)
    {
        var (p, h, _) = New();
        Assert.Equal(expected, Parse(p, h, json));
        Assert.Equal(0, h.Events);
        var error = Assert.Single(h.Errors);
        Assert.Equal(expected, error.Error);
        Assert.True(error.Instrument >= 0, "the symbol was known, so the error names it");
    }

    [Fact]
    public void PriceBetweenGridPoints_RefinesTheGridAndDeliversTheMessage()
    {
        // Binance keeps resting orders at old prices after raising a tick size (NKNUSDT in the 2021
        // recording has levels at 0.00001 while its tick is 0.0001): the book grid must follow.
        var (p, h, s) = New();
        Parse(p, h, """{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["61837.63","1"],["61837.635","2"]],"a":[]}""");
        Assert.Equal((0, 500_000L), Assert.Single(h.GridChanges));
        Assert.Equal(500_000, s[0].BookTickRaw);
        var d = Assert.Single(h.Deltas);
        Assert.Equal([new Level(12_367_526, 100_000_000), new Level(12_367_527, 200_000_000)], d.Bids);
        Assert.Empty(h.Errors);
        Assert.Equal(1, p.Counters.GridRefinements);

        // A tick that is not a power of ten (0.05) refines by gcd: 1.07 → 0.01.
        Parse(p, h, """{"e":"trade","E":1,"s":"ODDUSDT","t":1,"p":"1.07","q":"1","T":1,"m":true}""");
        Assert.Equal((2, 1_000_000L), h.GridChanges[^1]);
        Assert.Equal(107, h.Trades[^1].PriceTick);
    }

    [Fact]
    public void UnknownSymbol_IsReportedWithoutInstrument()
    {
        var (p, h, _) = New();
        Assert.Equal(MarketDataError.UnknownSymbol, Parse(p, h, """{"e":"depthUpdate","E":1,"s":"DOGEUSDT","U":1,"u":2,"b":[],"a":[]}"""));
        Assert.Equal((-1, MarketDataError.UnknownSymbol), Assert.Single(h.Errors));
    }

    [Fact]
    public void EveryTruncationOfARealMessage_IsAnErrorNeverAnEventOrException()
    {
        var (p, h, _) = New();
        byte[] full = Encoding.UTF8.GetBytes(SpotDepth);
        for (int len = 0; len < full.Length; len++)
        {
            var err = p.ParseFrame(full.AsSpan(0, len), 0, ref h);
            Assert.True(err is MarketDataError.Truncated or MarketDataError.Malformed, $"prefix of {len} bytes gave {err}");
        }
        Assert.Equal(0, h.Events);
        Assert.Equal(full.Length, h.Errors.Count);
        // Once the symbol has been read, the error names it so only that book goes Stale.
        Assert.Contains(h.Errors, e => e.Instrument == 0);
    }

    [Fact]
    public void RandomCorruption_NeverThrows()
    {
        byte[] original = Encoding.UTF8.GetBytes(SpotDepth + SpotTicker + SpotTrade);
        var gen = Gen.Select(Gen.Int[0, original.Length - 1], Gen.Int[1, 8], Gen.Byte, Gen.Int[1, original.Length]);
        var (p, h, _) = New();
        Property.ForAll(gen, 3_000, t =>
        {
            byte[] frame = (byte[])original.Clone();
            for (int i = 0; i < t.Item2; i++)
                frame[(t.Item1 + i * 7) % frame.Length] = t.Item3;
            p.ParseFrame(frame.AsSpan(0, t.Item4), 0, ref h); // must return, whatever it says
        });
    }

    [Fact]
    public void Snapshot_RestDepth_WithCompleteness()
    {
        var (p, h, s) = New();
        byte[] json = """{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"],["4.10000000","1.00000000"]]}"""u8.ToArray();
        var odd = s[1]; // ETHUSDT with tick 0.01 would make 4.000002 off-tick: use a tick of 0.00000001 instead
        var symbols = new BinanceSymbolTable();
        var fine = symbols.Add(TestInstruments.BtcUsdt with { Symbol = "BNBBTC", TickSize = new Fathom.Core.Price(1) });
        var parser = new BinanceStreamParser(symbols);
        Assert.Equal(MarketDataError.None, parser.ParseSnapshot(json, fine, depthLimit: 2, 0, ref h));
        var snap = Assert.Single(h.Snapshots);
        Assert.Equal(1027024, snap.LastUpdateId);
        Assert.Equal([new Level(400_000_000, 43_100_000_000)], snap.Bids);
        Assert.True(snap.BidsComplete);    // 1 level < depth 2: the venue has no more
        Assert.False(snap.AsksComplete);   // 2 levels == depth 2: there may be more
        // On ETHUSDT (tick 0.01) 4.000002 lies between grid points: the grid is refined, the snapshot kept.
        Assert.Equal(MarketDataError.None, p.ParseSnapshot(json, odd, 1000, 0, ref h));
        Assert.Equal((1, 200L), h.GridChanges[^1]); // gcd(0.01, 4.000002) = 0.000002
        Assert.Equal(new Level(2_000_001, 1_200_000_000), h.Snapshots[^1].Asks[0]);
    }

    [Fact]
    public void Snapshot_Truncated_IsAnError()
    {
        var (p, h, s) = New();
        byte[] json = """{"lastUpdateId":1,"bids":[["1.00","1.0"]],"asks":[["1.01","1"]"""u8.ToArray();
        Assert.Equal(MarketDataError.Truncated, p.ParseSnapshot(json, s[0], 1000, 0, ref h));
        Assert.Empty(h.Snapshots);
    }
}
