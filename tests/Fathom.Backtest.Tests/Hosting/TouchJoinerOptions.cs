namespace Fathom.Backtest.Tests.Hosting;

/// <summary>The parameters of <see cref="TouchJoiner"/>, bound from the backtest config's <c>"strategy"</c> section.</summary>
public sealed class TouchJoinerOptions
{
    /// <summary>Names this run's <see cref="TouchJoinerCalls"/> (tests run in parallel).</summary>
    public string Tag { get; set; } = "";
    public decimal Qty { get; set; } = 0.001m;
    public decimal MaxPosition { get; set; } = 0.005m;
    public long MinRequoteMs { get; set; } = 500;
}
