using System.Collections.Concurrent;

namespace Fathom.Backtest.Tests.Hosting;

/// <summary>What a <see cref="TouchJoiner"/> instance saw: its callbacks, counted (read by the test after the run).</summary>
public sealed class TouchJoinerCalls
{
    private static readonly ConcurrentDictionary<string, TouchJoinerCalls> s_byTag = new();

    public static TouchJoinerCalls For(string tag) => s_byTag.GetOrAdd(tag, _ => new TouchJoinerCalls());

    public int Starts { get; set; }
    public long MarketData { get; set; }
    public long Fills { get; set; }
    public long OrderUpdates { get; set; }
    public long Quotes { get; set; }
    public int Stops { get; set; }
}
