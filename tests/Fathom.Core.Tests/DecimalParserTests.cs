using System.Text;
using CsCheck;
using Fathom.Testing;
using Xunit;

namespace Fathom.Core.Tests;

[Collection(AllocationCollection.Name)]
public class DecimalParserTests
{
    private static long P(string s, int decimals, bool allowNegative = false) =>
        DecimalParser.Parse(Encoding.UTF8.GetBytes(s), decimals, allowNegative);

    private static DecimalParseError E(string s, int decimals, bool allowNegative = false) =>
        DecimalParser.TryParse(Encoding.UTF8.GetBytes(s), decimals, allowNegative, out _);

    [Theory]
    [InlineData("61837.63000000", 8, 6_183_763_000_000L)]
    [InlineData("61837.63000000", 2, 6_183_763L)]
    [InlineData("0.00006547", 8, 6_547L)]
    [InlineData("0", 8, 0L)]
    [InlineData("0.00000000", 8, 0L)]
    [InlineData("1", 0, 1L)]
    [InlineData(".5", 1, 5L)]
    [InlineData("5.", 1, 50L)]
    [InlineData("007.10", 2, 710L)]
    [InlineData("92233720368.54775807", 8, long.MaxValue)]
    public void Parse_ValidInput_ReturnsScaledValue(string input, int decimals, long expected) =>
        Assert.Equal(expected, P(input, decimals));

    [Fact]
    public void Parse_NegativeAllowed_ReturnsNegative() => Assert.Equal(-150, P("-1.5", 2, allowNegative: true));

    [Theory]
    [InlineData("", DecimalParseError.Empty)]
    [InlineData("-", DecimalParseError.InvalidCharacter)]
    [InlineData(".", DecimalParseError.InvalidCharacter)]
    [InlineData("1.2.3", DecimalParseError.InvalidCharacter)]
    [InlineData("1e5", DecimalParseError.InvalidCharacter)]
    [InlineData("+1", DecimalParseError.InvalidCharacter)]
    [InlineData(" 1", DecimalParseError.InvalidCharacter)]
    [InlineData("1 ", DecimalParseError.InvalidCharacter)]
    [InlineData("12a", DecimalParseError.InvalidCharacter)]
    [InlineData("\"1\"", DecimalParseError.InvalidCharacter)]
    [InlineData("-1", DecimalParseError.NegativeNotAllowed)]
    [InlineData("1.001", DecimalParseError.TooManyDecimals)]
    [InlineData("92233720368.54775808", DecimalParseError.Overflow)]
    [InlineData("99999999999999999999999", DecimalParseError.Overflow)]
    public void TryParse_BadInput_ReportsWhy(string input, DecimalParseError expected) =>
        Assert.Equal(expected, E(input, input == "1.001" ? 2 : 8));

    [Fact]
    public void Parse_BadInput_ThrowsFormatExceptionNamingTheInput()
    {
        var ex = Assert.Throws<FormatException>(() => P("61837.631", 2));
        Assert.Contains("61837.631", ex.Message);
        Assert.Contains("2 decimals", ex.Message);
    }

    [Fact]
    public void Parse_ExcessZeroPadding_IsAccepted() => Assert.Equal(6_183_763L, P("61837.6300000000000000", 2));

    [Fact]
    public void Parse_DoesNotAllocate()
    {
        byte[] input = "61837.63000000"u8.ToArray();
        AllocationAssert.Zero(input, static bytes =>
        {
            long sum = 0;
            for (int i = 0; i < 1000; i++)
                sum += DecimalParser.Parse(bytes, 8);
            Sink.Consume(sum);
        });
    }

    [Fact]
    public void FormatThenParse_RoundTrips()
    {
        var gen = Gen.Select(Gen.Long, Gen.Int[0, 18]);
        Property.ForAll(gen, 5_000, t =>
        {
            (long raw, int decimals) = t;
            Span<byte> buf = stackalloc byte[FixedPoint.MaxFormattedLength];
            Assert.True(FixedPoint.TryFormat(raw, decimals, buf, out int n));
            var err = DecimalParser.TryParse(buf[..n], decimals, allowNegative: true, out long back);
            if (raw == long.MinValue)
                Assert.Equal(DecimalParseError.Overflow, err); // its magnitude does not fit a long
            else
                Assert.Equal(raw, back);
        });
    }

    [Fact]
    public void Parse_AgreesWithDecimal()
    {
        // The BCL's decimal parser is the independent oracle for plain decimal strings.
        var gen = Gen.Select(Gen.Long[0, long.MaxValue / 1000], Gen.Int[0, 8], Gen.Int[0, 10]);
        Property.ForAll(gen, 5_000, t =>
        {
            (long raw, int decimals, int padding) = t;
            string text = FixedPoint.ToString(raw, decimals) + (decimals > 0 ? new string('0', padding) : "");
            decimal expected = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture) * (decimal)Math.Pow(10, decimals);
            Assert.Equal((long)expected, P(text, decimals));
        });
    }
}
