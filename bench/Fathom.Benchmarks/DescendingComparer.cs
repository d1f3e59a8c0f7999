namespace Fathom.Benchmarks;

/// <summary>Orders longs high to low, so a bid side's best level is its first entry.</summary>
internal sealed class DescendingComparer : IComparer<long>
{
    public static DescendingComparer Instance { get; } = new();

    public int Compare(long x, long y) => y.CompareTo(x);
}
