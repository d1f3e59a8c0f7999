using System.Buffers;
using System.Buffers.Text;
using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Venues.Okx;

/// <summary>
/// OKX's book checksum (EXCHANGES.md §8.4): the first 25 levels per side as
/// <c>bid1px:bid1sz:ask1px:ask1sz:bid2px:…</c>, interleaved, the longer side continuing alone,
/// CRC-32 (IEEE) as a signed 32-bit integer. Allocation-free (the text is formatted on the stack).
/// </summary>
/// <remarks>
/// OKX computes it over the price and size strings it sends. The book holds ticks and raw sizes, so
/// the strings are rebuilt: price = tick × tick size, both at the instrument's decimals, written
/// without trailing fractional zeros (and without a point when nothing follows), which is the form
/// OKX sends ("30261", "30310.3", "0.00081"; the shared capture has no other form). A venue that
/// padded its numbers would show up as checksum mismatches, never as a silently wrong book.
/// </remarks>
public sealed class OkxBookChecksum : IBookChecksum
{
    /// <summary>Levels per side that the checksum covers.</summary>
    public const int Depth = 25;

    /// <summary>The stateless instance (one is enough for every book).</summary>
    public static OkxBookChecksum Instance { get; } = new();

    // Longest text of one level: two numbers and two ':' separators.
    private const int MaxLevelText = 2 * (FixedPoint.MaxFormattedLength + 1);

    public int Compute(OrderBook book)
    {
        ArgumentNullException.ThrowIfNull(book);
        Span<Level> bids = stackalloc Level[Depth];
        Span<Level> asks = stackalloc Level[Depth];
        int nb = book.TopLevels(Side.Bid, bids);
        int na = book.TopLevels(Side.Ask, asks);
        int priceDecimals = book.Instrument.PriceDecimals, qtyDecimals = book.Instrument.QtyDecimals;
        long tickRaw = book.TickRaw;
        // The whole text on the stack (at most 50 levels), then one CRC pass over it.
        Span<byte> text = stackalloc byte[2 * Depth * MaxLevelText];
        int n = 0;
        for (int i = 0; i < Math.Max(nb, na); i++)
        {
            if (i < nb)
                n = AppendLevel(text, n, bids[i], tickRaw, priceDecimals, qtyDecimals);
            if (i < na)
                n = AppendLevel(text, n, asks[i], tickRaw, priceDecimals, qtyDecimals);
        }
        // Every level was written with a leading ':'; the first one is not part of the text.
        return OkxCrc32.Compute(text[Math.Min(1, n)..n]);
    }

    private static int AppendLevel(Span<byte> text, int n, Level level, long tickRaw, int priceDecimals, int qtyDecimals)
    {
        n = AppendNumber(text, n, checked(level.Tick * tickRaw), priceDecimals);
        return AppendNumber(text, n, level.Qty, qtyDecimals);
    }

    /// <summary>Writes ':' and the number without trailing fractional zeros (nor a bare point) at <paramref name="n"/>.</summary>
    private static int AppendNumber(Span<byte> text, int n, long raw, int decimals)
    {
        // Book prices are positive and sizes non-negative (the parser refuses anything else).
        text[n++] = (byte)':';
        ulong pow = (ulong)FixedPoint.Pow10(decimals);
        ulong value = (ulong)raw;
        ulong integer = value / pow, fraction = value % pow;
        Utf8Formatter.TryFormat(integer, text[n..], out int written);
        n += written;
        if (fraction != 0)
        {
            int digits = decimals;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }
            text[n++] = (byte)'.';
            // 'D' with a precision pads with leading zeros: 81 at 5 digits → "00081".
            Utf8Formatter.TryFormat(fraction, text[n..], out written, new StandardFormat('D', (byte)digits));
            n += written;
        }
        return n;
    }
}
