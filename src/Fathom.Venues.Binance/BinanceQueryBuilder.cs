namespace Fathom.Venues.Binance;

/// <summary>
/// Builds a REST query string with every value percent-encoded as Binance requires since
/// 2026-01-15 (EXCHANGES.md §5.1: encode, then sign the exact bytes sent). Unreserved characters
/// (A–Z a–z 0–9 - _ . ~) pass through; everything else, including non-ASCII as UTF-8, becomes %XX.
/// Writes into a caller-owned buffer: no allocation per request.
/// </summary>
public ref struct BinanceQueryBuilder
{
    private readonly Span<byte> _buffer;
    private int _length;

    public BinanceQueryBuilder(Span<byte> buffer)
    {
        _buffer = buffer;
        _length = 0;
    }

    public readonly int Length => _length;
    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    public void Add(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> value)
    {
        if (_length > 0)
            Put((byte)'&');
        foreach (byte b in name)
            Put(b);
        Put((byte)'=');
        foreach (byte b in value)
        {
            if (IsUnreserved(b))
            {
                Put(b);
            }
            else
            {
                Put((byte)'%');
                Put(Hex(b >> 4));
                Put(Hex(b & 0xF));
            }
        }
    }

    public void Add(scoped ReadOnlySpan<byte> name, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out int n, provider: System.Globalization.CultureInfo.InvariantCulture);
        Add(name, digits[..n]);
    }

    /// <summary>Appends a value that is already in wire form (e.g. a signature's hex digits).</summary>
    public void AddRaw(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> value)
    {
        if (_length > 0)
            Put((byte)'&');
        foreach (byte b in name)
            Put(b);
        Put((byte)'=');
        foreach (byte b in value)
            Put(b);
    }

    private void Put(byte b)
    {
        if (_length == _buffer.Length)
            throw new InvalidOperationException("query buffer too small");
        _buffer[_length++] = b;
    }

    private static bool IsUnreserved(byte b) =>
        (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_' || b == '.' || b == '~';

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);
}
