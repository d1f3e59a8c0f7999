using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fathom.Core;

public static partial class DecimalParser
{
    private const ulong AsciiZeros = 0x3030_3030_3030_3030;
    private const ulong HighBits = 0x8080_8080_8080_8080;
    // Added to a byte holding 0..9 this stays below 0x80; any byte above 9 reaches it.
    private const ulong DigitOverflow = 0x7676_7676_7676_7676;

    // Static arrays rather than ReadOnlySpan<ulong> properties over constant data: the Debug
    // build allocates those on every access, and the allocation tests run in Debug.
    /// <summary>Digit bytes [0, d) of a fraction: the ones kept at d decimals (little-endian, first digit lowest).</summary>
    private static readonly ulong[] s_keptFractionMask =
    [
        0,
        0x0000_0000_0000_00FF, 0x0000_0000_0000_FFFF, 0x0000_0000_00FF_FFFF, 0x0000_0000_FFFF_FFFF,
        0x0000_00FF_FFFF_FFFF, 0x0000_FFFF_FFFF_FFFF, 0x00FF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF,
    ];

    private static readonly long[] s_pow10UpTo8 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

    /// <summary>
    /// The fast path for the form Binance sends every price and quantity in: 1 to 8 integer digits,
    /// a '.', exactly 8 fraction digits (<c>"61837.63000000"</c>, <c>"0.00081000"</c>), read at
    /// 0 to 8 <paramref name="decimals"/>. Each 8-digit group is checked and converted at once in a
    /// <see cref="ulong"/> (SWAR), with no loop and no data-dependent branch.
    /// </summary>
    /// <returns>
    /// True when <paramref name="utf8"/> has that form and parses without error; <paramref name="value"/>
    /// is then exactly what <see cref="TryParse"/> gives. False for anything else (another shape, a
    /// sign, a non-digit, a non-zero digit beyond <paramref name="decimals"/>, decimals above 8, a
    /// big-endian machine) with <paramref name="value"/> 0: the caller then asks <see cref="TryParse"/>,
    /// which reports the exact error or parses the other shape. False never means the input is invalid.
    /// </returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseFixed8(ReadOnlySpan<byte> utf8, int decimals, out long value)
    {
        value = 0;
        int intDigits = utf8.Length - 9;
        if (!BitConverter.IsLittleEndian || (uint)(intDigits - 1) > 7 || (uint)decimals > 8)
            return false;
        ref byte text = ref MemoryMarshal.GetReference(utf8);
        if (Unsafe.Add(ref text, intDigits) != (byte)'.')
            return false;

        // The integer digits shifted to the top of the word (the '.' and fraction bytes fall off
        // it, so a borrow from the '.' cannot reach a kept byte); the zero bytes shifted in stand
        // for leading zero digits. Length >= 10, so both 8-byte reads stay inside the span.
        int shift = 64 - 8 * intDigits;
        ulong head = Unsafe.ReadUnaligned<ulong>(ref text) << shift;
        ulong integer = head - (AsciiZeros << shift);
        ulong fraction = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref text, utf8.Length - 8)) - AsciiZeros;
        // Every byte must now hold 0..9: a byte below '0' wrapped to >= 0xD0, one above '9' reaches
        // 0x80 once DigitOverflow is added. Digits past the decimals kept must be zero.
        // decimals <= 8 was checked above, so the table reads need no bounds check.
        ulong kept = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s_keptFractionMask), decimals);
        if ((((integer + DigitOverflow) | integer | (fraction + DigitOverflow) | fraction) & HighBits) != 0
            || (fraction & ~kept) != 0)
            return false;
        value = EightDigits(integer) * Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s_pow10UpTo8), decimals) + EightDigits((fraction & kept) << ((64 - 8 * decimals) & 63));
        return true;
    }

    /// <summary>
    /// Eight digit values 0..9, one per byte, most significant first in memory (the lowest byte),
    /// as their number (Lemire's multiply-and-shift reduction: pairs, then quads, then all eight).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long EightDigits(ulong digits)
    {
        digits = digits * 10 + (digits >> 8);
        digits = (((digits & 0x0000_00FF_0000_00FF) * (100 + (1_000_000UL << 32)))
                  + (((digits >> 16) & 0x0000_00FF_0000_00FF) * (1 + (10_000UL << 32)))) >> 32;
        return (long)(uint)digits;
    }
}
