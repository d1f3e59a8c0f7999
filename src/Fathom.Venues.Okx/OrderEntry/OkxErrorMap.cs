using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Okx;

/// <summary>
/// OKX v5 error code (top-level <c>code</c> or per-order <c>sCode</c>) → what the core acts on, the same
/// <see cref="RejectReason"/> values Binance's map produces. Outcomes that are not refusals (the venue was busy or
/// failed inside: it may have acted) are <see cref="IsStatusUnknown"/> and never become a reject.
/// </summary>
/// <remarks>
/// Sources: OKX's error-code table (okx.com/docs-v5/en/#error-code; the stored copy read was the mirror at
/// cloudquant.github.io/bt_api_py/exchanges/okx/status_announcement_error for 50000–50061 and 51000–51004) and
/// ccxt's OKX exception table (github.com/ccxt/ccxt <c>ts/src/okx.ts</c>, <c>exceptions.exact</c>, which quotes
/// OKX's message beside each code: 50011 "Request too frequent", 50013 "System is busy", 50102 "Timestamp request
/// expired", 51008 "insufficient balance", 51020 "Order amount should be greater than the min available amount",
/// 51121 "Order count should be the integer multiples of the lot size", 51400/51401/51402 cancellation failed as
/// the order does not exist / is already canceled / is already completed, 51503/51509/51510 the same for amends,
/// 51603 "Order does not exist", 60009 "Login failed", 60013 "Invalid args"; for <see cref="IsLoginFailure"/> its
/// AuthenticationError rows 50008 "User does not exist", 50101 "Broker id of APIKey does not match current
/// environment", 50114 "Invalid authorization", 60008 "Login is not supported for public channels", 60032 "API key
/// doesn't exist", its PermissionDenied rows 50027 "The account is restricted from trading" and 50110 "Invalid IP",
/// its AccountSuspended row 50007 "Account blocked", its NotSupported row 60028 "The current operation is not
/// supported by this URL", its ManualInteractionNeeded row 4088 (identity to verify again before trading), and
/// 50100 "API frozen, please contact customer service" and 50012 "Account status invalid", ExchangeErrors there but
/// ones that need a person; the mirror lists 50007, 50008, 50012 and 50027 with the same meaning). Post-only orders that
/// would take are not refused with a code: OKX accepts and then cancels them (the gateway reports that as
/// <see cref="RejectReason.WouldTake"/>, see <see cref="OkxOrderGateway"/>); 51511 is the amend variant.
/// </remarks>
public static class OkxErrorMap
{
    /// <summary>The venue may have executed the request: 50001 service unavailable, 50004 endpoint timeout,
    /// 50013 system busy, 50026 system error, 63999 internal error, and HTTP 5xx.</summary>
    public static bool IsStatusUnknown(int httpStatus, int code) =>
        httpStatus >= 500 || code is 50001 or 50004 or 50013 or 50026 or 63999;

    /// <summary>Rate limited: 50011 "Request too frequent", 50061 sub-account limit, 60014 WS requests too frequent, HTTP 429.</summary>
    public static bool IsRateLimit(int httpStatus, int code) => httpStatus == 429 || code is 50011 or 50061 or 60014;

    /// <summary>The request's timestamp was refused (REST 50102/50112, WS 60004/60006): the clock offset is re-measured.</summary>
    public static bool IsTimestampRejected(int code) => code is 50102 or 50112 or 60004 or 60006;

    /// <summary>
    /// Login refused for a reason that does not heal without a person, so the gateway stops reconnecting:
    /// <list type="bullet">
    /// <item>the credentials or their permissions: a missing or invalid key, sign or passphrase (60001–60003, 60005,
    /// 60007, 60024, 50105, 50111, 50113, 50114), a generic "Login failed" (60009), a key that does not exist (60032)
    /// or is frozen (50100), a key of the other environment (50101: demo against production), an IP not on the key's
    /// list (50110);</item>
    /// <item>the account's state: blocked (50007), no such user (50008), status invalid (50012), restricted from
    /// trading (50027), identity to verify again (4088);</item>
    /// <item>the endpoint: a login sent to the public WebSocket (60008) or to a URL that does not take it (60028), a
    /// configuration error.</item>
    /// </list>
    /// Every other refusal is retried with back-off: 50001, 50013, 63999, a rate limit, a timestamp still refused after
    /// the clock re-sync, and 50009 (account suspended while a liquidation runs, which ends without anyone acting).
    /// </summary>
    public static bool IsLoginFailure(int code) =>
        code is 60001 or 60002 or 60003 or 60005 or 60007 or 60008 or 60009 or 60024 or 60028 or 60032
            or 50100 or 50101 or 50105 or 50110 or 50111 or 50113 or 50114
            or 50007 or 50008 or 50012 or 50027 or 4088;

    public static RejectReason Map(int httpStatus, int code)
    {
        if (IsRateLimit(httpStatus, code))
            return RejectReason.RateLimited;
        switch (code)
        {
            case 51008: // Insufficient {ccy} balance
            case 51119:
            case 51127: // available balance is 0
            case 51131: // insufficient balance
            case 51502: // amend: insufficient margin
                return RejectReason.InsufficientBalance;
            case 51006: // price out of the limit (price limit band)
            case 51020: // below the minimum order amount
            case 51100:
            case 51120:
            case 51121: // not a multiple of the lot size
            case 51122:
            case 51124:
            case 51137: // max buy price
            case 51138: // min sell price
            case 51201:
            case 51202:
            case 51203:
            case 51004:
            case 51005:
                return RejectReason.FilterFailure;
            case 51011: // duplicated order id
            case 51016: // duplicated client order id
                return RejectReason.DuplicateOrder;
            case 51400: // cancel: order does not exist
            case 51401: // cancel: already canceled
            case 51402: // cancel: already completed
            case 51503: // amend: order does not exist
            case 51509: // amend: already canceled
            case 51510: // amend: already completed
            case 51603: // order does not exist
                return RejectReason.UnknownOrder;
            case 51410: // already being cancelled
            case 51403: // order type cannot be cancelled
            case 51404: // not during call auction phase 2
                return RejectReason.CancelRestricted;
            case 51506: // amend unavailable for the order type
            case 51508: // not during call auction
            case 51511: // amended price would take (post only)
                return RejectReason.AmendNotAllowed;
            case 51001: // instrument does not exist
            case 51021: // to be listed
            case 51022: // suspended
            case 51027:
            case 51028:
            case 51029:
            case 51030:
            case 51009: // order placement blocked by the platform
            case 51110:
                return RejectReason.MarketClosed;
            case 51000: // parameter error
            case 51003:
            case 51407:
            case 50000:
            case 50002:
            case 50006:
            case 50014:
            case 50015:
            case 50016:
            case 50024:
            case 50025:
            case 60012:
            case 60013: // invalid args
            case 60018:
            case 60019:
                return RejectReason.InvalidRequest;
        }
        return RejectReason.Other;
    }
}
