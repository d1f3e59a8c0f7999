namespace Fathom.Venues.Okx;

/// <summary>
/// OKX's <c>stpMode</c> sent with every new order (EXCHANGES.md §8.5): which side of a would-be self-trade the
/// venue cancels. OKX's default is <see cref="CancelMaker"/>, and so is the gateway's (the engine's own
/// self-trade check refuses crossing orders before they leave, so this is only the venue's backstop).
/// </summary>
public enum OkxSelfTradePreventionMode : byte
{
    /// <summary><c>cancel_maker</c>: the resting order is cancelled.</summary>
    CancelMaker = 0,
    /// <summary><c>cancel_taker</c>: the incoming order is cancelled.</summary>
    CancelTaker,
    /// <summary><c>cancel_both</c>: both are cancelled.</summary>
    CancelBoth,
}
