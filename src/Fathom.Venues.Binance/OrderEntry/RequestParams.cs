using System.Buffers.Text;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Venues.Binance;

/// <summary>
/// The parameters of one signed request, kept in one reusable buffer and written out three ways from the
/// same bytes: WS API JSON <c>params</c>, the WS API signature payload (sorted by name, not encoded,
/// EXCHANGES.md §5.2) and a percent-encoded REST query (§5.1). Single-threaded; allocation-free after construction.
/// </summary>
internal sealed class RequestParams
{
    private const int MaxParams = 24;
    private readonly byte[] _data = new byte[1024];
    private readonly int[] _nameStart = new int[MaxParams], _nameLength = new int[MaxParams];
    private readonly int[] _valueStart = new int[MaxParams], _valueLength = new int[MaxParams];
    private readonly bool[] _number = new bool[MaxParams];
    private readonly int[] _order = new int[MaxParams];
    private int _length, _count;

    public int Count => _count;

    public void Clear()
    {
        _length = 0;
        _count = 0;
    }

    private int BeginParam(ReadOnlySpan<byte> name)
    {
        if (_count == MaxParams)
            ThrowHelper.ThrowInvalidOperation("too many request parameters");
        int i = _count++;
        _nameStart[i] = _length;
        name.CopyTo(_data.AsSpan(_length));
        _nameLength[i] = name.Length;
        _length += name.Length;
        _valueStart[i] = _length;
        _order[i] = i;
        return i;
    }

    public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        int i = BeginParam(name);
        value.CopyTo(_data.AsSpan(_length));
        _length += value.Length;
        _valueLength[i] = value.Length;
        _number[i] = false;
    }

    public void AddLong(ReadOnlySpan<byte> name, long value)
    {
        int i = BeginParam(name);
        Utf8Formatter.TryFormat(value, _data.AsSpan(_length), out int n);
        _length += n;
        _valueLength[i] = n;
        _number[i] = true;
    }

    /// <summary>A price or quantity at the wire's 8 decimals, written as a decimal string.</summary>
    public void AddDecimal(ReadOnlySpan<byte> name, long raw)
    {
        int i = BeginParam(name);
        FixedPoint.TryFormat(raw, BinanceSymbol.WireDecimals, _data.AsSpan(_length), out int n);
        _length += n;
        _valueLength[i] = n;
        _number[i] = false;
    }

    public void AddClientId(ReadOnlySpan<byte> name, ClientOrderIdFormat format, ClientOrderId id)
    {
        int i = BeginParam(name);
        if (!format.TryFormat(id, _data.AsSpan(_length), out int n))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(id), "client order id out of range");
        _length += n;
        _valueLength[i] = n;
        _number[i] = false;
    }

    private ReadOnlySpan<byte> Name(int i) => _data.AsSpan(_nameStart[i], _nameLength[i]);
    private ReadOnlySpan<byte> Value(int i) => _data.AsSpan(_valueStart[i], _valueLength[i]);

    /// <summary>Orders the parameters by name (ordinal bytes), as the WS API signature needs.</summary>
    public void Sort()
    {
        for (int i = 1; i < _count; i++)
        {
            int item = _order[i];
            int j = i - 1;
            while (j >= 0 && Name(_order[j]).SequenceCompareTo(Name(item)) > 0)
            {
                _order[j + 1] = _order[j];
                j--;
            }
            _order[j + 1] = item;
        }
    }

    /// <summary><c>k=v&amp;k=v</c> in sorted order, not encoded: the WS API signature payload.</summary>
    public int WritePayload(Span<byte> destination)
    {
        var w = new SpanWriter(destination);
        for (int k = 0; k < _count; k++)
        {
            int i = _order[k];
            if (k > 0)
                w.Put((byte)'&');
            w.Put(Name(i));
            w.Put((byte)'=');
            w.Put(Value(i));
        }
        return w.Length;
    }

    /// <summary>Writes <c>"k":"v",...</c> (numbers unquoted). Values are ASCII without quotes or backslashes by construction.</summary>
    public void WriteJson(ref SpanWriter w)
    {
        for (int k = 0; k < _count; k++)
        {
            int i = _order[k];
            if (k > 0)
                w.Put((byte)',');
            w.Put((byte)'"');
            w.Put(Name(i));
            w.Put("\":"u8);
            if (_number[i])
            {
                w.Put(Value(i));
            }
            else
            {
                w.Put((byte)'"');
                w.Put(Value(i));
                w.Put((byte)'"');
            }
        }
    }

    public void WriteQuery(ref BinanceQueryBuilder query)
    {
        for (int k = 0; k < _count; k++)
        {
            int i = _order[k];
            query.Add(Name(i), Value(i));
        }
    }
}

/// <summary>Appends bytes to a span; throws (cold) when it is too short.</summary>
internal ref struct SpanWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _length;

    public readonly int Length => _length;
    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];
    public readonly Span<byte> Free => _buffer[_length..];

    public void Put(byte b)
    {
        if (_length == _buffer.Length)
            ThrowHelper.ThrowInvalidOperation("frame buffer too small");
        _buffer[_length++] = b;
    }

    public void Put(scoped ReadOnlySpan<byte> bytes)
    {
        if (!bytes.TryCopyTo(_buffer[_length..]))
            ThrowHelper.ThrowInvalidOperation("frame buffer too small");
        _length += bytes.Length;
    }

    public void PutLong(long value)
    {
        if (!Utf8Formatter.TryFormat(value, _buffer[_length..], out int n))
            ThrowHelper.ThrowInvalidOperation("frame buffer too small");
        _length += n;
    }

    public void Advance(int count) => _length += count;
}
