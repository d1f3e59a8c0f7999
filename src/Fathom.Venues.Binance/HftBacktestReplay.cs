using System.IO.Compression;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Venues.Binance;

/// <summary>
/// Replays hftbacktest's Binance recordings: gzip text, one message per line as
/// <c>&lt;local_receive_ns&gt; &lt;json&gt;</c>, where the JSON is a combined-stream frame or, for a
/// REST depth snapshot, a bare <c>{"lastUpdateId":…}</c> object. A file holds one symbol.
/// Lines go through the same parser as live frames; nothing is allocated per line.
/// </summary>
public sealed class HftBacktestReplay
{
    private readonly BinanceStreamParser _parser;
    private readonly BinanceSymbol _symbol;
    private readonly int _snapshotDepth;

    public HftBacktestReplay(BinanceStreamParser parser, BinanceSymbol symbol, int snapshotDepth = 1000)
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(symbol);
        _parser = parser;
        _symbol = symbol;
        _snapshotDepth = snapshotDepth;
    }

    /// <summary>Lines that were not <c>&lt;digits&gt; &lt;json&gt;</c>.</summary>
    public long BadLines { get; private set; }
    public long Lines { get; private set; }
    public long TornTails { get; private set; }

    /// <summary>Replays <paramref name="path"/> (gzip if it ends in .gz) into <paramref name="handler"/>.</summary>
    public void ReplayFile<THandler>(string path, ref THandler handler) where THandler : IMarketDataHandler
    {
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionMode.Decompress) : file;
        Replay(stream, ref handler);
    }

    public void Replay<THandler>(Stream stream, ref THandler handler) where THandler : IMarketDataHandler
    {
        using var reader = new LineReader(stream, ownsStream: false);
        while (reader.TryReadLine(out var line))
        {
            Lines++;
            ReplayLine(line, ref handler);
        }
        if (reader.TornTail)
            TornTails++;
    }

    /// <summary>One recorded line; public so other drivers (and benchmarks) can feed lines themselves.</summary>
    public void ReplayLine<THandler>(ReadOnlySpan<byte> line, ref THandler handler) where THandler : IMarketDataHandler
    {
        int space = line.IndexOf((byte)' ');
        if (space <= 0 || DecimalParser.TryParse(line[..space], 0, allowNegative: false, out long receiveNs) != DecimalParseError.None)
        {
            BadLines++;
            return;
        }
        ReadOnlySpan<byte> json = line[(space + 1)..];
        if (json.StartsWith("{\"lastUpdateId\""u8))
            _parser.ParseSnapshot(json, _symbol, _snapshotDepth, receiveNs, ref handler);
        else
            _parser.ParseFrame(json, receiveNs, ref handler);
    }
}
