namespace Fathom.Strategies;

/// <summary>
/// Settings of <see cref="MarketMaker"/>. Prices in book ticks, sizes as raw quantities at the
/// instrument's qty decimals, volatility in the analyzer's units (per √second).
/// </summary>
public sealed record MarketMakerOptions
{
    public int InstrumentId { get; init; }
    /// <summary>Half-spread in ticks around fair value in calm conditions.</summary>
    public long HalfSpreadTicks { get; init; } = 2;
    /// <summary>Quote size per side when flat.</summary>
    public long QuoteQty { get; init; } = 100_000;
    /// <summary>Position at which the side that adds to it is no longer quoted.</summary>
    public long MaxPosition { get; init; } = 1_000_000;
    /// <summary>Fair-value shift at max position, in ticks (against the position, to lean out of it).</summary>
    public long MaxSkewTicks { get; init; } = 4;
    /// <summary>Volatility considered normal; above it the spread widens proportionally.</summary>
    public double ReferenceVolatility { get; init; } = 0.0005;
    /// <summary>Above this volatility nothing is quoted.</summary>
    public double PullVolatility { get; init; } = 0.005;
    /// <summary>Withdrawal fraction on a side above which that side is pulled (liquidity leaving warns of a move).</summary>
    public double PullWithdrawal { get; init; } = 0.6;
    /// <summary>
    /// Follow the real-time ticker when it is ahead of the depth book: the touch guarding post-only and
    /// the mid shift of fair value come from it, so a small ticker frame, not the next depth batch,
    /// moves the quote (lower tick-to-order). Off by default: in a fast market it requotes on every touch
    /// move and spends the venue's order budget (the demo's simulator is such a market).
    /// </summary>
    public bool FollowTicker { get; init; }
    /// <summary>
    /// At most one quote change per this many ns (0: no limit), so a fast market does not spend the
    /// venue's order budget; the latest target goes out when the interval ends. Pulling a side or
    /// shrinking a size is never delayed.
    /// </summary>
    public long MinRequoteIntervalNs { get; init; }

    public MarketMakerOptions Validate()
    {
        if (HalfSpreadTicks < 1) throw new ArgumentOutOfRangeException(nameof(HalfSpreadTicks), "must be at least 1 tick");
        if (QuoteQty <= 0) throw new ArgumentOutOfRangeException(nameof(QuoteQty), "must be positive");
        if (MaxPosition <= 0) throw new ArgumentOutOfRangeException(nameof(MaxPosition), "must be positive");
        if (MaxSkewTicks < 0) throw new ArgumentOutOfRangeException(nameof(MaxSkewTicks), "must not be negative");
        if (!(ReferenceVolatility > 0) || !(PullVolatility > ReferenceVolatility))
            throw new ArgumentOutOfRangeException(nameof(PullVolatility), "need 0 < ReferenceVolatility < PullVolatility");
        if (!(PullWithdrawal is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(PullWithdrawal), "must be in (0, 1]");
        if (MinRequoteIntervalNs < 0) throw new ArgumentOutOfRangeException(nameof(MinRequoteIntervalNs), "must not be negative");
        return this;
    }
}
