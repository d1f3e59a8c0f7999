namespace Fathom.Gateway.Abstractions;

/// <summary>
/// Why the venue (or the gateway, before sending) refused a command, normalized across venues.
/// The venue's own code and message travel beside it in <see cref="RejectReport"/>.
/// </summary>
public enum RejectReason : byte
{
    Other = 0,
    /// <summary>Binance -2010 "Account has insufficient balance for requested action."</summary>
    InsufficientBalance,
    /// <summary>Post-only order would have taken (Binance -2010 "Order would immediately match and take.").</summary>
    WouldTake,
    /// <summary>A venue filter failed (Binance -1013 "Filter failure: NAME").</summary>
    FilterFailure,
    /// <summary>Cancel/amend of an order the venue does not know or has closed (Binance -2011 "Unknown order sent.", -2013).</summary>
    UnknownOrder,
    /// <summary>Cancel refused by cancelRestrictions.</summary>
    CancelRestricted,
    /// <summary>Rate limited (429, -1003, -1015): nothing happened at the venue. Retry-After, if given, is in <see cref="RejectReport.RetryAfterNs"/>.</summary>
    RateLimited,
    DuplicateOrder,
    /// <summary>Market closed or symbol not trading (HALT, BREAK, CANCEL_ONLY).</summary>
    MarketClosed,
    /// <summary>Malformed or unsupported request (-11xx): a bug on our side.</summary>
    InvalidRequest,
    /// <summary>Keep-priority amend not allowed on the symbol or not a reduction.</summary>
    AmendNotAllowed,
    /// <summary>Never reached the venue: proven by repeated "does not exist" after the receive window.</summary>
    NeverReachedVenue,
    /// <summary>
    /// Banned for ignoring rate limits (Binance HTTP 418): the venue answers nothing, cancels included,
    /// until <see cref="RejectReport.RetryAfterNs"/> has passed; every further request lengthens the ban.
    /// </summary>
    Banned,
}
