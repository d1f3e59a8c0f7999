using System.Runtime.CompilerServices;

namespace Fathom.Venues.Binance;

/// <summary>
/// A forward-only UTF-8 JSON scanner for venue messages: no allocation, no unescaping (venue keys
/// and the values we read never contain escapes; escaped strings are still skipped correctly).
/// Errors do not throw: the scanner records the first problem in <see cref="Error"/> and every
/// later call returns a neutral value, so callers check once at the end.
/// </summary>
internal ref struct JsonScanner
{
    private const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _json;
    private int _pos;

    public JsonScanner(ReadOnlySpan<byte> json)
    {
        _json = json;
        _pos = 0;
        Error = ScanError.None;
    }

    public ScanError Error { get; private set; }
    public readonly bool Ok => Error == ScanError.None;
    public readonly int Position => _pos;

    private void Fail(ScanError error)
    {
        if (Error == ScanError.None)
            Error = error;
        _pos = _json.Length; // stop all further progress
    }

    private void FailAtEndOrMalformed() => Fail(_pos >= _json.Length ? ScanError.Truncated : ScanError.Malformed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SkipWhitespace()
    {
        while (_pos < _json.Length)
        {
            byte c = _json[_pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
                return;
            _pos++;
        }
    }

    /// <summary>The first byte of the next value, or 0 at the end.</summary>
    public byte Peek()
    {
        SkipWhitespace();
        return _pos < _json.Length ? _json[_pos] : (byte)0;
    }

    public bool BeginObject() => Consume((byte)'{');
    public bool BeginArray() => Consume((byte)'[');

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Consume(byte expected)
    {
        SkipWhitespace();
        if (_pos < _json.Length && _json[_pos] == expected)
        {
            _pos++;
            return true;
        }
        FailAtEndOrMalformed();
        return false;
    }

    /// <summary>
    /// Advances to the next property of the current object. Returns false at the closing brace
    /// (consumed) or on error. <paramref name="first"/> tracks whether a comma is required.
    /// </summary>
    public bool NextProperty(ref bool first, out ReadOnlySpan<byte> name)
    {
        name = default;
        SkipWhitespace();
        if (_pos >= _json.Length)
        {
            Fail(ScanError.Truncated);
            return false;
        }
        byte c = _json[_pos];
        if (c == '}')
        {
            _pos++;
            return false;
        }
        if (!first)
        {
            if (c != ',')
            {
                Fail(ScanError.Malformed);
                return false;
            }
            _pos++;
            SkipWhitespace();
        }
        first = false;
        name = ReadString();
        if (!Consume((byte)':'))
            return false;
        return Ok;
    }

    /// <summary>Like <see cref="NextProperty"/> for array elements; positions at the element's value.</summary>
    public bool NextElement(ref bool first)
    {
        SkipWhitespace();
        if (_pos >= _json.Length)
        {
            Fail(ScanError.Truncated);
            return false;
        }
        byte c = _json[_pos];
        if (c == ']')
        {
            _pos++;
            return false;
        }
        if (!first)
        {
            if (c != ',')
            {
                Fail(ScanError.Malformed);
                return false;
            }
            _pos++;
        }
        first = false;
        return true;
    }

    /// <summary>The raw bytes between the quotes of a string value (escapes left as they are).</summary>
    public ReadOnlySpan<byte> ReadString()
    {
        SkipWhitespace();
        if (_pos >= _json.Length || _json[_pos] != '"')
        {
            FailAtEndOrMalformed();
            return default;
        }
        int start = ++_pos;
        // Keys and most values here are a few bytes long: a scalar look at the first 16 beats the
        // set-up of a vectorized search; longer strings continue with IndexOfAny.
        int scalarEnd = Math.Min(_json.Length, start + 16);
        int scan = start;
        for (; scan < scalarEnd; scan++)
        {
            byte c = _json[scan];
            if (c == '"')
            {
                _pos = scan + 1;
                return _json[start..scan];
            }
            if (c == '\\')
                break;
        }
        if (scan == scalarEnd)
        {
            ReadOnlySpan<byte> rest = _json[scan..];
            int quote = rest.IndexOfAny((byte)'"', (byte)'\\');
            if (quote >= 0 && rest[quote] == '"')
            {
                _pos = scan + quote + 1;
                return _json[start..(scan + quote)];
            }
        }
        // Slow path: escapes present.
        int i = start;
        while (i < _json.Length)
        {
            byte c = _json[i];
            if (c == '\\')
                i += 2;
            else if (c == '"')
            {
                _pos = i + 1;
                return _json[start..i];
            }
            else
                i++;
        }
        Fail(ScanError.Truncated);
        return default;
    }

    /// <summary>The whole input; with <see cref="Position"/> and <see cref="Advance"/> it lets a specialized reader run over a stretch.</summary>
    public readonly ReadOnlySpan<byte> Input => _json;

    /// <summary>Moves past <paramref name="count"/> bytes that a specialized reader has consumed (validated by it).</summary>
    public void Advance(int count) => _pos += count;

    /// <summary>A JSON integer (no fraction or exponent) as a long.</summary>
    public long ReadInt64()
    {
        SkipWhitespace();
        int i = _pos;
        bool negative = false;
        if (i < _json.Length && _json[i] == '-')
        {
            negative = true;
            i++;
        }
        int digitsStart = i;
        ulong acc = 0;
        while (i < _json.Length)
        {
            uint d = (uint)(_json[i] - '0');
            if (d > 9)
                break;
            // Up to 18 digits cannot exceed long.MaxValue; only longer numbers need the check.
            if (i - digitsStart >= 18 && acc > ((ulong)long.MaxValue - d) / 10)
            {
                Fail(ScanError.Malformed);
                return 0;
            }
            acc = acc * 10 + d;
            i++;
        }
        if (i == digitsStart)
        {
            FailAtEndOrMalformed();
            return 0;
        }
        if (i < _json.Length && (_json[i] == '.' || _json[i] == 'e' || _json[i] == 'E'))
        {
            Fail(ScanError.Malformed);
            return 0;
        }
        if (i >= _json.Length)
        {
            // A number at the very end of the input cannot be a complete message.
            Fail(ScanError.Truncated);
            return 0;
        }
        _pos = i;
        return negative ? -(long)acc : (long)acc;
    }

    public bool ReadBool()
    {
        SkipWhitespace();
        ReadOnlySpan<byte> rest = _json[_pos..];
        if (rest.StartsWith("true"u8))
        {
            _pos += 4;
            return true;
        }
        if (rest.StartsWith("false"u8))
        {
            _pos += 5;
            return false;
        }
        Fail("true"u8.StartsWith(rest) || "false"u8.StartsWith(rest) ? ScanError.Truncated : ScanError.Malformed);
        return false;
    }

    /// <summary>Skips one value of any type, including nested objects and arrays.</summary>
    public void SkipValue() => SkipValue(0);

    private void SkipValue(int depth)
    {
        if (depth > MaxDepth)
        {
            Fail(ScanError.Malformed);
            return;
        }
        byte c = Peek();
        switch (c)
        {
            case (byte)'"':
                ReadString();
                return;
            case (byte)'{':
            {
                _pos++;
                bool first = true;
                while (NextProperty(ref first, out _))
                    SkipValue(depth + 1);
                return;
            }
            case (byte)'[':
            {
                _pos++;
                bool first = true;
                while (NextElement(ref first))
                    SkipValue(depth + 1);
                return;
            }
            case (byte)'t':
            case (byte)'f':
                ReadBool();
                return;
            case (byte)'n':
                if (_json[_pos..].StartsWith("null"u8))
                    _pos += 4;
                else
                    Fail("null"u8.StartsWith(_json[_pos..]) ? ScanError.Truncated : ScanError.Malformed);
                return;
            case 0:
                Fail(ScanError.Truncated);
                return;
            default:
                SkipNumber();
                return;
        }
    }

    private void SkipNumber()
    {
        int start = _pos;
        while (_pos < _json.Length)
        {
            byte c = _json[_pos];
            if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')
                _pos++;
            else
                break;
        }
        if (_pos == start)
            Fail(ScanError.Malformed);
        else if (_pos >= _json.Length)
            Fail(ScanError.Truncated);
    }

    /// <summary>After the top-level value: only whitespace may follow.</summary>
    public void ExpectEnd()
    {
        SkipWhitespace();
        if (_pos < _json.Length && Ok)
            Fail(ScanError.Malformed);
    }
}

internal enum ScanError : byte
{
    None = 0,
    Malformed,
    Truncated,
}
