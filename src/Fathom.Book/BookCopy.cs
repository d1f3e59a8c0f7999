namespace Fathom.Book;

/// <summary>
/// An independent copy of a book's levels (best first) for use off the core thread: dashboards,
/// recorders, snapshots for reconciliation. Refill with <see cref="OrderBook.CopyTo"/> to reuse arrays.
/// </summary>
public sealed class BookCopy
{
    private Level[] _bids = [];
    private Level[] _asks = [];

    public long UpdateId { get; private set; }
    public int BidCount { get; private set; }
    public int AskCount { get; private set; }
    public ReadOnlySpan<Level> Bids => _bids.AsSpan(0, BidCount);
    public ReadOnlySpan<Level> Asks => _asks.AsSpan(0, AskCount);

    internal void Fill(OrderBook book)
    {
        UpdateId = book.UpdateId;
        BidCount = FillSide(book.Levels(Side.Bid), book.BidCount, ref _bids);
        AskCount = FillSide(book.Levels(Side.Ask), book.AskCount, ref _asks);
    }

    private static int FillSide(LevelEnumerator levels, int count, ref Level[] target)
    {
        if (target.Length < count)
            target = new Level[Math.Max(count, target.Length * 2)];
        int n = 0;
        foreach (Level level in levels)
            target[n++] = level;
        return n;
    }
}
