using System.Buffers.Text;
using Fathom.Core;

namespace Fathom.Venues.Binance;

/// <summary>
/// Field access on venue answers without allocating: the value of one property of an object, as raw
/// bytes (a string's content without quotes; numbers, objects and arrays as their text).
/// </summary>
internal static class JsonFields
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
            value = ReadValue(ref s, json);
            return s.Ok;
        }
        return false;
    }

    /// <summary>Reads the value at the scanner's position: string content or the raw text of anything else.</summary>
    public static ReadOnlySpan<byte> ReadValue(scoped ref JsonScanner s, ReadOnlySpan<byte> json)
    {
        bool isString = s.Peek() == (byte)'"';
        int start = s.Position;
        s.SkipValue();
        if (!s.Ok)
            return default;
        // Slice the caller's buffer (not the scanner) so the value lives as long as the buffer does.
        return isString ? json[(start + 1)..(s.Position - 1)] : json[start..s.Position];
    }

    public static long Long(ReadOnlySpan<byte> value, long fallback = 0) =>
        Utf8Parser.TryParse(value, out long v, out int n) && n == value.Length ? v : fallback;

    /// <summary>A decimal string at 8 decimals (Binance's wire precision); 0 when malformed.</summary>
    public static long Decimal8(ReadOnlySpan<byte> value) =>
        DecimalParser.TryParse(value, BinanceSymbol.WireDecimals, false, out long raw) == DecimalParseError.None ? raw : 0;

    public static bool IsTrue(ReadOnlySpan<byte> value) => value.SequenceEqual("true"u8);
}
