using Fathom.MarketData;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

/// <summary>
/// One frame through a fresh parser for BTCUSDT, and everything it produced: the fast-path tests parse the same JSON in
/// the form a fast path reads and in a form only the general path reads, and require the same outcome.
/// </summary>
internal sealed class ParseOutcome
{
    public required MarketDataError Result;
    public required CollectingHandler Handler;
    public required MarketDataCounters Counters;
    /// <summary>Spot tickers the parser read by its direct path.</summary>
    public required long TickersReadDirectly;

    public static ParseOutcome Of(byte[] frame)
    {
        var symbols = new BinanceSymbolTable();
        symbols.Add(TestInstruments.BtcUsdt);
        var parser = new BinanceStreamParser(symbols);
        var handler = new CollectingHandler();
        var result = parser.ParseFrame(frame, 1, ref handler);
        return new ParseOutcome { Result = result, Handler = handler, Counters = parser.Counters, TickersReadDirectly = parser.TickersReadDirectly };
    }

    /// <summary>The result, errors, grid changes and every counter equal (the events are each test's to compare).</summary>
    public static void AssertSameResult(ParseOutcome general, ParseOutcome fast)
    {
        Assert.Equal(general.Result, fast.Result);
        Assert.Equal(general.Handler.Errors, fast.Handler.Errors);
        Assert.Equal(general.Handler.GridChanges, fast.Handler.GridChanges);
        foreach (var field in typeof(MarketDataCounters).GetFields())
            Assert.True(Equals(field.GetValue(general.Counters), field.GetValue(fast.Counters)),
                $"counter {field.Name}: general path {field.GetValue(general.Counters)}, fast path {field.GetValue(fast.Counters)}");
    }
}
