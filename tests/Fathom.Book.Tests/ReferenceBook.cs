namespace Fathom.Book.Tests;

/// <summary>The obviously-correct model the real book is checked against: two sorted dictionaries.</summary>
internal sealed class ReferenceBook
{
    public readonly SortedDictionary<long, long> Bids = new(Comparer<long>.Create((a, b) => b.CompareTo(a)));
    public readonly SortedDictionary<long, long> Asks = new();

    public void Set(Side side, long tick, long qty)
    {
        var d = side == Side.Bid ? Bids : Asks;
        if (qty == 0)
            d.Remove(tick);
        else
            d[tick] = qty;
    }

    public void Clear()
    {
        Bids.Clear();
        Asks.Clear();
    }
}
