using Fathom.Core;
using Fathom.Hosting;
using Fathom.MarketData;
using Fathom.Strategy.Abstractions;

namespace Fathom.Backtest.Tests.Hosting;

/// <summary>
/// A user strategy as a user writes one (as samples/MyStrategy's): quotes both sides at the touch, at most once per
/// interval, without growing the position beyond its limit; counts its callbacks in <see cref="TouchJoinerCalls"/>.
/// </summary>
public sealed class TouchJoiner(TouchJoinerOptions options, StrategyArguments args) : IStrategy
{
    private readonly int _instrument = args.InstrumentId;
    private readonly long _qty = args.RawQty(options.Qty, "qty");
    private readonly long _maxPosition = args.RawQty(options.MaxPosition, "maxPosition");
    private readonly long _intervalNs = options.MinRequoteMs * 1_000_000;
    private readonly TouchJoinerCalls _calls = TouchJoinerCalls.For(options.Tag);
    private Intent _last;
    private long _lastQuoteNs = long.MinValue / 2;

    public string Name => "touch-joiner";
    public IReadOnlyList<int> InstrumentIds => [_instrument];

    public void OnStart(IStrategyContext context) => _calls.Starts++;

    public void OnMarketData(IStrategyContext context, int instrumentId)
    {
        _calls.MarketData++;
        Requote(context);
    }

    public void OnFill(IStrategyContext context, in FillView fill)
    {
        _calls.Fills++;
        Requote(context);
    }

    public void OnOrderUpdate(IStrategyContext context, in OrderView order) => _calls.OrderUpdates++;
    public void OnTimer(IStrategyContext context, int timerId) { }
    public void OnTrade(IStrategyContext context, in Trade trade) { }

    public void OnStop(IStrategyContext context)
    {
        _calls.Stops++;
        context.Submit(Intent.CancelAll(_instrument));
    }

    private void Requote(IStrategyContext context)
    {
        var book = context.Book(_instrument);
        long now = context.NowNanos;
        if (!context.IsMarketLive(_instrument) || !book.IsTwoSided || now - _lastQuoteNs < _intervalNs)
            return;
        long position = context.Position(_instrument).Position.Raw;
        var quote = Intent.Quote(_instrument,
            book.PriceOf(book.BestBidTick), new Qty(position + _qty <= _maxPosition ? _qty : 0),
            book.PriceOf(book.BestAskTick), new Qty(position - _qty >= -_maxPosition ? _qty : 0));
        if (quote == _last)
            return;
        _last = quote;
        _lastQuoteNs = now;
        _calls.Quotes++;
        context.Submit(quote);
    }
}
