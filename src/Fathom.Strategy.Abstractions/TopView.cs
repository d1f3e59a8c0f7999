using Fathom.Book;

namespace Fathom.Strategy.Abstractions;

/// <summary>
/// The freshest known best bid and ask of an instrument, in book ticks: the venue's real-time ticker
/// when it is newer than the last depth update applied to the book (<see cref="FromTicker"/>), else the
/// book's own top. On Binance the ticker is real time while depth arrives in 100 ms batches, so the
/// ticker usually shows a move first.
/// </summary>
public readonly record struct TopView(long BidTick, long BidQty, long AskTick, long AskQty, bool FromTicker)
{
    public bool IsTwoSided => BidQty > 0 && AskQty > 0;

    /// <summary>A book's own best bid/ask (no ticker).</summary>
    public static TopView FromBook(BookView book) =>
        new(book.BestBidTick, book.BestBidQty, book.BestAskTick, book.BestAskQty, FromTicker: false);
}
