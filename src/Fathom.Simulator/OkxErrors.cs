namespace Fathom.Simulator;

/// <summary>
/// OKX v5 error codes and texts the simulator's OKX front answers with (okx.com/docs-v5/en/#error-code).
/// REST: authentication failures are HTTP 401, rate limits 429, request and parameter errors 400, trade
/// errors (51xxx) 200 with their code; an order that fails is
/// HTTP 200 with <c>code</c> "1" (batch: "2" when some succeeded) and the order's <c>sCode</c>/<c>sMsg</c>.
/// WebSocket: 60xxx codes in <c>{"event":"error",…}</c>.
/// </summary>
internal static class OkxErrors
{
    // Request-level (REST).
    public static readonly OkxError BodyEmpty = new(400, "50000", "Body for POST request cannot be empty.");
    public static readonly OkxError JsonSyntax = new(400, "50002", "JSON syntax error");
    public static readonly OkxError Timeout = new(400, "50004", "API endpoint request timeout (does not mean that the request was successful or failed, please check the request result).");
    public static readonly OkxError Unavailable = new(503, "50001", "Service temporarily unavailable. Please try again later.");
    public static readonly OkxError RateLimit = new(429, "50011", "Rate limit reached. Please refer to API documentation and throttle requests accordingly.");
    public static readonly OkxError TimestampExpired = new(401, "50102", "Timestamp request expired");
    public static readonly OkxError KeyEmpty = new(401, "50103", "Request header OK-ACCESS-KEY cannot be empty.");
    public static readonly OkxError PassphraseEmpty = new(401, "50104", "Request header OK-ACCESS-PASSPHRASE cannot be empty.");
    public static readonly OkxError PassphraseIncorrect = new(401, "50105", "Request header OK-ACCESS-PASSPHRASE incorrect.");
    public static readonly OkxError SignEmpty = new(401, "50106", "Request header OK-ACCESS-SIGN cannot be empty.");
    public static readonly OkxError TimestampEmpty = new(401, "50107", "Request header OK-ACCESS-TIMESTAMP cannot be empty.");
    public static readonly OkxError InvalidKey = new(401, "50111", "Invalid OK-ACCESS-KEY.");
    public static readonly OkxError InvalidTimestamp = new(401, "50112", "Invalid OK-ACCESS-TIMESTAMP.");
    public static readonly OkxError InvalidSignature = new(401, "50113", "Invalid Sign.");
    public static readonly OkxError NotFound = new(404, "404", "Not Found");
    public static readonly OkxError MethodNotAllowed = new(405, "50115", "Invalid request method.");

    public static OkxError Empty(string name) => new(400, "50014", $"Parameter {name} cannot be empty.");
    public static OkxError Param(string name) => new(400, "51000", $"Parameter {name} error");

    // Per order (sCode) or request-level on queries.
    public static readonly OkxError NoInstrument = new(200, "51001", "Instrument ID does not exist.");
    public static readonly OkxError NeedOrderId = new(200, "51003", "Either client order ID or order ID is required.");
    public static readonly OkxError PlacementBlocked = new(200, "51009", "Order placement function is blocked by the platform.");
    public static readonly OkxError DuplicateClientId = new(200, "51016", "Duplicated client order ID");
    public static readonly OkxError BelowMinimum = new(200, "51020", "Your order should meet or exceed the minimum order amount.");
    public static readonly OkxError TooManyPending = new(200, "51102", "Entered amount exceeds the max pending count.");
    public static readonly OkxError NoOffer = new(200, "51109", "No available offer.");
    public static readonly OkxError LotSize = new(200, "51121", "Order quantity must be a multiple of the lot size.");
    public static readonly OkxError MarketTooLarge = new(200, "51202", "Market order amount exceeds the maximum amount.");
    public static readonly OkxError CancelFailed = new(200, "51400", "Order cancellation failed as the order has been filled, canceled or does not exist.");
    public static readonly OkxError AmendFailed = new(200, "51503", "Order modification failed as the order has been filled, canceled or does not exist.");
    public static readonly OkxError AmendPostOnly = new(200, "51511", "Operation failed as the order price did not meet the requirement for Post Only.");
    public static readonly OkxError NeedPriceOrSize = new(200, "51500", "Either order price or amount is required.");
    public static readonly OkxError TooManyInBatch = new(200, "51111", "Maximum 20 orders can be placed in bulk.");
    public static readonly OkxError OrderNotFound = new(200, "51603", "Order does not exist");

    public static OkxError Insufficient(string ccy) => new(200, "51008", $"Order failed. Insufficient {ccy} balance in account.");
    public static OkxError PriceLimit(string maxBuy, string minSell) =>
        new(200, "51006", $"Order price is not within the price limit (max buy price: {maxBuy} min sell price: {minSell})");
    public static OkxError AmountLimit(string max) => new(200, "51203", $"Order amount exceeds the limit {max}.");

    // WebSocket.
    public static readonly OkxError WsInvalidTimestamp = new(0, "60004", "Invalid timestamp");
    public static readonly OkxError WsInvalidKey = new(0, "60005", "Invalid OK-ACCESS-KEY");
    public static readonly OkxError WsTimestampExpired = new(0, "60006", "Timestamp request expired");
    public static readonly OkxError WsLoginFailed = new(0, "60009", "Login failed.");
    public static readonly OkxError WsSystemBusy = new(0, "50013", "System is busy, please try again later.");
    public static readonly OkxError WsPleaseLogin = new(0, "60011", "Please log in");
    public static readonly OkxError WsInvalidArgs = new(0, "60013", "Invalid args");
    public static readonly OkxError WsWrongPassphrase = new(0, "60024", "Wrong passphrase");
    public static readonly OkxError WsPrivateOnPublic = new(0, "60008", "The current WebSocket endpoint does not support subscribing to private channels.");
    public static readonly OkxError WsPublicOnPrivate = new(0, "60028", "The current operation is not supported by this URL. Please use the correct WebSocket URL for the operation.");
    public static OkxError WsIllegal(string request) => new(0, "60012", $"Invalid request: {request}");
    public static OkxError WsNoChannel(string what) => new(0, "60018", $"Wrong URL or channel:{what} doesn't exist.");
    public static OkxError WsBadOp(string op) => new(0, "60019", $"Invalid op: {op}");
}
