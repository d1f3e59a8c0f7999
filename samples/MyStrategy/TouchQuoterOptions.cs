namespace MyStrategy;

/// <summary>The parameters of <see cref="TouchQuoter"/>, bound from the symbol's <c>"strategy"</c> section.</summary>
public sealed class TouchQuoterOptions
{
    /// <summary>Size of each side, in base units (e.g. BTC).</summary>
    public decimal Qty { get; set; } = 0.001m;
    /// <summary>The side that would grow the position beyond this is not quoted.</summary>
    public decimal MaxPosition { get; set; } = 0.01m;
    /// <summary>How many ticks behind the best bid and ask to quote.</summary>
    public long OffsetTicks { get; set; } = 1;
    /// <summary>At most one quote change per this many milliseconds (the venue's order budget).</summary>
    public long MinRequoteMs { get; set; } = 250;
}
