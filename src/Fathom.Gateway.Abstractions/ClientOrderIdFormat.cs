using Fathom.Core;

namespace Fathom.Gateway.Abstractions;

/// <summary>
/// The text form of our client order ids: <c>&lt;prefix&gt;&lt;node&gt;&lt;epoch&gt;&lt;seq&gt;</c>,
/// with node, epoch and sequence as fixed-width lower-case base-36 fields (2, 4 and 11 characters).
/// </summary>
/// <remarks>
/// Fixed widths make the id parseable without separators and sort in issue order within an epoch.
/// Binance accepts <c>^[a-zA-Z0-9-_]{1,36}$</c> for <c>newClientOrderId</c>; a prefix of at most
/// 8 characters keeps every id at ≤ 25 characters, inside both that and OKX's 32-character
/// <c>clOrdId</c> (alphanumeric only, so the prefix is restricted to letters and digits).
/// Anything without our prefix is foreign: the engine never cancels or amends it.
/// </remarks>
public sealed class ClientOrderIdFormat
{
    public const int VenueMaxLength = 36;
    public const int MaxPrefixLength = 8;
    public const int NodeDigits = 2;
    public const int EpochDigits = 4;
    public const int SequenceDigits = 11;
    public const int BodyLength = NodeDigits + EpochDigits + SequenceDigits;

    public const int MaxNode = 36 * 36 - 1;                         // 1 295
    public const uint MaxEpoch = 36u * 36 * 36 * 36 - 1;            // 1 679 615
    public const long MaxSequence = 131_621_703_842_267_135L;       // 36^11 - 1

    private readonly byte[] _prefix;

    public ClientOrderIdFormat(string prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > MaxPrefixLength)
            ThrowHelper.ThrowArgument(nameof(prefix), $"The client id prefix must be 1..{MaxPrefixLength} characters.");
        foreach (char c in prefix)
            if (!char.IsAsciiLetterOrDigit(c))
                ThrowHelper.ThrowArgument(nameof(prefix), $"The client id prefix '{prefix}' may hold only ASCII letters and digits.");
        Prefix = prefix;
        _prefix = System.Text.Encoding.ASCII.GetBytes(prefix);
    }

    public string Prefix { get; }

    /// <summary>Length of every id this format writes.</summary>
    public int Length => _prefix.Length + BodyLength;

    public static bool IsValid(ClientOrderId id) =>
        id.Node <= MaxNode && id.Epoch <= MaxEpoch && id.Sequence is > 0 and <= MaxSequence;

    /// <summary>Writes the id's text; false when the destination is too short or the id out of range.</summary>
    public bool TryFormat(ClientOrderId id, Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < Length || !IsValid(id))
            return false;
        _prefix.CopyTo(destination);
        int pos = _prefix.Length;
        WriteBase36(id.Node, destination.Slice(pos, NodeDigits));
        pos += NodeDigits;
        WriteBase36(id.Epoch, destination.Slice(pos, EpochDigits));
        pos += EpochDigits;
        WriteSequence(id.Sequence, destination.Slice(pos, SequenceDigits));
        written = Length;
        return true;
    }

    /// <summary>The id as a string (cold path: allocates).</summary>
    public string Format(ClientOrderId id)
    {
        Span<byte> buffer = stackalloc byte[VenueMaxLength];
        if (!TryFormat(id, buffer, out int written))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(id), $"Client order id {id} is out of range.");
        return System.Text.Encoding.ASCII.GetString(buffer[..written]);
    }

    /// <summary>Reads a venue's client id; only <see cref="ClientOrderIdParse.Ours"/> sets <paramref name="id"/>.</summary>
    public ClientOrderIdParse TryParse(ReadOnlySpan<byte> text, out ClientOrderId id)
    {
        id = default;
        if (!text.StartsWith(_prefix))
            return ClientOrderIdParse.Foreign;
        if (text.Length != Length)
            return ClientOrderIdParse.Malformed;
        var body = text[_prefix.Length..];
        if (!TryReadBase36(body[..NodeDigits], out long node)
            || !TryReadBase36(body.Slice(NodeDigits, EpochDigits), out long epoch)
            || !TryReadBase36(body.Slice(NodeDigits + EpochDigits, SequenceDigits), out long seq)
            || seq == 0)
            return ClientOrderIdParse.Malformed;
        id = new ClientOrderId((ushort)node, (uint)epoch, seq);
        return ClientOrderIdParse.Ours;
    }

    public ClientOrderIdParse TryParse(string text, out ClientOrderId id)
    {
        Span<byte> buffer = stackalloc byte[VenueMaxLength + 1];
        if (text.Length > VenueMaxLength || System.Text.Encoding.ASCII.GetBytes(text, buffer) != text.Length)
        {
            id = default;
            return text.StartsWith(Prefix, StringComparison.Ordinal) ? ClientOrderIdParse.Malformed : ClientOrderIdParse.Foreign;
        }
        return TryParse(buffer[..text.Length], out id);
    }

    // 36^6: the sequence's 11 digits are written as 5 + 6, each half in 32-bit arithmetic, the two chains independent.
    private const ulong Base36Pow6 = 2_176_782_336UL;

    private static void WriteSequence(long value, Span<byte> destination)
    {
        ulong high = (ulong)value / Base36Pow6;
        WriteBase36((uint)((ulong)value - high * Base36Pow6), destination[^6..]);
        WriteBase36((uint)high, destination[..^6]);
    }

    private static void WriteBase36(uint value, Span<byte> destination)
    {
        ReadOnlySpan<byte> digits = "0123456789abcdefghijklmnopqrstuvwxyz"u8;
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            uint next = value / 36;
            destination[i] = digits[(int)(value - next * 36)];
            value = next;
        }
    }

    private static bool TryReadBase36(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        foreach (byte b in text)
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'z' => b - 'a' + 10,
                _ => -1,
            };
            if (digit < 0)
                return false;
            value = value * 36 + digit;
        }
        return true;
    }
}
