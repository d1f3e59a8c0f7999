using Fathom.Core;

namespace Fathom.Strategy.Abstractions;

/// <summary>
/// One strategy intent, a fixed-size value so intents move through the core without allocating.
/// Build them with the factory methods; fields that do not apply to a kind are zero.
/// Prices are raw fixed-point at the instrument's price decimals and are rounded passively at the
/// intent boundary (bids down, asks up) by execution; quantities are floored to the step.
/// </summary>
public readonly record struct Intent
{
    public IntentKind Kind { get; private init; }
    public int InstrumentId { get; private init; }
    public Price BidPrice { get; private init; }
    public Qty BidQty { get; private init; }
    public Price AskPrice { get; private init; }
    public Qty AskQty { get; private init; }
    /// <summary>Quotes only: rest only, never take (LIMIT_MAKER). The default for quotes.</summary>
    public bool PostOnly { get; private init; }
    /// <summary>Take: the side to trade. TargetPosition: ignored (derived from the position).</summary>
    public OrderSide Side { get; private init; }
    /// <summary>Take: quantity. TargetPosition: the signed target (positive long, negative short).</summary>
    public Qty Qty { get; private init; }
    /// <summary>Take and TargetPosition: the worst price accepted.</summary>
    public Price LimitPrice { get; private init; }

    /// <summary>
    /// Quote both sides; a zero quantity leaves that side unquoted (and cancels what rests there).
    /// </summary>
    public static Intent Quote(int instrumentId, Price bidPrice, Qty bidQty, Price askPrice, Qty askQty, bool postOnly = true) =>
        new() { Kind = IntentKind.Quote, InstrumentId = instrumentId, BidPrice = bidPrice, BidQty = bidQty, AskPrice = askPrice, AskQty = askQty, PostOnly = postOnly };

    public static Intent CancelAll(int instrumentId) => new() { Kind = IntentKind.CancelAll, InstrumentId = instrumentId };

    public static Intent Take(int instrumentId, OrderSide side, Qty qty, Price limitPrice) =>
        new() { Kind = IntentKind.Take, InstrumentId = instrumentId, Side = side, Qty = qty, LimitPrice = limitPrice };

    public static Intent TargetPosition(int instrumentId, Qty target, Price limitPrice) =>
        new() { Kind = IntentKind.TargetPosition, InstrumentId = instrumentId, Qty = target, LimitPrice = limitPrice };

    public bool QuotesBid => Kind == IntentKind.Quote && BidQty.Raw > 0;
    public bool QuotesAsk => Kind == IntentKind.Quote && AskQty.Raw > 0;
}
