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
/// scanner's per-token calls. The quotes come from a stream of 64-byte windows (one vector compare
/// for '"' each, about one per two levels): a level takes the next four, so finding the next level
/// is bit arithmetic on a mask in a register rather than a load at an address that waits for the
/// previous level's parse. The bytes between the quotes must be '[', ',' and ']'; both numbers go
/// through <see cref="DecimalParser.TryParseFixed8"/>.
/// </summary>
/// <remarks>
/// Invariant: a level is consumed only when it is complete, both numbers parse, the price is on
/// the grid (<c>tickDecimals</c>) and not zero; that is exactly when the general path would accept
/// it without an error. Anything else (whitespace, escapes, other shapes, bad or off-grid numbers,
/// a level cut by the end of the input, an input under 64 bytes) stops the run before that level,
/// and the general path reads it from the same position and reports exactly what it reported
/// before this fast path existed. Escapes need no check of their own: a '\\' inside either number
/// fails the digit check.
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
        int length = input.Length;
        if (length < 64 || length - start < 8)
            return 0; // too short for a window of 64 bytes: the general path reads it
        ref byte origin = ref MemoryMarshal.GetReference(input);
        Level[] levels = scratch;
        int n = count;
        int pos = start;
        // The quote bits of a 64-byte window starting at `window` (near the end, the input's last 64 bytes), with
        // the bits of bytes already read cleared. Levels take the next four quotes from it; a new window is read
        // only when it runs out (about once per two levels), at an address that does not depend on the parse.
        int window = Math.Min(pos, length - 64);
        ulong quotes = QuoteMask64(ref Unsafe.Add(ref origin, window)) & (ulong.MaxValue << (pos - window));
        while (true)
        {
            // '[' at pos, quotes at pos + 1 (price opens), q1 (price closes), q1 + 2 (qty opens), q3 (qty closes),
            // ',' at q1 + 1, ']' at q3 + 1, and the byte after it inside the input.
            if (pos >= length || Unsafe.Add(ref origin, pos) != (byte)'['
                || NextQuote(ref origin, length, ref window, ref quotes) != pos + 1)
                break;
            int q1 = NextQuote(ref origin, length, ref window, ref quotes);
            if (q1 < 0)
                break;
            int q2 = NextQuote(ref origin, length, ref window, ref quotes);
            int q3 = NextQuote(ref origin, length, ref window, ref quotes);
            if (q2 != q1 + 2 || q3 < 0 || q3 + 2 >= length
                || Unsafe.Add(ref origin, q1 + 1) != (byte)',' || Unsafe.Add(ref origin, q3 + 1) != (byte)']')
                break;
            var price = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref origin, pos + 2), q1 - pos - 2);
            var qtyText = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref origin, q2 + 1), q3 - q2 - 1);
            if (!DecimalParser.TryParseFixed8(price, tickDecimals, out long tick) || tick == 0
                || !DecimalParser.TryParseFixed8(qtyText, BinanceSymbol.WireDecimals, out long qty))
                break;

            if (n == levels.Length)
            {
                Array.Resize(ref scratch, levels.Length * 2); // warm-up growth only
                levels = scratch;
            }
            levels[n++] = new Level(tick, qty);
            pos = q3 + 2;
            if (Unsafe.Add(ref origin, pos) != (byte)',')
            {
                endsAfterLevel = true;
                break;
            }
            pos++;
        }
        count = n;
        return pos - start;
    }

    /// <summary>The position of the next '"' after the bytes already read, or -1 when the input ends first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NextQuote(ref byte origin, int length, ref int window, ref ulong quotes)
    {
        while (quotes == 0)
        {
            int next = window + 64;
            if (next >= length)
                return -1;
            int at = Math.Min(next, length - 64); // the last window overlaps the one before: drop what it covered
            quotes = QuoteMask64(ref Unsafe.Add(ref origin, at)) & (ulong.MaxValue << (next - at));
            window = at;
        }
        int quote = window + BitOperations.TrailingZeroCount(quotes);
        quotes &= quotes - 1;
        return quote;
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
