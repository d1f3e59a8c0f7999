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
            return checked((long)(value / Pow10Wide(fromDecimals - toDecimals)));
        return checked((long)(value * Pow10Wide(toDecimals - fromDecimals)));
    }

    /// <summary>Notional of price × qty expressed at <paramref name="resultDecimals"/>, truncated toward zero.</summary>
    public static long Notional(Price price, Qty qty, int priceDecimals, int qtyDecimals, int resultDecimals) =>
        Rescale(Multiply(price.Raw, qty.Raw), priceDecimals + qtyDecimals, resultDecimals);

    private static Int128 Pow10Wide(int decimals)
    {
        Int128 r = 1;
        for (int i = 0; i < decimals; i++)
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
        long pow = Pow10(decimals);
        bool negative = raw < 0;
        // Work on the unsigned magnitude so long.MinValue formats correctly.
        ulong magnitude = negative ? (ulong)(-(raw + 1)) + 1 : (ulong)raw;
        ulong intPart = magnitude / (ulong)pow;
        ulong frac = magnitude % (ulong)pow;

        int intDigits = CountDigits(intPart);
        int length = (negative ? 1 : 0) + intDigits + (decimals > 0 ? 1 + decimals : 0);
        if (destination.Length < length)
            return false;

        int pos = length;
        for (int i = 0; i < decimals; i++)
        {
            destination[--pos] = (byte)('0' + (int)(frac % 10));
            frac /= 10;
        }
        if (decimals > 0)
            destination[--pos] = (byte)'.';
        do
        {
            destination[--pos] = (byte)('0' + (int)(intPart % 10));
            intPart /= 10;
        } while (intPart != 0);
        if (negative)
            destination[--pos] = (byte)'-';
        written = length;
        return true;
    }

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

    private static int CountDigits(ulong value)
    {
        int n = 1;
        while (value >= 10)
        {
            value /= 10;
            n++;
        }
        return n;
    }
}
