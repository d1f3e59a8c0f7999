using Fathom.Core;
using Fathom.Hosting;
using Fathom.MarketData;
using Fathom.Strategy.Abstractions;

namespace MyStrategy;

/// <summary>
/// Quotes both sides a few ticks behind the touch, at most once per interval, and stops adding to a
/// position beyond its limit. Callbacks run on the engine's core thread: no blocking, no allocation,
/// no logging here.
/// </summary>
public sealed class TouchQuoter(TouchQuoterOptions options, StrategyArguments args) : IStrategy
{
    private const int RequoteTimer = 1;
    private readonly int _instrument = args.InstrumentId;
    private readonly long _qty = args.RawQty(options.Qty, "qty");
    private readonly long _maxPosition = args.RawQty(options.MaxPosition, "maxPosition");
    private readonly long _intervalNs = options.MinRequoteMs * 1_000_000;
    private Intent _last;
    private long _lastQuoteNs = long.MinValue / 2;
    private bool _timerPending;

    public string Name => "touch-quoter";

    /// <summary>The instruments this instance trades (the engine routes their market data, fills and orders here).</summary>
    public IReadOnlyList<int> InstrumentIds => [_instrument];

    public void OnStart(IStrategyContext context) { }

    public void OnMarketData(IStrategyContext context, int instrumentId) => Requote(context);

    public void OnTimer(IStrategyContext context, int timerId)
    {
        if (timerId == RequoteTimer)
            _timerPending = false;
        Requote(context);
    }

    public void OnFill(IStrategyContext context, in FillView fill) => Requote(context);

    public void OnTrade(IStrategyContext context, in Trade trade) { }

    public void OnOrderUpdate(IStrategyContext context, in OrderView order) { }

    public void OnStop(IStrategyContext context) => context.Submit(Intent.CancelAll(_instrument));

    private void Requote(IStrategyContext context)
    {
        var book = context.Book(_instrument);
        if (!context.IsMarketLive(_instrument) || !book.IsTwoSided)
        {
            if (_last.Kind != IntentKind.CancelAll)
                Submit(context, Intent.CancelAll(_instrument));
            return;
        }
        long now = context.NowNanos;
        if (now - _lastQuoteNs < _intervalNs)
        {
            // Too soon: look again when the interval ends.
            if (!_timerPending)
            {
                _timerPending = true;
                context.ScheduleTimer(RequoteTimer, _lastQuoteNs + _intervalNs - now);
            }
            return;
        }
        long position = context.Position(_instrument).Position.Raw;
        var quote = Intent.Quote(_instrument,
            book.PriceOf(book.BestBidTick - options.OffsetTicks), new Qty(position + _qty <= _maxPosition ? _qty : 0),
            book.PriceOf(book.BestAskTick + options.OffsetTicks), new Qty(position - _qty >= -_maxPosition ? _qty : 0));
        if (quote == _last)
            return; // the same target: the resting orders stay (and keep their queue place)
        _lastQuoteNs = now;
        Submit(context, quote);
    }

    private void Submit(IStrategyContext context, in Intent intent)
    {
        _last = intent;
        context.Submit(intent);
    }
}
