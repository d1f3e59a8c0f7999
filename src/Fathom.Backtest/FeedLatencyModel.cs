namespace Fathom.Backtest;

/// <summary>The market-data leg: how long after the matching engine saw a book change or trade the core sees it.</summary>
public sealed record FeedLatencyModel(FeedLatencyKind Kind, long ConstantNs)
{
    public static FeedLatencyModel Recorded { get; } = new(FeedLatencyKind.Recorded, 0);
    public static FeedLatencyModel Constant(long ns) => new(FeedLatencyKind.Constant, ns);

    public override string ToString() => Kind == FeedLatencyKind.Recorded ? "recorded" : $"constant {BacktestConfig.DescribeNs(ConstantNs)}";
}
