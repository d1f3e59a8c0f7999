using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;
using Fathom.Strategy.Abstractions;

namespace Fathom.Strategies;

/// <summary>
/// Takes liquidity when the book is strongly one-sided and the heavy side is proving itself by
/// absorbing aggressive flow: buy when bids dominate and the bid absorbs selling, sell on the mirror
/// image. One take per cooldown, bounded position, limit price a few ticks through the touch.
/// </summary>
public sealed class ImbalanceTaker(ImbalanceTakerOptions options) : IStrategy
{
    private const int CooldownTimer = 1;
    private readonly ImbalanceTakerOptions _o = options.Validate();
    private bool _coolingDown;

    public string Name => "imbalance-taker";
    public IReadOnlyList<int> InstrumentIds { get; } = [options.InstrumentId];
    public long Takes { get; private set; }

    public void OnStart(IStrategyContext context) { }

    public void OnMarketData(IStrategyContext context, int instrumentId)
    {
        if (instrumentId != _o.InstrumentId || _coolingDown || !context.IsMarketLive(instrumentId))
            return;
        BookView book = context.Book(instrumentId);
        if (!book.IsTwoSided)
            return;
        SignalView s = context.Signals(instrumentId);
        long position = context.Position(instrumentId).Position.Raw;

        if (s.DepthImbalance > _o.ImbalanceThreshold && s.BidAbsorption >= _o.AbsorptionThreshold && position + _o.TakeQty <= _o.MaxPosition)
            Take(context, OrderSide.Buy, book.PriceOf(book.BestAskTick + _o.SlippageTicks));
        else if (s.DepthImbalance < -_o.ImbalanceThreshold && s.AskAbsorption >= _o.AbsorptionThreshold && position - _o.TakeQty >= -_o.MaxPosition)
            Take(context, OrderSide.Sell, book.PriceOf(book.BestBidTick - _o.SlippageTicks));
    }

    private void Take(IStrategyContext context, OrderSide side, Price limit)
    {
        context.Submit(Intent.Take(_o.InstrumentId, side, new Qty(_o.TakeQty), limit));
        Takes++;
        _coolingDown = true;
        context.ScheduleTimer(CooldownTimer, _o.CooldownNanos);
    }

    public void OnTimer(IStrategyContext context, int timerId)
    {
        if (timerId == CooldownTimer)
            _coolingDown = false;
    }

    public void OnTrade(IStrategyContext context, in Trade trade) { }
    public void OnFill(IStrategyContext context, in FillView fill) { }
    public void OnOrderUpdate(IStrategyContext context, in OrderView order) { }
    public void OnStop(IStrategyContext context) => context.Submit(Intent.CancelAll(_o.InstrumentId));
}
