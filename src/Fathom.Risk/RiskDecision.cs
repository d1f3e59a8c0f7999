namespace Fathom.Risk;

/// <summary>The outcome of a pre-trade check: <see cref="Allowed"/> or the first rule that refused.</summary>
public enum RiskDecision : byte
{
    Allowed = 0,
    Halted,
    /// <summary>Reducing (account-wide, or the instrument after a markout/VWAP stop, or paused by volatility) and the order would not reduce.</summary>
    ReduceOnly,
    MarketClosed,
    StaleBook,
    NoMarketPrice,
    MaxOrderQty,
    MaxOrderNotional,
    PriceBand,
    MaxPosition,
    MaxTotalNotional,
    SelfTrade,
    OrderRate,
    RateBudget,
    TooManyInFlight,
    /// <summary>Over this instance's share of an account-wide position limit several instances share (a quota leased from the coordination service).</summary>
    PositionQuota,
}
