using Fathom.Venues.Binance;

namespace Fathom.Backtest;

/// <summary>
/// A cryptofeed Binance spot capture (<see cref="CryptofeedMessageReader"/>, the reader <c>fathom convert</c> uses):
/// its frames and REST snapshots in receive order, the receive time being the capturing host's timestamp. Snapshots of
/// symbols not configured are skipped (their frames still reach the parsers, which skip unknown symbols). A line of the
/// connection file that is neither a frame nor a sent line stops the run with the file and line.
/// </summary>
internal sealed class CryptofeedMessages(CryptofeedCaptureFiles capture, IReadOnlyDictionary<string, int> instruments) : RawMessageReader
{
    private CryptofeedMessageReader? _reader;
    private bool _done;

    public override bool Read()
    {
        if (_done)
            return false;
        _reader ??= CryptofeedMessageReader.Open(capture.Http, capture.Ws);
        while (_reader.Read())
        {
            if (_reader.BadLines > 0)
                throw new InvalidDataException($"{capture.Ws}: line {_reader.LastBadLine}: expected '<ts>: <json>' (a received frame) or a sent '<url> <- …' line");
            if (_reader.IsSnapshot)
            {
                if (!instruments.TryGetValue(_reader.SnapshotSymbol, out int instrument))
                    continue;
                Copy(_reader.Message);
                IsSnapshot = true;
                Instrument = instrument;
                Depth = _reader.SnapshotLimit;
                ReceiveNs = _reader.ReceiveNs;
                ExchangeMs = 0; // a spot REST snapshot carries no time
                return true;
            }
            Copy(_reader.Message);
            IsSnapshot = false;
            Instrument = -1;
            ReceiveNs = _reader.ReceiveNs;
            ExchangeMs = ScanEventTime(_reader.Message);
            return true;
        }
        if (_reader.BadLines > 0)
            throw new InvalidDataException($"{capture.Ws}: line {_reader.LastBadLine}: expected '<ts>: <json>' (a received frame) or a sent '<url> <- …' line");
        Dispose();
        return false;
    }

    public override void Dispose()
    {
        _reader?.Dispose();
        _reader = null;
        _done = true;
    }
}
