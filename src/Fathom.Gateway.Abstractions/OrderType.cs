namespace Fathom.Gateway.Abstractions;

/// <summary>The order types the core sends (venue-neutral; a gateway maps them to the venue's names).</summary>
public enum OrderType : byte
{
    /// <summary>GTC limit order.</summary>
    Limit = 0,
    /// <summary>Post-only: rejected rather than taking (Binance LIMIT_MAKER).</summary>
    LimitMaker,
    /// <summary>Immediate-or-cancel limit: takes what it can up to the price, the rest expires.</summary>
    LimitIoc,
}
