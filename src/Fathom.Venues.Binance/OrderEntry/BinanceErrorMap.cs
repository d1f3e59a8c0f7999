using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Binance;

/// <summary>
/// Binance error code (and, for the overloaded codes, message) → what the core acts on. Codes are fixed,
/// messages vary (EXCHANGES.md §7), so messages are matched on stable fragments only. Outcomes that are
/// not refusals (5xx, -1006, -1007) are <see cref="IsStatusUnknown"/> and never become a reject.
/// </summary>
public static class BinanceErrorMap
{
    /// <summary>5xx, -1006 and -1007: the venue may have executed the request.</summary>
    public static bool IsStatusUnknown(int httpStatus, int code) => httpStatus >= 500 || code is -1006 or -1007;

    public static RejectReason Map(int httpStatus, int code, ReadOnlySpan<byte> message)
    {
        if (httpStatus == 418)
            return RejectReason.Banned; // an IP ban after ignored 429s: nothing is answered until Retry-After
        if (httpStatus == 429)
            return RejectReason.RateLimited;
        switch (code)
        {
            case -1003:
            case -1015:
                return RejectReason.RateLimited;
            case -1013:
                return RejectReason.FilterFailure;
            case -2010:
                if (message.IndexOf("insufficient balance"u8) >= 0) return RejectReason.InsufficientBalance;
                if (message.IndexOf("immediately match"u8) >= 0) return RejectReason.WouldTake;
                if (message.IndexOf("Duplicate order"u8) >= 0) return RejectReason.DuplicateOrder;
                if (message.IndexOf("Market is closed"u8) >= 0) return RejectReason.MarketClosed;
                if (message.IndexOf("not supported for this symbol"u8) >= 0) return RejectReason.InvalidRequest;
                return RejectReason.Other;
            case -2011:
                return message.IndexOf("cancel restrictions"u8) >= 0 ? RejectReason.CancelRestricted : RejectReason.UnknownOrder;
            case -2013:
                return RejectReason.UnknownOrder;
            case -2038:
            case -2039:
                return RejectReason.AmendNotAllowed;
            case -1021: // timestamp: nothing happened; the gateway re-syncs its clock offset
                return RejectReason.Other;
        }
        if (code <= -1100 && code >= -1199)
            return RejectReason.InvalidRequest;
        if (code is -1022 or -1102 or -1104 or -1105 or -1106)
            return RejectReason.InvalidRequest;
        if (message.IndexOf("amend"u8) >= 0 || message.IndexOf("Amend"u8) >= 0)
            return RejectReason.AmendNotAllowed;
        return RejectReason.Other;
    }
}
