using System.IO.Compression;
using System.Text;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Venues.Binance;

/// <summary>
/// The messages of a cryptofeed Binance capture (format version 1, see shared/data/PROVENANCE.md) in the order a
/// live client received them: the REST depth snapshots of <c>EXCHANGE.http.0.0</c>
/// (<c>&lt;url&gt; -&gt; &lt;ts&gt;: &lt;json&gt;</c>) and the frames of one connection file <c>EXCHANGE.ws.N.0</c>
/// (a connect line, sent lines <c>&lt;url&gt; &lt;- …</c>, received frames <c>&lt;ts&gt;: &lt;json&gt;</c>), merged
/// by receive time (a snapshot goes before a frame received at the same instant or later). Timestamps are the
/// capturing host's receive clock, float seconds; frames carry the exchange's own times inside their JSON.
/// </summary>
/// <remarks>
/// One reader of the file format for every consumer (<see cref="CryptofeedReplay"/>, the store converter, the
/// backtester): <see cref="Read"/> loads the next message, which stays valid until the next call. A line of the
/// connection file that is neither a frame nor a sent line is counted in <see cref="BadLines"/> (its number in
/// <see cref="LastBadLine"/>) and skipped.
/// </remarks>
public sealed class CryptofeedMessageReader : IDisposable
{
    private readonly record struct RecordedSnapshot(long ReceiveNs, string Symbol, int Limit, byte[] Json);

    private readonly List<RecordedSnapshot> _snapshots;
    private readonly Stream _ws;
    private readonly LineReader _lines;
    private int _nextSnapshot;
    private bool _framesDone;
    private bool _hasFrame;
    private long _frameNs;
    private byte[] _frame = new byte[1 << 12];
    private int _frameLength;
    private RecordedSnapshot _snapshot;

    private CryptofeedMessageReader(string wsPath, List<RecordedSnapshot> snapshots)
    {
        WsPath = wsPath;
        _snapshots = snapshots;
        _ws = OpenMaybeGzip(wsPath);
        _lines = new LineReader(_ws, ownsStream: false, initialBufferSize: 1 << 16);
    }

    /// <summary>The connection file.</summary>
    public string WsPath { get; }

    /// <summary>True when the current message is a REST snapshot of <see cref="SnapshotSymbol"/>; false for a stream frame.</summary>
    public bool IsSnapshot { get; private set; }

    /// <summary>The snapshot's symbol as in its URL (the frames name theirs inside the JSON).</summary>
    public string SnapshotSymbol => _snapshot.Symbol;

    /// <summary>The snapshot's requested depth (<c>limit</c> in its URL; 0 when the URL has none).</summary>
    public int SnapshotLimit => _snapshot.Limit;

    /// <summary>The message's receive time on the capturing host's clock (Unix ns).</summary>
    public long ReceiveNs { get; private set; }

    /// <summary>The message: a combined-stream frame or a REST snapshot body.</summary>
    public ReadOnlySpan<byte> Message => IsSnapshot ? _snapshot.Json : _frame.AsSpan(0, _frameLength);

    /// <summary>Lines of the connection file that were neither a frame nor a sent line (skipped).</summary>
    public long BadLines { get; private set; }

    /// <summary>The 1-based number of the last such line in the connection file (0 when none).</summary>
    public long LastBadLine { get; private set; }

    /// <summary>
    /// Opens a capture: the snapshots of <paramref name="httpPath"/> (read whole: a few per symbol) and the connection
    /// file <paramref name="wsPath"/> (streamed). Either may be gzip (<c>.gz</c>).
    /// </summary>
    /// <exception cref="InvalidDataException">A snapshot line is not <c>&lt;url&gt; -&gt; &lt;ts&gt;: &lt;json&gt;</c>, or the
    /// connection file does not start with its <c>wss://</c> connect line.</exception>
    public static CryptofeedMessageReader Open(string httpPath, string wsPath)
    {
        ArgumentNullException.ThrowIfNull(httpPath);
        ArgumentNullException.ThrowIfNull(wsPath);
        var snapshots = ReadSnapshots(httpPath);
        var reader = new CryptofeedMessageReader(wsPath, snapshots);
        try
        {
            // "<url> <-> <ts>": the connection opened.
            if (!reader._lines.TryReadLine(out var connect) || !connect.StartsWith("wss://"u8))
                throw new InvalidDataException($"{wsPath}: line 1: expected the connection's 'wss://… <-> <ts>' line; not a cryptofeed connection file.");
        }
        catch
        {
            reader.Dispose();
            throw;
        }
        return reader;
    }

    /// <summary>Loads the next message in receive order; false at the end of the capture.</summary>
    public bool Read()
    {
        if (!_hasFrame && !_framesDone)
            _hasFrame = ReadFrame();
        if (_nextSnapshot < _snapshots.Count && (!_hasFrame || _snapshots[_nextSnapshot].ReceiveNs <= _frameNs))
        {
            _snapshot = _snapshots[_nextSnapshot++];
            IsSnapshot = true;
            ReceiveNs = _snapshot.ReceiveNs;
            return true;
        }
        if (!_hasFrame)
            return false;
        _hasFrame = false;
        IsSnapshot = false;
        ReceiveNs = _frameNs;
        return true;
    }

    private bool ReadFrame()
    {
        while (_lines.TryReadLine(out var line))
        {
            if (line.IsEmpty)
                continue;
            int colon = line.IndexOf(": "u8);
            if (colon <= 0 || line[0] == (byte)'w' || !TrySecondsToNs(line[..colon], out long ts))
            {
                if (line.IndexOf(" <- "u8) < 0) // sent subscriptions are expected; anything else is not
                {
                    BadLines++;
                    LastBadLine = _lines.LineNumber;
                }
                continue;
            }
            ReadOnlySpan<byte> json = line[(colon + 2)..];
            if (json.Length > _frame.Length)
                _frame = new byte[Math.Max(json.Length, _frame.Length * 2)];
            json.CopyTo(_frame);
            _frameLength = json.Length;
            _frameNs = ts;
            return true;
        }
        _framesDone = true;
        return false;
    }

    /// <summary>A connection file's first line: <c>wss://host/stream?streams=a@x/b@y &lt;-&gt; ts</c>.</summary>
    public static string ConnectLine(string wsPath) => FirstLine(wsPath) ?? throw new InvalidDataException($"{wsPath} is empty.");

    /// <summary>The streams a connection file subscribed to, from its connect line (<c>…/stream?streams=a@x/b@y &lt;-&gt; ts</c>).</summary>
    public static IReadOnlyList<string> StreamNames(string wsPath)
    {
        string connect = ConnectLine(wsPath);
        int q = connect.IndexOf("streams=", StringComparison.Ordinal);
        if (q < 0)
            return [];
        return connect[(q + "streams=".Length)..].Split(' ')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The upper-case symbols a connection file subscribed to, in first-subscribed order.</summary>
    public static IReadOnlyList<string> Symbols(string wsPath) =>
        [.. StreamNames(wsPath).Select(s => s.Split('@')[0].ToUpperInvariant()).Distinct(StringComparer.Ordinal)];

    /// <summary>Cryptofeed writes float seconds ("1633998512.0633569"); nanoseconds, truncated past 9 decimals.</summary>
    internal static long SecondsToNs(ReadOnlySpan<byte> text) =>
        TrySecondsToNs(text, out long ns) ? ns : throw new FormatException($"'{Encoding.ASCII.GetString(text)}' is not a cryptofeed timestamp (float seconds).");

    private static bool TrySecondsToNs(ReadOnlySpan<byte> text, out long ns)
    {
        int dot = text.IndexOf((byte)'.');
        if (dot >= 0 && text.Length - dot - 1 > 9)
            text = text[..(dot + 10)];
        return DecimalParser.TryParse(text, 9, allowNegative: false, out ns) == DecimalParseError.None;
    }

    private static List<RecordedSnapshot> ReadSnapshots(string httpPath)
    {
        var snapshots = new List<RecordedSnapshot>();
        int number = 0;
        using var reader = new StreamReader(OpenMaybeGzip(httpPath));
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0)
                continue;
            // <url> -> <ts>: <json>
            int arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
            int colon = arrow < 0 ? -1 : line.IndexOf(": ", arrow, StringComparison.Ordinal);
            if (arrow < 0 || colon < 0 || !Uri.TryCreate(line[..arrow], UriKind.Absolute, out Uri? url))
                throw new InvalidDataException($"{httpPath}: line {number}: not a cryptofeed HTTP line ('<url> -> <ts>: <json>'): {line[..Math.Min(80, line.Length)]}");
            var query = System.Web.HttpUtility.ParseQueryString(url.Query);
            string symbol = query["symbol"] ?? throw new InvalidDataException($"{httpPath}: line {number}: snapshot URL without a symbol: {url}");
            int limit = int.TryParse(query["limit"], out int l) ? l : 0;
            if (!TrySecondsToNs(Encoding.ASCII.GetBytes(line[(arrow + 4)..colon]), out long ts))
                throw new InvalidDataException($"{httpPath}: line {number}: '{line[(arrow + 4)..colon]}' is not a cryptofeed timestamp (float seconds).");
            snapshots.Add(new RecordedSnapshot(ts, symbol.ToUpperInvariant(), limit, Encoding.UTF8.GetBytes(line[(colon + 2)..])));
        }
        // Stable: snapshots received at the same instant keep their file order.
        return [.. snapshots.Select((s, i) => (s, i)).OrderBy(p => p.s.ReceiveNs).ThenBy(p => p.i).Select(p => p.s)];
    }

    internal static Stream OpenMaybeGzip(string path)
    {
        Stream file = File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    internal static string? FirstLine(string path)
    {
        using var reader = new StreamReader(OpenMaybeGzip(path));
        return reader.ReadLine();
    }

    public void Dispose()
    {
        _lines.Dispose();
        _ws.Dispose();
    }
}
