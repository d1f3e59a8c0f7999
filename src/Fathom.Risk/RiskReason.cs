namespace Fathom.Risk;

/// <summary>Why risk is not Active: one bit per account-wide rule, so several can hold at once.</summary>
[Flags]
public enum RiskReason : uint
{
    None = 0,
    /// <summary>A position is beyond its limit (fills can overshoot the pre-trade check). Reducing.</summary>
    PositionLimit = 1 << 0,
    /// <summary>Total notional across instruments beyond its limit. Reducing.</summary>
    NotionalLimit = 1 << 1,
    /// <summary>Loss since the day's start beyond the limit. Halted; released only by a new day or the operator.</summary>
    DailyDrawdown = 1 << 2,
    /// <summary>The oldest in-flight command is older than the limit: the venue stopped answering. Halted.</summary>
    InFlightAge = 1 << 3,
    /// <summary>Ack-latency percentile above the trip level (released below the lower release level). Reducing.</summary>
    AckLatency = 1 << 4,
    /// <summary>Feed lag above its min-filtered baseline by more than the limit. Reducing.</summary>
    FeedLag = 1 << 5,
    /// <summary>5xx/timeout rate on order entry above the limit. Halted.</summary>
    VenueErrors = 1 << 6,
    /// <summary>Order entry connection down while market data flows. Halted.</summary>
    OrderEntryDown = 1 << 7,
    /// <summary>Set by the operator; released only by the operator.</summary>
    Operator = 1 << 8,
    /// <summary>Instrument gate (logged with its instrument id): a fill's markout loss passed the limit; reduce-only for a cool-down.</summary>
    MarkoutLoss = 1 << 16,
    /// <summary>Instrument gate: mid moved past the stop from the position's entry VWAP; reduce-only until flat.</summary>
    VwapStop = 1 << 17,
}
