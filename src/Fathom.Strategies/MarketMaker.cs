using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;
using Fathom.Strategy.Abstractions;

namespace Fathom.Strategies;

/// <summary>
/// A two-sided market maker around the microprice. It leans against inventory (fair value shifts
/// away from the position and the side that would add to it shrinks), widens with short-horizon
/// volatility, pulls a side whose near-touch liquidity is being withdrawn (a warning of a move
/// through it) and pulls everything when volatility spikes or the book is not live. Quotes are
/// post-only and never cross the touch. Deterministic: the same inputs give the same intents.
/// One instance quotes one instrument (<see cref="MarketMakerOptions.InstrumentId"/>); an engine hosts
/// one instance per quoted instrument, each with its own timers.
/// </summary>
public sealed class MarketMaker(MarketMakerOptions options) : IStrategy
{
    private const int RequoteTimerId = 1;
    private readonly MarketMakerOptions _o = options.Validate();
    private Intent _last;
    private long _lastQuoteNs;
    private bool _requoteTimerPending;

    public string Name => "market-maker";

    public IReadOnlyList<int> InstrumentIds { get; } = [options.InstrumentId];

    /// <summary>The last intent submitted (for dashboards and tests).</summary>
    public Intent LastIntent => _last;

    public void OnStart(IStrategyContext context) { }

    public void OnMarketData(IStrategyContext context, int instrumentId)
    {
        if (instrumentId == _o.InstrumentId)
            Requote(context);
    }

    public void OnTrade(IStrategyContext context, in Trade trade) { }

    public void OnFill(IStrategyContext context, in FillView fill) => Requote(context);

    public void OnOrderUpdate(IStrategyContext context, in OrderView order) { }

    public void OnTimer(IStrategyContext context, int timerId)
    {
        if (timerId == RequoteTimerId)
            _requoteTimerPending = false;
        Requote(context);
    }

    public void OnStop(IStrategyContext context) => Submit(context, Intent.CancelAll(_o.InstrumentId));

    private void Requote(IStrategyContext context)
    {
        int id = _o.InstrumentId;
        BookView book = context.Book(id);
        TopView top = _o.FollowTicker ? context.Top(id) : TopView.FromBook(book);
        SignalView signals = context.Signals(id);
        if (!context.IsMarketLive(id) || !book.IsTwoSided || !top.IsTwoSided || signals.Volatility > _o.PullVolatility)
        {
            Submit(context, Intent.CancelAll(id));
            return;
        }
        Intent quote = ComputeQuote(book, top, signals, context.Position(id).Position.Raw);
        if (quote == _last)
            return;
        long now = context.NowNanos;
        if (_o.MinRequoteIntervalNs > 0 && _last.Kind == IntentKind.Quote && !Reduces(quote, _last)
            && now - _lastQuoteNs < _o.MinRequoteIntervalNs)
        {
            // Too soon after the last change: the target goes out when the interval ends (a timer requotes).
            if (!_requoteTimerPending)
            {
                _requoteTimerPending = true;
                context.ScheduleTimer(RequoteTimerId, _lastQuoteNs + _o.MinRequoteIntervalNs - now);
            }
            return;
        }
        _lastQuoteNs = now;
        Submit(context, quote);
    }

    /// <summary>The quote for a book, signals and position, the touch taken from the book itself.</summary>
    public Intent ComputeQuote(BookView book, SignalView signals, long position) =>
        ComputeQuote(book, TopView.FromBook(book), signals, position);

    /// <summary>
    /// The quote for a book, its freshest top, signals and position (pure: exposed for tests and research).
    /// When the real-time ticker is ahead of the book, fair value is the analyzer's microprice shifted by
    /// the ticker's mid move (the analyzer's reading is a depth batch behind), and the touch guarding
    /// post-only is the ticker's.
    /// </summary>
    public Intent ComputeQuote(BookView book, TopView top, SignalView signals, long position)
    {
        long bestBid = top.BidTick, bestAsk = top.AskTick;
        // Fair value in ticks: the analyzer's microprice, which leans toward the side with less size.
        // When the ticker is ahead of the book, shift it by how far the mid has moved since: the quote
        // follows a price move at once, but not every change of size at the touch (that would churn
        // orders against the venue's rate budget).
        double fair;
        if (double.IsNaN(signals.Microprice))
            fair = (bestBid * (double)top.AskQty + bestAsk * (double)top.BidQty) / (top.BidQty + top.AskQty);
        else
        {
            fair = signals.Microprice / book.TicksToPrice(1);
            if (top.FromTicker && book.IsTwoSided)
                fair += (bestBid + bestAsk - book.BestBidTick - book.BestAskTick) / 2.0;
        }

        double inventory = Math.Clamp((double)position / _o.MaxPosition, -1, 1);
        fair -= inventory * _o.MaxSkewTicks;

        double volRatio = double.IsNaN(signals.Volatility) ? 1 : Math.Max(1, signals.Volatility / _o.ReferenceVolatility);
        double half = _o.HalfSpreadTicks * volRatio;

        // Post-only never takes: stay at or behind the touch on each side.
        long bidTick = Math.Min((long)Math.Floor(fair - half), bestAsk - 1);
        long askTick = Math.Max((long)Math.Ceiling(fair + half), bestBid + 1);

        long bidQty = (long)(_o.QuoteQty * Math.Clamp(1 - inventory, 0, 1));
        long askQty = (long)(_o.QuoteQty * Math.Clamp(1 + inventory, 0, 1));
        if (position >= _o.MaxPosition) bidQty = 0;
        if (position <= -_o.MaxPosition) askQty = 0;
        if (signals.BidWithdrawal > _o.PullWithdrawal) bidQty = 0;
        if (signals.AskWithdrawal > _o.PullWithdrawal) askQty = 0;

        return Intent.Quote(_o.InstrumentId,
            bidQty > 0 ? book.PriceOf(bidTick) : default, new Qty(bidQty),
            askQty > 0 ? book.PriceOf(askTick) : default, new Qty(askQty));
    }

    /// <summary>True when the new quote pulls a side or shrinks a size: never delayed (it lowers exposure).</summary>
    private static bool Reduces(in Intent next, in Intent previous) =>
        next.BidQty.Raw < previous.BidQty.Raw || next.AskQty.Raw < previous.AskQty.Raw;

    private void Submit(IStrategyContext context, in Intent intent)
    {
        if (intent == _last)
            return; // unchanged target: execution keeps the resting orders (and their queue priority)
        _last = intent;
        context.Submit(intent);
    }
}
