using System.Globalization;
using System.Text;
using CsCheck;
using Fathom.Testing;
using Xunit;

namespace Fathom.Core.Tests;

/// <summary>
/// <see cref="DecimalParser.TryParseFixed8"/> (the SWAR fast path for Binance's "digits . 8 digits")
/// against the general digit-by-digit parser it stands in front of, and against decimal.Parse.
/// The contract: when the fast path accepts, the general path succeeds with the same value; when it
/// declines, <see cref="DecimalParser.TryParse"/> gives exactly the general path's answer.
/// </summary>
[Collection(AllocationCollection.Name)]
public class DecimalParserFixed8Tests
{
    /// <summary>Seeds that once failed; each is checked on every run before the generated cases.</summary>
    private static readonly ulong[] RegressionSeeds = [];

    private static readonly byte[] Alphabet = "0123456789.-+e \"\\/:\0\u00ff"u8.ToArray();

    /// <summary>Checks one input at one scale: the fast path agrees with the general one, and TryParse is unchanged.</summary>
    private static bool CheckAgainstGeneral(byte[] text, int decimals)
    {
        var general = DecimalParser.TryParseGeneral(text, decimals, allowNegative: true, out long expected);
        bool fast = DecimalParser.TryParseFixed8(text, decimals, out long value);
        if (fast)
        {
            Assert.Equal(DecimalParseError.None, general);
            Assert.Equal(expected, value);
        }
        else
        {
            Assert.Equal(0, value);
        }
        foreach (bool allowNegative in (ReadOnlySpan<bool>)[false, true])
        {
            var generalError = DecimalParser.TryParseGeneral(text, decimals, allowNegative, out long generalValue);
            Assert.Equal(generalError, DecimalParser.TryParse(text, decimals, allowNegative, out long parsed));
            Assert.Equal(generalValue, parsed);
        }
        return fast;
    }

    /// <summary>Binance's form: 1 to 8 integer digits (leading zeros likely), '.', exactly 8 fraction digits.</summary>
    private static readonly Gen<(string Text, int Decimals)> BinanceForm =
        Gen.Select(Gen.Int[1, 8], Gen.Long[0, 99_999_999], Gen.Int[0, 8], Gen.Long[0, 99_999_999], Gen.Int[0, 8], Gen.Int[0, 8])
            .Select(t =>
            {
                (int intDigits, long integer, int zeroed, long fraction, int trailingZeros, int decimals) = t;
                string intText = (integer % (long)Math.Pow(10, intDigits)).ToString(CultureInfo.InvariantCulture).PadLeft(intDigits, '0');
                if (zeroed > 0 && zeroed <= intDigits)
                    intText = new string('0', zeroed) + intText[zeroed..];
                // Trailing zeros make the value land on coarser grids as often as Binance's prices do.
                long scale = (long)Math.Pow(10, trailingZeros);
                string fracText = (fraction / scale * scale).ToString(CultureInfo.InvariantCulture).PadLeft(8, '0');
                return (intText + "." + fracText, decimals);
            });

    [Fact]
    public void TryParseFixed8_BinanceForm_AgreesWithGeneralAndDecimal()
    {
        int accepted = 0;
        Property.ForAll(BinanceForm, 20_000, t =>
        {
            byte[] text = Encoding.ASCII.GetBytes(t.Text);
            bool fast = CheckAgainstGeneral(text, t.Decimals);
            decimal exact = decimal.Parse(t.Text, CultureInfo.InvariantCulture) * (decimal)Math.Pow(10, t.Decimals);
            // The fast path accepts exactly the on-grid values: those with no digit beyond the decimals kept.
            Assert.Equal(exact == decimal.Truncate(exact), fast);
            if (fast)
            {
                Assert.Equal((long)exact, DecimalParser.TryParseFixed8(text, t.Decimals, out long v) ? v : -1);
                accepted++;
            }
        }, RegressionSeeds);
        Assert.True(accepted > 5_000, $"the fast path accepted only {accepted} of 20,000 Binance-form inputs");
    }

    [Fact]
    public void TryParseFixed8_RandomBytes_NeverDisagreesWithGeneral()
    {
        // Short strings over an alphabet of digits, '.', '-', and bytes that must be rejected, with
        // lengths around the fast path's 10..17 window.
        var gen = Gen.Select(Gen.Int[0, 20], Gen.Int[0, 18], Gen.Int[0, Alphabet.Length - 1].Array[20], Gen.Bool.Array[20])
            .Select(t => (Text: t.Item3.Take(t.Item1).Select((c, i) => t.Item4[i] ? Alphabet[c] : (byte)('0' + c % 10)).ToArray(), Decimals: t.Item2));
        Property.ForAll(gen, 20_000, t => CheckAgainstGeneral(t.Text, t.Decimals), RegressionSeeds);
    }

    [Fact]
    public void TryParseFixed8_BinanceFormWithOneByteChanged_NeverDisagreesWithGeneral()
    {
        // Almost-Binance inputs: one byte of a valid string replaced, dropped or duplicated, so every
        // check of the fast path (length, dot position, each digit) is hit at every position.
        var gen = Gen.Select(BinanceForm, Gen.Int[0, 2], Gen.Int[0, 16], Gen.Int[0, Alphabet.Length - 1]);
        Property.ForAll(gen, 20_000, t =>
        {
            ((string text, int decimals), int edit, int at, int with) = t;
            var bytes = new List<byte>(Encoding.ASCII.GetBytes(text));
            at %= bytes.Count;
            switch (edit)
            {
                case 0: bytes[at] = Alphabet[with]; break;
                case 1: bytes.RemoveAt(at); break;
                default: bytes.Insert(at, bytes[at]); break;
            }
            CheckAgainstGeneral([.. bytes], decimals);
        }, RegressionSeeds);
    }

    [Theory]
    // Accepted by the fast path.
    [InlineData("61837.63000000", 2, true)]
    [InlineData("61837.63000000", 8, true)]
    [InlineData("0.00000000", 8, true)]
    [InlineData("0.00000000", 0, true)]
    [InlineData("00000000.00000000", 8, true)]
    [InlineData("00061837.63000000", 2, true)]
    [InlineData("99999999.99999999", 8, true)]
    [InlineData("99999999.00000000", 0, true)]
    [InlineData("12345678.12345678", 8, true)]
    [InlineData("1.00000000", 0, true)]
    // Declined: the general path answers (a value or the exact error).
    [InlineData("61837.63000000", 1, false)]            // non-zero digit beyond the decimals: TooManyDecimals
    [InlineData("61837.63000000", 9, false)]            // more than 8 decimals
    [InlineData("61837.6300000", 2, false)]             // 7 fraction digits
    [InlineData("61837.630000000", 2, false)]           // 9 fraction digits
    [InlineData("61837", 2, false)]                     // no dot
    [InlineData(".63000000", 2, false)]                 // no integer digit
    [InlineData("123456789.00000000", 8, false)]        // 9 integer digits
    [InlineData("92233720368.54775807", 8, false)]      // long.MaxValue
    [InlineData("92233720368.54775808", 8, false)]      // overflow
    [InlineData("-1.00000000", 8, false)]               // sign
    [InlineData("+1.00000000", 8, false)]
    [InlineData("1.0000000a", 8, false)]
    [InlineData("1/00000000", 8, false)]                // '/' is '0' - 1
    [InlineData("1:00000000", 8, false)]                // ':' is '9' + 1
    [InlineData("1.0000\\\"00", 8, false)]              // an escape inside the string
    [InlineData("1 .00000000", 8, false)]
    [InlineData("1.00000000 ", 8, false)]
    public void TryParseFixed8_EdgeCases_AcceptOnlyBinanceFormAndAgreeWithGeneral(string text, int decimals, bool accepted) =>
        Assert.Equal(accepted, CheckAgainstGeneral(Encoding.ASCII.GetBytes(text), decimals));

    [Fact]
    public void TryParseFixed8_DoesNotAllocate()
    {
        byte[][] inputs = [.. new[] { "61837.63000000", "0.00081000", "61837.63100000", "abc" }.Select(Encoding.ASCII.GetBytes)];
        AllocationAssert.Zero(inputs, static texts =>
        {
            long sum = 0;
            for (int i = 0; i < 1000; i++)
                foreach (byte[] t in texts)
                    sum += DecimalParser.TryParseFixed8(t, 2, out long v) ? v : 1;
            Sink.Consume(sum);
        });
    }
}
