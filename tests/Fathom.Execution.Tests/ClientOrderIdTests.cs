using System.Text;
using System.Text.RegularExpressions;
using Fathom.Gateway.Abstractions;
using Xunit;

namespace Fathom.Execution.Tests;

public class ClientOrderIdTests
{
    private static readonly Regex BinanceCharset = new("^[a-zA-Z0-9-_]{1,36}$", RegexOptions.CultureInvariant);

    [Theory]
    [InlineData("f", 0, 0u, 1L)]
    [InlineData("fth", 7, 3u, 123_456_789L)]
    [InlineData("Fathom01", ClientOrderIdFormat.MaxNode, ClientOrderIdFormat.MaxEpoch, ClientOrderIdFormat.MaxSequence)]
    public void Format_RoundTripsWithinBinanceCharsetAndLength(string prefix, int node, uint epoch, long seq)
    {
        var format = new ClientOrderIdFormat(prefix);
        var id = new ClientOrderId((ushort)node, epoch, seq);
        string text = format.Format(id);
        Assert.Matches(BinanceCharset, text);
        Assert.Equal(prefix.Length + ClientOrderIdFormat.BodyLength, text.Length);
        Assert.True(text.Length <= 32, "must also fit OKX clOrdId");
        Assert.Equal(ClientOrderIdParse.Ours, format.TryParse(text, out var back));
        Assert.Equal(id, back);
    }

    [Fact]
    public void Format_AgreesWithPlainBase36_AcrossTheSplitOfTheSequence()
    {
        // The sequence is written as 5 + 6 base-36 digits in 32-bit halves: every value around the split (36^6) and the
        // field limits, and random ones, must read as the digit-at-a-time base 36 of each field.
        var format = new ClientOrderIdFormat("fx");
        var random = new Random(20261207);
        const long split = 2_176_782_336L; // 36^6
        var sequences = new List<long> { 1, 35, 36, split - 1, split, split + 1, 2 * split - 1, 2 * split, ClientOrderIdFormat.MaxSequence, ClientOrderIdFormat.MaxSequence - 1 };
        for (int i = 0; i < 2000; i++)
            sequences.Add(random.NextInt64(1, ClientOrderIdFormat.MaxSequence + 1) >> random.Next(0, 56) | 1);
        foreach (long seq in sequences)
        {
            var id = new ClientOrderId((ushort)random.Next(0, ClientOrderIdFormat.MaxNode + 1), (uint)random.NextInt64(0, ClientOrderIdFormat.MaxEpoch + 1), seq);
            string expected = "fx" + Base36(id.Node, ClientOrderIdFormat.NodeDigits) + Base36(id.Epoch, ClientOrderIdFormat.EpochDigits)
                + Base36(id.Sequence, ClientOrderIdFormat.SequenceDigits);
            Assert.Equal(expected, format.Format(id));
        }

        static string Base36(long value, int width)
        {
            var text = new char[width];
            for (int i = width - 1; i >= 0; i--, value /= 36)
                text[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[(int)(value % 36)];
            Assert.Equal(0, value); // the field fits its width
            return new string(text);
        }
    }

    [Fact]
    public void Format_IsDeterministicAndOrderedBySequence()
    {
        var format = new ClientOrderIdFormat("fth");
        Assert.Equal("fth07000300000000001", format.Format(new ClientOrderId(7, 3, 1)));
        string a = format.Format(new ClientOrderId(7, 3, 35)), b = format.Format(new ClientOrderId(7, 3, 36));
        Assert.True(string.CompareOrdinal(a, b) < 0);
    }

    [Theory]
    [InlineData("web_1234")]
    [InlineData("and_xyz")]
    [InlineData("")]
    [InlineData("x-AAAAAAAAAAAAAAAAAA")]
    public void Parse_WithoutOurPrefix_IsForeign(string text)
    {
        Assert.Equal(ClientOrderIdParse.Foreign, new ClientOrderIdFormat("fth").TryParse(text, out var id));
        Assert.True(id.IsNone);
    }

    [Theory]
    [InlineData("fth0700030000000000")]     // one short
    [InlineData("fth07000300000000001x")]   // one long
    [InlineData("fth07000300000000-01")]    // bad digit
    [InlineData("fth0700030000000000A")]    // upper case is not our alphabet
    [InlineData("fth07000300000000000")]    // sequence 0 is never issued
    public void Parse_OurPrefixWithBadBody_IsMalformed(string text) =>
        Assert.Equal(ClientOrderIdParse.Malformed, new ClientOrderIdFormat("fth").TryParse(text, out _));

    [Theory]
    [InlineData("")]
    [InlineData("toolong12")]
    [InlineData("a-b")]
    [InlineData("a_b")]
    public void Prefix_OutsideAlphanumericOrTooLong_IsRefused(string prefix) =>
        Assert.Throws<ArgumentException>(() => new ClientOrderIdFormat(prefix));

    [Fact]
    public void TryFormat_ToSpan_WritesWithoutAllocating()
    {
        var format = new ClientOrderIdFormat("fth");
        Span<byte> buffer = stackalloc byte[36];
        Assert.True(format.TryFormat(new ClientOrderId(1, 2, 3), buffer, out int n));
        Assert.Equal("fth01000200000000003", Encoding.ASCII.GetString(buffer[..n]));
        Assert.False(format.TryFormat(new ClientOrderId(1, 2, 3), buffer[..10], out _));
    }
}
