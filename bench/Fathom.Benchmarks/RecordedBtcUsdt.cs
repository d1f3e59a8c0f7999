using System.IO.Compression;
using Fathom.Core;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Benchmarks;

/// <summary>
/// The two hftbacktest BTCUSDT days as raw frames, sorted by what they carry, with their receive
/// times: what the live feed would hand the parser. Loading allocates; it belongs in [GlobalSetup].
/// </summary>
internal sealed class RecordedBtcUsdt
{
    public readonly record struct Frame(long ReceiveNs, byte[] Json);

    public required Frame Snapshot { get; init; }
    public required Frame[] Depth { get; init; }
    public required Frame[] BookTickers { get; init; }
    public required Frame[] Trades { get; init; }

    public static string[] Files =>
    [
        SharedDataLocator.PathOf("binance", "hftbacktest", "spot", "btcusdt_20240808.gz"),
        SharedDataLocator.PathOf("binance", "hftbacktest", "spot", "btcusdt_20240809.gz"),
    ];

    public static InstrumentSpec Spec => BinanceDepthReplay.BtcUsdtSpot;

    public static RecordedBtcUsdt Load()
    {
        Frame? snapshot = null;
        List<Frame> depth = [], tickers = [], trades = [];
        foreach (string file in Files)
        {
            using var gz = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
            using var lines = new LineReader(gz);
            while (lines.TryReadLine(out var line))
            {
                int space = line.IndexOf((byte)' ');
                var frame = new Frame(DecimalParser.Parse(line[..space], 0), line[(space + 1)..].ToArray());
                ReadOnlySpan<byte> json = frame.Json;
                if (json.StartsWith("{\"lastUpdateId\""u8))
                    snapshot ??= frame;
                else if (json.IndexOf("@depth"u8) is > 0 and < 40)
                    depth.Add(frame);
                else if (json.IndexOf("@bookTicker"u8) is > 0 and < 40)
                    tickers.Add(frame);
                else if (json.IndexOf("@trade"u8) is > 0 and < 40)
                    trades.Add(frame);
                else
                    throw new InvalidDataException("unexpected line in the recording: " + System.Text.Encoding.UTF8.GetString(json[..Math.Min(80, json.Length)]));
            }
        }
        return new RecordedBtcUsdt
        {
            Snapshot = snapshot ?? throw new InvalidDataException("no REST snapshot in the recording"),
            Depth = [.. depth],
            BookTickers = [.. tickers],
            Trades = [.. trades],
        };
    }

    public static long Bytes(Frame[] frames) => frames.Sum(f => (long)f.Json.Length);
}
