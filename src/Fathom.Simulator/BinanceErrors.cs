namespace Fathom.Simulator;

/// <summary>
/// Binance's error codes and messages, verbatim from errors.md (EXCHANGES.md §7): clients such as
/// ccxt map exceptions by exact message first, then by code, so the text matters as much as the code.
/// </summary>
public static class BinanceErrors
{
    public const string InsufficientBalance = "Account has insufficient balance for requested action.";
    public const string BadSignature = "Signature for this request is not valid.";

    public static BinanceError For(RejectCode code) => code switch
    {
        RejectCode.FilterPrice => Filter("PRICE_FILTER"),
        RejectCode.FilterLotSize => Filter("LOT_SIZE"),
        RejectCode.FilterMarketLotSize => Filter("MARKET_LOT_SIZE"),
        RejectCode.FilterNotional => Filter("NOTIONAL"),
        RejectCode.FilterPercentPriceBySide => Filter("PERCENT_PRICE_BY_SIDE"),
        RejectCode.FilterMaxNumOrders => Filter("MAX_NUM_ORDERS"),
        RejectCode.MarketClosed => new(400, -2010, "Market is closed."),
        RejectCode.InsufficientBalance => new(400, -2010, InsufficientBalance),
        RejectCode.WouldTake => new(400, -2010, "Order would immediately match and take."),
        RejectCode.DuplicateOrder => new(400, -2010, "Duplicate order sent."),
        RejectCode.StpModeNotAllowed => new(400, -2010, "This symbol does not allow the specified self-trade prevention mode."),
        RejectCode.NoLiquidityForQuoteOrder => new(400, -2010, "Order book liquidity is less than symbol minimum quantity."),
        RejectCode.PriceTimesQtyNotPositive => new(400, -2010, "Price * QTY is zero or less."),
        RejectCode.UnknownOrder => new(400, -2011, "Unknown order sent."),
        RejectCode.CancelRestricted => new(400, -2011, "Order was not canceled due to cancel restrictions."),
        RejectCode.NoSuchOrder => new(400, -2013, "Order does not exist."),
        RejectCode.AmendQtyIncrease => new(400, -2038, "Order amend (quantity increase) is not supported."),
        RejectCode.AmendNoChange => new(400, -2038, "The requested action would change no state; rejecting"),
        _ => new(500, -1000, "An unknown error occurred while processing the request."),
    };

    private static BinanceError Filter(string name) => new(400, -1013, "Filter failure: " + name);

    public static BinanceError Mandatory(string param) =>
        new(400, -1102, $"Mandatory parameter '{param}' was not sent, was empty/null, or malformed.");
    public static BinanceError EitherMandatory(string a, string b) =>
        new(400, -1102, $"Param '{a}' or '{b}' must be sent, but both were empty/null!");
    public static BinanceError IllegalChars(string param, string range) =>
        new(400, -1100, $"Illegal characters found in parameter '{param}'; legal range is '{range}'.");
    public static BinanceError TooMuchPrecision(string param) => new(400, -1111, $"Parameter '{param}' has too much precision.");
    public static BinanceError NotRequired(string param) => new(400, -1106, $"Parameter '{param}' sent when not required.");
    public static BinanceError InvalidParameter(string param) => new(400, -1130, $"Data sent for parameter '{param}' is not valid.");
    public static readonly BinanceError DuplicateParameter = new(400, -1101, "Duplicate values for a parameter detected.");
    public static readonly BinanceError TifNotRequired = new(400, -1114, "TimeInForce parameter sent when not required.");
    public static readonly BinanceError InvalidTif = new(400, -1115, "Invalid timeInForce.");
    public static readonly BinanceError InvalidOrderType = new(400, -1116, "Invalid orderType.");
    public static readonly BinanceError InvalidSide = new(400, -1117, "Invalid side.");
    public static readonly BinanceError BadSymbol = new(400, -1121, "Invalid symbol.");
    public static readonly BinanceError InvalidSymbolStatus = new(400, -1122, "Invalid symbolStatus.");
    public static readonly BinanceError SymbolStatusMismatch = new(400, -1220, "The symbol's status does not match the requested symbolStatus.");
    public static readonly BinanceError BadParameterCombination = new(400, -1128, "Combination of optional parameters invalid.");
    public static readonly BinanceError InvalidCancelRestrictions = new(400, -1145, "cancelRestrictions has to be either ONLY_NEW or ONLY_PARTIALLY_FILLED.");
    public static readonly BinanceError TimestampOutsideRecvWindow = new(400, -1021, "Timestamp for this request is outside of the recvWindow.");
    public static readonly BinanceError TimestampAhead = new(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
    public static readonly BinanceError InvalidSignature = new(400, -1022, BadSignature);
    public static readonly BinanceError RecvWindowTooLarge = new(400, -1131, "recvWindow must be less than 60000");
    public static readonly BinanceError ApiKeyFormat = new(401, -2014, "API-key format invalid.");
    public static readonly BinanceError RejectedApiKey = new(401, -2015, "Invalid API-key, IP, or permissions for action.");
    public static readonly BinanceError CancelInvalid = new(400, -2011, "Cancel order is invalid. Check origClOrdId and orderId.");
    public static readonly BinanceError UnsupportedStopOrders = new(400, -2010, "Stop loss orders are not supported for this symbol.");
    public static readonly BinanceError Internal = new(500, -1001, "Internal error; unable to process your request. Please try again.");
    public static readonly BinanceError ExecutionUnknown = new(503, -1007, "Timeout waiting for response from backend server. Send status unknown; execution status unknown.");

    public static BinanceError TooMuchWeight(int limit, string interval) =>
        new(429, -1003, $"Too much request weight used; current limit is {limit} request weight per {interval}. Please use WebSocket Streams for live updates to avoid polling the API.");
    public static BinanceError Banned(long untilMs) =>
        new(418, -1003, $"Way too much request weight used; IP banned until {untilMs}. Please use WebSocket Streams for live updates to avoid bans.");
    public static BinanceError TooManyOrders(int limit, string interval) =>
        new(429, -1015, $"Too many new orders; current limit is {limit} orders per {interval}.");
}
