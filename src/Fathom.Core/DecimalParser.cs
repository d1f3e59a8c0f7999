using System.Runtime.CompilerServices;
using System.Text;

namespace Fathom.Core;

/// <summary>
/// Parses venue decimal strings (UTF-8 bytes, e.g. <c>"61837.63000000"</c>) straight into a
/// fixed-point <see cref="long"/> at a given number of decimals, with no allocation.
/// </summary>
/// <remarks>
/// Accepted: an optional leading '-', digits, an optional '.' followed by digits; at least one
/// digit overall (".5" and "5." are accepted, "." is not). No exponent, no '+', no whitespace:
/// venues never send them in price or quantity fields and accepting them would hide corruption.
/// Digits beyond <c>decimals</c> are allowed only when they are zeros (Binance pads to 8
/// decimals); a non-zero excess digit is <see cref="DecimalParseError.TooManyDecimals"/>,
/// never silently truncated. Binance's own form (digits, '.', exactly 8 decimals) takes a
/// branch-free fast path (<see cref="TryParseFixed8"/>) that gives the same results.
/// </remarks>
public static partial class DecimalParser
{
    /// <summary>The largest scale a <see cref="long"/> can carry with headroom for integer digits.</summary>
    public const int MaxDecimals = 18;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Parse(ReadOnlySpan<byte> utf8, int decimals, bool allowNegative = false)
    {
        var error = TryParse(utf8, decimals, allowNegative, out long value);
        if (error != DecimalParseError.None)
            ThrowHelper.ThrowDecimalFormat(error, utf8, decimals);
        return value;
    }

    /// <summary>Parses <paramref name="utf8"/> scaled by 10^<paramref name="decimals"/>.</summary>
    /// <returns><see cref="DecimalParseError.None"/> on success; otherwise why it failed, and <paramref name="value"/> is 0.</returns>
    public static DecimalParseError TryParse(ReadOnlySpan<byte> utf8, int decimals, bool allowNegative, out long value)
    {
        value = 0;
        if ((uint)decimals > MaxDecimals)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(decimals), "decimals must be between 0 and 18.");
        if (TryParseFixed8(utf8, decimals, out value))
            return DecimalParseError.None;
        return TryParseGeneral(utf8, decimals, allowNegative, out value);
    }

    /// <summary>
    /// Every accepted shape, digit by digit, with the exact error for anything else: the reference
    /// that <see cref="TryParseFixed8"/> is tested against. <paramref name="decimals"/> is already checked.
    /// </summary>
    internal static DecimalParseError TryParseGeneral(ReadOnlySpan<byte> utf8, int decimals, bool allowNegative, out long value)
    {
        value = 0;
        if (utf8.IsEmpty)
            return DecimalParseError.Empty;

        int i = 0;
        bool negative = false;
        if (utf8[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        // Accumulate as a positive ulong: long.MinValue-sized magnitudes are rejected anyway.
        ulong acc = 0;
        int digits = 0;
        for (; i < utf8.Length; i++)
        {
            uint d = (uint)(utf8[i] - '0');
            if (d > 9)
                break;
            if (acc > (ulong.MaxValue - d) / 10)
                return DecimalParseError.Overflow;
            acc = acc * 10 + d;
            digits++;
        }

        int fractionDigits = 0;
        if (i < utf8.Length)
        {
            if (utf8[i] != (byte)'.')
                return DecimalParseError.InvalidCharacter;
            i++;
            for (; i < utf8.Length; i++)
            {
                uint d = (uint)(utf8[i] - '0');
                if (d > 9)
                    return DecimalParseError.InvalidCharacter;
                digits++;
                if (fractionDigits == decimals)
                {
                    if (d != 0)
                        return DecimalParseError.TooManyDecimals;
                    continue; // padding zero beyond our precision
                }
                if (acc > (ulong.MaxValue - d) / 10)
                    return DecimalParseError.Overflow;
                acc = acc * 10 + d;
                fractionDigits++;
            }
        }

        if (digits == 0)
            return negative || i > 0 ? DecimalParseError.InvalidCharacter : DecimalParseError.Empty;

        // Scale up the digits the string did not carry.
        for (int k = fractionDigits; k < decimals; k++)
        {
            if (acc > ulong.MaxValue / 10)
                return DecimalParseError.Overflow;
            acc *= 10;
        }

        if (acc > long.MaxValue)
            return DecimalParseError.Overflow;
        if (negative && acc != 0)
        {
            if (!allowNegative)
                return DecimalParseError.NegativeNotAllowed;
            value = -(long)acc;
        }
        else
        {
            value = (long)acc;
        }
        return DecimalParseError.None;
    }

    /// <summary>A human-readable message for an error (cold path: allocates).</summary>
    public static string Describe(DecimalParseError error, ReadOnlySpan<byte> input, int decimals)
    {
        string shown = input.Length > 64 ? Encoding.UTF8.GetString(input[..64]) + "..." : Encoding.UTF8.GetString(input);
        return error switch
        {
            DecimalParseError.Empty => "Decimal value is empty.",
            DecimalParseError.InvalidCharacter => $"'{shown}' is not a plain decimal number (digits with an optional '.' only).",
            DecimalParseError.NegativeNotAllowed => $"'{shown}' is negative, which is not allowed here.",
            DecimalParseError.TooManyDecimals => $"'{shown}' has non-zero digits beyond {decimals} decimals.",
            DecimalParseError.Overflow => $"'{shown}' does not fit a 64-bit value at {decimals} decimals.",
            _ => $"'{shown}' could not be parsed ({error}).",
        };
    }
}
