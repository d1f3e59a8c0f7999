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
            + "&recvWindow=5000&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT";
        string signature = new HmacSigner(Secret).Sign(payload);
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
        yield return ("query", OrderCommand.From(new QueryOrderCommand(0, orig), 0));
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
        using var encoder = Encoder();
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
        Assert.DoesNotContain("apiKey", query);
    }

    [Fact]
    public void TryEncodeWs_AfterWarmUp_AllocatesNothing()
    {
        using var encoder = Encoder();
        var state = (encoder, buffer: new byte[BinanceOrderEncoder.MaxFrameLength], place: Place(),
            replace: OrderCommand.From(new CancelReplaceCommand(0, new ClientOrderId(1, 2, 5), new ClientOrderId(1, 2, 3), 9,
                new ClientOrderId(1, 2, 6), Core.OrderSide.Buy, OrderType.LimitMaker, new Core.Price(100), new Core.Qty(100)), 0));
        AllocationAssert.Zero(state, static s =>
        {
            for (int i = 0; i < 20; i++)
            {
                s.encoder.TryEncodeWs(s.place, i, 1645423376532, false, s.buffer, out _);
                s.encoder.TryEncodeWs(s.replace, i, 1645423376532, true, s.buffer, out _);
                s.encoder.TryEncodeRest(s.place, 1645423376532, s.buffer, out _);
            }
        });
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
