using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Binance;

/// <summary>
/// Turns an <see cref="OrderCommand"/> into the bytes Binance wants: a WS API request frame
/// (<c>{"id","method","params"}</c>, signed per request with HMAC over the sorted unencoded params unless
/// the session is logged on) or a signed, percent-encoded REST query. Allocation-free after construction;
/// single-threaded (the gateway's send thread owns one).
/// </summary>
/// <remarks>
/// New orders use <c>newOrderRespType=ACK</c> (the shortest answer: fills come on the user stream anyway).
/// Cancels and amends name the order by venue id when it is known (fastest lookup), else by client id.
/// Cancel-replace is STOP_ON_FAILURE: if the cancel fails the new order is not attempted.
/// Every new order (place, and cancel-replace's new half) carries <c>selfTradePreventionMode</c> unless the
/// mode is <see cref="BinanceSelfTradePreventionMode.SymbolDefault"/>; like every param it is signed.
/// </remarks>
public sealed class BinanceOrderEncoder : IDisposable
{
    public const int MaxFrameLength = 2048;

    private readonly BinanceOrderInstrument?[] _byId;
    private readonly byte[][] _symbols;
    private readonly ClientOrderIdFormat _ids;
    private readonly byte[] _apiKey;
    private readonly HmacSigner? _hmac;
    private readonly Ed25519Signer? _ed25519;
    private readonly int _recvWindowMs;
    private readonly byte[] _stpMode; // wire name; empty: not sent
    private readonly RequestParams _params = new();
    private readonly byte[] _payload = new byte[MaxFrameLength];

    // The logged-on frame's constant runs, built once per instrument: a new order's params from recvWindow through
    // "timestamp": (per side and time in force), and the tail every cancel, amend and query ends with. One copy
    // each instead of a literal, a number and a symbol at a time.
    private readonly byte[][][] _newOrderRuns;
    private readonly byte[][] _tailRuns;

    // The last timestamp's text: the venue clock moves once a millisecond, orders come in bursts.
    private long _timestampMs = -1;
    private readonly byte[] _timestampText = new byte[20];
    private int _timestampLength;

    public BinanceOrderEncoder(IReadOnlyList<BinanceOrderInstrument> instruments, ClientOrderIdFormat ids, BinanceCredentials credentials, int recvWindowMs,
        BinanceSelfTradePreventionMode selfTradePrevention = BinanceOrderGatewayOptions.DefaultSelfTradePrevention)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(credentials);
        int max = 0;
        foreach (var i in instruments)
        {
            if (i.InstrumentId < 0 || i.InstrumentId > 65_535)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(instruments), $"instrument id {i.InstrumentId} out of range");
            foreach (char c in i.Symbol)
                if (!char.IsAsciiLetterOrDigit(c))
                    ThrowHelper.ThrowArgument(nameof(instruments), $"symbol '{i.Symbol}' must be ASCII letters and digits");
            max = Math.Max(max, i.InstrumentId);
        }
        _byId = new BinanceOrderInstrument?[max + 1];
        _symbols = new byte[max + 1][];
        foreach (var i in instruments)
        {
            _byId[i.InstrumentId] = i;
            _symbols[i.InstrumentId] = Encoding.ASCII.GetBytes(i.Symbol.ToUpperInvariant());
        }
        _ids = ids;
        _apiKey = Encoding.ASCII.GetBytes(credentials.ApiKey);
        if (credentials.HmacSecret is { } secret)
            _hmac = new HmacSigner(secret);
        if (credentials.Ed25519PrivateKey is { } seed)
            _ed25519 = new Ed25519Signer(seed);
        _recvWindowMs = recvWindowMs;
        if (!Enum.IsDefined(selfTradePrevention))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(selfTradePrevention), $"unknown self-trade prevention mode {(int)selfTradePrevention}");
        _stpMode = StpModeWire(selfTradePrevention).ToArray();
        _newOrderRuns = new byte[max + 1][][];
        _tailRuns = new byte[max + 1][];
        foreach (var i in instruments)
        {
            string symbol = Encoding.ASCII.GetString(_symbols[i.InstrumentId]);
            string stp = _stpMode.Length > 0 ? $",\"selfTradePreventionMode\":\"{Encoding.ASCII.GetString(_stpMode)}\"" : "";
            var runs = new byte[6][];
            foreach (OrderSide side in new[] { OrderSide.Buy, OrderSide.Sell })
                foreach (OrderType type in new[] { OrderType.Limit, OrderType.LimitMaker, OrderType.LimitIoc })
                {
                    string timeInForce = type switch { OrderType.LimitMaker => "", OrderType.LimitIoc => ",\"timeInForce\":\"IOC\"", _ => ",\"timeInForce\":\"GTC\"" };
                    runs[NewOrderRun(side, type)] = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                        $"\",\"recvWindow\":{recvWindowMs}{stp},\"side\":\"{(side == OrderSide.Buy ? "BUY" : "SELL")}\",\"symbol\":\"{symbol}\"{timeInForce},\"timestamp\":"));
                }
            _newOrderRuns[i.InstrumentId] = runs;
            _tailRuns[i.InstrumentId] = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $",\"recvWindow\":{recvWindowMs},\"symbol\":\"{symbol}\",\"timestamp\":"));
        }
    }

    private static int NewOrderRun(OrderSide side, OrderType type) =>
        (side == OrderSide.Buy ? 0 : 3) + type switch { OrderType.LimitMaker => 1, OrderType.LimitIoc => 2, _ => 0 };

    /// <summary>Binance's name of an STP mode (EXCHANGES.md §3.4); empty for SymbolDefault, which is not sent.</summary>
    public static ReadOnlySpan<byte> StpModeWire(BinanceSelfTradePreventionMode mode) => mode switch
    {
        BinanceSelfTradePreventionMode.None => "NONE"u8,
        BinanceSelfTradePreventionMode.ExpireTaker => "EXPIRE_TAKER"u8,
        BinanceSelfTradePreventionMode.ExpireMaker => "EXPIRE_MAKER"u8,
        BinanceSelfTradePreventionMode.ExpireBoth => "EXPIRE_BOTH"u8,
        _ => default,
    };

    /// <summary>
    /// An STP mode by Binance's name (NONE, EXPIRE_TAKER, EXPIRE_MAKER, EXPIRE_BOTH, exact case) or
    /// SYMBOL_DEFAULT (send nothing); false for anything else (DECREMENT and TRANSFER included).
    /// </summary>
    public static bool TryParseStpMode(string? text, out BinanceSelfTradePreventionMode mode)
    {
        BinanceSelfTradePreventionMode? parsed = text switch
        {
            "SYMBOL_DEFAULT" => BinanceSelfTradePreventionMode.SymbolDefault,
            "NONE" => BinanceSelfTradePreventionMode.None,
            "EXPIRE_TAKER" => BinanceSelfTradePreventionMode.ExpireTaker,
            "EXPIRE_MAKER" => BinanceSelfTradePreventionMode.ExpireMaker,
            "EXPIRE_BOTH" => BinanceSelfTradePreventionMode.ExpireBoth,
            _ => null,
        };
        mode = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    /// <summary>The config name of an STP mode: Binance's, or SYMBOL_DEFAULT (cold path).</summary>
    public static string StpModeName(BinanceSelfTradePreventionMode mode) =>
        mode == BinanceSelfTradePreventionMode.SymbolDefault ? "SYMBOL_DEFAULT" : Encoding.ASCII.GetString(StpModeWire(mode));

    public bool Knows(int instrumentId) => (uint)instrumentId < (uint)_byId.Length && _byId[instrumentId] is not null;

    internal BinanceOrderInstrument? Instrument(int instrumentId) => Knows(instrumentId) ? _byId[instrumentId] : null;

    /// <summary>The WS API method of a command kind.</summary>
    public static ReadOnlySpan<byte> WsMethod(CommandKind kind) => kind switch
    {
        CommandKind.Place => "order.place"u8,
        CommandKind.Cancel => "order.cancel"u8,
        CommandKind.CancelReplace => "order.cancelReplace"u8,
        CommandKind.AmendQty => "order.amend.keepPriority"u8,
        CommandKind.Query => "order.status"u8,
        _ => default,
    };

    /// <summary>The REST method and path of a command kind.</summary>
    public static (HttpMethod Method, string Path) RestRoute(CommandKind kind) => kind switch
    {
        CommandKind.Place => (HttpMethod.Post, "/api/v3/order"),
        CommandKind.Cancel => (HttpMethod.Delete, "/api/v3/order"),
        CommandKind.CancelReplace => (HttpMethod.Post, "/api/v3/order/cancelReplace"),
        CommandKind.AmendQty => (HttpMethod.Put, "/api/v3/order/amend/keepPriority"),
        _ => (HttpMethod.Get, "/api/v3/order"),
    };

    /// <summary>REST request weight of a command kind (EXCHANGES.md §3).</summary>
    public static int Weight(CommandKind kind) => kind is CommandKind.AmendQty or CommandKind.Query ? 4 : 1;

    /// <summary>
    /// Writes the WS API request frame for <paramref name="command"/>. With <paramref name="sessionLoggedOn"/>
    /// the request carries only its timestamp (session.logon authenticated the connection); otherwise apiKey
    /// and a signature over the sorted params. False for an unknown instrument or kind.
    /// </summary>
    public bool TryEncodeWs(in OrderCommand command, long requestId, long timestampMs, bool sessionLoggedOn, Span<byte> destination, out int written)
    {
        if (sessionLoggedOn)
            return TryEncodeWsUnsigned(command, requestId, timestampMs, destination, out written);
        written = 0;
        if (!BuildParams(command, timestampMs))
            return false;
        _params.Add("apiKey"u8, _apiKey);
        _params.Sort();
        var w = new SpanWriter(destination);
        w.Put("{\"id\":"u8);
        w.PutLong(requestId);
        w.Put(",\"method\":\""u8);
        w.Put(WsMethod(command.Kind));
        w.Put("\",\"params\":{"u8);
        _params.WriteJson(ref w);
        int payloadLength = _params.WritePayload(_payload);
        w.Put(",\"signature\":\""u8);
        WriteSignature(_payload.AsSpan(0, payloadLength), ref w);
        w.Put((byte)'"');
        w.Put("}}"u8);
        written = w.Length;
        return true;
    }

    /// <summary>
    /// The logged-on session's frame, the hot path of the inline send: nothing is signed, so the params go
    /// straight into the frame, already in the order the signed path sorts them into (ordinal by name), and
    /// the bytes are identical to that path's JSON without <c>apiKey</c> and <c>signature</c> (a test holds
    /// the two paths to it). No intermediate buffer and no sort: fewer cache lines on a cold core.
    /// </summary>
    private bool TryEncodeWsUnsigned(in OrderCommand c, long requestId, long timestampMs, Span<byte> destination, out int written)
    {
        written = 0;
        if (!Knows(c.InstrumentId))
            return false;
        int instrument = c.InstrumentId;
        var w = new SpanWriter(destination);
        w.Put("{\"id\":"u8);
        w.PutLong(requestId);
        switch (c.Kind)
        {
            case CommandKind.Place:
                w.Put(",\"method\":\"order.place\",\"params\":{"u8);
                WriteNewOrder(ref w, c.ClientOrderId, c.Side, c.Type, c.Price, c.Qty, instrument, timestampMs);
                break;
            case CommandKind.Cancel:
                w.Put(",\"method\":\"order.cancel\",\"params\":{"u8);
                if (!c.ClientOrderId.IsNone)
                {
                    w.Put("\"newClientOrderId\":\""u8);
                    PutClientId(ref w, c.ClientOrderId);
                    w.Put("\","u8);
                }
                WriteOrderRef(ref w, c.VenueOrderId, c.OrigClientOrderId);
                WriteTail(ref w, instrument, timestampMs);
                break;
            case CommandKind.CancelReplace:
                w.Put(",\"method\":\"order.cancelReplace\",\"params\":{"u8);
                if (!c.ClientOrderId.IsNone)
                {
                    w.Put("\"cancelNewClientOrderId\":\""u8);
                    PutClientId(ref w, c.ClientOrderId);
                    w.Put("\","u8);
                }
                if (c.VenueOrderId > 0)
                {
                    w.Put("\"cancelOrderId\":"u8);
                    w.PutLong(c.VenueOrderId);
                }
                else
                {
                    w.Put("\"cancelOrigClientOrderId\":\""u8);
                    PutClientId(ref w, c.OrigClientOrderId);
                    w.Put((byte)'"');
                }
                w.Put(",\"cancelReplaceMode\":\"STOP_ON_FAILURE\","u8);
                WriteNewOrder(ref w, c.NewClientOrderId, c.Side, c.Type, c.Price, c.Qty, instrument, timestampMs);
                break;
            case CommandKind.AmendQty:
                w.Put(",\"method\":\"order.amend.keepPriority\",\"params\":{\"newClientOrderId\":\""u8);
                PutClientId(ref w, c.ClientOrderId);
                w.Put("\",\"newQty\":\""u8);
                PutDecimal(ref w, c.Qty.Raw);
                w.Put("\","u8);
                WriteOrderRef(ref w, c.VenueOrderId, c.OrigClientOrderId);
                WriteTail(ref w, instrument, timestampMs);
                break;
            case CommandKind.Query:
                // By the venue's order id once known, as cancels are: an amend may have renamed the order there.
                w.Put(",\"method\":\"order.status\",\"params\":{"u8);
                WriteOrderRef(ref w, c.VenueOrderId, c.OrigClientOrderId);
                WriteTail(ref w, instrument, timestampMs);
                break;
            default:
                return false;
        }
        w.Put("}}"u8);
        written = w.Length;
        return true;
    }

    // newClientOrderId … type, in sorted order (selfTradePreventionMode unless SymbolDefault, timeInForce only
    // for LIMIT and IOC), ending the params. "selfTradePreventionMode" sorts after "recvWindow", before "side".
    private void WriteNewOrder(ref SpanWriter w, ClientOrderId id, OrderSide side, OrderType type, Price price, Qty qty, int instrument, long timestampMs)
    {
        w.Put("\"newClientOrderId\":\""u8);
        PutClientId(ref w, id);
        w.Put("\",\"newOrderRespType\":\"ACK\",\"price\":\""u8);
        PutDecimal(ref w, price.Raw);
        w.Put("\",\"quantity\":\""u8);
        PutDecimal(ref w, qty.Raw);
        w.Put(_newOrderRuns[instrument][NewOrderRun(side, type)]);
        PutTimestamp(ref w, timestampMs);
        w.Put(type == OrderType.LimitMaker ? ",\"type\":\"LIMIT_MAKER\""u8 : ",\"type\":\"LIMIT\""u8);
    }

    // The order a cancel or amend names: by venue id when known (orderId), else by client id.
    private void WriteOrderRef(ref SpanWriter w, long venueOrderId, ClientOrderId origClientOrderId)
    {
        if (venueOrderId > 0)
        {
            w.Put("\"orderId\":"u8);
            w.PutLong(venueOrderId);
            return;
        }
        w.Put("\"origClientOrderId\":\""u8);
        PutClientId(ref w, origClientOrderId);
        w.Put((byte)'"');
    }

    // recvWindow, symbol, timestamp: the params every cancel, amend and query ends with, in sorted order.
    private void WriteTail(ref SpanWriter w, int instrument, long timestampMs)
    {
        w.Put(_tailRuns[instrument]);
        PutTimestamp(ref w, timestampMs);
    }

    private void PutTimestamp(ref SpanWriter w, long timestampMs)
    {
        if (timestampMs != _timestampMs)
        {
            if (!Utf8Formatter.TryFormat(timestampMs, _timestampText, out _timestampLength))
                ThrowHelper.ThrowInvalidOperation("timestamp out of range");
            _timestampMs = timestampMs;
        }
        w.Put(_timestampText.AsSpan(0, _timestampLength));
    }

    private void PutClientId(ref SpanWriter w, ClientOrderId id)
    {
        if (!_ids.TryFormat(id, w.Free, out int n))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(id), "client order id out of range (or frame buffer too small)");
        w.Advance(n);
    }

    private static void PutDecimal(ref SpanWriter w, long raw)
    {
        if (!FixedPoint.TryFormat(raw, BinanceSymbol.WireDecimals, w.Free, out int n))
            ThrowHelper.ThrowInvalidOperation("frame buffer too small");
        w.Advance(n);
    }

    /// <summary>
    /// Writes the signed REST query for <paramref name="command"/>: percent-encoded params, then
    /// <c>&amp;signature=</c> over exactly those bytes (EXCHANGES.md §5.1).
    /// </summary>
    public bool TryEncodeRest(in OrderCommand command, long timestampMs, Span<byte> destination, out int written)
    {
        written = 0;
        if (!BuildParams(command, timestampMs))
            return false;
        var q = new BinanceQueryBuilder(destination);
        _params.WriteQuery(ref q);
        AppendRestSignature(ref q, destination);
        written = q.Length;
        return true;
    }

    /// <summary>Signs an already built REST query (cold paths: reconciliation, time-independent reads).</summary>
    internal void AppendRestSignature(ref BinanceQueryBuilder q, Span<byte> destination)
    {
        int length = q.Length;
        Span<byte> sig = stackalloc byte[Ed25519Signer.SignatureBase64Length];
        if (_hmac is not null)
        {
            _hmac.Sign(destination[..length], sig);
            q.AddRaw("signature"u8, sig[..HmacSigner.SignatureLength]);
        }
        else
        {
            Span<byte> raw = stackalloc byte[64];
            _ed25519!.Sign(destination[..length], raw);
            Base64.EncodeToUtf8(raw, sig, out _, out int n);
            q.Add("signature"u8, sig[..n]); // base64 is percent-encoded in REST (§5.4)
        }
    }

    /// <summary>
    /// Signs a control request's payload (session.logon, userDataStream.subscribe.signature): Ed25519 base64
    /// when <paramref name="ed25519"/>, else HMAC hex. Cold path (allocates).
    /// </summary>
    internal string SignControl(string payload, bool ed25519) =>
        ed25519 ? _ed25519!.SignBase64(payload) : _hmac!.Sign(payload);

    /// <summary>Appends <c>&amp;signature=</c> to an already encoded REST query (cold path: allocates).</summary>
    internal string SignRestQuery(string encodedQuery)
    {
        byte[] payload = Encoding.ASCII.GetBytes(encodedQuery);
        string signature = _hmac is not null
            ? _hmac.Sign(encodedQuery)
            : Uri.EscapeDataString(_ed25519!.SignBase64(encodedQuery));
        return payload.Length == 0 ? "signature=" + signature : encodedQuery + "&signature=" + signature;
    }

    public void Dispose() => _ed25519?.Dispose();

    private void WriteSignature(ReadOnlySpan<byte> payload, ref SpanWriter w)
    {
        if (_hmac is not null)
        {
            _hmac.Sign(payload, w.Free);
            w.Advance(HmacSigner.SignatureLength);
            return;
        }
        Span<byte> raw = stackalloc byte[64];
        _ed25519!.Sign(payload, raw);
        Base64.EncodeToUtf8(raw, w.Free, out _, out int n);
        w.Advance(n);
    }

    private bool BuildParams(in OrderCommand c, long timestampMs)
    {
        _params.Clear();
        if (!Knows(c.InstrumentId))
            return false;
        byte[] symbol = _symbols[c.InstrumentId];
        switch (c.Kind)
        {
            case CommandKind.Place:
                _params.Add("symbol"u8, symbol);
                AddNewOrder(c.ClientOrderId, c.Side, c.Type, c.Price, c.Qty);
                break;
            case CommandKind.Cancel:
                _params.Add("symbol"u8, symbol);
                if (c.VenueOrderId > 0)
                    _params.AddLong("orderId"u8, c.VenueOrderId);
                else
                    _params.AddClientId("origClientOrderId"u8, _ids, c.OrigClientOrderId);
                if (!c.ClientOrderId.IsNone)
                    _params.AddClientId("newClientOrderId"u8, _ids, c.ClientOrderId);
                break;
            case CommandKind.CancelReplace:
                _params.Add("symbol"u8, symbol);
                _params.Add("cancelReplaceMode"u8, "STOP_ON_FAILURE"u8);
                if (c.VenueOrderId > 0)
                    _params.AddLong("cancelOrderId"u8, c.VenueOrderId);
                else
                    _params.AddClientId("cancelOrigClientOrderId"u8, _ids, c.OrigClientOrderId);
                if (!c.ClientOrderId.IsNone)
                    _params.AddClientId("cancelNewClientOrderId"u8, _ids, c.ClientOrderId);
                AddNewOrder(c.NewClientOrderId, c.Side, c.Type, c.Price, c.Qty);
                break;
            case CommandKind.AmendQty:
                _params.Add("symbol"u8, symbol);
                if (c.VenueOrderId > 0)
                    _params.AddLong("orderId"u8, c.VenueOrderId);
                else
                    _params.AddClientId("origClientOrderId"u8, _ids, c.OrigClientOrderId);
                _params.AddClientId("newClientOrderId"u8, _ids, c.ClientOrderId);
                _params.AddDecimal("newQty"u8, c.Qty.Raw);
                break;
            case CommandKind.Query:
                _params.Add("symbol"u8, symbol);
                if (c.VenueOrderId > 0)
                    _params.AddLong("orderId"u8, c.VenueOrderId);
                else
                    _params.AddClientId("origClientOrderId"u8, _ids, c.OrigClientOrderId);
                break;
            default:
                return false;
        }
        _params.AddLong("recvWindow"u8, _recvWindowMs);
        _params.AddLong("timestamp"u8, timestampMs);
        return true;
    }

    private void AddNewOrder(ClientOrderId id, OrderSide side, OrderType type, Price price, Qty qty)
    {
        _params.Add("side"u8, side == OrderSide.Buy ? "BUY"u8 : "SELL"u8);
        switch (type)
        {
            case OrderType.LimitMaker:
                _params.Add("type"u8, "LIMIT_MAKER"u8);
                break;
            case OrderType.LimitIoc:
                _params.Add("type"u8, "LIMIT"u8);
                _params.Add("timeInForce"u8, "IOC"u8);
                break;
            default:
                _params.Add("type"u8, "LIMIT"u8);
                _params.Add("timeInForce"u8, "GTC"u8);
                break;
        }
        _params.AddDecimal("price"u8, price.Raw);
        _params.AddDecimal("quantity"u8, qty.Raw);
        _params.AddClientId("newClientOrderId"u8, _ids, id);
        _params.Add("newOrderRespType"u8, "ACK"u8);
        if (_stpMode.Length > 0)
            _params.Add("selfTradePreventionMode"u8, _stpMode);
    }
}
