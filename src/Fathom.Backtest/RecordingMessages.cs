using Fathom.MarketData;

namespace Fathom.Backtest;

/// <summary>
/// Fathom recordings (<c>.fathomrec</c>), one after the other: their stream frames and REST snapshots (snapshots of
/// symbols not configured are skipped; metadata records move no book). Damaged blocks are skipped by the reader and
/// counted in <see cref="CorruptBlocks"/>.
/// </summary>
internal sealed class RecordingMessages(IReadOnlyList<string> files, IReadOnlyDictionary<string, int> instruments) : RawMessageReader
{
    private int _file = -1;
    private RecordingReader? _reader;

    public long CorruptBlocks { get; private set; }

    public override bool Read()
    {
        while (true)
        {
            if (_reader is null)
            {
                if (++_file >= files.Count)
                    return false;
                try
                {
                    _reader = RecordingReader.Open(files[_file]);
                }
                catch (InvalidDataException ex)
                {
                    throw new InvalidDataException($"{files[_file]}: not a Fathom recording: {ex.Message}", ex);
                }
            }
            if (!_reader.TryRead(out RecordingRecord r))
            {
                CorruptBlocks += _reader.CorruptBlocks;
                _reader.Dispose();
                _reader = null;
                continue;
            }
            if (r.Kind == RecordKind.StreamFrame)
            {
                Copy(r.Payload);
                IsSnapshot = false;
                Instrument = -1;
                ReceiveNs = r.ReceiveTimeNs;
                ExchangeMs = ScanEventTime(r.Payload);
                return true;
            }
            if (r.Kind == RecordKind.RestSnapshot && instruments.TryGetValue(System.Text.Encoding.ASCII.GetString(r.Tag).ToUpperInvariant(), out int instrument))
            {
                Copy(r.Payload);
                IsSnapshot = true;
                Instrument = instrument;
                Depth = r.Arg;
                ReceiveNs = r.ReceiveTimeNs;
                ExchangeMs = 0;
                return true;
            }
        }
    }

    public override void Dispose()
    {
        _reader?.Dispose();
        _reader = null;
        _file = files.Count;
    }
}
