using System.Text;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;
using static Fathom.Venues.Okx.Tests.OkxTestData;

namespace Fathom.Venues.Okx.Tests;

public class OkxStreamParserTests
{
    private static (OkxStreamParser Parser, CollectingHandler Handler) New()
    {
        var (table, _) = Table();
        return (new OkxStreamParser(table), new CollectingHandler());
    }

    private static MarketDataError Parse(OkxStreamParser parser, CollectingHandler handler, string json) =>
        parser.ParseFrame(Encoding.UTF8.GetBytes(json), 7, ref handler);

    [Fact]
    public void ParseFrame_BooksUpdate_DeliversTicksSeqIdsAndChecksum()
    {
        var (parser, handler) = New();
        Assert.Equal(MarketDataError.None, Parse(parser, handler,
            "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{\"asks\":[[\"30249.4\",\"0\",\"0\",\"0\"],[\"30261\",\"0.5\",\"0\",\"1\"]],\"bids\":[[\"30182.6\",\"0.00081\",\"0\",\"1\"]],\"ts\":\"1652459225464\",\"checksum\":-914047754,\"prevSeqId\":5,\"seqId\":9}]}"));
        var d = Assert.Single(handler.Deltas);
        Assert.Equal((5, 9, 5), (d.First, d.Final, d.PrevFinal));
        Assert.Equal(1652459225464, d.ExchangeTimeMs);
        Assert.Equal([new(302494, 0), new(302610, 5000_0000)], d.Asks);
        Assert.Equal([new(301826, 81_000)], d.Bids);
        Assert.Equal((-914047754, true), (d.Checksum, d.HasChecksum));
    }

    [Fact]
    public void ParseFrame_NoSeqIds_DeliversNoSequence()
    {
        var (parser, handler) = New();
        parser.ParseFrame(Books("update", null, null, [("1", "1")], []), 1, ref handler);
        Assert.Equal(BookDelta.NoSequence, Assert.Single(handler.Deltas).Final);
    }

    [Fact]
    public void ParseFrame_DataBeforeArg_StillParsed()
    {
        var (parser, handler) = New();
        Assert.Equal(MarketDataError.None, Parse(parser, handler,
            "{\"data\":[{\"asks\":[],\"bids\":[[\"1.5\",\"2\",\"0\",\"1\"]],\"ts\":\"1\",\"checksum\":0,\"prevSeqId\":1,\"seqId\":2}],\"action\":\"update\",\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"}}"));
        Assert.Equal([new(15, 2_0000_0000)], Assert.Single(handler.Deltas).Bids);
    }

    [Fact]
    public void ParseFrame_BboTbt_DeliversTopOfBookWithSeqId()
    {
        var (parser, handler) = New();
        Parse(parser, handler, "{\"arg\":{\"channel\":\"bbo-tbt\",\"instId\":\"BTC-USDT\"},\"data\":[{\"asks\":[[\"8476.98\",\"415\",\"0\",\"13\"]],\"bids\":[[\"8476.9\",\"256\",\"0\",\"12\"]],\"ts\":\"1597026383085\",\"seqId\":42}]}");
        Assert.Equal(MarketDataError.OffTick, Assert.Single(handler.Errors).Error); // 8476.98 is off the 0.1 grid
        handler.Errors.Clear();
        Parse(parser, handler, "{\"arg\":{\"channel\":\"bbo-tbt\",\"instId\":\"BTC-USDT\"},\"data\":[{\"asks\":[[\"8477\",\"415\",\"0\",\"13\"]],\"bids\":[[\"8476.9\",\"256\",\"0\",\"12\"]],\"ts\":\"1597026383085\",\"seqId\":42}]}");
        var t = Assert.Single(handler.Tops);
        Assert.Equal((42L, 84769L, 256_0000_0000L, 84770L, 415_0000_0000L), (t.UpdateId, t.BidTick, t.BidQty, t.AskTick, t.AskQty));
    }

    [Fact]
    public void ParseFrame_Trades_EachTradeWithTakerSide()
    {
        var (parser, handler) = New();
        Parse(parser, handler, "{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[{\"instId\":\"BTC-USDT\",\"tradeId\":\"130639474\",\"px\":\"42219.9\",\"sz\":\"0.12060306\",\"side\":\"buy\",\"ts\":\"1630048897897\",\"count\":\"3\"},{\"instId\":\"BTC-USDT\",\"tradeId\":\"130639475\",\"px\":\"42219.8\",\"sz\":\"1\",\"side\":\"sell\",\"ts\":\"1630048897898\"}]}");
        Assert.Equal(2, handler.Trades.Count);
        Assert.Equal((130639474L, 422199L, 12_060_306L, 1), (handler.Trades[0].TradeId, handler.Trades[0].PriceTick, handler.Trades[0].Qty, handler.Trades[0].AggressorSign));
        Assert.Equal(-1, handler.Trades[1].AggressorSign);
        Assert.Equal(7, handler.Trades[1].ReceiveTimeNs);
    }

    [Fact]
    public void ParseFrame_ControlMessages_CountedNotErrors()
    {
        var (parser, handler) = New();
        Assert.Equal(MarketDataError.None, Parse(parser, handler, "pong"));
        Assert.Equal(MarketDataError.None, Parse(parser, handler, "{\"event\":\"subscribe\",\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"connId\":\"a4d3ae55\"}"));
        Assert.Equal(MarketDataError.None, Parse(parser, handler, "{\"event\":\"error\",\"code\":\"60018\",\"msg\":\"Wrong URL or channel:books,instId:FOO-BAR doesn't exist\",\"connId\":\"a4d3ae55\"}"));
        Assert.Equal((1L, 1L, 1L, 60018L), (parser.Pongs, parser.SubscribeAcks, parser.VenueErrors, parser.LastErrorCode));
        Assert.Equal(3, parser.Counters.ControlResponses);
        Assert.Empty(handler.Errors);
        Assert.Equal(0, handler.Events);
    }

    [Theory]
    [InlineData("{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{\"asks\":[[\"-5\",\"1\",\"0\",\"1\"]],\"bids\":[],\"ts\":\"1\"}]}", MarketDataError.BadNumber)]
    [InlineData("{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{\"asks\":[[\"5\",\"-1\",\"0\",\"1\"]],\"bids\":[],\"ts\":\"1\"}]}", MarketDataError.BadNumber)]
    [InlineData("{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{\"asks\":[[\"5.25\",\"1\",\"0\",\"1\"]],\"bids\":[],\"ts\":\"1\"}]}", MarketDataError.OffTick)]
    [InlineData("{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{\"asks\":[],\"ts\":\"1\"}]}", MarketDataError.Malformed)]
    [InlineData("{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"later\",\"data\":[{\"asks\":[],\"bids\":[],\"ts\":\"1\"}]}", MarketDataError.Malformed)]
    [InlineData("{\"arg\":{\"channel\":\"books\",\"instId\":\"ETH-USDT\"},\"action\":\"update\",\"data\":[{\"asks\":[],\"bids\":[],\"ts\":\"1\"}]}", MarketDataError.UnknownSymbol)]
    [InlineData("{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{\"asks\":[],\"bids\":[],\"ts\":\"1\"}]", MarketDataError.Truncated)]
    [InlineData("not json", MarketDataError.Malformed)]
    public void ParseFrame_BadInput_ClearErrorNothingDelivered(string json, MarketDataError expected)
    {
        var (parser, handler) = New();
        Assert.Equal(expected, Parse(parser, handler, json));
        Assert.Equal(expected, Assert.Single(handler.Errors).Error);
        Assert.Equal(0, handler.Events);
    }

    [Fact]
    public void ParseFrame_EveryPrefixOfAMessage_ErrorNeverCrashNeverDelivers()
    {
        byte[] whole = Update(1, 2, [("100", "1"), ("99.9", "2")], [("100.1", "3")], checksum: 77);
        var (parser, handler) = New();
        for (int n = 0; n < whole.Length; n++)
        {
            var error = parser.ParseFrame(whole.AsSpan(0, n), 1, ref handler);
            Assert.NotEqual(MarketDataError.None, error);
        }
        Assert.Equal(0, handler.Events);
        Assert.Equal(whole.Length, handler.Errors.Count);
        Assert.True(parser.Counters.Truncated > whole.Length / 2, $"truncated {parser.Counters.Truncated} of {whole.Length}");
        Assert.Equal(MarketDataError.None, parser.ParseFrame(whole, 1, ref handler));
        Assert.Single(handler.Deltas);
    }

    [Fact]
    public void ParseFrame_UnknownFieldsAndOtherChannels_SkippedAndCounted()
    {
        var (parser, handler) = New();
        Parse(parser, handler, "{\"arg\":{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"},\"data\":[{\"instType\":\"SPOT\",\"last\":\"1\"}]}");
        Parse(parser, handler, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{\"asks\":[],\"bids\":[],\"ts\":\"1\",\"newField\":{\"x\":[1,2]},\"prevSeqId\":3,\"seqId\":3}]}");
        Assert.Equal(1, parser.Counters.IgnoredEvents);
        Assert.Equal(1, parser.Counters.UnknownFields);
        Assert.Single(handler.Deltas);
        Assert.Empty(handler.Errors);
    }
}

/// <summary>Copies whatever the parser delivers so tests can look at it afterwards.</summary>
internal sealed class CollectingHandler : IMarketDataHandler
{
    public readonly record struct DeltaCopy(long First, long Final, long PrevFinal, long ExchangeTimeMs, Fathom.Book.Level[] Bids, Fathom.Book.Level[] Asks, int Checksum, bool HasChecksum);

    public readonly List<DeltaCopy> Deltas = [];
    public readonly List<long> Snapshots = [];
    public readonly List<TopOfBook> Tops = [];
    public readonly List<Trade> Trades = [];
    public readonly List<(int Instrument, MarketDataError Error)> Errors = [];

    public int Events => Deltas.Count + Snapshots.Count + Tops.Count + Trades.Count;

    public void OnBookDelta(in BookDelta d) =>
        Deltas.Add(new DeltaCopy(d.FirstUpdateId, d.FinalUpdateId, d.PrevFinalUpdateId, d.ExchangeTimeMs, d.Bids.ToArray(), d.Asks.ToArray(), d.Checksum, d.HasChecksum));
    public void OnBookSnapshot(in BookSnapshot s) => Snapshots.Add(s.LastUpdateId);
    public void OnTopOfBook(in TopOfBook top) => Tops.Add(top);
    public void OnTrade(in Trade trade) => Trades.Add(trade);
    public void OnBookGridChanged(int instrumentId, long newTickRaw) => throw new InvalidOperationException("OKX never regrids");
    public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) => throw new InvalidOperationException("OKX has no serverShutdown");
    public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs) => Errors.Add((instrumentId, error));
}
