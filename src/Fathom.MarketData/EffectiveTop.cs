namespace Fathom.MarketData;

/// <summary>
/// The freshest known best bid/ask: the real-time ticker when it is newer than the last diff
/// applied to the book, else the book's own top. <see cref="FromTicker"/> says which.
/// </summary>
public readonly record struct EffectiveTop(long BidTick, long BidQty, long AskTick, long AskQty, long UpdateId, bool FromTicker)
{
    public bool IsTwoSided => BidQty > 0 && AskQty > 0;
}
