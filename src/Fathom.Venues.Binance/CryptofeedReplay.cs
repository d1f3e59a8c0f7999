using System.IO.Compression;
using System.Text;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Venues.Binance;

/// <summary>
/// Replays cryptofeed's raw recordings of a Binance session (format version 1, see
/// shared/data/PROVENANCE.md): <c>EXCHANGE.0</c> holds exchangeInfo, <c>EXCHANGE.http.0.0</c> the
/// REST depth snapshots as <c>&lt;url&gt; -&gt; &lt;ts&gt;: &lt;json&gt;</c>, and <c>EXCHANGE.ws.N.0</c> one
/// WebSocket connection: a connect line, sent lines (<c>&lt;url&gt; &lt;- …</c>) and received frames as
/// <c>&lt;ts&gt;: &lt;json&gt;</c>. Snapshots and frames are merged by their receive timestamps, as a live
/// client would have seen them, and fed through the same parser and state machine as live data.
/// </summary>
public sealed class CryptofeedReplay
{
    private readonly record struct RecordedSnapshot(long ReceiveNs, string Symbol, int Limit, byte[] Json);

    private readonly BinanceStreamParser _parser;
    private readonly BinanceSymbolTable _symbols;
    private readonly List<RecordedSnapshot> _snapshots = [];

    private CryptofeedReplay(BinanceSymbolTable symbols)
    {
        _symbols = symbols;
        _parser = new BinanceStreamParser(symbols);
    }

    public BinanceStreamParser Parser => _parser;
    public BinanceSymbolTable Symbols => _symbols;
    public long Frames { get; private set; }
    public long BadLines { get; private set; }
    public long SnapshotsReplayed { get; private set; }

    /// <summary>
    /// Opens a recording: instrument metadata from <paramref name="exchangeInfoPath"/>, the symbols
    /// subscribed in <paramref name="wsPath"/>'s connect URL, snapshots from <paramref name="httpPath"/>.
    /// </summary>
    public static CryptofeedReplay Open(string exchangeInfoPath, string httpPath, string wsPath, Venue venue)
    {
        string infoLine = FirstLine(exchangeInfoPath) ?? throw new InvalidDataException($"{exchangeInfoPath} is empty.");
        var specs = BinanceExchangeInfo.Parse(Encoding.UTF8.GetBytes(JsonAfterArrow(infoLine, exchangeInfoPath)), venue);

        string connect = FirstLine(wsPath) ?? throw new InvalidDataException($"{wsPath} is empty.");
        var symbols = new BinanceSymbolTable();
        foreach (string stream in StreamNames(connect))
        {
            string name = stream.Split('@')[0].ToUpperInvariant();
            if (symbols.FindUpper(Encoding.ASCII.GetBytes(name)) is null)
            {
                if (!specs.TryGetValue(name, out var spec))
                    throw new InvalidDataException($"{name} is subscribed in {wsPath} but missing from the exchangeInfo in {exchangeInfoPath}.");
                symbols.Add(spec);
            }
        }

        var replay = new CryptofeedReplay(symbols);
        foreach (string line in ReadLines(httpPath))
        {
            if (line.Length == 0)
                continue;
            // <url> -> <ts>: <json>
            int arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
            int colon = arrow < 0 ? -1 : line.IndexOf(": ", arrow, StringComparison.Ordinal);
            if (arrow < 0 || colon < 0)
                throw new InvalidDataException($"{httpPath}: not a cryptofeed HTTP line: {line[..Math.Min(80, line.Length)]}");
            var url = new Uri(line[..arrow]);
            var query = System.Web.HttpUtility.ParseQueryString(url.Query);
            string symbol = query["symbol"] ?? throw new InvalidDataException($"{httpPath}: snapshot URL without a symbol: {url}");
            int limit = int.TryParse(query["limit"], out int l) ? l : 0;
            long ts = SecondsToNs(line.AsSpan(arrow + 4, colon - arrow - 4));
            replay._snapshots.Add(new RecordedSnapshot(ts, symbol, limit, Encoding.UTF8.GetBytes(line[(colon + 2)..])));
        }
        replay._snapshots.Sort((a, b) => a.ReceiveNs.CompareTo(b.ReceiveNs));
        replay._wsPath = wsPath;
        return replay;
    }

    private string _wsPath = "";

    /// <summary>Replays the whole session into <paramref name="handler"/>.</summary>
    public void Replay<THandler>(ref THandler handler) where THandler : IMarketDataHandler
    {
        int next = 0;
        using Stream file = OpenMaybeGzip(_wsPath);
        using var reader = new LineReader(file, ownsStream: false);
        bool first = true;
        while (reader.TryReadLine(out var line))
        {
            if (first)
            {
                first = false; // "<url> <-> <ts>": the connection opened
                continue;
            }
            if (line.IsEmpty)
                continue;
            int colon = line.IndexOf(": "u8);
            if (colon <= 0 || line[0] == (byte)'w')
            {
                if (line.IndexOf(" <- "u8) < 0) // sent subscriptions are expected; anything else is not
                    BadLines++;
                continue;
            }
            long ts = SecondsToNs(line[..colon]);
            while (next < _snapshots.Count && _snapshots[next].ReceiveNs <= ts)
                FeedSnapshot(_snapshots[next++], ref handler);
            Frames++;
            _parser.ParseFrame(line[(colon + 2)..], ts, ref handler);
        }
        while (next < _snapshots.Count)
            FeedSnapshot(_snapshots[next++], ref handler);
    }

    private void FeedSnapshot<THandler>(in RecordedSnapshot s, ref THandler handler) where THandler : IMarketDataHandler
    {
        var symbol = _symbols.FindUpper(Encoding.ASCII.GetBytes(s.Symbol.ToUpperInvariant()));
        if (symbol is null)
            return; // a snapshot for a symbol this connection did not subscribe to
        SnapshotsReplayed++;
        _parser.ParseSnapshot(s.Json, symbol, s.Limit, s.ReceiveNs, ref handler);
    }

    /// <summary>Cryptofeed writes float seconds ("1633998512.0633569"); nanoseconds, truncated past 9 decimals.</summary>
    internal static long SecondsToNs(ReadOnlySpan<byte> text)
    {
        int dot = text.IndexOf((byte)'.');
        if (dot >= 0 && text.Length - dot - 1 > 9)
            text = text[..(dot + 10)];
        return DecimalParser.Parse(text, 9);
    }

    private static long SecondsToNs(ReadOnlySpan<char> text) => SecondsToNs(Encoding.ASCII.GetBytes(text.ToString()));

    private static IEnumerable<string> StreamNames(string connectLine)
    {
        // wss://host/stream?streams=a@x/b@y <-> ts
        int q = connectLine.IndexOf("streams=", StringComparison.Ordinal);
        if (q < 0)
            yield break;
        string list = connectLine[(q + "streams=".Length)..].Split(' ')[0];
        foreach (string s in list.Split('/', StringSplitOptions.RemoveEmptyEntries))
            yield return s;
    }

    private static string JsonAfterArrow(string line, string path)
    {
        int arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
        int colon = arrow < 0 ? -1 : line.IndexOf(": ", arrow, StringComparison.Ordinal);
        if (colon < 0)
            throw new InvalidDataException($"{path}: expected '<url> -> <ts>: <json>' on the first line.");
        return line[(colon + 2)..];
    }

    private static Stream OpenMaybeGzip(string path)
    {
        Stream file = File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static string? FirstLine(string path)
    {
        using var reader = new StreamReader(OpenMaybeGzip(path));
        return reader.ReadLine();
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        using var reader = new StreamReader(OpenMaybeGzip(path));
        while (reader.ReadLine() is { } line)
            yield return line;
    }
}
