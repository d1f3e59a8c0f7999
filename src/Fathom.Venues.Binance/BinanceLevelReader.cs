using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Fathom.Book;
using Fathom.Core;

namespace Fathom.Venues.Binance;

/// <summary>
/// The fast path for the bulk of every depth message: a run of levels in exactly the form Binance
/// writes them, <c>["61837.63000000","0.00081000"],</c>, with no whitespace, read without the general
/// scanner's per-token calls. One vector compare for '"' over the next 64 (or, near the end, 32)
/// bytes finds a level's four quotes; the bytes between them must be '[', ',' and ']'; both numbers
/// go through <see cref="DecimalParser.TryParseFixed8"/>. The position stays in a register for the
/// whole run.
/// </summary>
/// <remarks>
/// Invariant: a level is consumed only when it is complete, both numbers parse, the price is on
/// the grid (<c>tickDecimals</c>) and not zero; that is exactly when the general path would accept
/// it without an error. Anything else (whitespace, escapes, other shapes, bad or off-grid numbers,
/// the last bytes of the input) stops the run before that level, and the general path reads it
/// from the same position and reports exactly what it reported before this fast path existed.
/// Escapes need no check of their own: a '\\' inside either number fails the digit check.
/// </remarks>
internal static class BinanceLevelReader
{
    /// <summary>
    /// Reads levels from <paramref name="input"/> at <paramref name="start"/> (the position of a
    /// level's '[') into <paramref name="scratch"/> (grown as needed) from index <paramref name="count"/>,
    /// consuming the ',' after each.
    /// </summary>
    /// <param name="endsAfterLevel">
    /// True when the run stopped right after a level not followed by ',' (the caller's general
    /// NextElement reads what follows); false when it stopped at an element it did not accept, which
    /// is unconsumed: positioned as NextElement would have left it.
    /// </param>
    /// <returns>The number of bytes consumed.</returns>
    public static int ReadRun(ReadOnlySpan<byte> input, int start, int tickDecimals, ref Level[] scratch, ref int count,
        out bool endsAfterLevel)
    {
        endsAfterLevel = false;
        ref byte origin = ref MemoryMarshal.GetReference(input);
        Level[] levels = scratch;
        int n = count;
        int pos = start;
        while (true)
        {
            int available = input.Length - pos;
            ref byte level = ref Unsafe.Add(ref origin, pos);
            ulong quotes;
            int maxCloseQuote; // the qty's closing quote must leave room for ']' and one more byte in the window
            if (available >= 64)
            {
                quotes = QuoteMask64(ref level);
                maxCloseQuote = 61;
            }
            else if (available >= 32)
            {
                quotes = QuoteMask32(ref level);
                maxCloseQuote = 29;
            }
            else
            {
                break;
            }
            // Quotes at 1 (price opens), q1 (price closes), q1 + 2 (qty opens), q3 (qty closes), with
            // '[' at 0, ',' at q1 + 1 and ']' at q3 + 1.
            if ((quotes & 0b11) != 0b10 || level != (byte)'[')
                break;
            quotes &= quotes - 1;
            int q1 = BitOperations.TrailingZeroCount(quotes);
            quotes &= quotes - 1;
            int q2 = BitOperations.TrailingZeroCount(quotes);
            quotes &= quotes - 1;
            int q3 = BitOperations.TrailingZeroCount(quotes);
            if (q2 != q1 + 2 || q3 > maxCloseQuote
                || Unsafe.Add(ref level, q1 + 1) != (byte)',' || Unsafe.Add(ref level, q3 + 1) != (byte)']')
                break;
            var price = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref level, 2), q1 - 2);
            var qtyText = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref level, q2 + 1), q3 - q2 - 1);
            if (!DecimalParser.TryParseFixed8(price, tickDecimals, out long tick) || tick == 0
                || !DecimalParser.TryParseFixed8(qtyText, BinanceSymbol.WireDecimals, out long qty))
                break;

            if (n == levels.Length)
            {
                Array.Resize(ref scratch, levels.Length * 2); // warm-up growth only
                levels = scratch;
            }
            levels[n++] = new Level(tick, qty);
            pos += q3 + 2;
            // q3 <= maxCloseQuote keeps this byte inside the window read above.
            if (Unsafe.Add(ref level, q3 + 2) != (byte)',')
            {
                endsAfterLevel = true;
                break;
            }
            pos++;
        }
        count = n;
        return pos - start;
    }

    /// <summary>Bit i set where byte i of the 64 bytes at <paramref name="at"/> is '"'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong QuoteMask64(ref byte at)
    {
        if (Vector512.IsHardwareAccelerated)
            return Vector512.Equals(Vector512.LoadUnsafe(ref at), Vector512.Create((byte)'"')).ExtractMostSignificantBits();
        if (Vector256.IsHardwareAccelerated)
        {
            var quote = Vector256.Create((byte)'"');
            return Vector256.Equals(Vector256.LoadUnsafe(ref at), quote).ExtractMostSignificantBits()
                | ((ulong)Vector256.Equals(Vector256.LoadUnsafe(ref at, 32), quote).ExtractMostSignificantBits() << 32);
        }
        return QuoteMask32(ref at) | (QuoteMask32(ref Unsafe.Add(ref at, 32)) << 32);
    }

    /// <summary>Bit i set where byte i of the 32 bytes at <paramref name="at"/> is '"'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong QuoteMask32(ref byte at)
    {
        if (Vector256.IsHardwareAccelerated)
            return Vector256.Equals(Vector256.LoadUnsafe(ref at), Vector256.Create((byte)'"')).ExtractMostSignificantBits();
        // Vector128 is accelerated or emulated on every .NET target; the result is the same either way.
        var quote = Vector128.Create((byte)'"');
        return Vector128.Equals(Vector128.LoadUnsafe(ref at), quote).ExtractMostSignificantBits()
            | ((ulong)Vector128.Equals(Vector128.LoadUnsafe(ref at, 16), quote).ExtractMostSignificantBits() << 16);
    }
}
