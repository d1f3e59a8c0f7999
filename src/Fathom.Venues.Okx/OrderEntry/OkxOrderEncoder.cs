using System.Buffers.Text;
using System.Text;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Okx;

/// <summary>
/// Turns order commands into OKX v5 private WebSocket request frames (<c>{"id","op","args":[{…}]}</c>, EXCHANGES.md
/// §8.5) or, for the REST fallback, the same argument object as a JSON body. Allocation-free after construction;
/// stateless after construction, so any thread may encode into its own buffer.
/// </summary>
/// <remarks>
/// Orders name their instrument by <c>instIdCode</c> (an integer), which OKX has replace <c>instId</c> on trade
/// ops. Every new order is <c>tdMode:"cash"</c> (spot, no margin) and carries <c>stpMode</c>. Cancels and amends
/// name the order by <c>ordId</c> when the venue id is known (no client-id lookup at the venue), else by
/// <c>clOrdId</c>. An amend carries the amend's own client id as <c>reqId</c>, which OKX echoes in the answer and
/// the <c>orders</c> push. Prices and sizes are written at the instrument's decimals, exactly as the core holds them.
/// </remarks>
public sealed class OkxOrderEncoder
{
    /// <summary>Longest frame written (a batch cancel of <see cref="MaxBatch"/> orders fits).</summary>
    public const int MaxFrameLength = 4096;
    /// <summary>OKX's maximum orders per batch op.</summary>
    public const int MaxBatch = 20;

    private readonly OkxOrderInstrument?[] _byId;
    private readonly byte[][] _instIdCode;
    private readonly byte[][] _instId;
    private readonly ClientOrderIdFormat _ids;
    private readonly byte[] _stpMode;

    public OkxOrderEncoder(IReadOnlyList<OkxOrderInstrument> instruments, ClientOrderIdFormat ids,
        OkxSelfTradePreventionMode selfTradePrevention = OkxSelfTradePreventionMode.CancelMaker)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(ids);
        // OKX's clOrdId is 1..32 letters and digits (case-sensitive); every id the format writes must fit.
        if (ids.Length > 32)
            ThrowHelper.ThrowArgument(nameof(ids), $"client ids of {ids.Length} characters exceed OKX's 32-character clOrdId");
        int max = 0;
        foreach (var i in instruments)
        {
            if (i.InstrumentId < 0 || i.InstrumentId > 65_535)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(instruments), $"instrument id {i.InstrumentId} out of range");
            if (i.InstIdCode <= 0)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(instruments), $"{i.InstId}: instIdCode {i.InstIdCode} must be positive (from GET /api/v5/public/instruments)");
            if ((uint)i.PriceDecimals > DecimalParser.MaxDecimals || (uint)i.QtyDecimals > DecimalParser.MaxDecimals)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(instruments), $"{i.InstId}: decimals must be 0..18");
            max = Math.Max(max, i.InstrumentId);
        }
        _byId = new OkxOrderInstrument?[max + 1];
        _instIdCode = new byte[max + 1][];
        _instId = new byte[max + 1][];
        foreach (var i in instruments)
        {
            if (_byId[i.InstrumentId] is not null)
                ThrowHelper.ThrowArgument(nameof(instruments), $"instrument id {i.InstrumentId} appears twice");
            _byId[i.InstrumentId] = i;
            _instIdCode[i.InstrumentId] = Encoding.ASCII.GetBytes(i.InstIdCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (char c in i.InstId)
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                    ThrowHelper.ThrowArgument(nameof(instruments), $"instId '{i.InstId}' must be ASCII letters, digits and '-'");
            _instId[i.InstrumentId] = Encoding.ASCII.GetBytes(i.InstId);
        }
        _ids = ids;
        if (!Enum.IsDefined(selfTradePrevention))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(selfTradePrevention), $"unknown self-trade prevention mode {(int)selfTradePrevention}");
        _stpMode = StpModeWire(selfTradePrevention).ToArray();
    }

    public static ReadOnlySpan<byte> StpModeWire(OkxSelfTradePreventionMode mode) => mode switch
    {
        OkxSelfTradePreventionMode.CancelTaker => "cancel_taker"u8,
        OkxSelfTradePreventionMode.CancelBoth => "cancel_both"u8,
        _ => "cancel_maker"u8,
    };

    /// <summary>OKX's <c>ordType</c> for the engine's order type.</summary>
    public static ReadOnlySpan<byte> OrdTypeWire(OrderType type) => type switch
    {
        OrderType.LimitMaker => "post_only"u8,
        OrderType.LimitIoc => "ioc"u8,
        _ => "limit"u8,
    };

    public bool Knows(int instrumentId) => (uint)instrumentId < (uint)_byId.Length && _byId[instrumentId] is not null;

    internal OkxOrderInstrument Instrument(int instrumentId) => _byId[instrumentId]!;

    /// <summary>WS <c>order</c> frame for a new order; false for an unknown instrument, an id out of range or a short buffer.</summary>
    public bool TryEncodePlace(long requestId, int instrumentId, ClientOrderId id, OrderSide side, OrderType type, Price price, Qty qty,
        Span<byte> destination, out int written)
    {
        var w = new FrameWriter(destination);
        w.Raw("{\"id\":\""u8); w.Long(requestId); w.Raw("\",\"op\":\"order\",\"args\":["u8);
        bool ok = WritePlaceArgs(ref w, instrumentId, id, side, type, price, qty);
        w.Raw("]}"u8);
        written = w.Position;
        return ok && w.Ok;
    }

    /// <summary>WS <c>cancel-order</c> frame: by <paramref name="venueOrderId"/> when non-zero, else by <paramref name="wireClientId"/>.</summary>
    public bool TryEncodeCancel(long requestId, int instrumentId, long venueOrderId, ClientOrderId wireClientId, Span<byte> destination, out int written)
    {
        var w = new FrameWriter(destination);
        w.Raw("{\"id\":\""u8); w.Long(requestId); w.Raw("\",\"op\":\"cancel-order\",\"args\":["u8);
        bool ok = WriteCancelArgs(ref w, instrumentId, venueOrderId, wireClientId);
        w.Raw("]}"u8);
        written = w.Position;
        return ok && w.Ok;
    }

    /// <summary>WS <c>amend-order</c> frame setting <c>newSz</c> (the new total size), with the amend's id as <c>reqId</c>.</summary>
    public bool TryEncodeAmendSize(long requestId, int instrumentId, long venueOrderId, ClientOrderId wireClientId, ClientOrderId amendId, Qty newQty,
        Span<byte> destination, out int written)
    {
        var w = new FrameWriter(destination);
        w.Raw("{\"id\":\""u8); w.Long(requestId); w.Raw("\",\"op\":\"amend-order\",\"args\":["u8);
        bool ok = WriteAmendArgs(ref w, instrumentId, venueOrderId, wireClientId, amendId, newQty);
        w.Raw("]}"u8);
        written = w.Position;
        return ok && w.Ok;
    }

    /// <summary>WS <c>batch-cancel-orders</c> frame for up to <see cref="MaxBatch"/> orders named by venue id (cancel-all).</summary>
    public bool TryEncodeBatchCancel(long requestId, int instrumentId, ReadOnlySpan<long> venueOrderIds, Span<byte> destination, out int written)
    {
        written = 0;
        if (venueOrderIds.IsEmpty || venueOrderIds.Length > MaxBatch)
            return false;
        var w = new FrameWriter(destination);
        w.Raw("{\"id\":\""u8); w.Long(requestId); w.Raw("\",\"op\":\"batch-cancel-orders\",\"args\":["u8);
        bool ok = true;
        for (int i = 0; i < venueOrderIds.Length; i++)
        {
            if (i > 0)
                w.Raw(","u8);
            ok &= WriteCancelArgs(ref w, instrumentId, venueOrderIds[i], default);
        }
        w.Raw("]}"u8);
        written = w.Position;
        return ok && w.Ok;
    }

    /// <summary>
    /// The REST body of a new order (<c>POST /api/v5/trade/order</c>): the same argument object, naming the
    /// instrument by <c>instId</c> (OKX documents <c>instIdCode</c> for the WebSocket ops; REST keeps <c>instId</c>).
    /// </summary>
    public bool TryEncodePlaceBody(int instrumentId, ClientOrderId id, OrderSide side, OrderType type, Price price, Qty qty, Span<byte> destination, out int written)
    {
        var w = new FrameWriter(destination);
        bool ok = WritePlaceArgs(ref w, instrumentId, id, side, type, price, qty, rest: true);
        written = w.Position;
        return ok && w.Ok;
    }

    public bool TryEncodeCancelBody(int instrumentId, long venueOrderId, ClientOrderId wireClientId, Span<byte> destination, out int written)
    {
        var w = new FrameWriter(destination);
        bool ok = WriteCancelArgs(ref w, instrumentId, venueOrderId, wireClientId, rest: true);
        written = w.Position;
        return ok && w.Ok;
    }

    public bool TryEncodeAmendBody(int instrumentId, long venueOrderId, ClientOrderId wireClientId, ClientOrderId amendId, Qty newQty, Span<byte> destination, out int written)
    {
        var w = new FrameWriter(destination);
        bool ok = WriteAmendArgs(ref w, instrumentId, venueOrderId, wireClientId, amendId, newQty, rest: true);
        written = w.Position;
        return ok && w.Ok;
    }

    private bool WritePlaceArgs(ref FrameWriter w, int instrumentId, ClientOrderId id, OrderSide side, OrderType type, Price price, Qty qty, bool rest = false)
    {
        if (!Knows(instrumentId) || !Enum.IsDefined(type))
            return false;
        var instrument = _byId[instrumentId]!;
        w.Raw("{\"side\":\""u8);
        w.Raw(side == OrderSide.Buy ? "buy"u8 : "sell"u8);
        w.Raw("\","u8);
        WriteInstrument(ref w, instrumentId, rest);
        w.Raw(",\"tdMode\":\"cash\",\"ordType\":\""u8);
        w.Raw(OrdTypeWire(type));
        w.Raw("\",\"px\":\""u8);
        w.Decimal(price.Raw, instrument.PriceDecimals);
        w.Raw("\",\"sz\":\""u8);
        w.Decimal(qty.Raw, instrument.QtyDecimals);
        w.Raw("\",\"clOrdId\":\""u8);
        bool ok = w.ClientId(_ids, id);
        w.Raw("\",\"stpMode\":\""u8);
        w.Raw(_stpMode);
        w.Raw("\"}"u8);
        return ok && price.Raw > 0 && qty.Raw > 0;
    }

    private bool WriteCancelArgs(ref FrameWriter w, int instrumentId, long venueOrderId, ClientOrderId wireClientId, bool rest = false)
    {
        if (!Knows(instrumentId))
            return false;
        w.Raw("{"u8);
        WriteInstrument(ref w, instrumentId, rest);
        bool ok = WriteOrderRef(ref w, venueOrderId, wireClientId);
        w.Raw("}"u8);
        return ok;
    }

    private bool WriteAmendArgs(ref FrameWriter w, int instrumentId, long venueOrderId, ClientOrderId wireClientId, ClientOrderId amendId, Qty newQty, bool rest = false)
    {
        if (!Knows(instrumentId) || newQty.Raw <= 0)
            return false;
        w.Raw("{"u8);
        WriteInstrument(ref w, instrumentId, rest);
        bool ok = WriteOrderRef(ref w, venueOrderId, wireClientId);
        w.Raw(",\"newSz\":\""u8);
        w.Decimal(newQty.Raw, _byId[instrumentId]!.QtyDecimals);
        w.Raw("\",\"reqId\":\""u8);
        ok &= w.ClientId(_ids, amendId);
        w.Raw("\"}"u8);
        return ok;
    }

    private void WriteInstrument(ref FrameWriter w, int instrumentId, bool rest)
    {
        if (rest)
        {
            w.Raw("\"instId\":\""u8);
            w.Raw(_instId[instrumentId]);
            w.Raw("\""u8);
        }
        else
        {
            w.Raw("\"instIdCode\":"u8);
            w.Raw(_instIdCode[instrumentId]);
        }
    }

    private bool WriteOrderRef(ref FrameWriter w, long venueOrderId, ClientOrderId wireClientId)
    {
        if (venueOrderId > 0)
        {
            w.Raw(",\"ordId\":\""u8);
            w.Long(venueOrderId);
            w.Raw("\""u8);
            return true;
        }
        w.Raw(",\"clOrdId\":\""u8);
        bool ok = w.ClientId(_ids, wireClientId);
        w.Raw("\""u8);
        return ok;
    }

    /// <summary>The login frame (cold path; allocates). The signature is over <c>unixSeconds + "GET/users/self/verify"</c>.</summary>
    public static string LoginFrame(OkxCredentials credentials, OkxSigner signer, long unixSeconds)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(signer);
        string ts = unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "{\"op\":\"login\",\"args\":[{\"apiKey\":\"" + credentials.ApiKey + "\",\"passphrase\":\"" + credentials.Passphrase
            + "\",\"timestamp\":\"" + ts + "\",\"sign\":\"" + signer.SignLogin(unixSeconds) + "\"}]}";
    }

    /// <summary>Subscribes to our spot orders (every instrument: the gateway filters by instId).</summary>
    public const string SubscribeOrdersFrame = "{\"op\":\"subscribe\",\"args\":[{\"channel\":\"orders\",\"instType\":\"SPOT\"}]}";

    /// <summary>A bounds-checked byte writer: once a write does not fit, <see cref="Ok"/> is false and nothing more is written.</summary>
    private ref struct FrameWriter(Span<byte> destination)
    {
        private readonly Span<byte> _buffer = destination;
        public int Position;
        public bool Ok = true;

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            if (!Ok || !bytes.TryCopyTo(_buffer[Position..]))
            {
                Ok = false;
                return;
            }
            Position += bytes.Length;
        }

        public void Long(long value)
        {
            if (!Ok || !Utf8Formatter.TryFormat(value, _buffer[Position..], out int n))
            {
                Ok = false;
                return;
            }
            Position += n;
        }

        public void Decimal(long raw, int decimals)
        {
            if (!Ok || !FixedPoint.TryFormat(raw, decimals, _buffer[Position..], out int n))
            {
                Ok = false;
                return;
            }
            Position += n;
        }

        public bool ClientId(ClientOrderIdFormat ids, ClientOrderId id)
        {
            if (!Ok)
                return false;
            if (!ids.TryFormat(id, _buffer[Position..], out int n))
                return false;
            Position += n;
            return true;
        }
    }
}
