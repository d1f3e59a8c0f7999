using System.Buffers.Text;
using Fathom.Core;
using Fathom.Venues.Binance;

namespace Fathom.Venues.Okx;

/// <summary>
/// Field access on OKX answers and pushes without allocating: one property of an object as raw bytes (a string's
/// content without quotes; numbers, objects and arrays as their text), and the elements of an array property.
/// OKX sends numbers as strings (<c>"code":"0"</c>, <c>"ordId":"123"</c>); <see cref="Long"/> reads either form.
/// </summary>
internal static class OkxJson
{
    public static bool TryGet(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (json.IsEmpty)
            return false;
        var s = new JsonScanner(json);
        if (!s.BeginObject())
            return false;
        bool first = true;
        while (s.NextProperty(ref first, out var prop))
        {
            if (!prop.SequenceEqual(name))
            {
                s.SkipValue();
                continue;
            }
            bool isString = s.Peek() == (byte)'"';
            int start = s.Position;
            s.SkipValue();
            if (!s.Ok)
                return false;
            value = isString ? json[(start + 1)..(s.Position - 1)] : json[start..s.Position];
            return true;
        }
        return false;
    }

    /// <summary>
    /// The <paramref name="index"/>-th element of the array <paramref name="array"/> (raw text, as from <see cref="TryGet"/>);
    /// false past the end or when malformed.
    /// </summary>
    public static bool TryElement(ReadOnlySpan<byte> array, int index, out ReadOnlySpan<byte> element)
    {
        element = default;
        if (array.IsEmpty)
            return false;
        var s = new JsonScanner(array);
        if (!s.BeginArray())
            return false;
        bool first = true;
        int i = 0;
        while (s.NextElement(ref first))
        {
            int start = s.Position;
            s.SkipValue();
            if (!s.Ok)
                return false;
            if (i++ == index)
            {
                element = array[start..s.Position].Trim(" \r\n\t"u8);
                return true;
            }
        }
        return false;
    }

    public static long Long(ReadOnlySpan<byte> value, long fallback = 0) =>
        !value.IsEmpty && Utf8Parser.TryParse(value, out long v, out int n) && n == value.Length ? v : fallback;

    /// <summary>A decimal string at <paramref name="decimals"/>; 0 when empty or malformed (signs allowed: fees are negative).</summary>
    public static long Decimal(ReadOnlySpan<byte> value, int decimals) =>
        !value.IsEmpty && DecimalParser.TryParse(value, decimals, true, out long raw) == DecimalParseError.None ? raw : 0;

    /// <summary>
    /// A decimal with more fraction digits than <paramref name="decimals"/> cut toward zero (fees: OKX computes them
    /// at a finer precision than the lot size); 0 when malformed.
    /// </summary>
    public static long DecimalTruncated(ReadOnlySpan<byte> value, int decimals)
    {
        int dot = value.IndexOf((byte)'.');
        if (dot >= 0 && value.Length - dot - 1 > decimals)
            value = value[..(decimals == 0 ? dot : dot + 1 + decimals)];
        return Decimal(value, decimals);
    }
}
