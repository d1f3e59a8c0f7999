using System.Text;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Okx.Tests.OrderEntry;

public class OkxOrderEncoderTests
{
    internal static readonly OkxOrderInstrument BtcUsdt = new(0, "BTC-USDT", 10_001, PriceDecimals: 1, QtyDecimals: 8, "BTC", "USDT");
    internal static readonly ClientOrderIdFormat Ids = new("fx");
    internal static readonly ClientOrderId Order1 = new(1, 2, 3);
    internal static readonly ClientOrderId Amend1 = new(1, 2, 4);

    private static string Text(Span<byte> buffer, int length) => Encoding.ASCII.GetString(buffer[..length]);

    [Fact]
    public void Place_LimitBuy_WritesOkxOrderOpWithInstIdCodeCashAndStp()
    {
        var encoder = new OkxOrderEncoder([BtcUsdt], Ids);
        Span<byte> buffer = stackalloc byte[OkxOrderEncoder.MaxFrameLength];
        Assert.True(encoder.TryEncodePlace(17, 0, Order1, OrderSide.Buy, OrderType.Limit, new Price(650_001), new Qty(150_000), buffer, out int n));
        Assert.Equal("{\"id\":\"17\",\"op\":\"order\",\"args\":[{\"side\":\"buy\",\"instIdCode\":10001,\"tdMode\":\"cash\",\"ordType\":\"limit\","
            + "\"px\":\"65000.1\",\"sz\":\"0.00150000\",\"clOrdId\":\"" + Ids.Format(Order1) + "\",\"stpMode\":\"cancel_maker\"}]}", Text(buffer, n));
    }

    [Theory]
    [InlineData(OrderType.LimitMaker, "post_only", OkxSelfTradePreventionMode.CancelTaker, "cancel_taker")]
    [InlineData(OrderType.LimitIoc, "ioc", OkxSelfTradePreventionMode.CancelBoth, "cancel_both")]
    public void Place_OrderTypeAndStp_MapToOkxNames(OrderType type, string ordType, OkxSelfTradePreventionMode stp, string stpWire)
    {
        var encoder = new OkxOrderEncoder([BtcUsdt], Ids, stp);
        Span<byte> buffer = stackalloc byte[OkxOrderEncoder.MaxFrameLength];
        Assert.True(encoder.TryEncodePlace(1, 0, Order1, OrderSide.Sell, type, new Price(10), new Qty(1), buffer, out int n));
        string text = Text(buffer, n);
        Assert.Contains("\"side\":\"sell\"", text);
        Assert.Contains($"\"ordType\":\"{ordType}\"", text);
        Assert.Contains($"\"stpMode\":\"{stpWire}\"", text);
    }

    [Fact]
    public void Cancel_ByVenueIdWhenKnown_ElseByClientId()
    {
        var encoder = new OkxOrderEncoder([BtcUsdt], Ids);
        Span<byte> buffer = stackalloc byte[OkxOrderEncoder.MaxFrameLength];
        Assert.True(encoder.TryEncodeCancel(5, 0, 123456789, Order1, buffer, out int n));
        Assert.Equal("{\"id\":\"5\",\"op\":\"cancel-order\",\"args\":[{\"instIdCode\":10001,\"ordId\":\"123456789\"}]}", Text(buffer, n));
        Assert.True(encoder.TryEncodeCancel(6, 0, 0, Order1, buffer, out n));
        Assert.Equal("{\"id\":\"6\",\"op\":\"cancel-order\",\"args\":[{\"instIdCode\":10001,\"clOrdId\":\"" + Ids.Format(Order1) + "\"}]}", Text(buffer, n));
    }

    [Fact]
    public void Amend_WritesNewSzAndTheAmendsIdAsReqId()
    {
        var encoder = new OkxOrderEncoder([BtcUsdt], Ids);
        Span<byte> buffer = stackalloc byte[OkxOrderEncoder.MaxFrameLength];
        Assert.True(encoder.TryEncodeAmendSize(9, 0, 42, Order1, Amend1, new Qty(100_000), buffer, out int n));
        Assert.Equal("{\"id\":\"9\",\"op\":\"amend-order\",\"args\":[{\"instIdCode\":10001,\"ordId\":\"42\",\"newSz\":\"0.00100000\",\"reqId\":\""
            + Ids.Format(Amend1) + "\"}]}", Text(buffer, n));
    }

    [Fact]
    public void BatchCancel_ListsEveryOrderByVenueId_AndRefusesMoreThanTwenty()
    {
        var encoder = new OkxOrderEncoder([BtcUsdt], Ids);
        Span<byte> buffer = stackalloc byte[OkxOrderEncoder.MaxFrameLength];
        Assert.True(encoder.TryEncodeBatchCancel(3, 0, [11, 12], buffer, out int n));
        Assert.Equal("{\"id\":\"3\",\"op\":\"batch-cancel-orders\",\"args\":[{\"instIdCode\":10001,\"ordId\":\"11\"},{\"instIdCode\":10001,\"ordId\":\"12\"}]}",
            Text(buffer, n));
        Assert.False(encoder.TryEncodeBatchCancel(4, 0, new long[21], buffer, out _));
        Assert.False(encoder.TryEncodeBatchCancel(4, 0, [], buffer, out _));
    }

    [Fact]
    public void RestBodies_AreTheArgumentObjectWithInstId()
    {
        var encoder = new OkxOrderEncoder([BtcUsdt], Ids);
        Span<byte> buffer = stackalloc byte[OkxOrderEncoder.MaxFrameLength];
        Assert.True(encoder.TryEncodePlaceBody(0, Order1, OrderSide.Buy, OrderType.Limit, new Price(20), new Qty(3), buffer, out int n));
        Assert.Equal("{\"side\":\"buy\",\"instId\":\"BTC-USDT\",\"tdMode\":\"cash\",\"ordType\":\"limit\",\"px\":\"2.0\",\"sz\":\"0.00000003\",\"clOrdId\":\""
            + Ids.Format(Order1) + "\",\"stpMode\":\"cancel_maker\"}", Text(buffer, n));
        Assert.True(encoder.TryEncodeCancelBody(0, 77, Order1, buffer, out n));
        Assert.Equal("{\"instId\":\"BTC-USDT\",\"ordId\":\"77\"}", Text(buffer, n));
        Assert.True(encoder.TryEncodeAmendBody(0, 0, Order1, Amend1, new Qty(2), buffer, out n));
        Assert.Equal("{\"instId\":\"BTC-USDT\",\"clOrdId\":\"" + Ids.Format(Order1) + "\",\"newSz\":\"0.00000002\",\"reqId\":\"" + Ids.Format(Amend1) + "\"}",
            Text(buffer, n));
    }

    [Fact]
    public void Encode_UnknownInstrumentBadValuesOrShortBuffer_ReturnsFalse()
    {
        var encoder = new OkxOrderEncoder([BtcUsdt], Ids);
        Span<byte> buffer = stackalloc byte[OkxOrderEncoder.MaxFrameLength];
        Assert.False(encoder.TryEncodePlace(1, 7, Order1, OrderSide.Buy, OrderType.Limit, new Price(1), new Qty(1), buffer, out _));
        Assert.False(encoder.TryEncodePlace(1, 0, Order1, OrderSide.Buy, OrderType.Limit, new Price(0), new Qty(1), buffer, out _));
        Assert.False(encoder.TryEncodePlace(1, 0, Order1, OrderSide.Buy, OrderType.Limit, new Price(1), new Qty(-1), buffer, out _));
        Assert.False(encoder.TryEncodePlace(1, 0, Order1, OrderSide.Buy, (OrderType)9, new Price(1), new Qty(1), buffer, out _));
        Assert.False(encoder.TryEncodePlace(1, 0, default, OrderSide.Buy, OrderType.Limit, new Price(1), new Qty(1), buffer, out _));
        Assert.False(encoder.TryEncodePlace(1, 0, Order1, OrderSide.Buy, OrderType.Limit, new Price(1), new Qty(1), buffer[..60], out _));
        Assert.False(encoder.TryEncodeAmendSize(1, 0, 5, Order1, Amend1, new Qty(0), buffer, out _));
    }

    [Fact]
    public void Constructor_RejectsInstrumentsOkxCannotName()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OkxOrderEncoder([BtcUsdt with { InstIdCode = 0 }], Ids));
        Assert.Throws<ArgumentException>(() => new OkxOrderEncoder([BtcUsdt with { InstId = "BTC USDT" }], Ids));
        Assert.Throws<ArgumentException>(() => new OkxOrderEncoder([BtcUsdt, BtcUsdt], Ids));
    }

    [Fact]
    public void ClientOrderIdFormat_LongestIds_FitOkxClOrdId()
    {
        // OKX clOrdId: 1..32 ASCII letters and digits. The longest prefix and the largest fields must fit.
        var format = new ClientOrderIdFormat("ABCDEFGH");
        string id = format.Format(new ClientOrderId(ClientOrderIdFormat.MaxNode, ClientOrderIdFormat.MaxEpoch, ClientOrderIdFormat.MaxSequence));
        Assert.InRange(id.Length, 1, 32);
        Assert.All(id, c => Assert.True(char.IsAsciiLetterOrDigit(c), $"'{c}' is not alphanumeric"));
        _ = new OkxOrderEncoder([BtcUsdt], format); // accepted
    }

    [Fact]
    public void LoginFrame_CarriesKeyPassphraseSecondsAndTheVerifySignature()
    {
        var credentials = new OkxCredentials("key-1", OkxSigningTests.Secret, "pass phrase");
        var signer = new OkxSigner(OkxSigningTests.Secret);
        Assert.Equal("{\"op\":\"login\",\"args\":[{\"apiKey\":\"key-1\",\"passphrase\":\"pass phrase\",\"timestamp\":\"1538054050\",\"sign\":\""
            + OkxSigningTests.LoginVector + "\"}]}", OkxOrderEncoder.LoginFrame(credentials, signer, 1538054050));
    }
}

[Collection(OkxAllocationCollection.Name)]
public class OkxOrderEncoderAllocationTests
{
    private sealed class State
    {
        public required OkxOrderEncoder Encoder;
        public readonly byte[] Buffer = new byte[OkxOrderEncoder.MaxFrameLength];
        public long Id;
    }

    [Fact]
    public void EncodePlaceCancelAmend_AllocateNothingAfterWarmUp()
    {
        var state = new State { Encoder = new OkxOrderEncoder([OkxOrderEncoderTests.BtcUsdt], OkxOrderEncoderTests.Ids) };
        AllocationAssert.Zero(state, s =>
        {
            for (int i = 0; i < 100; i++)
            {
                s.Encoder.TryEncodePlace(++s.Id, 0, new ClientOrderId(1, 1, s.Id), OrderSide.Buy, OrderType.LimitMaker, new Price(650_001 + i), new Qty(150_000), s.Buffer, out int a);
                s.Encoder.TryEncodeCancel(++s.Id, 0, 123_456 + i, default, s.Buffer, out int b);
                s.Encoder.TryEncodeAmendSize(++s.Id, 0, 0, new ClientOrderId(1, 1, 5), new ClientOrderId(1, 1, s.Id), new Qty(100), s.Buffer, out int c);
                Sink.Consume(a + b + c);
            }
        });
    }
}

/// <summary>Zero-allocation tests read the process-wide counter, so they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OkxAllocationCollection
{
    public const string Name = "OKX allocation-sensitive (runs alone)";
}
