using System.Text;
using System.Text.Json;
using Fathom.Core;

namespace Fathom.Venues.Okx;

/// <summary>
/// Reads instrument metadata from OKX's <c>GET /api/v5/public/instruments</c> answer
/// (<c>{"code":"0","data":[{"instId":…,"tickSz":…,"lotSz":…,"minSz":…,"state":…},…]}</c>).
/// Price decimals are those of <c>tickSz</c>, quantity decimals those of <c>lotSz</c>: the book
/// reads every price and size at exactly that precision. Cold path, so it uses System.Text.Json.
/// </summary>
public static class OkxInstruments
{
    /// <summary>Adds every instrument of one answer to <paramref name="into"/>, keyed by instId (a later answer wins).</summary>
    public static void Parse(ReadOnlySpan<byte> json, Dictionary<string, InstrumentSpec> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var listed = new Dictionary<string, OkxListedInstrument>(StringComparer.Ordinal);
        ParseListed(json, listed);
        foreach (var (instId, instrument) in listed)
            into[instId] = instrument.Spec;
    }

    /// <summary>
    /// <see cref="Parse"/> keeping what order entry needs too: <c>instIdCode</c> (a number, or a numeric string),
    /// <c>baseCcy</c> and <c>quoteCcy</c>.
    /// </summary>
    public static void ParseListed(ReadOnlySpan<byte> json, Dictionary<string, OkxListedInstrument> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var reader = new Utf8JsonReader(json);
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        if (root.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String && code.GetString() != "0")
            throw new FormatException($"the instruments answer is an error: code {code.GetString()}.");
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new FormatException("the instruments answer has no 'data' array.");
        foreach (var i in data.EnumerateArray())
        {
            string? instId = Text(i, "instId"), tickSz = Text(i, "tickSz"), lotSz = Text(i, "lotSz");
            if (string.IsNullOrEmpty(instId) || string.IsNullOrEmpty(tickSz) || string.IsNullOrEmpty(lotSz))
                continue;
            int priceDecimals = Decimals(tickSz), qtyDecimals = Decimals(lotSz);
            long minQty = 0;
            if (Text(i, "minSz") is { Length: > 0 } minSz)
                DecimalParser.TryParse(Encoding.ASCII.GetBytes(minSz), qtyDecimals, allowNegative: false, out minQty);
            var spec = new InstrumentSpec
            {
                Symbol = instId,
                Venue = Venue.Okx,
                PriceDecimals = priceDecimals,
                QtyDecimals = qtyDecimals,
                TickSize = new Price(DecimalParser.Parse(Encoding.ASCII.GetBytes(tickSz), priceDecimals)),
                StepSize = new Qty(DecimalParser.Parse(Encoding.ASCII.GetBytes(lotSz), qtyDecimals)),
                MinQty = new Qty(minQty),
                Status = Text(i, "state") switch
                {
                    "live" => InstrumentStatus.Trading,
                    "suspend" => InstrumentStatus.Halt,
                    "preopen" => InstrumentStatus.PreTrading,
                    _ => InstrumentStatus.Unknown,
                },
            }.Validate();
            into[instId] = new OkxListedInstrument(spec, InstIdCode(i), Text(i, "baseCcy") ?? "", Text(i, "quoteCcy") ?? "");
        }
    }

    private static long InstIdCode(JsonElement e)
    {
        if (!e.TryGetProperty("instIdCode", out var v))
            return 0;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n))
            return n;
        return v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long s) ? s : 0;
    }

    /// <summary>
    /// Reads a recorded instrument list: cryptofeed's <c>OKX.0</c> (optionally gzip), one
    /// <c>&lt;url&gt; -&gt; &lt;ts&gt;: &lt;json&gt;</c> answer per line (other lines are skipped), or bare JSON lines.
    /// </summary>
    public static Dictionary<string, InstrumentSpec> ReadFile(string path)
    {
        var result = new Dictionary<string, InstrumentSpec>(StringComparer.Ordinal);
        using Stream file = File.OpenRead(path);
        using Stream data = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress) : file;
        using var reader = new StreamReader(data);
        while (reader.ReadLine() is { } line)
        {
            int arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
            int start = arrow < 0 ? (line.StartsWith('{') ? 0 : -1) : line.IndexOf(": {", arrow, StringComparison.Ordinal) + 2;
            if (start < 0 || (arrow >= 0 && start < 2))
                continue;
            Parse(Encoding.UTF8.GetBytes(line[start..]), result);
        }
        if (result.Count == 0)
            throw new InvalidDataException($"{path} holds no OKX instrument list.");
        return result;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int Decimals(string value)
    {
        int dot = value.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? 0 : value.Length - dot - 1;
    }
}
