namespace Fathom.MarketData;

/// <summary>
/// Cross-checks a diff-built book against the venue's real-time ticker: a ticker whose update id
/// equals the final id of an applied diff describes exactly the book after that diff, so its best
/// bid/ask price and quantity must match. Tickers usually arrive before the 100 ms diff batch that
/// contains their id, so they wait in a queue until the book reaches or passes their id.
/// </summary>
public sealed class TopOfBookCheck
{
    private readonly Queue<TopOfBook> _pending = new(1024);

    public long Matched { get; private set; }
    public long Mismatched { get; private set; }
    /// <summary>Tickers whose id fell inside a diff rather than at its end: nothing to compare with.</summary>
    public long NotComparable { get; private set; }
    public string? FirstMismatch { get; private set; }
    public long Compared => Matched + Mismatched;

    public void OnTopOfBook(in TopOfBook ticker) => _pending.Enqueue(ticker);

    /// <summary>Call after each diff is applied (with the book Live).</summary>
    public void OnBookUpdated(int instrumentId, long bookUpdateId, long bidTick, long bidQty, long askTick, long askQty)
    {
        while (_pending.Count > 0 && _pending.Peek().UpdateId <= bookUpdateId)
        {
            TopOfBook t = _pending.Dequeue();
            if (t.InstrumentId != instrumentId)
            {
                _pending.Enqueue(t); // another symbol's ticker: keep it (rare: one check per symbol is typical)
                break;
            }
            if (t.UpdateId < bookUpdateId)
            {
                NotComparable++;
                continue;
            }
            if (t.BidTick == bidTick && t.BidQty == bidQty && t.AskTick == askTick && t.AskQty == askQty)
            {
                Matched++;
            }
            else
            {
                Mismatched++;
                FirstMismatch ??= $"update {t.UpdateId}: ticker {t.BidTick}x{t.BidQty} / {t.AskTick}x{t.AskQty}, book {bidTick}x{bidQty} / {askTick}x{askQty}";
            }
        }
    }

    /// <summary>Drops waiting tickers (e.g. after the book went Stale: they cannot be compared).</summary>
    public void Reset() => _pending.Clear();
}
