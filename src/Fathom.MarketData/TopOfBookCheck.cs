using Fathom.Book;

namespace Fathom.MarketData;

/// <summary>
/// Cross-checks diff-built books against the venue's real-time ticker: a ticker whose update id
/// equals the final id of an applied diff describes exactly the book after that diff, so its best
/// bid/ask price and quantity must match. Tickers usually arrive before the 100 ms diff batch that
/// contains their id, so they wait (per symbol) until the book reaches or passes their id.
/// </summary>
public sealed class TopOfBookCheck
{
    private readonly Dictionary<int, Queue<TopOfBook>> _pending = [];

    public long Matched { get; private set; }
    public long Mismatched { get; private set; }
    /// <summary>Tickers whose id fell inside a diff rather than at its end: nothing to compare with.</summary>
    public long NotComparable { get; private set; }
    public string? FirstMismatch { get; private set; }
    public long Compared => Matched + Mismatched;

    /// <summary>A ticker arrived; <paramref name="book"/> is its symbol's book, <paramref name="live"/> whether it is in sync.</summary>
    public void OnTopOfBook(in TopOfBook ticker, OrderBook book, bool live)
    {
        if (live && ticker.UpdateId <= book.UpdateId)
        {
            // Late ticker: the book is already there (or past it).
            Compare(ticker, book);
            return;
        }
        if (!_pending.TryGetValue(ticker.InstrumentId, out var queue))
            _pending[ticker.InstrumentId] = queue = new Queue<TopOfBook>(256);
        queue.Enqueue(ticker);
    }

    /// <summary>Call after each diff is applied to a Live book.</summary>
    public void OnBookUpdated(int instrumentId, OrderBook book)
    {
        if (!_pending.TryGetValue(instrumentId, out var queue))
            return;
        while (queue.Count > 0 && queue.Peek().UpdateId <= book.UpdateId)
            Compare(queue.Dequeue(), book);
    }

    private void Compare(in TopOfBook t, OrderBook book)
    {
        if (t.UpdateId < book.UpdateId)
        {
            NotComparable++;
            return;
        }
        if (t.BidTick == book.BestBidTick && t.BidQty == book.BestBidQty && t.AskTick == book.BestAskTick && t.AskQty == book.BestAskQty)
        {
            Matched++;
            return;
        }
        Mismatched++;
        FirstMismatch ??= $"instrument {t.InstrumentId} update {t.UpdateId}: ticker {t.BidTick}x{t.BidQty} / {t.AskTick}x{t.AskQty}, " +
            $"book {book.BestBidTick}x{book.BestBidQty} / {book.BestAskTick}x{book.BestAskQty}";
    }

    /// <summary>Drops a symbol's waiting tickers (its book went Stale: they cannot be compared).</summary>
    public void Reset(int instrumentId)
    {
        if (_pending.TryGetValue(instrumentId, out var queue))
            queue.Clear();
    }
}
