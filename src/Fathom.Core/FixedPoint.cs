using System.Runtime.CompilerServices;

namespace Fathom.Core;

/// <summary>
/// Fixed-point helpers: powers of ten, products widened to <see cref="Int128"/>, rescaling and
/// formatting back to venue decimal strings. A raw value <c>r</c> at scale <c>d</c> means r / 10^d.
/// </summary>
public static class FixedPoint
{
    private static readonly long[] s_pow10 =
    [
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L,
        1_000_000_000L, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L,
        10_000_000_000_000L, 100_000_000_000_000L, 1_000_000_000_000_000L,
        10_000_000_000_000_000L, 100_000_000_000_000_000L, 1_000_000_000_000_000_000L,
    ];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Pow10(int decimals)
    {
        if ((uint)decimals >= (uint)s_pow10.Length)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(decimals), "decimals must be between 0 and 18.");
        return s_pow10[decimals];
    }

    /// <summary>price × qty at scale (priceDecimals + qtyDecimals), exact: cannot overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int128 Multiply(long a, long b) => (Int128)a * b;

    /// <summary>
    /// Rescales an exact product to <paramref name="toDecimals"/>, rounding toward zero.
    /// Throws <see cref="OverflowException"/> if the result does not fit a long.
    /// </summary>
    public static long Rescale(Int128 value, int fromDecimals, int toDecimals)
    {
        if (toDecimals == fromDecimals)
            return checked((long)value);
        if (toDecimals < fromDecimals)
        {
            int shift = fromDecimals - toDecimals;
            // Most products fit a long: one 64-bit division, truncating toward zero as Int128's does.
            if (shift < s_pow10.Length && value >= long.MinValue && value <= long.MaxValue)
                return (long)value / s_pow10[shift];
            return checked((long)(value / Pow10Wide(shift)));
        }
        return checked((long)(value * Pow10Wide(toDecimals - fromDecimals)));
    }

    /// <summary>Notional of price × qty expressed at <paramref name="resultDecimals"/>, truncated toward zero.</summary>
    public static long Notional(Price price, Qty qty, int priceDecimals, int qtyDecimals, int resultDecimals) =>
        Rescale(Multiply(price.Raw, qty.Raw), priceDecimals + qtyDecimals, resultDecimals);

    // 10^0 … 10^38 (10^38 is the largest power of ten an Int128 holds).
    private static readonly Int128[] s_pow10Wide = BuildPow10Wide();

    private static Int128[] BuildPow10Wide()
    {
        var table = new Int128[39];
        table[0] = 1;
        for (int i = 1; i < table.Length; i++)
            table[i] = table[i - 1] * 10;
        return table;
    }

    private static Int128 Pow10Wide(int decimals)
    {
        if ((uint)decimals < (uint)s_pow10Wide.Length)
            return s_pow10Wide[decimals];
        Int128 r = s_pow10Wide[^1];
        for (int i = s_pow10Wide.Length - 1; i < decimals; i++)
            r *= 10;
        return r;
    }

    /// <summary>Longest text a long can format to: sign, 19 digits, a point and a leading zero.</summary>
    public const int MaxFormattedLength = 22;

    /// <summary>
    /// Formats <paramref name="raw"/> at <paramref name="decimals"/> as a plain decimal string with
    /// exactly that many fraction digits (the form Binance sends and accepts), e.g. 150 @2 → "1.50".
    /// </summary>
    public static bool TryFormat(long raw, int decimals, Span<byte> destination, out int written)
    {
        written = 0;
        ulong pow = (ulong)Pow10(decimals);
        bool negative = raw < 0;
        // Work on the unsigned magnitude so long.MinValue formats correctly.
        ulong magnitude = negative ? (ulong)(-(raw + 1)) + 1 : (ulong)raw;
        // The venues' 8 decimals divide by a constant (a multiply); any other scale pays one division.
        ulong intPart = decimals == 8 ? magnitude / 100_000_000UL : magnitude / pow;
        ulong frac = magnitude - intPart * pow;

        int pos = negative ? 1 : 0;
        if (destination.Length <= pos || !System.Buffers.Text.Utf8Formatter.TryFormat(intPart, destination[pos..], out int intDigits))
            return false;
        pos += intDigits;
        if (decimals > 0)
        {
            if (destination.Length < pos + 1 + decimals)
                return false;
            destination[pos] = (byte)'.';
            WriteDigits(frac, destination.Slice(pos + 1, decimals));
            pos += 1 + decimals;
        }
        if (negative)
            destination[0] = (byte)'-';
        written = pos;
        return true;
    }

    /// <summary>
    /// Writes <paramref name="value"/> as exactly <c>destination.Length</c> decimal digits, zero-padded on the left (the
    /// value must fit). Two digits per division from a pair table: half the dependent divisions of one digit at a time.
    /// </summary>
    private static void WriteDigits(ulong value, Span<byte> destination)
    {
        ReadOnlySpan<byte> pairs = DigitPairs;
        int i = destination.Length;
        while (i >= 2)
        {
            ulong next = value / 100;
            int pair = (int)(value - next * 100) * 2;
            value = next;
            destination[i - 1] = pairs[pair + 1];
            destination[i - 2] = pairs[pair];
            i -= 2;
        }
        if (i == 1)
            destination[0] = (byte)('0' + (int)value);
    }

    private static ReadOnlySpan<byte> DigitPairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    /// <summary>Formats to a new string (cold path: allocates).</summary>
    public static string ToString(long raw, int decimals)
    {
        Span<byte> buffer = stackalloc byte[MaxFormattedLength];
        TryFormat(raw, decimals, buffer, out int written);
        return System.Text.Encoding.ASCII.GetString(buffer[..written]);
    }

    /// <summary>
    /// <see cref="ToString(long, int)"/> without trailing fractional zeros (and without the point when nothing
    /// follows it): 1.50000000 → "1.5", 100 at 0 decimals → "100", 0.000 → "0". For display; never for the wire.
    /// </summary>
    public static string ToTrimmedString(long raw, int decimals)
    {
        string s = ToString(raw, decimals);
        return s.Contains('.', StringComparison.Ordinal) ? s.TrimEnd('0').TrimEnd('.') : s;
    }
}
