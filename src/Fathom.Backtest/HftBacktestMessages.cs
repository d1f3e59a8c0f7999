using System.IO.Compression;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Backtest;

/// <summary>
/// hftbacktest's Binance files (gzip text, <c>&lt;local_receive_ns&gt; &lt;json&gt;</c> a line), one after the other.
/// A line that is not that form stops the run with its file and line number; a torn last line (a recorder killed
/// mid-write) is not a message and is skipped.
/// </summary>
internal sealed class HftBacktestMessages(IReadOnlyList<string> files, int instrument, int depth) : RawMessageReader
{
    private int _file = -1;
    private Stream? _stream;
    private LineReader? _lines;

    public override bool Read()
    {
        while (true)
        {
            if (_lines is null)
            {
                if (++_file >= files.Count)
                    return false;
                string path = files[_file];
                Stream file = File.OpenRead(path);
                _stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
                _lines = new LineReader(_stream, ownsStream: false);
            }
            ReadOnlySpan<byte> line;
            try
            {
                if (!_lines.TryReadLine(out line))
                {
                    Close();
                    continue;
                }
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{files[_file]}: after line {_lines.LineNumber}: {ex.Message}", ex);
            }
            if (line.IsEmpty)
                continue;
            int space = line.IndexOf((byte)' ');
            if (space <= 0 || DecimalParser.TryParse(line[..space], 0, allowNegative: false, out long receiveNs) != DecimalParseError.None)
                throw new InvalidDataException($"{files[_file]}: line {_lines.LineNumber}: expected '<local_receive_ns> <json>', " +
                    $"got '{System.Text.Encoding.UTF8.GetString(line[..Math.Min(line.Length, 60)])}'");
            ReadOnlySpan<byte> json = line[(space + 1)..];
            Copy(json);
            ReceiveNs = receiveNs;
            IsSnapshot = json.StartsWith("{\"lastUpdateId\""u8);
            Instrument = IsSnapshot ? instrument : -1;
            Depth = depth;
            ExchangeMs = IsSnapshot ? 0 : ScanEventTime(json);
            return true;
        }
    }

    private void Close()
    {
        _lines?.Dispose();
        _stream?.Dispose();
        _lines = null;
        _stream = null;
    }

    public override void Dispose()
    {
        Close();
        _file = files.Count;
    }
}
