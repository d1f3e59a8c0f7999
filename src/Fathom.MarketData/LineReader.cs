using Fathom.Core;

namespace Fathom.MarketData;

/// <summary>
/// Reads newline-separated records from a stream into one reusable buffer and hands them out as
/// spans: no allocation per line. A final record without its newline (a torn tail, e.g. a
/// recorder killed mid-write) is reported through <see cref="TornTail"/> and not returned.
/// </summary>
public sealed class LineReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;

    public LineReader(Stream stream, bool ownsStream = true, int initialBufferSize = 1 << 20)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (initialBufferSize < 16)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(initialBufferSize), "buffer must be at least 16 bytes.");
        _stream = stream;
        _ownsStream = ownsStream;
        _buffer = new byte[initialBufferSize];
    }

    /// <summary>1-based number of the last line returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>True when the stream ended inside a line; its bytes were not returned.</summary>
    public bool TornTail { get; private set; }

    /// <summary>Length of the torn tail in bytes.</summary>
    public int TornTailLength { get; private set; }

    /// <summary>The next line without its '\n' (and without a trailing '\r'); false at the end.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int nl = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                line = _buffer.AsSpan(_start, nl);
                if (!line.IsEmpty && line[^1] == '\r')
                    line = line[..^1];
                _start += nl + 1;
                LineNumber++;
                return true;
            }
            if (_eof)
            {
                if (_end > _start)
                {
                    TornTail = true;
                    TornTailLength = _end - _start;
                    _start = _end;
                }
                line = default;
                return false;
            }
            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            // Move the partial line to the front.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
            Array.Resize(ref _buffer, _buffer.Length * 2); // a line longer than the buffer
        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
            _eof = true;
        _end += read;
    }

    public void Dispose()
    {
        if (_ownsStream)
            _stream.Dispose();
    }
}
