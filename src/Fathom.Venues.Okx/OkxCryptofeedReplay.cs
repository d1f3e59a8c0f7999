using System.Text;
using System.Text.Json;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Venues.Okx;

/// <summary>
/// Replays cryptofeed's raw recording of one OKX v5 public WebSocket connection (<c>OKX.ws.N.0</c>:
/// a connect line, sent lines <c>&lt;url&gt; &lt;- &lt;ts&gt;: &lt;json&gt;</c>, received frames
/// <c>&lt;ts&gt;: &lt;json&gt;</c>; see shared/data/PROVENANCE.md) through <see cref="OkxStreamParser"/>.
/// The instruments are those the sent subscribe requests name, with tick and lot sizes from the
/// recorded instrument list (<c>OKX.0[.gz]</c>).
/// </summary>
public sealed class OkxCryptofeedReplay
{
    private readonly string _wsPath;

    private OkxCryptofeedReplay(OkxInstrumentTable instruments, string wsPath)
    {
        Instruments = instruments;
        Parser = new OkxStreamParser(instruments);
        _wsPath = wsPath;
    }

    public OkxInstrumentTable Instruments { get; }
    public OkxStreamParser Parser { get; }
    public long Frames { get; private set; }
    public long SentLines { get; private set; }
    public long BadLines { get; private set; }

    /// <summary>Opens a recording; throws <see cref="InvalidDataException"/> when a subscribed instrument is not in the list.</summary>
    public static OkxCryptofeedReplay Open(string instrumentsPath, string wsPath)
    {
        var specs = OkxInstruments.ReadFile(instrumentsPath);
        var table = new OkxInstrumentTable();
        using (var reader = new StreamReader(wsPath))
        {
            while (reader.ReadLine() is { } line)
            {
                int sent = line.IndexOf(" <- ", StringComparison.Ordinal);
                if (sent < 0 || !line.StartsWith("wss://", StringComparison.Ordinal))
                    continue;
                int json = line.IndexOf(": {", sent, StringComparison.Ordinal);
                if (json < 0)
                    continue;
                using var doc = JsonDocument.Parse(line[(json + 2)..]);
                if (!doc.RootElement.TryGetProperty("args", out var args) || args.ValueKind != JsonValueKind.Array)
                    continue;
                foreach (var arg in args.EnumerateArray())
                {
                    string? instId = arg.TryGetProperty("instId", out var i) ? i.GetString() : null;
                    if (instId is null || table.Find(Encoding.ASCII.GetBytes(instId)) is not null)
                        continue;
                    if (!specs.TryGetValue(instId, out var spec))
                        throw new InvalidDataException($"{instId} is subscribed in {wsPath} but missing from the instrument list in {instrumentsPath}.");
                    table.Add(spec);
                }
            }
        }
        if (table.Count == 0)
            throw new InvalidDataException($"{wsPath} subscribes to no instrument (no '<url> <- <ts>: {{\"op\":\"subscribe\",…}}' line).");
        return new OkxCryptofeedReplay(table, wsPath);
    }

    /// <summary>Replays every received frame, stamped with its recorded receive time, into <paramref name="handler"/>.</summary>
    public void Replay<THandler>(ref THandler handler) where THandler : IMarketDataHandler
    {
        using Stream file = File.OpenRead(_wsPath);
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
            if (line.StartsWith("wss://"u8))
            {
                if (line.IndexOf(" <- "u8) >= 0) SentLines++;
                else BadLines++;
                continue;
            }
            int colon = line.IndexOf(": "u8);
            if (colon <= 0 || !TrySecondsToNs(line[..colon], out long ts))
            {
                BadLines++;
                continue;
            }
            Frames++;
            Parser.ParseFrame(line[(colon + 2)..], ts, ref handler);
        }
    }

    /// <summary>Cryptofeed writes float seconds ("1652459225.5037491"); nanoseconds, truncated past 9 decimals.</summary>
    private static bool TrySecondsToNs(ReadOnlySpan<byte> text, out long ns)
    {
        int dot = text.IndexOf((byte)'.');
        if (dot >= 0 && text.Length - dot - 1 > 9)
            text = text[..(dot + 10)];
        return DecimalParser.TryParse(text, 9, allowNegative: false, out ns) == DecimalParseError.None;
    }
}
