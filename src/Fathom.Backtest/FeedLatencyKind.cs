namespace Fathom.Backtest;

/// <summary>When the core sees a recorded message.</summary>
public enum FeedLatencyKind : byte
{
    /// <summary>At its recorded local receive time (the recording's own feed latency, jitter and bursts).</summary>
    Recorded = 0,
    /// <summary>A constant delay after the exchange's event time (shifted onto the recording's clock).</summary>
    Constant = 1,
}
