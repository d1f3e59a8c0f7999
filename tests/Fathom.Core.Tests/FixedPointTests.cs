using System.Text;
using Fathom.Testing;
using Xunit;

namespace Fathom.Core.Tests;

[Collection(AllocationCollection.Name)]
public class FixedPointTests
{
    [Theory]
    [InlineData(6_183_763_000_000L, 8, "61837.63000000")]
    [InlineData(150L, 2, "1.50")]
    [InlineData(-150L, 2, "-1.50")]
    [InlineData(5L, 3, "0.005")]
    [InlineData(0L, 0, "0")]
    [InlineData(42L, 0, "42")]
    [InlineData(long.MinValue, 2, "-92233720368547758.08")]
    public void ToString_FormatsVenueDecimal(long raw, int decimals, string expected) =>
        Assert.Equal(expected, FixedPoint.ToString(raw, decimals));

    [Fact]
    public void TryFormat_DestinationTooSmall_ReturnsFalse() =>
        Assert.False(FixedPoint.TryFormat(12345, 2, new byte[5], out _));

    [Fact]
    public void TryFormat_AgreesWithDecimalAtEveryScale()
    {
        // The digit-pair formatter against System.Decimal's own text, at every scale, on values that cross every
        // digit count and both signs (the 8-decimal path divides by a constant, the others by a table power).
        var random = new Random(20261207);
        var values = new List<long> { 0, 1, -1, 9, 10, 99, 100, 101, long.MaxValue, long.MinValue, long.MinValue + 1 };
        for (long p = 10; p > 0 && p <= long.MaxValue / 10; p *= 10)
            values.AddRange([p - 1, p, p + 1, -p, -(p - 1)]);
        for (int i = 0; i < 2000; i++)
            values.Add(random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(0, 63));
        Span<byte> buffer = stackalloc byte[FixedPoint.MaxFormattedLength];
        foreach (long raw in values)
            for (int decimals = 0; decimals <= 18; decimals++)
            {
                string expected = ((decimal)raw / FixedPoint.Pow10(decimals)).ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(FixedPoint.TryFormat(raw, decimals, buffer, out int written), $"{raw} @{decimals}");
                Assert.Equal(expected, Encoding.ASCII.GetString(buffer[..written]));
                // One byte short is refused, never a truncated number.
                Assert.False(FixedPoint.TryFormat(raw, decimals, buffer[..(written - 1)], out _), $"{raw} @{decimals} in {written - 1} bytes");
            }
    }

    [Fact]
    public void Notional_LargeValues_DoNotOverflow()
    {
        // 1e6 BTC at 1e7 USDT, both at 8 decimals: the raw product is 1e29, far past long.
        var price = new Price(10_000_000L * 100_000_000);
        var qty = new Qty(1_000_000L * 100_000_000);
        Int128 exact = FixedPoint.Multiply(price.Raw, qty.Raw);
        Assert.Equal(Int128.Parse("100000000000000000000000000000"), exact);
        Assert.Throws<OverflowException>(() => FixedPoint.Rescale(exact, 16, 8));
        Assert.Equal(10_000_000_000_000L, FixedPoint.Rescale(exact, 16, 0));
    }

    [Fact]
    public void Rescale_AgreesWithInt128Division_AcrossTheLongRange()
    {
        // Products that fit a long take a 64-bit division; they must truncate exactly as the Int128 path does.
        var random = new Random(20261207);
        var values = new List<Int128> { 0, 1, -1, 9, -9, 10, -10, long.MaxValue, long.MinValue, (Int128)long.MaxValue + 1, (Int128)long.MinValue - 1,
            (Int128)long.MaxValue * 1000, (Int128)long.MinValue * 1000 };
        for (int i = 0; i < 2000; i++)
            values.Add(FixedPoint.Multiply(random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(0, 63), random.NextInt64(-1_000_000_000, 1_000_000_000) >> random.Next(0, 30)));
        foreach (Int128 value in values)
            for (int from = 0; from <= 36; from++)
                for (int to = 0; to < from; to++)
                {
                    Int128 expected = value;
                    for (int k = 0; k < from - to; k++)
                        expected /= 10; // truncating toward zero, one digit at a time
                    if (expected < long.MinValue || expected > long.MaxValue)
                        Assert.Throws<OverflowException>(() => FixedPoint.Rescale(value, from, to));
                    else
                        Assert.Equal((long)expected, FixedPoint.Rescale(value, from, to));
                }
    }

    [Fact]
    public void Notional_RescalesTowardZero()
    {
        // 61837.63 × 0.00012345 = 7.6338554235 USDT → at 8 decimals 7.63385542
        long n = FixedPoint.Notional(new Price(6_183_763_000_000), new Qty(12_345), 8, 8, 8);
        Assert.Equal(763_385_542L, n);
    }

    [Fact]
    public void TryFormat_DoesNotAllocate()
    {
        AllocationAssert.Zero(new byte[FixedPoint.MaxFormattedLength], static buf =>
        {
            for (int i = 0; i < 1000; i++)
                FixedPoint.TryFormat(6_183_763_000_000L + i, 8, buf, out _);
        });
    }

    [Theory]
    [InlineData(150_000_000L, 8, "1.5")]
    [InlineData(100L, 0, "100")]       // no point: nothing to trim (the old copies printed "1")
    [InlineData(1_000L, 1, "100")]
    [InlineData(0L, 3, "0")]
    [InlineData(-50L, 2, "-0.5")]
    [InlineData(123_456L, 3, "123.456")]
    [InlineData(120_000L, 4, "12")]
    public void ToTrimmedString_DropsTrailingFractionalZerosOnly(long raw, int decimals, string expected) =>
        Assert.Equal(expected, FixedPoint.ToTrimmedString(raw, decimals));
}
