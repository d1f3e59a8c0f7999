namespace Fathom.Backtest;

/// <summary>
/// Recorded Binance messages in the order they were received, each copied into <see cref="Buffer"/> (so it stays valid
/// while the runner waits for its time): a combined-stream frame, or a REST snapshot of <see cref="Instrument"/>.
/// </summary>
internal abstract class RawMessageReader : IDisposable
{
    private byte[] _buffer = new byte[1 << 16];

    public ReadOnlySpan<byte> Message => _buffer.AsSpan(0, Length);
    public int Length { get; private set; }
    public bool IsSnapshot { get; protected set; }
    /// <summary>The snapshot's instrument (config index); -1 for a frame.</summary>
    public int Instrument { get; protected set; }
    public int Depth { get; protected set; }
    public long ReceiveNs { get; protected set; }
    /// <summary>The message's exchange event time (<c>"E"</c>, ms), or 0 when it has none.</summary>
    public long ExchangeMs { get; protected set; }

    /// <summary>Loads the next message; false at the end of the data.</summary>
    public abstract bool Read();

    public abstract void Dispose();

    protected void Copy(ReadOnlySpan<byte> message)
    {
        if (message.Length > _buffer.Length)
            _buffer = new byte[Math.Max(message.Length, _buffer.Length * 2)];
        message.CopyTo(_buffer);
        Length = message.Length;
    }

    /// <summary>The first <c>"E":</c> number of a frame (the event time; <c>"e"</c> differs by case), or 0.</summary>
    protected static long ScanEventTime(ReadOnlySpan<byte> json)
    {
        int at = json.IndexOf("\"E\":"u8);
        if (at < 0)
            return 0;
        long value = 0;
        for (int i = at + 4; i < json.Length; i++)
        {
            uint digit = (uint)(json[i] - '0');
            if (digit > 9)
                break;
            value = value * 10 + digit;
        }
        return value;
    }
}
