using System.Text;
using Fathom.Gateway.Abstractions;
using Fathom.Testing;
using Fathom.Venues.Binance;
using Xunit;

namespace Fathom.Integration.Tests;

[CollectionDefinition("AllocationGateway", DisableParallelization = true)]
public sealed class AllocationGatewayCollection;

/// <summary>Command → bytes: the signed frame's shape, the W1-style signature, and zero allocation after warm-up.</summary>
[Collection("AllocationGateway")]
public sealed class BinanceOrderEncoderTests
{
    private const string Key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    private const string Secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

    private static BinanceOrderEncoder Encoder() =>
        new([new BinanceOrderInstrument(0, "BTCUSDT", "BTC", "USDT")], new ClientOrderIdFormat("fx"), new BinanceCredentials(Key, Secret), 5000);

    private static BinanceOrderEncoder Encoder(BinanceSelfTradePreventionMode stp) =>
        new([new BinanceOrderInstrument(0, "BTCUSDT", "BTC", "USDT")], new ClientOrderIdFormat("fx"), new BinanceCredentials(Key, Secret), 5000, stp);

    private static OrderCommand Replace() => OrderCommand.From(new CancelReplaceCommand(0, new ClientOrderId(1, 2, 5), new ClientOrderId(1, 2, 3), 9,
        new ClientOrderId(1, 2, 6), Core.OrderSide.Buy, OrderType.LimitMaker, new Core.Price(100), new Core.Qty(100)), 0);

    private static OrderCommand Place() => OrderCommand.From(new PlaceOrderCommand(0, new ClientOrderId(1, 2, 3), Core.OrderSide.Sell,
        OrderType.Limit, new Core.Price(5_200_000_000_000), new Core.Qty(1_000_000)), 0);

    [Fact]
    public void TryEncodeWs_PlaceHmac_SortedParamsSignedOverUnencodedPayload()
    {
        using var encoder = Encoder();
        var buffer = new byte[BinanceOrderEncoder.MaxFrameLength];
        Assert.True(encoder.TryEncodeWs(Place(), 7, 1645423376532, sessionLoggedOn: false, buffer, out int n));
        string frame = Encoding.ASCII.GetString(buffer, 0, n);
        string cid = new ClientOrderIdFormat("fx").Format(new ClientOrderId(1, 2, 3));
        string payload = $"apiKey={Key}&newClientOrderId={cid}&newOrderRespType=ACK&price=52000.00000000&quantity=0.01000000"
            + "&recvWindow=5000&selfTradePreventionMode=EXPIRE_TAKER&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT";
        string signature = new HmacSigner(Secret).Sign(payload); // the STP mode is signed like every other param
        Assert.StartsWith("{\"id\":7,\"method\":\"order.place\",\"params\":{\"apiKey\":", frame);
        Assert.EndsWith($",\"signature\":\"{signature}\"}}}}", frame);
        using var doc = System.Text.Json.JsonDocument.Parse(frame); // well-formed JSON
        Assert.Equal("ACK", doc.RootElement.GetProperty("params").GetProperty("newOrderRespType").GetString());
    }

    [Fact]
    public void HmacSigner_W1Vector()
    {
        const string w1 = "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT";
        Assert.Equal("aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24", new HmacSigner(Secret).Sign(w1));
    }

    [Fact]
    public void TryEncodeWs_LoggedOnSession_NoApiKeyNoSignature()
    {
        using var encoder = Encoder();
        var buffer = new byte[BinanceOrderEncoder.MaxFrameLength];
        var cancel = OrderCommand.From(new CancelOrderCommand(0, new ClientOrderId(1, 2, 4), new ClientOrderId(1, 2, 3), 42), 0);
        Assert.True(encoder.TryEncodeWs(cancel, 8, 1, sessionLoggedOn: true, buffer, out int n));
        string frame = Encoding.ASCII.GetString(buffer, 0, n);
        Assert.Equal("{\"id\":8,\"method\":\"order.cancel\",\"params\":{\"newClientOrderId\":\"fx01000200000000004\",\"orderId\":42,"
            + "\"recvWindow\":5000,\"symbol\":\"BTCUSDT\",\"timestamp\":1}}", frame);
    }

    [Fact]
    public void TryEncodeWs_LoggedOnSession_EachFrameCarriesItsOwnTimestamp()
    {
        // The logged-on encoder keeps the last timestamp's text: a frame at another millisecond must not reuse it.
        using var encoder = Encoder(BinanceSelfTradePreventionMode.ExpireTaker);
        var buffer = new byte[BinanceOrderEncoder.MaxFrameLength];
        var place = OrderCommand.From(new PlaceOrderCommand(0, new ClientOrderId(1, 2, 4), Core.OrderSide.Buy, OrderType.LimitMaker,
            new Core.Price(6_183_763_000_000), new Core.Qty(100_000)), 0);
        var cancel = OrderCommand.From(new CancelOrderCommand(0, new ClientOrderId(1, 2, 5), new ClientOrderId(1, 2, 4), 42), 0);
        foreach ((OrderCommand command, long timestamp) in new[] { (place, 1_723_161_600_123L), (cancel, 1_723_161_600_123L), (place, 1_723_161_600_124L),
                     (cancel, 999L), (place, 1_723_161_600_123L) })
        {
            Assert.True(encoder.TryEncodeWs(command, 1, timestamp, sessionLoggedOn: true, buffer, out int n));
            using var doc = System.Text.Json.JsonDocument.Parse(buffer.AsMemory(0, n));
            Assert.Equal(timestamp, doc.RootElement.GetProperty("params").GetProperty("timestamp").GetInt64());
        }
    }

    public static TheoryData<string> UnsignedCases() => new(UnsignedCommands().Select(c => c.Name));

    private static IEnumerable<(string Name, OrderCommand Command)> UnsignedCommands()
    {
        var id = new ClientOrderId(1, 2, 4);
        var orig = new ClientOrderId(1, 2, 3);
        var next = new ClientOrderId(1, 2, 5);
        foreach (OrderType type in new[] { OrderType.Limit, OrderType.LimitMaker, OrderType.LimitIoc })
        {
            foreach (Core.OrderSide side in new[] { Core.OrderSide.Buy, Core.OrderSide.Sell })
            {
                yield return ($"place {type} {side}", OrderCommand.From(new PlaceOrderCommand(0, id, side, type, new Core.Price(6_183_763_000_001), new Core.Qty(123_456)), 0));
                yield return ($"replace {type} {side} by venue id", OrderCommand.From(new CancelReplaceCommand(0, id, orig, 77, next, side, type, new Core.Price(1), new Core.Qty(100_000_000)), 0));
                yield return ($"replace {type} {side} by client id", OrderCommand.From(new CancelReplaceCommand(0, id, orig, 0, next, side, type, new Core.Price(5_200_000_000_000), new Core.Qty(1)), 0));
                yield return ($"replace {type} {side} without cancel id", OrderCommand.From(new CancelReplaceCommand(0, ClientOrderId.None, orig, 9, next, side, type, new Core.Price(99), new Core.Qty(7)), 0));
            }
        }
        yield return ("cancel by venue id", OrderCommand.From(new CancelOrderCommand(0, id, orig, 42), 0));
        yield return ("cancel by client id", OrderCommand.From(new CancelOrderCommand(0, id, orig, 0), 0));
        yield return ("cancel without new id", OrderCommand.From(new CancelOrderCommand(0, ClientOrderId.None, orig, 42), 0));
        yield return ("amend by venue id", OrderCommand.From(new AmendQtyCommand(0, id, orig, 42, new Core.Qty(50_000)), 0));
        yield return ("amend by client id", OrderCommand.From(new AmendQtyCommand(0, id, orig, 0, new Core.Qty(50_000)), 0));
        yield return ("query by client id", OrderCommand.From(new QueryOrderCommand(0, orig), 0));
        yield return ("query by venue id", OrderCommand.From(new QueryOrderCommand(0, orig, 42), 0));
    }

    /// <summary>
    /// A query names the order by the venue's id once it has one (an amend may have renamed the order at the venue
    /// to an id the store never had), by our client id before; never both (the venue checks the one against the other).
    /// </summary>
    [Fact]
    public void TryEncode_Query_ByVenueOrderIdWhenKnown_OtherwiseByClientId()
    {
        using var encoder = Encoder();
        var buffer = new byte[BinanceOrderEncoder.MaxFrameLength];
        var orig = new ClientOrderId(1, 2, 3);
        string cid = new ClientOrderIdFormat("fx").Format(orig);
        foreach (bool loggedOn in new[] { false, true })
        {
            Assert.True(encoder.TryEncodeWs(OrderCommand.From(new QueryOrderCommand(0, orig, 42), 0), 3, 1645423376532, loggedOn, buffer, out int n));
            var p = System.Text.Json.JsonDocument.Parse(Encoding.ASCII.GetString(buffer, 0, n)).RootElement.GetProperty("params");
            Assert.Equal(42, p.GetProperty("orderId").GetInt64());
            Assert.False(p.TryGetProperty("origClientOrderId", out _));
            Assert.True(encoder.TryEncodeWs(OrderCommand.From(new QueryOrderCommand(0, orig), 0), 3, 1645423376532, loggedOn, buffer, out n));
            p = System.Text.Json.JsonDocument.Parse(Encoding.ASCII.GetString(buffer, 0, n)).RootElement.GetProperty("params");
            Assert.Equal(cid, p.GetProperty("origClientOrderId").GetString());
            Assert.False(p.TryGetProperty("orderId", out _));
        }
        Assert.True(encoder.TryEncodeRest(OrderCommand.From(new QueryOrderCommand(0, orig, 42), 0), 1645423376532, buffer, out int r));
        string rest = Encoding.ASCII.GetString(buffer, 0, r);
        Assert.Contains("orderId=42&", rest);
        Assert.DoesNotContain("origClientOrderId", rest);
        Assert.True(encoder.TryEncodeRest(OrderCommand.From(new QueryOrderCommand(0, orig), 0), 1645423376532, buffer, out r));
        Assert.Contains($"origClientOrderId={cid}&", Encoding.ASCII.GetString(buffer, 0, r));
    }

    /// <summary>
    /// The logged-on frame is written directly in sorted order (no params buffer, no sort): it must be the
    /// signed path's frame, whose params go through the generic sort, minus apiKey and signature.
    /// </summary>
    [Theory]
    [MemberData(nameof(UnsignedCases))]
    public void TryEncodeWs_LoggedOnSession_EqualsSignedFrameWithoutApiKeyAndSignature(string name)
    {
        OrderCommand command = UnsignedCommands().Single(c => c.Name == name).Command;
        foreach (var stp in Enum.GetValues<BinanceSelfTradePreventionMode>())
            AssertLoggedOnEqualsSigned(command, stp);
    }

    private static void AssertLoggedOnEqualsSigned(OrderCommand command, BinanceSelfTradePreventionMode stp)
    {
        using var encoder = Encoder(stp);
        var signedBuffer = new byte[BinanceOrderEncoder.MaxFrameLength];
        var unsignedBuffer = new byte[BinanceOrderEncoder.MaxFrameLength];
        Assert.True(encoder.TryEncodeWs(command, 12_345, 1_723_161_600_123, sessionLoggedOn: false, signedBuffer, out int signedLength));
        Assert.True(encoder.TryEncodeWs(command, 12_345, 1_723_161_600_123, sessionLoggedOn: true, unsignedBuffer, out int unsignedLength));
        string signed = Encoding.ASCII.GetString(signedBuffer, 0, signedLength);
        string unsigned = Encoding.ASCII.GetString(unsignedBuffer, 0, unsignedLength);
        string apiKey = $"\"apiKey\":\"{Key}\",";
        Assert.Contains(apiKey, signed);
        int signature = signed.LastIndexOf(",\"signature\":\"", StringComparison.Ordinal);
        Assert.True(signature > 0);
        Assert.EndsWith("\"}}", signed);
        string expected = signed[..signature].Replace(apiKey, "", StringComparison.Ordinal) + "}}";
        Assert.Equal(expected, unsigned);
        using var doc = System.Text.Json.JsonDocument.Parse(unsigned); // well-formed JSON
    }

    public static TheoryData<BinanceSelfTradePreventionMode, string> StpCases()
    {
        var data = new TheoryData<BinanceSelfTradePreventionMode, string>();
        foreach (var stp in Enum.GetValues<BinanceSelfTradePreventionMode>())
            foreach (string path in new[] { "ws signed", "ws logged on", "rest" })
                data.Add(stp, path);
        return data;
    }

    /// <summary>
    /// Place and cancel-replace carry selfTradePreventionMode=&lt;mode&gt; on every path (NONE included: sent,
    /// it means no prevention); SymbolDefault sends nothing. Cancels, amends and queries never carry it.
    /// </summary>
    [Theory]
    [MemberData(nameof(StpCases))]
    public void TryEncode_NewOrders_CarryStpModeUnlessSymbolDefault(BinanceSelfTradePreventionMode stp, string path)
    {
        using var encoder = Encoder(stp);
        var buffer = new byte[BinanceOrderEncoder.MaxFrameLength];
        string Encode(OrderCommand c)
        {
            int n;
            Assert.True(path switch
            {
                "ws signed" => encoder.TryEncodeWs(c, 3, 1645423376532, sessionLoggedOn: false, buffer, out n),
                "ws logged on" => encoder.TryEncodeWs(c, 3, 1645423376532, sessionLoggedOn: true, buffer, out n),
                _ => encoder.TryEncodeRest(c, 1645423376532, buffer, out n),
            });
            return Encoding.ASCII.GetString(buffer, 0, n);
        }
        string? wire = stp switch
        {
            BinanceSelfTradePreventionMode.SymbolDefault => null,
            BinanceSelfTradePreventionMode.None => "NONE",
            BinanceSelfTradePreventionMode.ExpireTaker => "EXPIRE_TAKER",
            BinanceSelfTradePreventionMode.ExpireMaker => "EXPIRE_MAKER",
            BinanceSelfTradePreventionMode.ExpireBoth => "EXPIRE_BOTH",
            _ => throw new ArgumentOutOfRangeException(nameof(stp)),
        };
        string expected = path == "rest" ? $"selfTradePreventionMode={wire}&" : $"\"selfTradePreventionMode\":\"{wire}\",";
        foreach (var command in new[] { Place(), Replace() })
        {
            string frame = Encode(command);
            if (wire is null)
                Assert.DoesNotContain("selfTradePreventionMode", frame);
            else
                Assert.Equal(1, CountOf(frame, expected));
            if (path != "rest")
                Assert.Equal(wire, System.Text.Json.JsonDocument.Parse(frame).RootElement.GetProperty("params")
                    .TryGetProperty("selfTradePreventionMode", out var v) ? v.GetString() : null);
        }
        var orig = new ClientOrderId(1, 2, 3);
        foreach (var command in new[] { OrderCommand.From(new CancelOrderCommand(0, new ClientOrderId(1, 2, 4), orig, 42), 0),
            OrderCommand.From(new AmendQtyCommand(0, new ClientOrderId(1, 2, 4), orig, 42, new Core.Qty(50_000)), 0), OrderCommand.From(new QueryOrderCommand(0, orig), 0) })
            Assert.DoesNotContain("selfTradePreventionMode", Encode(command));
    }

    private static int CountOf(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
            n++;
        return n;
    }

    /// <summary>The signature covers the STP mode: the cancel-replace's signature over a payload without it (or with another mode) differs.</summary>
    [Fact]
    public void TryEncode_CancelReplace_SignatureCoversStpMode()
    {
        using var encoder = Encoder(BinanceSelfTradePreventionMode.ExpireBoth);
        var buffer = new byte[BinanceOrderEncoder.MaxFrameLength];
        Assert.True(encoder.TryEncodeRest(Replace(), 1499827319559, buffer, out int n));
        string query = Encoding.ASCII.GetString(buffer, 0, n);
        int at = query.LastIndexOf("&signature=", StringComparison.Ordinal);
        string signed = query[..at], signature = query[(at + 11)..];
        Assert.Contains("selfTradePreventionMode=EXPIRE_BOTH", signed);
        Assert.Equal(new HmacSigner(Secret).Sign(signed), signature);
        Assert.NotEqual(new HmacSigner(Secret).Sign(signed.Replace("EXPIRE_BOTH", "NONE", StringComparison.Ordinal)), signature);

        Assert.True(encoder.TryEncodeWs(Replace(), 4, 1499827319559, sessionLoggedOn: false, buffer, out n));
        using var doc = System.Text.Json.JsonDocument.Parse(Encoding.ASCII.GetString(buffer, 0, n));
        var p = doc.RootElement.GetProperty("params");
        // The WS API payload: every param but the signature, sorted by name, unencoded (EXCHANGES.md §5.2).
        string payload = string.Join('&', p.EnumerateObject().Where(x => x.Name != "signature").OrderBy(x => x.Name, StringComparer.Ordinal)
            .Select(x => $"{x.Name}={(x.Value.ValueKind == System.Text.Json.JsonValueKind.String ? x.Value.GetString() : x.Value.GetRawText())}"));
        Assert.Contains("&selfTradePreventionMode=EXPIRE_BOTH&", payload);
        Assert.Equal(new HmacSigner(Secret).Sign(payload), p.GetProperty("signature").GetString());
    }

    [Fact]
    public void Encoder_UndefinedStpMode_Refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Encoder((BinanceSelfTradePreventionMode)42));

    [Theory]
    [InlineData("EXPIRE_TAKER", BinanceSelfTradePreventionMode.ExpireTaker)]
    [InlineData("EXPIRE_MAKER", BinanceSelfTradePreventionMode.ExpireMaker)]
    [InlineData("EXPIRE_BOTH", BinanceSelfTradePreventionMode.ExpireBoth)]
    [InlineData("NONE", BinanceSelfTradePreventionMode.None)]
    [InlineData("SYMBOL_DEFAULT", BinanceSelfTradePreventionMode.SymbolDefault)]
    public void TryParseStpMode_KnownNames_RoundTrip(string name, BinanceSelfTradePreventionMode mode)
    {
        Assert.True(BinanceOrderEncoder.TryParseStpMode(name, out var parsed));
        Assert.Equal(mode, parsed);
        Assert.Equal(name, BinanceOrderEncoder.StpModeName(mode));
    }

    [Theory]
    [InlineData("expire_taker")]
    [InlineData("DECREMENT")]
    [InlineData("TRANSFER")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParseStpMode_Unknown_False(string? name) => Assert.False(BinanceOrderEncoder.TryParseStpMode(name, out _));

    [Fact]
    public void TryEncodeWs_LoggedOnSessionUnknownInstrumentOrKind_False()
    {
        using var encoder = Encoder();
        var buffer = new byte[BinanceOrderEncoder.MaxFrameLength];
        Assert.False(encoder.TryEncodeWs(OrderCommand.From(new CancelOrderCommand(3, new ClientOrderId(1, 2, 4), new ClientOrderId(1, 2, 3), 42), 0),
            1, 1, sessionLoggedOn: true, buffer, out int n));
        Assert.Equal(0, n);
        Assert.False(encoder.TryEncodeWs(default, 1, 1, sessionLoggedOn: true, buffer, out n));
        Assert.Equal(0, n);
    }

    [Fact]
    public void TryEncodeRest_PercentEncodedAndSignedOverSentBytes()
    {
        using var encoder = Encoder();
        var buffer = new byte[BinanceOrderEncoder.MaxFrameLength];
        Assert.True(encoder.TryEncodeRest(Place(), 1499827319559, buffer, out int n));
        string query = Encoding.ASCII.GetString(buffer, 0, n);
        int at = query.LastIndexOf("&signature=", StringComparison.Ordinal);
        Assert.Equal(new HmacSigner(Secret).Sign(query[..at]), query[(at + 11)..]);
        Assert.Contains("&selfTradePreventionMode=EXPIRE_TAKER&", query[..at]); // the default mode, inside the signed bytes
        Assert.DoesNotContain("apiKey", query);
    }

    [Fact]
    public void TryEncodeWs_AfterWarmUp_AllocatesNothing()
    {
        using var encoder = Encoder();
        var state = (encoder, buffer: new byte[BinanceOrderEncoder.MaxFrameLength], place: Place(), replace: Replace());
        AllocationAssert.Zero(state, static s =>
        {
            for (int i = 0; i < 20; i++)
            {
                s.encoder.TryEncodeWs(s.place, i, 1645423376532, false, s.buffer, out _);
                s.encoder.TryEncodeWs(s.replace, i, 1645423376532, true, s.buffer, out _);
                s.encoder.TryEncodeRest(s.place, 1645423376532, s.buffer, out _);
                s.encoder.TryEncodeRest(s.replace, 1645423376532, s.buffer, out _);
            }
        });
        // What was measured wrote the STP mode (the encoder's default, EXPIRE_TAKER) on both paths.
        Assert.True(encoder.TryEncodeRest(state.replace, 1645423376532, state.buffer, out int n));
        Assert.Contains("selfTradePreventionMode=EXPIRE_TAKER", Encoding.ASCII.GetString(state.buffer, 0, n));
        Assert.True(encoder.TryEncodeWs(state.replace, 1, 1645423376532, true, state.buffer, out n));
        Assert.Contains("\"selfTradePreventionMode\":\"EXPIRE_TAKER\"", Encoding.ASCII.GetString(state.buffer, 0, n));
    }

    [Fact]
    public void RegisterPending_OnAConnectionAlreadyLost_IsUnknownAtOnceNotAfterTheTimeout()
    {
        // The send thread read the connection, then it dropped and its sweep ran before the request was recorded.
        var sink = new RecordingSink();
        using var http = new HttpClient();
        var gateway = new BinanceOrderGateway([new BinanceOrderInstrument(0, "BTCUSDT", "BTC", "USDT")], new BinanceCredentials(Key, Secret),
            new ClientOrderIdFormat("fx"), sink, BinanceOrderGatewayOptions.Local(new Uri("http://127.0.0.1:1")), http);
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        var live = new WsLink(socket, 0, 0);
        gateway.RegisterPending(1, Place(), live, 0);
        Assert.Empty(sink.Snapshot()); // in flight on a live connection: its answer decides
        var lost = new WsLink(socket, 0, 0) { Lost = true };
        gateway.RegisterPending(2, Place(), lost, 0);
        var unknown = Assert.Single(sink.All<StatusUnknownReport>());
        Assert.Equal((new ClientOrderId(1, 2, 3), CommandKind.Place, UnknownCause.Disconnected), (unknown.ClientOrderId, unknown.Command, unknown.Cause));
    }

    [Fact]
    public void Send_NotStarted_EnqueueAllocatesNothing()
    {
        var sink = new RecordingSink();
        using var http = new HttpClient();
        var gateway = new BinanceOrderGateway([new BinanceOrderInstrument(0, "BTCUSDT", "BTC", "USDT")], new BinanceCredentials(Key, Secret),
            new ClientOrderIdFormat("fx"), sink, BinanceOrderGatewayOptions.Local(new Uri("http://127.0.0.1:1")) is var o
                ? new BinanceOrderGatewayOptions { RestBase = o.RestBase, WsApiUrl = o.WsApiUrl, QueueCapacity = 1 << 16 } : null!, http);
        var place = Place();
        AllocationAssert.Zero((gateway, place), static s =>
        {
            for (int i = 0; i < 100; i++)
                s.gateway.Send(s.place);
        });
        Assert.Empty(sink.Snapshot()); // nothing refused: the ring held every command
    }
}
